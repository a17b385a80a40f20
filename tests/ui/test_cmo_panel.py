"""The CMO configurations panel, driven with real clicks and keys on the demo project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ipsmap.model.cmo_queries import cmos_in_order
from ipsmap.ui.evaluation.cmo_model import ID_ROLE
from tests.ui.support import type_into


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
    type_into(qtbot, detail.texts["context"], "Parent isolated after a move")
    type_into(qtbot, detail.lines["area"], "Isolation")
    QTest.keyClick(detail.lines["area"], Qt.Key.Key_Return)
    assert project.cmos[cmo_id].context == "Parent isolated after a move"
    assert project.cmos[cmo_id].area == "Isolation"
    detail.status.setFocus()
    detail.status.setCurrentIndex(1)
    detail.status.activated.emit(1)
    assert project.cmos[cmo_id].status == "supported"
    type_into(qtbot, detail.confidence.lineEdit(), "0.6")
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
    from ipsmap.model.record_commands import EditSession
    from ipsmap.ui.evaluation.cmo_evidence import where_choices

    panel = _open_panel(qtbot, window)
    project = window.project
    cmo_id = _click_row(qtbot, panel, "CMO 3")
    detail = panel.detail
    count = len(project.cmos[cmo_id].evidence)
    steps = len(project.history())
    QTest.mouseClick(detail.evidence_buttons[0], Qt.MouseButton.LeftButton)
    # A new row is open for typing, but nothing is saved until it has content.
    assert detail.evidence.rowCount() == count + 1
    assert len(project.cmos[cmo_id].evidence) == count
    assert detail.evidence.state() == detail.evidence.State.EditingState
    editor = QApplication.focusWidget()
    QTest.keyClicks(editor, "Case file audit")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(project.cmos[cmo_id].evidence) == count + 1)
    assert project.cmos[cmo_id].evidence[-1]["source"] == "Case file audit"
    assert len(project.history()) == steps + 1, "one command, not an empty entry first"

    # A new row left empty is not saved and goes away.
    QTest.mouseClick(detail.evidence_buttons[0], Qt.MouseButton.LeftButton)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: detail.evidence.rowCount() == count + 1)
    assert len(project.history()) == steps + 1

    # "Where" offers the workshops and snapshots, and keeps a workshop by reference.
    choices = where_choices(project)
    title, reference = next((t, r) for t, r in choices if "session_id" in r)
    assert "workshop" in title.lower()
    row = detail.evidence.rowCount() - 1
    detail.evidence.item(row, 2).setText(title)
    qtbot.waitUntil(lambda: project.cmos[cmo_id].evidence[-1]["where"] == title)
    entry = project.cmos[cmo_id].evidence[-1]
    assert entry["session_id"] == reference["session_id"]
    assert entry["source"] == "Case file audit"
    project.execute(EditSession(reference["session_id"], {"title": "Renamed workshop"}))
    assert detail.evidence.item(row, 2).text() == "Renamed workshop"
    assert project.cmos[cmo_id].evidence[-1]["session_id"] == reference["session_id"]
    # Editing the quote keeps the reference (and saves today's name as the text).
    detail.evidence.item(row, 1).setText("We felt listened to")
    qtbot.waitUntil(lambda: project.cmos[cmo_id].evidence[-1]["quote"] == "We felt listened to")
    assert project.cmos[cmo_id].evidence[-1]["session_id"] == reference["session_id"]
    # Free text that names no workshop drops the reference.
    detail.evidence.item(row, 2).setText("Phone call")
    qtbot.waitUntil(lambda: project.cmos[cmo_id].evidence[-1]["where"] == "Phone call")
    assert "session_id" not in project.cmos[cmo_id].evidence[-1]


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


def test_chain_is_drawn_and_a_click_on_a_box_chooses_that_cmo(qtbot, window):
    panel = _open_panel(qtbot, window)
    project = window.project
    view = panel.chain_view
    assert not view.boxes
    cmo_id = _click_row(qtbot, panel, "CMO 1")
    codes = {project.cmos[c].code for c in view.boxes}
    assert {"CMO 7", "CMO 1", "CMO 2", "CMO 4"} <= codes
    # Left to right: what leads to CMO 1 before it, what it leads to after.
    by_code = {project.cmos[c].code: rect for c, rect in view.boxes.items()}
    assert by_code["CMO 7"].right() < by_code["CMO 1"].left() < by_code["CMO 2"].left()
    assert view.graph.columns[view.graph.center] == [cmo_id]
    assert "[CMO 1]" in view.accessibleDescription()
    qtbot.waitUntil(view.isVisible)
    panel.chain_scroll.ensureVisible(int(by_code["CMO 2"].center().x()), 10)
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=by_code["CMO 2"].center().toPoint())
    assert project.cmos[panel.current_id].code == "CMO 2"
    assert panel.detail.heading.text().startswith("<b>CMO 2</b>")
    rows = panel.table.selectionModel().selectedRows()
    assert [r.data(ID_ROLE) for r in rows] == [panel.current_id], "the table follows"
    # Redrawn around the new choice; a drawing is no worse for a cycle.
    assert view.cmo_id == panel.current_id
    view.grab()


def test_history_is_grouped_by_the_snapshots_in_between(qtbot, window):
    from ipsmap.model.record_commands import EditCMO
    from ipsmap.model.snapshots import take_snapshot

    panel = _open_panel(qtbot, window)
    project = window.project
    cmo_id = _click_row(qtbot, panel, "CMO 2")
    # The demo's site maps were frozen as "Adaptation point 1" when it was built.
    snapshot = take_snapshot(project, _toc(window).id, "Adaptation point 2")
    project.execute(EditCMO(cmo_id, {"status": "refuted"}))
    history = panel.detail.history
    lines = [history.item(i).text() for i in range(history.count())]
    date = snapshot.taken_at[:10]
    assert lines[0].startswith("Before Adaptation point 1")
    assert lines[1].strip().endswith(": created")
    assert lines[-2].startswith("Since ") and lines[-2].endswith(f"Adaptation point 2 ({date})")
    assert lines[-1].strip().endswith("→ refuted")
    assert not history.item(0).flags() & Qt.ItemFlag.ItemIsSelectable
