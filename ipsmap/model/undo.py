"""A model-level undo/redo stack of committed steps (no Qt; the UI wraps it)."""

from __future__ import annotations

from dataclasses import dataclass

from ipsmap.model.ops import Op


@dataclass(frozen=True)
class Step:
    """One committed command: its name and the ops it applied."""

    name: str
    ops: tuple[Op, ...]


class UndoStack:
    """Steps that can be undone, and undone steps that can be redone."""

    def __init__(self) -> None:
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._clean_depth = 0

    def push(self, step: Step) -> None:
        self._done.append(step)
        self._undone.clear()
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

    def mark_redone(self) -> None:
        self._done.append(self._undone.pop())

    def names(self) -> tuple[list[str], list[str]]:
        """Names of done steps (oldest first) and of undone steps (next redo last)."""
        return [s.name for s in self._done], [s.name for s in self._undone]

    def set_clean(self) -> None:
        self._clean_depth = len(self._done)

    def is_clean(self) -> bool:
        """True when the map is as it was when opened (or last marked clean)."""
        return self._clean_depth == len(self._done)
