"""A read-only document of a map that is not live (a snapshot), for viewing it as any map.

The window, canvas and panels all work on a :class:`MapDocument`. Rather than teach each of
them a second kind of map, a snapshot is shown through an ordinary MapDocument whose project
is a stand-in with no database at all: reads answer from the snapshot, and the one write
path (``_commit_map_ops``) refuses before anything could be written. So an edit attempted
through any panel becomes a clear "read-only" message, and the project file is untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from ipsmap.model.document import MapDocument
from ipsmap.model.entities import Mark, Participant
from ipsmap.model.errors import ReadOnlyError
from ipsmap.model.mapdata import MapData
from ipsmap.model.state import MapState
from ipsmap.model.undo import UndoStack

if TYPE_CHECKING:
    from ipsmap.model.changes import Change
    from ipsmap.model.project import Project


class FrozenProject:
    """Stands in for the project behind a frozen document: reads work, writes are refused."""

    read_only = True

    def __init__(self, data: MapData, participants: Iterable[Participant], reason: str) -> None:
        self.data = data
        self.reason = reason
        self.participants: dict[str, Participant] = {p.id: p for p in participants}
        self.actor_id: str | None = None
        self.title = data.info.name
        self.undo_stack = UndoStack()

    def map_data(self, map_id: str) -> MapData:
        """A detached copy of the frozen map (what export writes)."""
        return copy.deepcopy(self.data)

    def history(self, map_id: str | None = None, after: int = 0) -> list[Any]:
        return []

    def marks_of(self, map_id: str) -> list[Mark]:
        return []

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        return lambda: None

    def _commit_map_ops(self, document: MapDocument, ops: list, name: str, action: str) -> None:
        raise ReadOnlyError(self.reason)

    def _announce(self, document: MapDocument | None, change: Change) -> None:
        # Unreachable while _commit_map_ops refuses; kept so the document's calls resolve.
        raise ReadOnlyError(self.reason)


def frozen_document(
    data: MapData, participants: Iterable[Participant] = (), reason: str = ""
) -> MapDocument:
    """A MapDocument showing ``data`` that refuses every edit with ``reason``."""
    data = copy.deepcopy(data)
    state = MapState.from_data(data)
    stand_in = FrozenProject(data, participants, reason or "This map is read-only")
    return MapDocument(cast("Project", stand_in), state)


def is_frozen(document: MapDocument | None) -> bool:
    """Whether ``document`` is a read-only view (not a live map of the project)."""
    return document is not None and isinstance(document.project, FrozenProject)
