"""The CMO configurations panel, driven with real clicks and keys on the demo project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ipsmap.model.cmo_queries import cmos_in_order
from ipsmap.ui.cmo_model import ID_ROLE


def _open_panel(qtbot, window):
    window.docks["cmos"].show()
    window.docks["cmos"].raise_()
    qtbot.waitUntil(lambda: window.cmo_panel.table.isVisible())
    return window.cmo_panel


def _toc(window):
    return next(m for m in window.project.maps() if m.kind == "toc")


def _click_row(qtbot, panel, code: str) -> str:
    table = panel.table
    for row in range(panel.proxy.rowCount()):
        index = panel.proxy.index(row, 0)
        if index.data().lstrip("● ") == code:
            table.scrollTo(index)
            rect = table.visualRect(index)
            QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return index.data(ID_ROLE)
    raise AssertionError(f"{code} is not in the table")


def _type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    widget.selectAll()
    QTest.keyClicks(widget, text)


def test_dock_lists_the_demo_cmos_sorted_by_code(qtbot, window):
    panel = _open_panel(qtbot, window)
    codes = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert codes == [c.code for c in cmos_in_order(window.project)]
    assert window.findChild(type(window.actions_by_name["undo"]), "action-show-cmo-configurations")
    status_col = 6
    index = panel.proxy.index(0, status_col)
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None


def test_choosing_a_cmo_highlights_its_items_and_switches_map(qtbot, window):
    panel = _open_panel(qtbot, window)
    glasgow = window.document.id
    cmo_id = _click_row(qtbot, panel, "CMO 3")  # explains only items on the ToC map
    cmo = window.project.cmos[cmo_id]
    assert window.document.id == _toc(window).id != glasgow
    faded = window.scene.theme.faded
    doc = window.document
    for item_id in cmo.explains:
        assert item_id not in faded
    unrelated = next(f for f, x in doc.factors.items() if x.label == "Fewer children enter care")
    assert unrelated in faded
    assert window.scene.factor_items[unrelated].isVisible()
    assert panel.detail.heading.text().startswith("<b>CMO 3</b>")
    assert panel.detail.explains.count() == len(cmo.explains)

    # "Show whole map" ends the highlight.
    QTest.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert window.scene.theme.faded == set()


def test_selecting_a_factor_marks_the_cmos_that_explain_it(qtbot, window):
    panel = _open_panel(qtbot, window)
    window.show_map(_toc(window).id)
    doc = window.document
    label = "Parent feels heard and not judged"
    heard = next(f for f, x in doc.factors.items() if x.label == label)
    window.editor.select(factors=[heard])
    assert panel.selection_note.text() == "CMOs explaining this: CMO 1"
    QTest.mouseClick(panel.only_selection, Qt.MouseButton.LeftButton)
    assert panel.proxy.rowCount() == 1
    assert panel.proxy.index(0, 0).data() == "● CMO 1"
    window.editor.select()
    assert panel.proxy.rowCount() == 0
    panel.only_selection.setChecked(False)
    assert panel.proxy.rowCount() == len(window.project.cmos)
    # The inspector names them too.
    window.editor.select(factors=[heard])
    assert window.inspector.factor_cmos.text() == "CMO 1"


def test_add_edit_link_and_undo_a_cmo(qtbot, window):
    panel = _open_panel(qtbot, window)
    project = window.project
    window.show_map(_toc(window).id)
    doc = window.document
    ids = {x.label: f for f, x in doc.factors.items()}
    window.editor.select(factors=[ids["Reduced parental stress"]])

    before = len(project.cmos)
    QTest.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert len(project.cmos) == before + 1
    cmo_id = panel.current_id
    cmo = project.cmos[cmo_id]
    assert cmo.code == "CMO 8"
    assert cmo.explains == [ids["Reduced parental stress"]], "added explaining the selection"

    detail = panel.detail
    _type_into(qtbot, detail.texts["context"], "Parent isolated after a move")
    _type_into(qtbot, detail.lines["area"], "Isolation")
    QTest.keyClick(detail.lines["area"], Qt.Key.Key_Return)
    assert project.cmos[cmo_id].context == "Parent isolated after a move"
    assert project.cmos[cmo_id].area == "Isolation"
    detail.status.setFocus()
    detail.status.setCurrentIndex(1)
    detail.status.activated.emit(1)
    assert project.cmos[cmo_id].status == "supported"
    _type_into(qtbot, detail.confidence.lineEdit(), "0.6")
    QTest.keyClick(detail.confidence, Qt.Key.Key_Return)
    assert project.cmos[cmo_id].confidence == 0.6

    # Link two more canvas items; one command.
    window.editor.select(factors=[ids["Better parental mental health"]])
    link_id = next(iter(doc.links))
    window.scene.link_items[link_id].setSelected(True)
    QTest.mouseClick(detail.explains_buttons[0], Qt.MouseButton.LeftButton)
    assert project.cmos[cmo_id].explains == [
        ids["Reduced parental stress"],
        ids["Better parental mental health"],
        link_id,
    ]
    assert detail.explains.count() == 3
    assert panel.selection_note.text().startswith("CMOs explaining the selection: ")
    assert "CMO 8" in panel.selection_note.text()

    # Unlink the first through the list.
    detail.explains.setCurrentRow(0)
    QTest.mouseClick(detail.explains_buttons[1], Qt.MouseButton.LeftButton)
    assert ids["Reduced parental stress"] not in project.cmos[cmo_id].explains

    # Chain: this CMO leads to CMO 3.
    cmo3 = next(c.id for c in project.cmos.values() if c.code == "CMO 3")
    detail.leads_choice.setCurrentIndex(detail.leads_choice.findData(cmo3))
    QTest.mouseClick(detail.leads_buttons[0], Qt.MouseButton.LeftButton)
    assert project.cmos[cmo_id].leads_to == [cmo3]
    assert "[CMO 8] → CMO 3" in detail.chain.text()

    # Each edit is one step in the history list and in undo.
    history = [detail.history.item(i).text() for i in range(detail.history.count())]
    assert any("Context: — → Parent isolated after a move" in h for h in history)
    assert any("Status: initial → supported" in h for h in history)
    assert window.actions_by_name["undo"].isEnabled()
    assert "CMO 8" in window.actions_by_name["undo"].text()
    window.actions_by_name["undo"].trigger()
    assert project.cmos[cmo_id].leads_to == []
    assert detail.chain.text() == "[CMO 8]"
    window.actions_by_name["undo"].trigger()
    assert ids["Reduced parental stress"] in project.cmos[cmo_id].explains
    assert detail.explains.count() == 3


def test_evidence_rows_are_edited_in_place(qtbot, window):
    panel = _open_panel(qtbot, window)
    project = window.project
    cmo_id = _click_row(qtbot, panel, "CMO 3")
    detail = panel.detail
    count = len(project.cmos[cmo_id].evidence)
    QTest.mouseClick(detail.evidence_buttons[0], Qt.MouseButton.LeftButton)
    assert len(project.cmos[cmo_id].evidence) == count + 1
    # The new row's source cell is open for typing.
    assert detail.evidence.state() == detail.evidence.State.EditingState
    editor = QApplication.focusWidget()
    QTest.keyClicks(editor, "Case file audit")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.cmos[cmo_id].evidence[-1]["source"] == "Case file audit")
    assert len(project.cmos[cmo_id].evidence) == count + 1
    # "Where" offers the workshops and snapshots.
    from ipsmap.ui.cmo_detail import where_choices

    choices = where_choices(project)
    assert any("workshop" in c.lower() for c in choices)
    row = detail.evidence.rowCount() - 1
    detail.evidence.item(row, 2).setText(choices[0])
    qtbot.waitUntil(lambda: project.cmos[cmo_id].evidence[-1]["where"] == choices[0])
    assert project.cmos[cmo_id].evidence[-1]["source"] == "Case file audit"


def test_delete_key_in_the_table_deletes_the_cmo_not_the_canvas_selection(qtbot, window):
    panel = _open_panel(qtbot, window)
    project = window.project
    window.show_map(_toc(window).id)
    factors = len(window.document.factors)
    cmo_id = _click_row(qtbot, panel, "CMO 6")
    window.editor.select(factors=[next(iter(window.document.factors))])
    panel.table.setFocus()
    QTest.keyClick(panel.table, Qt.Key.Key_Delete)
    assert cmo_id not in project.cmos
    assert len(window.document.factors) == factors
    window.actions_by_name["undo"].trigger()
    assert cmo_id in project.cmos
    assert panel.model.row_of(cmo_id) >= 0


def test_read_only_project_cannot_be_edited(qtbot, tmp_path, demo_project):
    from ipsmap.model.project import Project
    from ipsmap.ui.main_window import MainWindow

    path = demo_project.path
    demo_project.close()
    win = MainWindow(Project.open(path, read_only=True))
    qtbot.addWidget(win)
    win.show()
    panel = _open_panel(qtbot, win)
    assert not panel.add_button.isEnabled()
    _click_row(qtbot, panel, "CMO 1")
    assert panel.detail.lines["area"].isReadOnly()
    assert not panel.detail.status.isEnabled()
    assert not panel.delete_button.isEnabled()
    win.close()
