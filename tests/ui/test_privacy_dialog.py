"""File → Check for personal data lists suspicious text from the real project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from ipsmap.model.commands import AddFactor
from ipsmap.model.forget import REMOVED_TEXT, forget_participant
from ipsmap.model.project_commands import AddParticipant
from ipsmap.model.snapshots import list_snapshots, take_snapshot
from ipsmap.ui.dialogs.privacy_dialog import PrivacyCheckDialog
from ipsmap.ui.workshop.participants_panel import ParticipantEditor


def test_check_lists_a_typed_phone_number(qtbot, window):
    window.document.execute(AddFactor("Crisis line", notes="ring 07700 900123"))
    window.actions_by_name["check-personal-data"].trigger()
    dialog = window.findChild(PrivacyCheckDialog, "privacy-check")
    assert dialog is not None and dialog.isVisible()
    rows = [
        [dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
        for r in range(dialog.table.rowCount())
    ]
    assert any("'Crisis line'" in row[0] and row[3] == "looks like a phone number" for row in rows)
    assert "might hold" in dialog.findChild(QLabel, "privacy-summary").text()
    dialog.close()


def test_withdrawing_consent_offers_forgetting_them_everywhere(qtbot, empty_window):
    """Participants → Edit person: untick consent, tick "forget", OK; the file, its log,
    its snapshot and the canvas keep no trace of the pseudonym or of what they wrote."""
    window = empty_window
    project = window.project
    alice = AddParticipant("Alice", "parent", "Glasgow", notes="lives on Elm St")
    project.execute(alice)
    project.set_actor(alice.id)
    school = AddFactor("After-school club", notes="my sister Maureen helps")
    window.document.execute(school)
    project.set_actor(None)
    old_sha = take_snapshot(project, window.document.id, "Point 1", note="Alice's story").sha256
    window.actions_by_name["participants"].trigger()
    panel = window.workshop.participants
    row = next(
        r for r in range(panel.people.rowCount()) if panel.people.item(r, 0).text() == "Alice"
    )
    rect = panel.people.visualItemRect(panel.people.item(row, 0))
    qtbot.mouseClick(panel.people.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(panel.edit_person_button, Qt.MouseButton.LeftButton)
    editor = panel.findChild(ParticipantEditor, "participant-editor")
    qtbot.waitExposed(editor)
    assert not editor.forget.isVisible()  # offered only once consent is withdrawn
    editor.consent.setFocus()
    qtbot.keyClick(editor.consent, Qt.Key.Key_Space)
    assert editor.forget.isVisible()
    editor.forget.setFocus()
    qtbot.keyClick(editor.forget, Qt.Key.Key_Space)
    ok = editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()

    path = project.path
    on_disk = b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )
    for secret in (b"Alice", b"Elm St", b"Maureen"):
        assert secret not in on_disk
    assert window.document.factors[school.id].notes == REMOVED_TEXT
    # The canvas was told: the item's hover text is the one it now holds.
    assert window.scene.factor_items[school.id]._notes == REMOVED_TEXT
    [snapshot] = list_snapshots(project)
    assert [s["sha256"] for s in snapshot.superseded] == [old_sha]
    names = [panel.people.item(r, 0).text() for r in range(panel.people.rowCount())]
    assert "Alice" not in names and "Parent/carer 1" in names
    assert "Forgotten" in window.statusBar().currentMessage()
    # Undo cannot bring her name back: the withdrawal's step is gone from the history.
    window.undo.undo()
    assert project.participants[alice.id].pseudonym == "Parent/carer 1"


def test_forget_person_button_opens_the_editor_ready_to_confirm(qtbot, empty_window):
    window = empty_window
    window.project.execute(AddParticipant("Kit", "practitioner"))
    window.actions_by_name["participants"].trigger()
    panel = window.workshop.participants
    qtbot.mouseClick(panel.forget_person_button, Qt.MouseButton.LeftButton)
    assert "Pick a person" in window.statusBar().currentMessage()
    row = next(r for r in range(panel.people.rowCount()) if panel.people.item(r, 0).text() == "Kit")
    rect = panel.people.visualItemRect(panel.people.item(row, 0))
    qtbot.mouseClick(panel.people.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(panel.forget_person_button, Qt.MouseButton.LeftButton)
    editor = panel.findChild(ParticipantEditor, "participant-editor")
    qtbot.waitExposed(editor)
    assert not editor.consent.isChecked() and editor.forget.isChecked()
    # Cancel: nothing is forgotten.
    editor.reject()
    assert any(p.pseudonym == "Kit" for p in window.project.participants.values())


def test_a_snapshot_on_screen_is_read_again_once_someone_is_forgotten(qtbot, empty_window):
    window = empty_window
    project = window.project
    alice = AddParticipant("Alice", "parent", notes="lives on Elm St")
    project.execute(alice)
    project.set_actor(alice.id)
    school = AddFactor("After-school club", notes="my sister Maureen helps")
    window.document.execute(school)
    project.set_actor(None)
    window.snapshots.open(take_snapshot(project, window.document.id, "Point 1").id)
    assert window.hallway.document.factors[school.id].notes == "my sister Maureen helps"
    forget_participant(project, alice.id)
    assert window.hallway.snapshot is not None  # still the snapshot, read again
    assert window.hallway.document.factors[school.id].notes == REMOVED_TEXT
    assert window.scene.factor_items[school.id]._notes == REMOVED_TEXT
    assert list_snapshots(project)[0].sha256[:12] in window.snapshots.banner.text()
