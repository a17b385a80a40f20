"""A whole workshop round with the keyboard alone, from the canvas: add a person and a
session, make it the current session, collect marks, read the grid and the balance of
voices. Every key goes to whatever has the focus, as a user's would."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog

from ipsmap.model.mark_summary import marks_by

CTRL, SHIFT, ALT = (
    Qt.KeyboardModifier.ControlModifier,
    Qt.KeyboardModifier.ShiftModifier,
    Qt.KeyboardModifier.AltModifier,
)


def _focus():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _press(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(_focus(), key, modifiers)


def _type(qtbot, text):
    for char in text:
        qtbot.keyClicks(_focus(), char)


def _dialog(qtbot, name):
    """The dialog a key opened, once it has the keyboard (its window is activated)."""

    def found():
        widget = QApplication.activeModalWidget() or QApplication.activeWindow()
        focus = QApplication.focusWidget()
        return (
            isinstance(widget, QDialog)
            and widget.objectName() == name
            and focus is not None
            and focus.window() is widget
        )

    qtbot.waitUntil(found, timeout=3000)
    return QApplication.activeModalWidget() or QApplication.activeWindow()


def _back_to(qtbot, window):
    """A dialog closed: the window manager gives the main window the keyboard again."""
    window.activateWindow()
    qtbot.waitUntil(
        lambda: (
            QApplication.focusWidget() is not None and QApplication.focusWidget().window() is window
        )
    )


def test_a_workshop_round_by_keyboard_alone(window, qtbot):
    project = window.project
    glasgow = window.document.id
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)

    # Participants and sessions; add a person by typing.
    _press(qtbot, Qt.Key.Key_P, CTRL | SHIFT)
    assert window.docks["participants"].isVisible()
    _press(qtbot, Qt.Key.Key_P, ALT)  # Add &person…
    editor = _dialog(qtbot, "participant-editor")
    assert _focus() is editor.pseudonym
    _type(qtbot, "Agnes")
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focus() is editor.group
    _type(qtbot, "C")  # Community member
    _press(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "Glasgow")
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editor.isVisible())
    agnes = next(p for p in project.participants.values() if p.pseudonym == "Agnes")
    assert (agnes.stakeholder_group, agnes.site) == ("community member", "Glasgow")

    # A session she attends: the Sessions tab (arrow on the tabs), then Add session.
    _back_to(qtbot, window)
    _press(qtbot, Qt.Key.Key_P, CTRL | SHIFT)
    assert _focus() is window.workshop.participants.tabs.tabBar()
    _press(qtbot, Qt.Key.Key_Right)
    assert window.workshop.participants.tabs.currentIndex() == 1
    _press(qtbot, Qt.Key.Key_O, ALT)  # Add sessi&on…
    dialog = _dialog(qtbot, "session-dialog")
    assert _focus() is dialog.title
    _type(qtbot, "Glasgow workshop 3: acting on it")
    while _focus() is not dialog.attendees:
        _press(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "Agnes")
    _press(qtbot, Qt.Key.Key_Space)
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    session = next(s for s in project.sessions.values() if s.title.endswith("acting on it"))
    assert session.attendees == [agnes.id]

    # Make it the current session from the toolbar's Session box.
    _back_to(qtbot, window)
    _press(qtbot, Qt.Key.Key_W, CTRL | SHIFT)
    assert _focus() is window.session_combo
    while project.session_id != session.id:
        before = window.session_combo.currentIndex()
        _press(qtbot, Qt.Key.Key_Down)
        assert window.session_combo.currentIndex() != before, "the session is not in the box"
    assert project.session_id == session.id

    # Collect marks: choose Agnes, mark two factors important and give one a vote.
    _press(qtbot, Qt.Key.Key_M, CTRL)
    marks = window.workshop.marks_mode
    qtbot.waitUntil(lambda: QApplication.focusWidget() is marks.card)
    _press(qtbot, Qt.Key.Key_W, ALT)  # &Who is marking
    assert isinstance(_focus(), QComboBox)
    _type(qtbot, "Agnes")
    _press(qtbot, Qt.Key.Key_Return)
    assert _focus() is marks.card and marks.people() == [agnes.id]
    first = marks.current()[1]
    _press(qtbot, Qt.Key.Key_I)
    _press(qtbot, Qt.Key.Key_J)
    second = marks.current()[1]
    _press(qtbot, Qt.Key.Key_I)
    _press(qtbot, Qt.Key.Key_1)
    given = marks_by(project, glasgow, agnes.id)
    assert given == {(first, "important"): 1, (second, "important"): 1, (second, "votes"): 1}
    made = [m for m in project.marks_of(glasgow) if m.participant == agnes.id]
    assert {m.session_id for m in made} == {session.id}
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.workshop.marks_mode is None)

    # The grid: arrows move from point to point.
    _back_to(qtbot, window)
    _press(qtbot, Qt.Key.Key_M, CTRL | SHIFT)
    grid = window.workshop.marks.grid
    assert _focus() is grid
    _press(qtbot, Qt.Key.Key_Right)
    one = grid.current
    _press(qtbot, Qt.Key.Key_Right)
    two = grid.current
    assert one in grid.points and two in grid.points and one != two
    assert window.scene.selected_factor_ids() == [two]
    _press(qtbot, Qt.Key.Key_Left)
    assert grid.current == one

    # Balance of voices for the new session: Agnes's marks, and she was the room.
    _press(qtbot, Qt.Key.Key_B, CTRL | SHIFT)
    voices = window.workshop.voices
    assert _focus() is voices.scope
    while voices.scope.currentData() != session.id:
        before = voices.scope.currentIndex()
        _press(qtbot, Qt.Key.Key_Down)
        assert voices.scope.currentIndex() != before, "the session is not a scope"
    result = voices.result
    assert result["scope"]["session"] == session.title
    community = next(r for r in result["groups"] if r["group"] == "community member")
    assert community["marks"] == 3 and community["attendees"] == 1
    assert result["warnings"] == []
