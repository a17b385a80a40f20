"""Each person's undo history: their own steps, across every map and project record.

A step is one committed change (the ops as written, the map it concerns, who made it and
the audit event that records it). Undo is selective: it reverts *your* last step in the
scope you are looking at, through the one writer, which leaves alone any field someone
else changed since (see model/conflicts.py). Steps of other people stay in their own
histories, so nobody's undo reverts anyone else's work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipsmap.model.ops import Op

MAP_SCOPE = "map"
PROJECT_SCOPE = "project"


@dataclass(frozen=True)
class Step:
    """One committed change that its author can undo (or redo)."""

    name: str
    ops: tuple[Op, ...]
    # The map it concerns (None: the project as a whole, e.g. a participant).
    map_id: str | None = None
    # "map": an edit inside the map (undone while that map is shown); "project": a change
    # of the project's maps or records (undone from anywhere).
    scope: str = MAP_SCOPE
    actor: str | None = None
    # The audit event that made (or last re-made) it.
    seq: int = 0
    # The event that first made it: the step's identity through undo and redo.
    origin_seq: int = 0

    def __post_init__(self) -> None:
        if not self.origin_seq:
            object.__setattr__(self, "origin_seq", self.seq)

    def in_scope(self, scope: Scope) -> bool:
        if self.scope == PROJECT_SCOPE:
            return scope.project_steps
        return scope.map_id is not None and self.map_id == scope.map_id


@dataclass(frozen=True)
class Scope:
    """Which steps an undo may reach: one map's own edits, project steps, or both."""

    map_id: str | None = None
    project_steps: bool = True


class History:
    """Done and undone steps, per person, in the order they were made."""

    def __init__(self) -> None:
        self._done: dict[str | None, list[Step]] = {}
        self._undone: dict[str | None, list[Step]] = {}

    def record(self, step: Step) -> None:
        """A new step of ``step.actor``: what they undid in that scope can no longer be redone."""
        self._done.setdefault(step.actor, []).append(step)
        undone = self._undone.get(step.actor, [])
        self._undone[step.actor] = [s for s in undone if _scope_key(s) != _scope_key(step)]

    def last_done(self, actor: str | None, scope: Scope) -> Step | None:
        return next((s for s in reversed(self._done.get(actor, [])) if s.in_scope(scope)), None)

    def last_undone(self, actor: str | None, scope: Scope) -> Step | None:
        return next((s for s in reversed(self._undone.get(actor, [])) if s.in_scope(scope)), None)

    def mark_undone(self, step: Step, reverted: list[Op], seq: int) -> None:
        """``step`` was undone by event ``seq``; ``reverted``: the inverse ops that applied.

        Redo later re-applies exactly what was reverted (a partly undone step is redone
        only as far as it was undone; one nothing could be undone of is spent).
        """
        self._done[step.actor].remove(step)
        if not reverted:
            return
        redo_ops = tuple(op.inverse() for op in reversed(reverted))
        self._undone.setdefault(step.actor, []).append(
            dataclasses.replace(step, ops=redo_ops, seq=seq)
        )

    def mark_redone(self, step: Step, applied: list[Op], seq: int) -> None:
        self._undone[step.actor].remove(step)
        if not applied:
            return
        self._done.setdefault(step.actor, []).append(
            dataclasses.replace(step, ops=tuple(applied), seq=seq)
        )

    def forget_map(self, map_id: str) -> None:
        """Drop the in-map steps of a map that is gone (its deletion stays undoable)."""
        for lists in (self._done, self._undone):
            for actor, steps in lists.items():
                lists[actor] = [
                    s for s in steps if not (s.scope == MAP_SCOPE and s.map_id == map_id)
                ]

    def rewrite(self, rewrite_op: Callable[[Op], Op], drop: Callable[[Step], bool]) -> None:
        """Rewrite every step's ops (forgetting a person), leaving out steps ``drop`` picks.

        Undo and redo replay the ops a step holds, so old values kept here would bring
        back what was just removed from the file.
        """
        for lists in (self._done, self._undone):
            for actor, steps in lists.items():
                lists[actor] = [
                    dataclasses.replace(s, ops=tuple(rewrite_op(o) for o in s.ops))
                    for s in steps
                    if not drop(s)
                ]

    def names(self, actor: str | None, scope: Scope) -> tuple[list[str], list[str]]:
        """Names of done steps (oldest first) and of undone steps (next redo last)."""
        return (
            [s.name for s in self._done.get(actor, []) if s.in_scope(scope)],
            [s.name for s in self._undone.get(actor, []) if s.in_scope(scope)],
        )

    def map_version(self, map_id: str) -> tuple[int, ...]:
        """Which in-map steps (anyone's) are in effect: equal versions, equal maps."""
        return tuple(
            sorted(
                s.origin_seq
                for steps in self._done.values()
                for s in steps
                if s.scope == MAP_SCOPE and s.map_id == map_id
            )
        )

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()


class HistoryView:
    """Undo and redo as seen from one place (one map, or the project as a whole), for
    whoever edits on this device now: what the window's Undo would revert there."""

    def __init__(self, project: Any, scope: Scope) -> None:
        # ``project``: anything with ``actor_id`` and ``undo_history`` (a live project, or
        # the read-only stand-in behind a snapshot).
        self._project = project
        self.scope = scope
        self._clean: tuple[int, ...] = self._version()

    @property
    def _history(self) -> History:
        history: History = self._project.undo_history
        return history

    @property
    def _actor(self) -> str | None:
        actor: str | None = self._project.actor_id
        return actor

    def can_undo(self) -> bool:
        return self.peek_undo() is not None

    def can_redo(self) -> bool:
        return self.peek_redo() is not None

    def peek_undo(self) -> Step | None:
        return self._history.last_done(self._actor, self.scope)

    def peek_redo(self) -> Step | None:
        return self._history.last_undone(self._actor, self.scope)

    def undo_name(self) -> str:
        step = self.peek_undo()
        return step.name if step else ""

    def redo_name(self) -> str:
        step = self.peek_redo()
        return step.name if step else ""

    def names(self) -> tuple[list[str], list[str]]:
        """Names of done steps (oldest first) and of undone steps (next redo last)."""
        return self._history.names(self._actor, self.scope)

    def is_clean(self) -> bool:
        """True when the map is as it was when this document was opened."""
        return self._version() == self._clean

    def _version(self) -> tuple[int, ...]:
        if self.scope.map_id is None:
            return ()
        return self._history.map_version(self.scope.map_id)


def _scope_key(step: Step) -> str | None:
    return step.map_id if step.scope == MAP_SCOPE else None
