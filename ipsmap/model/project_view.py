"""What a map document and the window read from the project behind it.

A live :class:`~ipsmap.model.project.Project` and the read-only stand-in behind a snapshot
(model/frozen.py) both satisfy this protocol, so panels and the canvas treat a snapshot
like any map, and its writes are refused by the stand-in's own ``execute``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ipsmap.model.changes import Change
from ipsmap.model.command import Command
from ipsmap.model.entities import Mark, Participant
from ipsmap.model.history import History, Scope
from ipsmap.model.mapdata import MapData


class ProjectView(Protocol):
    """The public, mostly read-only face of a project."""

    title: str
    participants: dict[str, Participant]
    actor_id: str | None
    undo_history: History

    @property
    def read_only(self) -> bool: ...

    def map_data(self, map_id: str) -> MapData: ...

    def marks_of(self, map_id: str) -> list[Mark]: ...

    def history(self, map_id: str | None = None, after: int = 0) -> list[Any]: ...

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]: ...

    def execute(self, command: Command, map_id: str | None = None) -> Change | None: ...

    def undo(self, scope: Scope | None = None) -> Change | None: ...

    def redo(self, scope: Scope | None = None) -> Change | None: ...
