"""Edit → Undo and Redo: the one place in the window that knows how undo is kept.

Undo is per person (``ipsmap.model.history``): it reaches the editor's own steps in the
map shown and on the project, and an undo that meets someone else's later edits leaves
them and says so. The rest of the window sees only this small interface: ``undo()``,
``redo()``, ``refresh()`` and ``step_names()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ipsmap.model.changes import Change
from ipsmap.model.history import Scope

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.hallway import Hallway


class UndoActions(QObject):
    """Runs Undo/Redo and keeps their text ("Undo Add factor") and enabled state current."""

    def __init__(self, hallway: Hallway, actions: ActionTable) -> None:
        super().__init__(hallway)
        self.hallway = hallway
        self.undo_action = actions.register("undo", self.undo)
        self.redo_action = actions.register("redo", self.redo)
        hallway.document_changed.connect(lambda _document: self.refresh())
        hallway.model_changed.connect(lambda _change: self.refresh())
        # Any project step (a participant, a session, marks, a CMO, a map) can be undone.
        hallway.project_records_changed.connect(lambda _change: self.refresh())
        hallway.actor_changed.connect(lambda _actor: self.refresh())

    def _scope(self) -> Scope:
        """Undo reaches the editor's own steps in the map shown and on the project."""
        doc = self.hallway.document
        live = doc is not None and doc.project is self.hallway.project
        return Scope(doc.id if live and doc is not None else None, project_steps=True)

    def undo(self) -> None:
        project = self.hallway.project
        if project is not None:
            self.hallway.guard(lambda: self._tell_left_alone(project.undo(self._scope())))
        self.refresh()

    def redo(self) -> None:
        project = self.hallway.project
        if project is not None:
            self.hallway.guard(lambda: self._tell_left_alone(project.redo(self._scope())))
        self.refresh()

    def _tell_left_alone(self, change: Change | None) -> None:
        # An undo that met someone else's later edits says what it left as they made it.
        if change is not None and change.notes:
            self.hallway.say("; ".join(change.notes))

    def refresh(self) -> None:
        """Name the step each action would take, and enable them when there is one."""
        project = self.hallway.project
        done = undone = None
        if project is not None:
            # Asked of the history directly: this runs after every edit.
            history, scope = project.undo_history, self._scope()
            done = history.last_done(project.actor_id, scope)
            undone = history.last_undone(project.actor_id, scope)
        self.undo_action.setText(f"&Undo {done.name if done else ''}".rstrip())
        self.redo_action.setText(f"&Redo {undone.name if undone else ''}".rstrip())
        self.undo_action.setEnabled(done is not None)
        self.redo_action.setEnabled(undone is not None)

    def step_names(self) -> tuple[list[str], list[str]]:
        """(done, undone) step names of the map shown, oldest first (the history panel)."""
        document = self.hallway.document
        if document is None or document.closed:
            return [], []
        done, undone = document.undo_stack.names()
        return list(done), list(undone)
