"""The data view: tables of factors and links, edited through commands, in step with the map."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from ipsmap.model.command import Macro
from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors, EditFactor
from ipsmap.model.document import MapDocument
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.panels.data_view import DataView, RecordTable

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
NONE = Qt.KeyboardModifier.NoModifier


@dataclass
class World:
    project: Project
    doc: MapDocument
    scene: MapScene
    view: MapView
    editor: MapEditor
    data_view: DataView
    window: QWidget
    ids: dict[str, str]


def _build_map(project: Project) -> tuple[MapDocument, dict[str, str]]:
    add = AddMap("Glasgow workshop", "system", "Glasgow")
    project.execute(add)
    doc = project.document(add.id)
    factors = {
        "stress": AddFactor("Parent stress", -200, 0, notes="Worry about money and housing"),
        "sleep": AddFactor("Child sleep", 0, 150),
        "screens": AddFactor("Screen time", 200, 0, notes="Evenings mostly"),
        "income": AddFactor("Family income", -200, 300),
        "creche": AddFactor("Crèche places", 400, 300),
    }
    ids = {key: command.id for key, command in factors.items()}
    links = {
        "l_stress_sleep": AddLink(ids["stress"], ids["sleep"], "-", rationale="Tired parents"),
        "l_screens_sleep": AddLink(ids["screens"], ids["sleep"], "-", strength=0.25),
        "l_income_stress": AddLink(ids["income"], ids["stress"], "-", confidence=1.0),
        "l_creche_income": AddLink(ids["creche"], ids["income"], "+"),
    }
    ids.update({key: command.id for key, command in links.items()})
    doc.execute(Macro("Workshop map", [*factors.values(), *links.values()]))
    return doc, ids


@pytest.fixture
def world(qtbot, make_canvas, tmp_path: Path):
    project = Project.create(tmp_path / "workshop.ipsmap", "Workshop")
    doc, ids = _build_map(project)
    window = QWidget()
    window.setObjectName("test-window")
    qtbot.addWidget(window)
    canvas = make_canvas(doc, host=window)
    scene, view, editor = canvas.scene, canvas.view, canvas.editor
    data_view = DataView(canvas.hallway, editor, scene, window)
    data_view.set_document(doc)
    layout = QHBoxLayout(window)
    layout.addWidget(view, 1)
    layout.addWidget(data_view, 2)
    window.resize(1400, 600)
    window.show()
    qtbot.waitExposed(window)
    yield World(project, doc, scene, view, editor, data_view, window, ids)
    window.close()


# -- helpers ----------------------------------------------------------------------------


def proxy_row(table: RecordTable, record_id: str) -> int:
    row = table.source.row_of(record_id)
    assert row is not None
    return table.proxy.mapFromSource(table.source.index(row, 0)).row()


def shown_column(table: RecordTable, column: int) -> list[str]:
    return [table.proxy.index(r, column).data() for r in range(table.proxy.rowCount())]


def column_of(table: RecordTable, header: str) -> int:
    return [c.header for c in table.source.COLUMNS].index(header)


def click_cell(qtbot, table: RecordTable, record_id: str, header: str, modifier=NONE) -> None:
    index = table.proxy.index(proxy_row(table, record_id), column_of(table, header))
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), LEFT, modifier, table.visualRect(index).center())


def open_editor(qtbot, table: RecordTable, kind: type) -> QWidget:
    found: list[QWidget] = []

    def editor_open() -> bool:
        found[:] = [w for w in table.viewport().findChildren(kind) if w.isVisible()]
        return bool(found)

    qtbot.waitUntil(editor_open)
    return found[0]


def wait_editor_closed(qtbot, table: RecordTable) -> None:
    def closed() -> bool:
        editors = table.viewport().findChildren(QWidget)
        return not any(isinstance(w, (QComboBox, QLineEdit)) and w.isVisible() for w in editors)

    qtbot.waitUntil(closed)


def show_tab(world: World, table: RecordTable) -> None:
    world.data_view.tabs.setCurrentWidget(table)


# -- contents -----------------------------------------------------------------------------


def test_tables_show_factors_and_links_in_plain_language(world: World) -> None:
    factors, links = world.data_view.factor_table, world.data_view.link_table
    assert [c.header for c in factors.source.COLUMNS] == [
        "Label",
        "Type",
        "Groups",
        "Notes",
        "Created by",
        "Created",
        "Modified by",
        "Modified",
    ]
    assert factors.proxy.rowCount() == 5
    assert links.proxy.rowCount() == 4
    assert shown_column(factors, 0)[:2] == ["Parent stress", "Child sleep"]
    row = proxy_row(factors, world.ids["stress"])
    assert factors.proxy.index(row, column_of(factors, "Type")).data() == "Factor"
    assert factors.proxy.index(row, column_of(factors, "Created by")).data() == "Facilitator"

    row = proxy_row(links, world.ids["l_screens_sleep"])
    values = [links.proxy.index(row, c).data() for c in range(links.proxy.columnCount())]
    assert values[:6] == ["Screen time", "Child sleep", "−", "weak", "", "Causal"]
    row = proxy_row(links, world.ids["l_income_stress"])
    assert links.proxy.index(row, column_of(links, "Confidence")).data() == "high"

    strength_tip = links.model().headerData(
        column_of(links, "Strength"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "How strongly the cause changes the effect" in strength_tip
    assert world.data_view.filter_field.objectName() == "data-filter"
    assert factors.objectName() == "factor-table" and links.objectName() == "link-table"
    assert factors.accessibleName() and links.accessibleName()


# -- editing ------------------------------------------------------------------------------


def test_editing_a_label_in_the_table_runs_one_command(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    factor_id = world.ids["sleep"]
    click_cell(qtbot, table, factor_id, "Label")
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = open_editor(qtbot, table, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(editor, "Child sleep quality")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: world.doc.factors[factor_id].label == "Child sleep quality")
    (stored,) = world.project.store.db.execute(
        "SELECT label FROM factors WHERE id = ?", [factor_id]
    ).fetchone()
    assert stored == "Child sleep quality"
    assert world.scene.factor_items[factor_id].label == "Child sleep quality"
    assert world.doc.undo_stack.peek_undo().name == "Edit factor"
    row = proxy_row(table, factor_id)
    assert table.proxy.index(row, 0).data() == "Child sleep quality"
    # Links show the new label of their ends too.
    links = world.data_view.link_table
    row = proxy_row(links, world.ids["l_stress_sleep"])
    assert links.proxy.index(row, column_of(links, "To")).data() == "Child sleep quality"


def test_typing_over_a_notes_cell_and_undo_restores_it(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    factor_id = world.ids["income"]
    click_cell(qtbot, table, factor_id, "Notes")
    # Any key starts editing, as in a spreadsheet.
    qtbot.keyClicks(table, "U")
    editor = open_editor(qtbot, table, QLineEdit)
    qtbot.keyClicks(editor, "niversal credit cut")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: world.doc.factors[factor_id].notes == "Universal credit cut")

    notes = column_of(table, "Notes")
    assert table.proxy.index(proxy_row(table, factor_id), notes).data() == "Universal credit cut"
    world.editor.undo()
    assert world.doc.factors[factor_id].notes == ""
    assert table.proxy.index(proxy_row(table, factor_id), notes).data() == ""
    (stored,) = world.project.store.db.execute(
        "SELECT notes FROM factors WHERE id = ?", [factor_id]
    ).fetchone()
    assert stored == ""


def test_factor_type_is_chosen_from_the_maps_types(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    factor_id = world.ids["creche"]
    click_cell(qtbot, table, factor_id, "Type")
    qtbot.keyClick(table, Qt.Key.Key_F2)
    combo = open_editor(qtbot, table, QComboBox)
    assert isinstance(combo, QComboBox)
    names = [combo.itemText(i) for i in range(combo.count())]
    assert names == [s.name for s in world.doc.state.factor_styles()]
    qtbot.keyClicks(combo, "Intervention")
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    intervention = world.doc.state.style_named("factor", "Intervention")
    assert intervention is not None
    qtbot.waitUntil(lambda: world.doc.factors[factor_id].type == intervention.id)
    assert table.proxy.index(proxy_row(table, factor_id), 1).data() == "Intervention"


def test_bulk_edit_sets_strength_of_all_selected_links_in_one_step(qtbot, world: World) -> None:
    table = world.data_view.link_table
    show_tab(world, table)
    chosen = [
        world.ids["l_stress_sleep"],
        world.ids["l_screens_sleep"],
        world.ids["l_creche_income"],
    ]
    click_cell(qtbot, table, chosen[0], "Strength")
    click_cell(qtbot, table, chosen[1], "Strength", CTRL)
    click_cell(qtbot, table, chosen[2], "Strength", CTRL)
    assert set(table.selected_ids()) == set(chosen)
    before = {lid: world.doc.links[lid].strength for lid in chosen}

    qtbot.keyClick(table, Qt.Key.Key_F2)
    combo = open_editor(qtbot, table, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["weak", "medium", "strong"]
    qtbot.keyClicks(combo, "strong")
    qtbot.keyClick(combo, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: all(world.doc.links[lid].strength == 1.0 for lid in chosen))
    assert world.doc.links[world.ids["l_income_stress"]].strength == 0.5
    rows = world.project.store.db.execute(
        "SELECT id, strength FROM links WHERE strength = 1.0"
    ).fetchall()
    assert {r[0] for r in rows} == set(chosen)
    strength = column_of(table, "Strength")
    assert {table.proxy.index(proxy_row(table, lid), strength).data() for lid in chosen} == {
        "strong"
    }
    assert world.doc.undo_stack.peek_undo().name == "Set strength of 3 links"

    world.doc.undo()
    assert {lid: world.doc.links[lid].strength for lid in chosen} == before
    assert table.proxy.index(proxy_row(table, chosen[1]), strength).data() == "weak"


def test_polarity_and_confidence_combos(qtbot, world: World) -> None:
    table = world.data_view.link_table
    show_tab(world, table)
    link_id = world.ids["l_creche_income"]
    click_cell(qtbot, table, link_id, "Polarity")
    qtbot.keyClick(table, Qt.Key.Key_F2)
    combo = open_editor(qtbot, table, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["+", "−", "?"]
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: world.doc.links[link_id].polarity == "-")
    wait_editor_closed(qtbot, table)

    rated = world.ids["l_income_stress"]
    click_cell(qtbot, table, rated, "Confidence")
    qtbot.keyClick(table, Qt.Key.Key_F2)
    combo = open_editor(qtbot, table, QComboBox)
    assert combo.currentText() == "high"
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: world.doc.links[rated].confidence is None)
    assert table.proxy.index(proxy_row(table, rated), column_of(table, "Confidence")).data() == ""


def test_an_empty_label_is_refused_with_a_message(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    factor_id = world.ids["stress"]
    with qtbot.waitSignal(world.editor.message) as blocker:
        index = table.proxy.index(proxy_row(table, factor_id), 0)
        assert table.proxy.setData(index, "   ") is False
    assert "label" in blocker.args[0]
    assert world.doc.factors[factor_id].label == "Parent stress"


# -- sorting and filtering -----------------------------------------------------------------


def click_header(qtbot, table: RecordTable, header: str) -> None:
    bar = table.horizontalHeader()
    section = column_of(table, header)
    x = bar.sectionViewportPosition(section) + bar.sectionSize(section) // 2
    qtbot.mouseClick(bar.viewport(), LEFT, NONE, QPoint(x, bar.height() // 2))


def test_clicking_headers_sorts_naturally_and_numerically(qtbot, world: World) -> None:
    for n in (10, 2, 1):
        world.editor.run(AddFactor(f"Outcome {n}", 0, 600 + n))
    table = world.data_view.factor_table
    assert shown_column(table, 0)[-3:] == ["Outcome 10", "Outcome 2", "Outcome 1"]  # map order

    click_header(qtbot, table, "Label")
    assert shown_column(table, 0) == [
        "Child sleep",
        "Crèche places",
        "Family income",
        "Outcome 1",
        "Outcome 2",
        "Outcome 10",
        "Parent stress",
        "Screen time",
    ]
    click_header(qtbot, table, "Label")
    assert shown_column(table, 0)[0] == "Screen time"

    links = world.data_view.link_table
    show_tab(world, links)
    click_header(qtbot, links, "Strength")
    strength = column_of(links, "Strength")
    assert shown_column(links, strength) == ["weak", "medium", "medium", "medium"]
    click_header(qtbot, links, "Confidence")
    assert shown_column(links, column_of(links, "Confidence")) == ["", "", "", "high"]


def test_filter_text_keeps_matching_rows_of_both_tables(qtbot, world: World) -> None:
    field = world.data_view.filter_field
    factors, links = world.data_view.factor_table, world.data_view.link_table
    qtbot.keyClicks(field, "SLEEP")
    assert shown_column(factors, 0) == ["Child sleep"]
    assert links.proxy.rowCount() == 2  # both links into "Child sleep"

    field.clear()
    qtbot.keyClicks(field, "creche")  # accents don't count
    assert shown_column(factors, 0) == ["Crèche places"]

    field.clear()
    qtbot.keyClicks(field, "money parent")  # words may be in different cells
    assert shown_column(factors, 0) == ["Parent stress"]

    field.clear()
    assert factors.proxy.rowCount() == 5 and links.proxy.rowCount() == 4


def test_filtering_does_not_change_the_canvas_selection(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    click_cell(qtbot, table, world.ids["stress"], "Label")
    click_cell(qtbot, table, world.ids["sleep"], "Label", CTRL)
    qtbot.keyClicks(world.data_view.filter_field, "sleep")
    assert table.selected_ids() == [world.ids["sleep"]]
    assert set(world.scene.selected_factor_ids()) == {world.ids["stress"], world.ids["sleep"]}
    # An edit that takes a selected row out of the filter leaves the canvas alone too.
    world.editor.set_label(world.ids["sleep"], "Bedtimes")
    assert table.proxy.rowCount() == 0
    assert set(world.scene.selected_factor_ids()) == {world.ids["stress"], world.ids["sleep"]}
    world.data_view.filter_field.clear()
    assert set(table.selected_ids()) == {world.ids["stress"], world.ids["sleep"]}


# -- selection ---------------------------------------------------------------------------------


def view_centre(world: World):
    return world.view.mapToScene(world.view.viewport().rect().center())


def test_selecting_rows_selects_and_centres_canvas_items(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    click_cell(qtbot, table, world.ids["creche"], "Label")
    assert world.scene.selected_factor_ids() == [world.ids["creche"]]
    item = world.scene.factor_items[world.ids["creche"]]
    centre = view_centre(world)
    assert abs(centre.x() - item.pos().x()) < 2 and abs(centre.y() - item.pos().y()) < 2

    click_cell(qtbot, table, world.ids["stress"], "Label", CTRL)
    assert set(world.scene.selected_factor_ids()) == {world.ids["creche"], world.ids["stress"]}

    links = world.data_view.link_table
    show_tab(world, links)
    click_cell(qtbot, links, world.ids["l_stress_sleep"], "From")
    assert world.scene.selected_link_ids() == [world.ids["l_stress_sleep"]]
    assert world.scene.selected_factor_ids() == []
    assert table.selected_ids() == []


def test_selecting_on_the_canvas_selects_rows(qtbot, world: World) -> None:
    item = world.scene.factor_items[world.ids["screens"]]
    world.view.centerOn(item)
    qtbot.mouseClick(world.view.viewport(), LEFT, NONE, world.view.mapFromScene(item.pos()))
    assert world.scene.selected_factor_ids() == [world.ids["screens"]]
    table = world.data_view.factor_table
    qtbot.waitUntil(lambda: table.selected_ids() == [world.ids["screens"]])

    world.editor.select(
        factors=[world.ids["sleep"], world.ids["income"]], links=[world.ids["l_income_stress"]]
    )
    qtbot.waitUntil(lambda: set(table.selected_ids()) == {world.ids["sleep"], world.ids["income"]})
    assert world.data_view.link_table.selected_ids() == [world.ids["l_income_stress"]]

    world.scene.clearSelection()
    qtbot.waitUntil(lambda: table.selected_ids() == [])


# -- keeping in step with the model ----------------------------------------------------------------


def test_canvas_side_commands_update_the_tables(qtbot, world: World) -> None:
    table = world.data_view.factor_table
    links = world.data_view.link_table
    click_cell(qtbot, table, world.ids["stress"], "Label")

    command = AddFactor("Grandparent help", 50, 50)
    assert world.editor.run(command)
    assert table.proxy.rowCount() == 6
    assert shown_column(table, 0)[-1] == "Grandparent help"
    assert table.selected_ids() == [world.ids["stress"]]  # selection kept over the reset

    world.editor.run(AddLink(command.id, world.ids["stress"], "-"))
    assert links.proxy.rowCount() == 5
    world.editor.set_label(world.ids["stress"], "Parental stress")
    row = proxy_row(links, world.ids["l_stress_sleep"])
    assert links.proxy.index(row, 0).data() == "Parental stress"

    world.editor.run(DeleteFactors([world.ids["sleep"]]))
    assert table.proxy.rowCount() == 5
    assert links.proxy.rowCount() == 3
    world.editor.undo()
    assert table.proxy.rowCount() == 6
    assert shown_column(table, 0)[1] == "Child sleep"  # back in its place


def test_a_field_change_rebuilds_only_the_touched_rows(qtbot, world: World, monkeypatch) -> None:
    factors = [AddFactor(f"Factor {n}", n % 50 * 200, n // 50 * 100) for n in range(2000)]
    world.editor.run(Macro("Many factors", factors))
    table = world.data_view.factor_table
    assert table.proxy.rowCount() == 2005

    qtbot.keyClicks(world.data_view.filter_field, "1234")
    assert shown_column(table, 0) == ["Factor 1234"]
    world.data_view.filter_field.clear()

    built: list[str] = []
    original = type(table.source).build_row
    monkeypatch.setattr(
        type(table.source),
        "build_row",
        lambda self, record: built.append(record.id) or original(self, record),
    )
    world.editor.run(EditFactor(factors[1234].id, {"notes": "Checked with the group"}))
    notes = shown_column(table, column_of(table, "Notes"))  # reads every row
    assert notes.count("Checked with the group") == 1
    assert built == [factors[1234].id]


def test_set_document_none_empties_the_tables(world: World) -> None:
    world.data_view.set_document(None)
    assert world.data_view.factor_table.proxy.rowCount() == 0
    assert world.data_view.link_table.proxy.rowCount() == 0
