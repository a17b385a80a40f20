"""A read-only document of a map that is not live (a snapshot), for viewing it as any map.

The window, canvas and panels all work on a :class:`MapDocument`. Rather than teach each of
them a second kind of map, a snapshot is shown through an ordinary MapDocument whose project
is a stand-in with no database at all (a :class:`~ipsmap.model.project_view.ProjectView`):
reads answer from the snapshot, and its ``execute`` refuses before anything could be
written. So an edit attempted through any panel becomes a clear "read-only" message, and
the project file is untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from ipsmap.model.changes import Change
from ipsmap.model.command import Command
from ipsmap.model.document import MapDocument
from ipsmap.model.entities import Mark, Participant
from ipsmap.model.errors import ReadOnlyError
from ipsmap.model.history import History, HistoryView, Scope
from ipsmap.model.mapdata import MapData
from ipsmap.model.state import MapState


class FrozenProject:
    """Stands in for the project behind a frozen document: reads work, writes are refused."""

    def __init__(self, data: MapData, participants: Iterable[Participant], reason: str) -> None:
        self.data = data
        self.reason = reason
        self.participants: dict[str, Participant] = {p.id: p for p in participants}
        self.actor_id: str | None = None
        self.title = data.info.name
        self.undo_history = History()
        self.undo_stack = HistoryView(self, Scope())

    @property
    def read_only(self) -> bool:
        return True

    def map_data(self, map_id: str) -> MapData:
        """A detached copy of the frozen map (what export writes)."""
        return copy.deepcopy(self.data)

    def history(self, map_id: str | None = None, after: int = 0) -> list[Any]:
        return []

    def marks_of(self, map_id: str) -> list[Mark]:
        return []

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        return lambda: None

    def execute(self, command: Command, map_id: str | None = None) -> Change | None:
        raise ReadOnlyError(self.reason)

    def undo(self, scope: Scope | None = None) -> Change | None:
        return None  # nothing was done here, so there is nothing to undo

    def redo(self, scope: Scope | None = None) -> Change | None:
        return None


def frozen_document(
    data: MapData, participants: Iterable[Participant] = (), reason: str = ""
) -> MapDocument:
    """A MapDocument showing ``data`` that refuses every edit with ``reason``."""
    data = copy.deepcopy(data)
    state = MapState.from_data(data)
    stand_in = FrozenProject(data, participants, reason or "This map is read-only")
    return MapDocument(stand_in, state)


def is_frozen(document: MapDocument | None) -> bool:
    """Whether ``document`` is a read-only view (not a live map of the project)."""
    return document is not None and isinstance(document.project, FrozenProject)
