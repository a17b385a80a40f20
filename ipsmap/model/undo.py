"""A model-level undo/redo stack of committed steps (no Qt; the UI wraps it)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ipsmap.model.ops import Op

# One clock for every stack (each map's and the project's), so a window holding several
# stacks can undo and redo across them in the order things happened.
_clock = itertools.count(1)


@dataclass(frozen=True)
class Step:
    """One committed command: its name and the ops it applied."""

    name: str
    ops: tuple[Op, ...]
    # The map a project-level step concerns (so its undo is logged against that map too).
    map_id: str | None = None


class UndoStack:
    """Steps that can be undone, and undone steps that can be redone."""

    def __init__(self) -> None:
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._clean_depth = 0
        # When the top step of each list was done or undone (see _clock).
        self._done_at: list[int] = []
        self._undone_at: list[int] = []

    def push(self, step: Step) -> None:
        self._done.append(step)
        self._done_at.append(next(_clock))
        self._undone.clear()
        self._undone_at.clear()
        if self._clean_depth > len(self._done):
            self._clean_depth = -1  # the clean state can no longer be reached

    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo_name(self) -> str:
        return self._done[-1].name if self._done else ""

    def redo_name(self) -> str:
        return self._undone[-1].name if self._undone else ""

    def peek_undo(self) -> Step:
        return self._done[-1]

    def peek_redo(self) -> Step:
        return self._undone[-1]

    def mark_undone(self) -> None:
        self._undone.append(self._done.pop())
        self._done_at.pop()
        self._undone_at.append(next(_clock))

    def mark_redone(self) -> None:
        self._done.append(self._undone.pop())
        self._undone_at.pop()
        self._done_at.append(next(_clock))

    def undo_time(self) -> int:
        """When the step Undo would revert was done (0: nothing to undo)."""
        return self._done_at[-1] if self._done_at else 0

    def redo_time(self) -> int:
        """When the step Redo would repeat was undone (0: nothing to redo)."""
        return self._undone_at[-1] if self._undone_at else 0

    def names(self) -> tuple[list[str], list[str]]:
        """Names of done steps (oldest first) and of undone steps (next redo last)."""
        return [s.name for s in self._done], [s.name for s in self._undone]

    def set_clean(self) -> None:
        self._clean_depth = len(self._done)

    def is_clean(self) -> bool:
        """True when the map is as it was when opened (or last marked clean)."""
        return self._clean_depth == len(self._done)
