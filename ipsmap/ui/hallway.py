"""The window's hallway: the open project, the map shown and the selection, as Qt signals.

The model tells its listeners after every committed change (``Project.subscribe``,
``MapDocument.subscribe``); the hallway is the one Qt object that listens, and the scene and
every panel subscribe to it instead of to each other or to the window.

Order matters for one signal: ``model_changed`` reaches its receivers in the order they
connected, and the window connects the scene first, so panels see the canvas redrawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ipsmap.model.errors import IpsmapError

if TYPE_CHECKING:
    from ipsmap.model.changes import Change
    from ipsmap.model.document import MapDocument
    from ipsmap.model.project import Project
    from ipsmap.model.snapshots import Snapshot


class Hallway(QObject):
    """Holds what the window shows and turns model notifications into Qt signals."""

    # Another project is open (or None): sent before its first map is shown.
    project_changed = Signal(object)
    # Another document is shown (a live map's, a read-only snapshot's, or None).
    document_changed = Signal(object)
    # A committed change (do, undo or redo) of the document shown.
    model_changed = Signal(object)
    # A committed change anywhere in the project (maps and records), after model_changed.
    project_records_changed = Signal(object)
    # The selection on the canvas: (factor ids, link ids), in the scene's order.
    selection_changed = Signal(list, list)
    # Whoever edits on this device changed ("Editing as"): undo is theirs from now on.
    actor_changed = Signal(object)
    # The open project is about to be closed (another opens, or the window closes).
    project_closing = Signal(object)
    # A sentence for the status bar.
    message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        # The user's copy of the built-in demo (kept between starts): the title says so.
        self.is_demo = False
        self.document: MapDocument | None = None
        # Which snapshot the read-only document shows (None: the live map, or nothing).
        self.snapshot: Snapshot | None = None
        self.selected_factor_ids: list[str] = []
        # "Joined: <title> — <address>" while the project is a live session's mirror.
        self.joined: str | None = None
        self.selected_link_ids: list[str] = []
        self._unsubscribe_project: Callable[[], None] | None = None
        self._unsubscribe_document: Callable[[], None] | None = None

    # -- the project ------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        """Open ``project`` (closing the one open before); the caller then shows a map."""
        if self._unsubscribe_project is not None:
            self._unsubscribe_project()
            self._unsubscribe_project = None
        old = self.project
        if old is not None and old is not project:
            self.show(None)
            self.project_closing.emit(old)
            old.close()
        self.project = project
        if project is not None:
            self._unsubscribe_project = project.subscribe(self._project_notified)
        self.project_changed.emit(project)

    def release(self) -> None:
        """Let go of the project without telling anyone (the window is closing)."""
        self._stop_listening_to_document()
        if self._unsubscribe_project is not None:
            self._unsubscribe_project()
            self._unsubscribe_project = None
        if self.project is not None:
            self.project_closing.emit(self.project)
            self.project.close()
        self.project = None

    def _project_notified(self, change: Change) -> None:
        self.project_records_changed.emit(change)
        # The map shown was deleted (or its adding undone): show the first map instead.
        if change.touches("maps") and self.document is not None and self.document.closed:
            self.show_map(self.first_map_id())

    def open(self, project: Project | None, is_demo: bool = False) -> None:
        """Open ``project`` and show its first map.

        The demo copy is known by its file too, so File → Open on it shows the same window
        as starting ``ipsmap`` with no file.
        """
        from ipsmap.ui.demo_copy import is_demo_copy

        self.is_demo = is_demo or (project is not None and is_demo_copy(project.path))
        self.set_project(project)
        self.show_map(self.first_map_id())

    # -- the map shown ------------------------------------------------------------------------

    def show_map(self, map_id: str | None) -> None:
        """Show a live map of the open project by id (None: no map)."""
        project = self.project
        self.show(project.document(map_id) if project is not None and map_id else None)

    def show(self, document: MapDocument | None, snapshot: Snapshot | None = None) -> None:
        """Show a document: a live map's, or (with ``snapshot``) a frozen one's."""
        if document is self.document and document is not None:
            return
        self._stop_listening_to_document()
        self.document = document
        self.snapshot = snapshot if document is not None else None
        self.selected_factor_ids, self.selected_link_ids = [], []
        if document is not None:
            self._unsubscribe_document = document.subscribe(self._document_notified)
        self.document_changed.emit(document)

    def first_map_id(self) -> str | None:
        maps = self.project.maps() if self.project is not None else []
        return maps[0].id if maps else None

    def _stop_listening_to_document(self) -> None:
        if self._unsubscribe_document is not None:
            self._unsubscribe_document()
            self._unsubscribe_document = None

    def _document_notified(self, change: Change) -> None:
        self.model_changed.emit(change)

    # -- who edits ------------------------------------------------------------------------------

    def set_actor(self, participant_id: str | None) -> None:
        """Credit the following edits on this device to a participant (None: facilitator)."""
        if self.project is None:
            return
        self.project.set_actor(participant_id)
        self.actor_changed.emit(self.project.actor_id)

    # -- the selection ------------------------------------------------------------------------

    def set_selection(self, factor_ids: Sequence[str], link_ids: Sequence[str]) -> None:
        """The canvas reports what the user selected; told on only when it differs."""
        factors, links = list(factor_ids), list(link_ids)
        if factors == self.selected_factor_ids and links == self.selected_link_ids:
            return
        self.selected_factor_ids, self.selected_link_ids = factors, links
        self.selection_changed.emit(factors, links)

    # -- errors and messages ------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.message.emit(text)

    def guard(self, action: Callable[[], Any]) -> bool:
        """Run ``action``; a user-level error becomes a message and False."""
        try:
            action()
        except IpsmapError as exc:
            self.say(str(exc))
            return False
        return True
