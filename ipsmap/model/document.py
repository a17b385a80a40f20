"""One open map: applies commands, keeps its undo stack, tells listeners what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ipsmap.model.changes import Change
from ipsmap.model.commands import Command, EditContext
from ipsmap.model.entities import Factor, Link, MapInfo, Style, now_iso
from ipsmap.model.errors import CommandError
from ipsmap.model.ops import invert_all
from ipsmap.model.state import MapState
from ipsmap.model.undo import Step, UndoStack

if TYPE_CHECKING:
    from ipsmap.model.project import Project

Listener = Callable[[Change], None]


class MapDocument:
    """The live, editable form of one map of a project.

    Every change goes through :meth:`execute` (or undo/redo), which commits it to the
    project file in one transaction before anyone is told about it.
    """

    def __init__(self, project: Project, state: MapState) -> None:
        self.project = project
        self.state = state
        self.undo_stack = UndoStack()
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
        """Apply a command, commit it, push it on the undo stack; None if it changed nothing."""
        self._check_open()
        ctx = EditContext(self.state, self.project.actor_id, now_iso())
        ops = command.ops(ctx)
        if not ops:
            return None
        change = self.project._commit_map_ops(self, ops, command.name, "do")
        # The stack is updated before listeners hear of the change, so they see it.
        self.undo_stack.push(Step(command.name, tuple(ops)))
        self.project._announce(self, change)
        return change

    def undo(self) -> Change | None:
        if not self.undo_stack.can_undo():
            return None
        self._check_open()
        step = self.undo_stack.peek_undo()
        change = self._replay(step, invert_all(list(step.ops)), "undo")
        self.undo_stack.mark_undone()
        self.project._announce(self, change)
        return change

    def redo(self) -> Change | None:
        if not self.undo_stack.can_redo():
            return None
        self._check_open()
        step = self.undo_stack.peek_redo()
        change = self._replay(step, list(step.ops), "redo")
        self.undo_stack.mark_redone()
        self.project._announce(self, change)
        return change

    def _replay(self, step: Step, ops: list, action: str) -> Change:
        try:
            return self.project._commit_map_ops(self, ops, step.name, action)
        except CommandError as exc:
            raise CommandError(f"Cannot {action} {step.name!r}: {exc}") from exc

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
