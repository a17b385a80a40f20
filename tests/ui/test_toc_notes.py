"""Theory of change in the window: assumptions and indicators, their badges, layered layout."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ipsmap.model.defaults import default_styles


def _toc(window):
    toc = next(m for m in window.project.maps() if m.kind == "toc")
    window.show_map(toc.id)
    return window.document


def _add_line(qtbot, editor, text: str) -> None:
    editor.entry.setFocus()
    qtbot.waitUntil(editor.entry.hasFocus)
    QTest.keyClicks(editor.entry, text)
    QTest.keyClick(editor.entry, Qt.Key.Key_Return)


def test_default_toc_levels_cover_the_issue():
    styles = [s for s in default_styles("m", "toc") if s.kind == "factor"]
    levelled = sorted((s for s in styles if s.level is not None), key=lambda s: s.level)
    assert [s.name for s in levelled] == [
        "Input",
        "Activity",
        "Output",
        "Mechanism",
        "Short-term outcome",
        "Medium-term outcome",
        "Long-term outcome",
        "Impact",
    ]
    assert [s.level for s in levelled] == list(range(8))
    assert [s.name for s in styles if s.level is None] == ["Assumption"]


def test_factor_assumptions_and_indicators_in_the_inspector(qtbot, window):
    doc = _toc(window)
    factor_id = next(f for f, x in doc.factors.items() if x.label == "Reduced parental stress")
    window.editor.select(factors=[factor_id])
    inspector = window.inspector
    assumptions = inspector.factor_toc["assumptions"]
    indicators = inspector.factor_toc["indicators"]
    assert assumptions.row_label.text() == "Assumptions"

    _add_line(qtbot, assumptions, "Housing is stable enough")
    _add_line(qtbot, assumptions, "Parents want help")
    _add_line(qtbot, indicators, "PSI score falls by 3 months")
    factor = doc.factors[factor_id]
    assert factor.attributes["assumptions"] == ["Housing is stable enough", "Parents want help"]
    assert factor.attributes["indicators"] == ["PSI score falls by 3 months"]
    assert assumptions.lines() == factor.attributes["assumptions"]
    item = window.scene.factor_items[factor_id]
    assert item._badge == "A2 · I1"
    assert item.boundingRect().contains(item.badge_rect())

    # Change a line in place, then remove one with the Delete key.
    assumptions.list.item(1).setText("Parents choose to take part")
    assert doc.factors[factor_id].attributes["assumptions"][1] == "Parents choose to take part"
    assumptions.list.setFocus()
    assumptions.list.setCurrentRow(0)
    QTest.keyClick(assumptions.list, Qt.Key.Key_Delete)
    assert doc.factors[factor_id].attributes["assumptions"] == ["Parents choose to take part"]
    assert factor_id in doc.factors, "Delete in the list does not delete the factor"
    assert item._badge == "A1 · I1"

    # The free attributes text neither shows nor drops them.
    text = inspector.factor_attributes
    assert "assumptions" not in text.toPlainText()
    text.setFocus()
    text.setPlainText("owner: Farah")
    window.view.setFocus()
    qtbot.waitUntil(lambda: doc.factors[factor_id].attributes.get("owner") == "Farah")
    assert doc.factors[factor_id].attributes["assumptions"] == ["Parents choose to take part"]

    # Each change was one undoable step.
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert doc.factors[factor_id].attributes["assumptions"] == [
        "Housing is stable enough",
        "Parents choose to take part",
    ]
    assert assumptions.lines() == doc.factors[factor_id].attributes["assumptions"]


def test_link_indicators_and_labels_on_a_systems_map(qtbot, window):
    doc = _toc(window)
    labels = {f: x.label for f, x in doc.factors.items()}
    link_id = next(
        i
        for i, x in doc.links.items()
        if (labels[x.source], labels[x.target])
        == ("Parent feels heard and not judged", "Trust between parent and professionals")
    )
    window.editor.select(links=[link_id])
    indicators = window.inspector.link_toc["indicators"]
    _add_line(qtbot, indicators, "Visits kept")
    assert doc.links[link_id].attributes["indicators"] == ["Visits kept"]
    item = window.scene.link_items[link_id]
    assert item._badge == "A1 · I1"  # the demo gives this link one assumption
    assert item.boundingRect().contains(item.badge_rect())
    assert window.inspector.link_cmos.text() == "CMO 1"

    # On a systems map the same editors are there, labelled as theory-of-change fields.
    window.show_map(window.project.maps()[0].id)
    first = next(iter(window.document.factors))
    window.editor.select(factors=[first])
    assert window.inspector.factor_toc["assumptions"].row_label.text() == "Assumptions (ToC)"


def test_auto_layout_of_a_toc_map_is_layered_by_level(qtbot, window):
    doc = _toc(window)
    action = window.actions_by_name["layout"]
    assert action.objectName() == "action-layout"
    menu_actions = window.menuBar().findChild(
        type(window.menuBar().actions()[0].menu()), "menu-map"
    )
    assert action in menu_actions.actions()
    assert window.actions_by_name["layout-upward"] in menu_actions.actions()
    action.trigger()
    column = {}
    for factor in doc.factors.values():
        level = doc.styles[factor.type].level
        if level is not None:
            column.setdefault(level, set()).add(round(factor.x))
    assert all(len(xs) == 1 for xs in column.values()), "one column per level"
    xs = [next(iter(column[level])) for level in sorted(column)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), "inputs left … impact right"
