"""The map window driven by real mouse and keyboard input (pytest-qt, offscreen).

Each test asserts on the model, the project file (reopened or queried) and the scene.
"""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from ipsmap.ui.canvas.items import FactorItem, LinkItem
from tests.ui.support import (
    add_factor_by_typing,
    drag,
    empty_spot,
    factor_point,
)


def stored(window, sql: str, *params):
    return window.project.store.db.execute(sql, params).fetchall()


def test_window_opens_on_the_demo_with_every_factor_drawn(window):
    doc = window.document
    assert "Glasgow" in window.windowTitle() and "demo" in window.windowTitle()
    assert set(window.scene.factor_items) == set(doc.factors)
    assert set(window.scene.link_items) == set(doc.links)
    curved = [i for i in window.scene.link_items.values() if i.curved]
    assert curved, "reciprocal links are drawn as curves"


def test_double_click_and_type_adds_a_factor_enter_confirms_escape_cancels(qtbot, empty_window):
    window = empty_window
    new = add_factor_by_typing(qtbot, window.view, "Housing insecurity")
    factor = window.document.factors[new]
    assert factor.label == "Housing insecurity"
    assert isinstance(window.scene.factor_items[new], FactorItem)
    assert window.scene.factor_items[new].label == "Housing insecurity"
    assert stored(window, "SELECT label FROM factors WHERE id = ?", new) == [
        ("Housing insecurity",)
    ]
    # Esc cancels: nothing added.
    viewport = window.view.viewport()
    spot = empty_spot(window.view)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot)
    qtbot.keyClicks(window.view.label_editor(), "Not wanted")
    qtbot.keyClick(window.view.label_editor(), Qt.Key.Key_Escape)
    assert len(window.document.factors) == 1
    assert window.view.label_editor() is None


def test_key_n_adds_a_factor_at_the_centre(qtbot, empty_window):
    window = empty_window
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    editor = window.view.label_editor()
    assert editor is not None
    qtbot.keyClicks(editor, "Stigma")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert [f.label for f in window.document.factors.values()] == ["Stigma"]


def test_right_drag_draws_a_link_and_keys_set_its_polarity(qtbot, empty_window):
    window = empty_window
    a = add_factor_by_typing(qtbot, window.view, "Poverty", QPoint(200, 200))
    b = add_factor_by_typing(qtbot, window.view, "Parental stress", QPoint(600, 300))
    viewport = window.view.viewport()
    drag(
        viewport,
        factor_point(window.view, a),
        factor_point(window.view, b),
        Qt.MouseButton.RightButton,
    )
    (link,) = window.document.links.values()
    assert (link.source, link.target, link.polarity) == (a, b, "+")
    assert window.scene.selected_link_ids() == [link.id]
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Minus)
    assert window.document.links[link.id].polarity == "-"
    assert window.scene.link_items[link.id].polarity == "-"
    qtbot.keyClick(window.view, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert window.document.links[link.id].polarity == "?"
    assert stored(window, "SELECT polarity FROM links") == [("?",)]


def test_select_two_and_press_l_links_them_in_selection_order(qtbot, empty_window):
    window = empty_window
    a = add_factor_by_typing(qtbot, window.view, "Waiting lists", QPoint(200, 200))
    b = add_factor_by_typing(qtbot, window.view, "Trust in services", QPoint(600, 300))
    viewport = window.view.viewport()
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        factor_point(window.view, b),
    )
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        factor_point(window.view, a),
    )
    assert set(window.scene.selected_factor_ids()) == {a, b}
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    (link,) = window.document.links.values()
    assert (link.source, link.target) == (b, a)


def test_drag_moves_factors_live_and_is_one_undo_step(qtbot, window):
    doc = window.document
    fid = next(iter(doc.factors))
    start = factor_point(window.view, fid)
    before = (doc.factors[fid].x, doc.factors[fid].y)
    events = len(window.project.history())
    drag(window.view.viewport(), start, start + QPoint(80, 40))
    after = (doc.factors[fid].x, doc.factors[fid].y)
    assert after != before
    assert len(window.project.history()) == events + 1
    assert window.project.history()[-1].command == "Move"
    assert window.scene.factor_items[fid].pos() == QPointF(*after)
    window.actions_by_name["undo"].trigger()
    assert (doc.factors[fid].x, doc.factors[fid].y) == before
    assert window.scene.factor_items[fid].pos() == QPointF(*before)


def test_multi_select_delete_then_undo_restores_factors_and_links(qtbot, window):
    doc = window.document
    ids = list(doc.factors)[:3]
    viewport = window.view.viewport()
    window.scene.clearSelection()
    for fid in ids:
        window.view.centerOn(window.scene.factor_items[fid])
        QTest.mouseClick(
            viewport,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ControlModifier,
            factor_point(window.view, fid),
        )
    assert set(window.scene.selected_factor_ids()) == set(ids)
    touching = {lid for fid in ids for lid in doc.state.links_of(fid)}
    assert touching
    links_before, factors_before = len(doc.links), len(doc.factors)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert len(doc.factors) == factors_before - 3
    assert len(doc.links) == links_before - len(touching)
    assert not set(window.scene.link_items) & touching
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.factors) == factors_before and len(doc.links) == links_before
    assert set(window.scene.link_items) == set(doc.links)
    count = stored(window, "SELECT COUNT(*) FROM links WHERE map_id = ?", doc.id)[0][0]
    assert count == links_before


def test_shift_drag_on_background_rubber_band_selects(qtbot, empty_window):
    window = empty_window
    a = add_factor_by_typing(qtbot, window.view, "A", QPoint(200, 200))
    b = add_factor_by_typing(qtbot, window.view, "B", QPoint(300, 250))
    window.scene.clearSelection()
    drag(
        window.view.viewport(),
        QPoint(120, 140),
        QPoint(420, 330),
        modifiers=Qt.KeyboardModifier.ShiftModifier,
    )
    assert set(window.scene.selected_factor_ids()) == {a, b}


def test_drag_on_background_pans(qtbot, window):
    bar = window.view.horizontalScrollBar()
    window.view.zoom_by(3)
    before = bar.value()
    spot = empty_spot(window.view)
    drag(window.view.viewport(), spot, spot + QPoint(-120, 0))
    assert bar.value() != before


def test_f2_edits_a_label_in_place(qtbot, window):
    fid = next(iter(window.document.factors))
    window.scene.clearSelection()
    window.scene.factor_items[fid].setSelected(True)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    editor = window.view.label_editor()
    editor.selectAll()
    qtbot.keyClicks(editor, "Money worries")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.factors[fid].label == "Money worries"
    assert window.scene.factor_items[fid].label == "Money worries"


def test_inspector_edits_are_commands(qtbot, window):
    doc = window.document
    lid = next(iter(doc.links))
    window.scene.clearSelection()
    window.scene.link_items[lid].setSelected(True)
    inspector = window.inspector
    assert inspector.pages.currentWidget() is inspector.link_page
    rationale = inspector.link_rationale
    rationale.setFocus()
    rationale.selectAll()
    qtbot.keyClicks(rationale, "Parents said so in workshop 2")
    window.view.setFocus()  # leaving the field commits it
    assert doc.links[lid].rationale == "Parents said so in workshop 2"
    combo = inspector.link_polarity
    combo.setFocus()
    target = "-" if doc.links[lid].polarity != "-" else "+"
    index = combo.findData(target)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert doc.links[lid].polarity == target
    assert window.scene.link_items[lid].polarity == target
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert doc.links[lid].rationale != "Parents said so in workshop 2"


def test_inspector_sets_type_of_several_factors_at_once(qtbot, window):
    doc = window.document
    ids = list(doc.factors)[:4]
    window.scene.clearSelection()
    for fid in ids:
        window.scene.factor_items[fid].setSelected(True)
    inspector = window.inspector
    assert inspector.pages.currentWidget() is inspector.many_page
    outcome = doc.state.style_named("factor", "Outcome")
    index = inspector.many_type.findData(outcome.id)
    inspector.many_type.setCurrentIndex(index)
    inspector.many_type.activated.emit(index)
    assert {doc.factors[f].type for f in ids} == {outcome.id}
    assert {window.scene.factor_items[f].style.name for f in ids} == {"Outcome"}


def test_copy_paste_and_duplicate(qtbot, window):
    doc = window.document
    ids = list(doc.factors)[:2]
    window.scene.clearSelection()
    for fid in ids:
        window.scene.factor_items[fid].setSelected(True)
    before = len(doc.factors)
    window.actions_by_name["copy"].trigger()
    window.actions_by_name["paste"].trigger()
    assert len(doc.factors) == before + 2
    pasted = window.scene.selected_factor_ids()
    assert sorted(doc.factors[f].label for f in pasted) == sorted(doc.factors[f].label for f in ids)
    window.actions_by_name["duplicate"].trigger()
    assert len(doc.factors) == before + 4
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert len(doc.factors) == before


def test_paste_into_another_map(qtbot, window):
    maps = window.project.maps()
    first = window.document
    fid = next(iter(first.factors))
    window.scene.clearSelection()
    window.scene.factor_items[fid].setSelected(True)
    window.actions_by_name["copy"].trigger()
    window.show_map(maps[1].id)
    before = len(window.document.factors)
    window.actions_by_name["paste"].trigger()
    assert len(window.document.factors) == before + 1
    assert first.factors[fid].label in {f.label for f in window.document.factors.values()}


def test_arrow_keys_nudge_and_align(qtbot, window):
    doc = window.document
    fid = next(iter(doc.factors))
    window.scene.clearSelection()
    window.scene.factor_items[fid].setSelected(True)
    x = doc.factors[fid].x
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    assert doc.factors[fid].x == x + 10
    ids = list(doc.factors)[:3]
    window.scene.clearSelection()
    for f in ids:
        window.scene.factor_items[f].setSelected(True)
    window.actions_by_name["align-left"].trigger()
    assert len({doc.factors[f].x for f in ids}) == 1


def test_auto_layout_is_one_undo_step(qtbot, window):
    doc = window.document
    before = {f: (v.x, v.y) for f, v in doc.factors.items()}
    window.actions_by_name["layout"].trigger()
    qtbot.waitUntil(lambda: window.project.history()[-1].command.startswith("Auto layout"))
    moved = {f: (v.x, v.y) for f, v in doc.factors.items()}
    assert moved != before
    window.actions_by_name["undo"].trigger()
    assert {f: (v.x, v.y) for f, v in doc.factors.items()} == before


def test_toc_layout_puts_levels_in_columns(qtbot, window):
    toc = next(m for m in window.project.maps() if m.kind == "toc")
    window.show_map(toc.id)
    window.actions_by_name["layout"].trigger()
    doc = window.document
    by_level: dict[int, set[float]] = {}
    for factor in doc.factors.values():
        level = doc.styles[factor.type].level
        if level is not None:
            by_level.setdefault(level, set()).add(factor.x)
    xs = [min(v) for _, v in sorted(by_level.items())]
    assert xs == sorted(xs) and all(len(v) == 1 for v in by_level.values())


def test_presentation_mode_hides_chrome_and_restores_it(qtbot, window):
    action = window.actions_by_name["presentation"]
    size = window.label_size.value()
    action.trigger()
    assert window.menuBar().isHidden() and window.toolbar.isHidden()
    # Labels are enlarged by the fit (to 20 px on screen where boxes leave room).
    qtbot.waitUntil(lambda: window.scene.theme.font.pointSizeF() >= 16)
    assert window.scene.theme.high_contrast
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.menuBar().isHidden()
    assert window.label_size.value() == size
    assert not window.scene.theme.high_contrast


def test_participant_choice_attributes_new_factors(qtbot, empty_window, monkeypatch):
    from ipsmap.ui.workshop.participants_bar import ParticipantDialog

    window = empty_window
    combo = window.participants

    def fake_exec(dialog):
        dialog.pseudonym.setText("Rowan")
        dialog.group.setCurrentIndex(dialog.group.findData("parent"))
        return ParticipantDialog.DialogCode.Accepted

    monkeypatch.setattr(ParticipantDialog, "exec", fake_exec)
    index = combo.findData("__add__")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    rowan = next(p for p in window.project.participants.values() if p.pseudonym == "Rowan")
    assert window.project.actor_id == rowan.id
    new = add_factor_by_typing(qtbot, window.view, "Fear of being judged")
    assert window.document.factors[new].created_by == rowan.id


def test_map_switcher_add_rename_duplicate_delete_with_undo(qtbot, window, monkeypatch):
    project = window.project
    count = len(project.maps())
    window.maps.add_map("Glasgow workshop 3", "system")
    assert len(project.maps()) == count + 1
    assert window.document.info.name == "Glasgow workshop 3"
    window.maps.rename_map("Glasgow workshop 3 (revised)")
    assert project.map_info(window.document.id).name == "Glasgow workshop 3 (revised)"
    window.trigger("duplicate-map")
    assert len(project.maps()) == count + 2
    window.maps.delete_map(confirm=False)
    assert len(project.maps()) == count + 1
    window.actions_by_name["undo"].trigger()
    assert len(project.maps()) == count + 2
    names = [
        window.map_list.tree.topLevelItem(i).text(0)
        for i in range(window.map_list.tree.topLevelItemCount())
    ]
    assert "Glasgow" in names and "Lambeth" in names


def test_every_action_has_a_name_and_dialog_free_ones_run(qtbot, window, tmp_path):
    actions = window.findChildren(type(window.actions_by_name["undo"]))
    assert all(a.objectName() for a in actions if a.text() and not a.isSeparator())
    needs_dialog = {
        "action-new-project",
        "action-open-project",
        "action-save-as",
        "action-import-map",
        "action-export-map",
        "action-close-window",
        "action-add-map",
        "action-rename-map",
        "action-delete-map",
        "action-take-snapshot",
        "action-restore-snapshot",
        "action-open-snapshot",
        "action-compare",
        "action-combine-maps",
        "action-reset-demo",
        "action-host-live-session",  # asks which maps and network first (a modal dialog)
        "action-join-live-session",  # asks which session and who first (a modal dialog)
    }
    window.scene.factor_items[next(iter(window.document.factors))].setSelected(True)
    for action in window.actions_by_name.values():
        if action.objectName() in needs_dialog:
            continue
        action.trigger()
        if action.isCheckable() and action.isChecked():
            action.trigger()
        qtbot.wait(1)
    assert window.isVisible()
    for dialog_name in ("shortcuts-dialog", "about-dialog", "styles-dialog"):
        for widget in window.findChildren(type(window), dialog_name) or []:
            widget.close()


def test_every_edit_is_on_disk_when_the_window_closes(qtbot, empty_window, tmp_path):
    window = empty_window
    path = window.project.path
    add_factor_by_typing(qtbot, window.view, "Saved without saving")
    window.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT label FROM factors").fetchall() == [("Saved without saving",)]
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_undo_follows_the_order_of_map_and_project_changes(qtbot, window):
    from ipsmap.model.commands import AddFactor

    project = window.project
    first, second = project.maps()[0].id, project.maps()[1].id
    window.show_map(second)
    window.editor.run(AddFactor("Edited before the delete"))
    window.show_map(first)
    window.maps.delete_map(confirm=False)
    assert window.document.id != first
    window.show_map(second)
    window.actions_by_name["undo"].trigger()
    assert first in {m.id for m in project.maps()}, "the newer step (the delete) is undone first"
    labels = {f.label for f in project.document(second).factors.values()}
    assert "Edited before the delete" in labels
    window.actions_by_name["undo"].trigger()
    labels = {f.label for f in project.document(second).factors.values()}
    assert "Edited before the delete" not in labels


def test_toc_layout_bottom_to_top_puts_impact_at_the_top(qtbot, window):
    toc = next(m for m in window.project.maps() if m.kind == "toc")
    window.show_map(toc.id)
    window.actions_by_name["layout-upward"].trigger()
    doc = window.document
    ys = {doc.styles[f.type].name: f.y for f in doc.factors.values()}
    assert ys["Impact"] < ys["Input"]


def test_take_and_restore_a_snapshot_from_the_map_menu(qtbot, window):
    from ipsmap.model.snapshots import list_snapshots

    # (The demo already holds "Adaptation point 1" snapshots of the site maps.)
    digest = window.maps.take_snapshot("Adaptation point 2")
    assert digest and len(digest) == 64
    (snapshot,) = [s for s in list_snapshots(window.project) if s.label == "Adaptation point 2"]
    assert snapshot.map_id == window.document.id and snapshot.sha256 == digest
    count = len(window.project.maps())
    window.maps.restore_snapshot(snapshot.id)
    assert len(window.project.maps()) == count + 1
    assert window.document.info.name.endswith("(Adaptation point 2)")


def test_the_window_opens_on_the_data_view_not_the_cmo_table(qtbot, window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QTabBar

    def bottom_tab() -> str:
        for bar in window.findChildren(QTabBar):
            names = [bar.tabText(i) for i in range(bar.count())]
            if "CMO configurations" in names:
                return bar.tabText(bar.currentIndex())
        return ""

    # The tables start hidden (the canvas gets the room); shown, the data view is in front.
    assert window.docks["data"].isHidden() and window.docks["cmos"].isHidden()
    window.findChild(QAction, "action-show-data-view").trigger()
    qtbot.waitUntil(lambda: window.docks["data"].isVisible(), timeout=2000)
    assert window.docks["cmos"].isHidden()
    # Showing the CMO table too puts both in tabs; the data view stays where it was.
    window.findChild(QAction, "action-show-cmo-configurations").trigger()
    qtbot.waitUntil(lambda: bottom_tab() != "", timeout=2000)
    assert window.docks["data"].isVisible()


def test_edits_repaint_only_what_changed_with_every_panel_open(qtbot, window, monkeypatch):
    # Panels clear the canvas fade after edits; once that repainted every item of the map
    # (0.25 s per edit on 2,000 factors). Only items whose fading changes are repainted now.
    from ipsmap.model.commands import AddFactor
    from ipsmap.ui.canvas.items import FactorItem

    updated: list[object] = []
    for cls in (FactorItem, LinkItem):
        original = cls.update

        def spy(self, *args, _original=original):
            updated.append(self)
            return _original(self, *args)

        monkeypatch.setattr(cls, "update", spy)
    window.document.execute(AddFactor("One more", 10, 10))
    qtbot.wait(20)
    assert len(updated) < 5, f"{len(updated)} items repainted for one new factor"
    everything = set(window.document.factors) | set(window.document.links)
    window.scene.set_faded(everything)
    assert len(updated) >= len(everything)
    updated.clear()
    window.scene.set_faded(everything)
    assert updated == []
