"""What every edit is: a command that reads the project through a context and returns ops.

The map commands (commands.py), the project commands (project_commands.py,
record_commands.py) and the macros that compose them share this one interface; the
project's one writer (``Project.execute`` / ``Project.apply``) runs them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipsmap.model.errors import CommandError
from ipsmap.model.ops import Op
from ipsmap.model.state import MapState

if TYPE_CHECKING:
    from ipsmap.model.project import Project


@dataclass
class EditContext:
    """What a command reads: the project, the map edited (if any), who edits, when, and in
    which workshop session. A command reads through it and never changes anything itself."""

    actor: str | None
    now: str
    map_state: MapState | None = None
    project: Project | None = None
    session_id: str | None = None

    @property
    def state(self) -> MapState:
        """The map this edit is made in."""
        if self.map_state is None:
            raise CommandError("This edit is made inside a map; open a map first")
        return self.map_state

    @property
    def the_project(self) -> Project:
        """The project this edit is made in."""
        if self.project is None:
            raise CommandError("This edit needs the project")
        return self.project


class Command:
    """An edit: reads the project through an :class:`EditContext` and returns the ops that
    make it (never changing itself or live state). ``name`` is what undo and the audit log
    show. A command that edits inside one map is run by that map's document; the others
    (maps, participants, sessions, CMOs, marks) by the project."""

    name = "Edit"

    @property
    def map_id(self) -> str | None:
        """The map a project command concerns, when its ops alone may not say (None: read it
        from the ops, or the project as a whole)."""
        return None

    def ops(self, ctx: EditContext) -> list[Op]:
        raise NotImplementedError


@dataclass
class Macro(Command):
    """Several commands as one named step (one transaction, one undo).

    Each command sees the effect of the ones before it on a scratch copy of the map, so
    the live map is never touched until the combined ops are written. (Project commands in
    a macro read the project as it was before the macro.)
    """

    label: str
    commands: list[Command]

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.label

    @property
    def map_id(self) -> str | None:
        return next((c.map_id for c in self.commands if c.map_id), None)

    def ops(self, ctx: EditContext) -> list[Op]:
        if len(self.commands) == 1:
            return self.commands[0].ops(ctx)
        scratch = ctx
        if ctx.map_state is not None:
            scratch = dataclasses.replace(ctx, map_state=ctx.map_state.copy())
        applied: list[Op] = []
        for command in self.commands:
            step = command.ops(scratch)
            if scratch.map_state is not None:
                scratch.map_state.apply_all(step)
            applied += step
        return applied


def named(command: Command, name: str) -> Command:
    """``command`` shown in undo and the audit log as ``name`` (the command is unchanged)."""
    return Macro(name, [command])
