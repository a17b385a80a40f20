"""One open map: runs its edits through the project's one writer, tells listeners."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ipsmap.model.changes import Change
from ipsmap.model.command import Command
from ipsmap.model.entities import Factor, Link, MapInfo, Style
from ipsmap.model.errors import CommandError
from ipsmap.model.history import HistoryView, Scope
from ipsmap.model.state import MapState

if TYPE_CHECKING:
    from ipsmap.model.project_view import ProjectView

Listener = Callable[[Change], None]


class MapDocument:
    """The live, editable form of one map of a project (or a read-only snapshot of one).

    Every change goes through :meth:`execute` (or undo/redo), which hands it to the
    project's one writer: committed to the file in one transaction before anyone is told.
    """

    def __init__(self, project: ProjectView, state: MapState) -> None:
        self.project = project
        self.state = state
        # Undo here reaches this map's own edits by whoever edits on this device.
        self.undo_stack = HistoryView(project, Scope(state.info.id, project_steps=False))
        self._listeners: list[Listener] = []
        self.closed = False

    # -- convenient reads ---------------------------------------------------------

    @property
    def id(self) -> str:
        return self.state.info.id

    @property
    def info(self) -> MapInfo:
        return self.state.info

    @property
    def factors(self) -> dict[str, Factor]:
        return self.state.factors

    @property
    def links(self) -> dict[str, Link]:
        return self.state.links

    @property
    def styles(self) -> dict[str, Style]:
        return self.state.styles

    # -- editing ------------------------------------------------------------------

    def execute(self, command: Command) -> Change | None:
        """Apply an in-map command through the project; None if it changed nothing."""
        self._check_open()
        return self.project.execute(command, map_id=self.id)

    def undo(self) -> Change | None:
        """Undo the local editor's last step in this map (None: nothing to undo here)."""
        self._check_open()
        return self.project.undo(self.undo_stack.scope)

    def redo(self) -> Change | None:
        self._check_open()
        return self.project.redo(self.undo_stack.scope)

    # -- listeners ----------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every committed change; returns an unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    def _check_open(self) -> None:
        if self.closed:
            raise CommandError("This map has been deleted or closed")
