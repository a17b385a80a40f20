"""Edit → Undo and Redo: the one place in the window that knows how undo is kept.

Today the model keeps two stacks: the project's (maps added or deleted, CMOs, people…) and
each map's; Undo acts on whichever holds the newer step. The rest of the window sees only
this small interface: ``undo()``, ``redo()``, ``refresh()``, ``is_clean(document)`` and
``step_names()``, so a single per-person history can replace the two stacks here alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ipsmap.model.changes import Change

if TYPE_CHECKING:
    from ipsmap.model.document import MapDocument
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.map_editor import MapEditor
    from ipsmap.ui.hallway import Hallway


class UndoActions(QObject):
    """Runs Undo/Redo and keeps their text ("Undo Add factor") and enabled state current."""

    def __init__(self, hallway: Hallway, editor: MapEditor, actions: ActionTable) -> None:
        super().__init__(hallway)
        self.hallway = hallway
        self.editor = editor
        self.undo_action = actions.register("undo", self.undo)
        self.redo_action = actions.register("redo", self.redo)
        hallway.document_changed.connect(lambda _document: self.refresh())
        hallway.model_changed.connect(lambda _change: self.refresh())
        hallway.project_records_changed.connect(self._project_changed)

    def _project_changed(self, change: Change) -> None:
        if change.touches("cmos") or change.touches("maps"):
            self.refresh()

    def _project_step_is_newer(self, redo: bool) -> bool:
        """Whether Undo/Redo should act on the project (maps added/deleted) or the map."""
        project, document = self.hallway.project, self.hallway.document
        if project is None:
            return False
        project_stack = project.undo_stack
        doc_stack = document.undo_stack if document is not None else None
        if redo:
            return project_stack.redo_time() > (doc_stack.redo_time() if doc_stack else 0)
        return project_stack.undo_time() > (doc_stack.undo_time() if doc_stack else 0)

    def undo(self) -> None:
        project = self.hallway.project
        if project is not None and self._project_step_is_newer(redo=False):
            self.hallway.guard(project.undo)
        elif self.hallway.document is not None:
            self.editor.undo()
        self.refresh()

    def redo(self) -> None:
        project = self.hallway.project
        if project is not None and self._project_step_is_newer(redo=True):
            self.hallway.guard(project.redo)
        elif self.hallway.document is not None:
            self.editor.redo()
        self.refresh()

    def refresh(self) -> None:
        """Name the step each action would take, and enable them when there is one."""
        doc, project = self.hallway.document, self.hallway.project
        project_undo = project.undo_stack if project else None
        undo_stack = project_undo if self._project_step_is_newer(redo=False) else None
        redo_stack = project_undo if self._project_step_is_newer(redo=True) else None
        undo_stack = undo_stack or (doc.undo_stack if doc is not None else None)
        redo_stack = redo_stack or (doc.undo_stack if doc is not None else None)
        undo, redo = self.undo_action, self.redo_action
        undo.setText(f"&Undo {undo_stack.undo_name() if undo_stack else ''}".rstrip())
        redo.setText(f"&Redo {redo_stack.redo_name() if redo_stack else ''}".rstrip())
        undo.setEnabled(
            bool(doc and doc.undo_stack.can_undo())
            or bool(project_undo and project_undo.can_undo())
        )
        redo.setEnabled(
            bool(doc and doc.undo_stack.can_redo())
            or bool(project_undo and project_undo.can_redo())
        )

    def is_clean(self, document: MapDocument) -> bool:
        """Whether the map is as it was when opened (the title marks it otherwise)."""
        return document.undo_stack.is_clean()

    def step_names(self) -> tuple[list[str], list[str]]:
        """(done, undone) step names of the map shown, oldest first (the history panel)."""
        document = self.hallway.document
        if document is None or document.closed:
            return [], []
        done, undone = document.undo_stack.names()
        return list(done), list(undone)
