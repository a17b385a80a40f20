"""An edit from another device reaches the open window through the one writer."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ipsmap.model.author import Author
from ipsmap.model.commands import AddFactor, EditContext
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
