"""An edit from another device reaches the open window through the one writer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ipsmap.model.author import Author
from ipsmap.model.command import EditContext
from ipsmap.model.commands import AddFactor
from ipsmap.model.entities import now_iso
from ipsmap.model.history import Scope
from ipsmap.model.project_commands import AddParticipant


def test_a_remote_op_batch_is_drawn_logged_and_undoable_only_by_its_author(qtbot, window):
    project, doc = window.project, window.document
    rowan = AddParticipant("Rowan", "practitioner", "Glasgow")
    project.execute(rowan)
    remote = Author(rowan.id, "laptop-2", None)
    # What a live session would hand over: ops made on the other laptop.
    factor = AddFactor("Waiting lists", 120.0, -80.0)
    ops = factor.ops(EditContext(rowan.id, now_iso(), doc.state, project))
    project.apply(ops, name="Add factor", author=remote, map_id=doc.id, scope="map")

    assert factor.id in window.scene.factor_items  # drawn on the open canvas
    event = project.history(doc.id)[-1]
    assert (event.actor, event.origin) == (rowan.id, "laptop-2")

    # The facilitator's Ctrl+Z reaches only the facilitator's own steps.
    window.view.setFocus()
    undo = window.actions_by_name["undo"]
    while undo.isEnabled():
        undo.trigger()
    assert factor.id in doc.factors and factor.id in window.scene.factor_items

    # Rowan's own undo (from his device) takes it away, and the canvas follows.
    project.undo(Scope(doc.id), author=remote)
    assert factor.id not in doc.factors
    assert factor.id not in window.scene.factor_items
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert project.history(doc.id)[-1].actor == rowan.id


def test_undo_follows_the_person_editing_now(qtbot, window):
    project, doc = window.project, window.document
    rowan = AddParticipant("Rowan", "practitioner", "Glasgow")
    project.execute(rowan)  # the facilitator's step
    combo = window.participants
    combo.setCurrentIndex(combo.findData(rowan.id))
    combo.activated.emit(combo.currentIndex())
    assert project.actor_id == rowan.id
    undo = window.actions_by_name["undo"]
    assert not undo.isEnabled()  # Rowan has done nothing yet
    factor = AddFactor("Waiting lists", 40.0, 40.0)
    doc.execute(factor)
    assert undo.isEnabled() and undo.text() == "&Undo Add factor"

    combo.setCurrentIndex(combo.findData(project.facilitator_id))
    combo.activated.emit(combo.currentIndex())
    assert undo.text() == "&Undo Add participant"
    undo.trigger()
    # Rowan's factor stays, and so does Rowan, whom it is credited to: the undo says why.
    assert factor.id in doc.factors and rowan.id in project.participants
    assert "not undone" in window.statusBar().currentMessage()


def test_a_snapshot_appears_in_the_audit_log_panel_when_taken(qtbot, window):
    window.maps.take_snapshot("Adaptation point 2")
    log = window.history.log
    texts = [log.item(i).text() for i in range(log.count())]
    assert any("Take snapshot" in text and "Adaptation point 2" in text for text in texts)
