"""Collect marks by keyboard and by mouse, through the real widgets, into the project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from ipsmap.model.mark_summary import marks_by


def _glasgow(window):
    return next(m.id for m in window.project.maps() if m.name.startswith("Glasgow"))


def _open_marks(window, qtbot, pseudonym="Shona"):
    window.show_map(_glasgow(window))
    window.actions_by_name["collect-marks"].trigger()
    dialog = window.workshop.marks_mode
    qtbot.waitExposed(dialog)
    person = next(p.id for p in window.project.participants.values() if p.pseudonym == pseudonym)
    dialog.set_person(person)
    dialog.card.setFocus()
    return dialog, person


def _find(dialog, label):
    for i, (_kind, key) in enumerate(dialog.items):
        document = dialog.scene.document
        item = document.factors.get(key)
        if item is not None and item.label == label:
            dialog.show_index(i)
            return key
    raise AssertionError(label)


def test_keyboard_marks_land_in_the_project(window, qtbot):
    dialog, shona = _open_marks(window, qtbot)
    project, map_id = window.project, _glasgow(window)
    target = _find(dialog, "Housing insecurity")
    assert dialog.card.title.text() == "Housing insecurity"
    qtbot.keyClick(dialog.card, Qt.Key.Key_I)
    qtbot.keyClick(dialog.card, Qt.Key.Key_V)
    assert marks_by(project, map_id, shona)[(target, "important")] == 1
    assert marks_by(project, map_id, shona)[(target, "vulnerable")] == 1
    assert dialog.card.flag_buttons["important"].isChecked()
    # Shona placed all 5 votes in the workshop; taking one back frees one here.
    assert "0 of 5 votes left" in dialog.card.budget_label.text()
    qtbot.keyClick(dialog.card, Qt.Key.Key_1)
    assert "votes" in dialog.error.text()  # over budget: a clear message, nothing changed
    assert (target, "votes") not in marks_by(project, map_id, shona)
    # The mark each keystroke made is one undo step.
    qtbot.keyClick(dialog.card, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (target, "vulnerable") not in marks_by(project, map_id, shona)
    assert (target, "important") in marks_by(project, map_id, shona)
    qtbot.keyClick(dialog.card, Qt.Key.Key_I)  # toggles off again
    assert (target, "important") not in marks_by(project, map_id, shona)


def test_votes_keys_and_budget_label(window, qtbot):
    dialog, shona = _open_marks(window, qtbot)
    project, map_id = window.project, _glasgow(window)
    peer = _find(dialog, "Peer support from other parents")
    qtbot.keyClick(dialog.card, Qt.Key.Key_0)  # clears her 2 votes here
    assert (peer, "votes") not in marks_by(project, map_id, shona)
    assert "2 of 5 votes left" in dialog.card.budget_label.text()
    qtbot.keyClick(dialog.card, Qt.Key.Key_2)
    assert marks_by(project, map_id, shona)[(peer, "votes")] == 2
    assert "0 of 5 votes left" in dialog.card.budget_label.text()
    assert dialog.card.votes_label.text().startswith("Votes here: ●●")


def test_stepping_selects_on_canvas_and_canvas_click_shows_item(window, qtbot):
    dialog, _shona = _open_marks(window, qtbot)
    first = dialog.current()[1]
    qtbot.keyClick(dialog.card, Qt.Key.Key_J)
    second = dialog.current()[1]
    assert second != first
    assert window.scene.selected_factor_ids() == [second]
    qtbot.keyClick(dialog.card, Qt.Key.Key_Tab)
    qtbot.keyClick(dialog.card, Qt.Key.Key_K)
    assert dialog.current()[1] == second
    # A click on a factor on the canvas brings it up in the marks window.
    target = _find(dialog, "Food insecurity")
    other = next(f for f in window.scene.factor_items if f != target)
    item = window.scene.factor_items[other]
    window.view.centerOn(item)
    qtbot.wait(10)
    point = window.view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert dialog.current()[1] == other


def test_mouse_buttons_mark_too(window, qtbot):
    dialog, shona = _open_marks(window, qtbot)
    project, map_id = window.project, _glasgow(window)
    target = _find(dialog, "Long travel to services")
    qtbot.mouseClick(dialog.card.flag_buttons["controllable"], Qt.MouseButton.LeftButton)
    assert marks_by(project, map_id, shona)[(target, "controllable")] == 1
    qtbot.mouseClick(dialog.findChild(QPushButton, "marks-next"), Qt.MouseButton.LeftButton)
    assert dialog.current()[1] != target


def test_link_confidence_by_keys(window, qtbot):
    dialog, shona = _open_marks(window, qtbot)
    project, map_id = window.project, _glasgow(window)
    qtbot.keyClick(dialog.card, Qt.Key.Key_End)
    kind, link = dialog.current()
    assert kind == "link"
    assert "→" in dialog.card.title.text()
    assert dialog.card.factor_box.isHidden() and not dialog.card.link_box.isHidden()
    qtbot.keyClick(dialog.card, Qt.Key.Key_H)
    assert marks_by(project, map_id, shona)[(link, "confidence")] == 1.0
    assert dialog.card.confidence_buttons["high"].isChecked()
    qtbot.keyClick(dialog.card, Qt.Key.Key_L)
    assert marks_by(project, map_id, shona)[(link, "confidence")] == 0.25
    qtbot.keyClick(dialog.card, Qt.Key.Key_0)
    assert (link, "confidence") not in marks_by(project, map_id, shona)


def test_sheet_for_several_people_is_one_step(window, qtbot):
    dialog, _shona = _open_marks(window, qtbot)
    project, map_id = window.project, _glasgow(window)
    names = {p.pseudonym: p.id for p in project.participants.values()}
    group = [names["Callum"], names["Fiona"], names["Ishbel"]]
    dialog.set_sheet_people(group)
    assert dialog.people() == group or set(dialog.people()) == set(group)
    dialog.card.setFocus()
    target = _find(dialog, "Damp or overcrowded housing")
    qtbot.keyClick(dialog.card, Qt.Key.Key_C)
    assert all(marks_by(project, map_id, p).get((target, "controllable")) for p in group)
    assert "3 of 3" in dialog.card.flag_buttons["controllable"].text()
    window.undo.undo()
    assert not any(marks_by(project, map_id, p).get((target, "controllable")) for p in group)
    # Marks are theirs; the entry is credited to whoever is editing now.
    qtbot.keyClick(dialog.card, Qt.Key.Key_C)
    made = [m for m in project.marks_of(map_id) if m.target == target]
    assert {m.participant for m in made} == set(group)
    assert {m.created_by for m in made} == {project.actor_id}


def test_marks_carry_the_current_session(window, qtbot):
    combo = window.session_combo
    session = sorted(window.project.sessions.values(), key=lambda s: s.date)[-1]
    combo.setCurrentIndex(combo.findData(session.id))
    combo.activated.emit(combo.currentIndex())
    assert window.project.session_id == session.id
    dialog, shona = _open_marks(window, qtbot)
    target = _find(dialog, "Domestic abuse")
    qtbot.keyClick(dialog.card, Qt.Key.Key_I)
    mark = next(m for m in window.project.marks_of(_glasgow(window)) if m.target == target)
    assert mark.session_id == session.id and mark.participant == shona


def _mark_buttons(dialog):
    navigation = ("marks-previous", "marks-next")
    return [b for b in dialog.card.findChildren(QPushButton) if b.objectName() not in navigation]


def test_marks_on_a_snapshot_are_refused_up_front(window, qtbot):
    project, map_id = window.project, _glasgow(window)
    window.show_map(map_id)
    from ipsmap.model.snapshots import take_snapshot

    window.snapshots.open(take_snapshot(project, map_id, "Before marking").id)
    window.actions_by_name["collect-marks"].trigger()
    dialog = window.workshop.marks_mode
    qtbot.waitExposed(dialog)
    assert dialog.read_only_note.isVisible()
    assert "snapshot" in dialog.read_only_note.text()
    assert not any(b.isEnabled() for b in _mark_buttons(dialog))
    shona = next(p.id for p in project.participants.values() if p.pseudonym == "Shona")
    dialog.set_person(shona)
    target = _find(dialog, "Housing insecurity")
    assert target in project.document(map_id).factors
    before = len(project.marks_of(map_id))
    # The snapshot shares the live map's ids: a key must not mark the live map.
    qtbot.keyClick(dialog.card, Qt.Key.Key_I)
    assert len(project.marks_of(map_id)) == before
    assert (target, "important") not in marks_by(project, map_id, shona)
    assert "snapshot" in dialog.error.text()
    # Back on the live map, the same window marks again.
    window.trigger("close-snapshot")
    assert not dialog.read_only_note.isVisible()
    assert all(b.isEnabled() for b in _mark_buttons(dialog))


def test_marks_on_a_read_only_project_are_refused_up_front(tmp_path, qtbot, demo_project):
    from ipsmap.model.project import Project
    from ipsmap.ui.main_window import MainWindow

    path = demo_project.path
    demo_project.close()
    project = Project.open(path, read_only=True)
    window = MainWindow(project)
    qtbot.addWidget(window)
    window.show()
    window.show_map(_glasgow(window))
    window.actions_by_name["collect-marks"].trigger()
    dialog = window.workshop.marks_mode
    qtbot.waitExposed(dialog)
    assert dialog.read_only_note.isVisible()
    assert "read-only" in dialog.read_only_note.text()
    assert not any(b.isEnabled() for b in _mark_buttons(dialog))
    qtbot.keyClick(dialog.card, Qt.Key.Key_J)  # looking through still works
    assert dialog.index == 1
    window.close()


def test_every_mark_button_says_what_the_mark_means(window, qtbot):
    from ipsmap.model.entities import MARK_KIND_LABELS

    dialog, _shona = _open_marks(window, qtbot)
    for kind, button in dialog.card.flag_buttons.items():
        assert MARK_KIND_LABELS[kind] in button.toolTip()
    for button in [*dialog.card.confidence_buttons.values(), *_mark_buttons(dialog)]:
        assert len(button.toolTip().split()) >= 4, button.objectName()
    assert MARK_KIND_LABELS["votes"] in dialog.card.votes_label.toolTip()
    for widget in dialog.findChildren(QPushButton):
        assert "stakeholder" not in widget.toolTip().lower()
