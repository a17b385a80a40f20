"""Ideas: factors and links participants suggest (from a phone, issue 15) for the map.

An idea is a project record (``Project.ideas``, the ``ideas`` table of schema 9; comments
since schema 10), written through the one write path like any other edit, so its audit
event names who suggested it and from which device. The commands, for a window's Ideas
panel or any other caller:

- ``AddIdea``: a participant suggests a factor (label, optional note), a link between
  two factors of the map (polarity, why) or a comment on a factor or link of the map
  (``kind="comment"``, ``about_kind``, ``about``, the text in ``note``: idea_comments.py);
  run it with that participant as the author.
- ``PlaceIdea``: the facilitator puts an open idea on the map in one change: the factor
  (or link) is made with the **suggester** as its ``created_by``, and the idea is marked
  "placed" (undo takes both back). A comment is placed as a line ``Name: text`` added to
  its item's notes, in the suggester's name; one whose item was deleted is refused and
  stays open.
- ``DismissIdea``: the facilitator sets an open idea aside (kept, marked "dismissed").

Texts are checked here too (lengths, no control characters), so an idea that reached the
project by any route is one the window and the exports can show as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ipsmap.model import ops as op
from ipsmap.model.command import EditContext
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.entities import IDEA_KINDS, POLARITIES, Idea, new_id
from ipsmap.model.errors import CommandError
from ipsmap.model.idea_comments import checked_comment, comment_ops
from ipsmap.model.ops import Op
from ipsmap.model.project_commands import ProjectCommand
from ipsmap.model.state import MapState
from ipsmap.model.text_checks import checked_text

if TYPE_CHECKING:
    from ipsmap.model.project import Project

LABEL_MAX = 200
NOTE_MAX = 2000
# Where a placed factor lands, right of what is drawn (the facilitator moves it after).
PLACE_GAP = 160.0


@dataclass
class AddIdea(ProjectCommand):
    """A suggestion for map ``on_map``, credited to the author it is run with."""

    on_map: str
    kind: str = "factor"
    label: str = ""
    note: str = ""
    source: str | None = None
    target: str | None = None
    polarity: str = "?"
    why: str = ""
    id: str = field(default_factory=new_id)
    # A comment's item: "factor" or "link", and its id (schema 10).
    about_kind: str | None = None
    about: str | None = None
    name = "Suggest idea"

    @property
    def map_id(self) -> str | None:
        return self.on_map

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        if self.on_map not in {m.id for m in project.maps()}:
            raise CommandError(f"There is no map with id {self.on_map}")
        if self.kind not in IDEA_KINDS:
            raise CommandError(
                f"An idea is a factor or a link, or a comment on one, not {self.kind!r}"
            )
        if self.polarity not in POLARITIES:
            raise CommandError(f"Polarity must be one of + - ?, not {self.polarity!r}")
        label = checked_text(self.label, "label", LABEL_MAX, required=self.kind == "factor")
        if self.kind == "comment":
            state = project.document(self.on_map).state
            note = checked_comment(state, self.about_kind, self.about, self.note)
        else:
            note = checked_text(self.note, "note", NOTE_MAX)
        why = checked_text(self.why, "reason", NOTE_MAX)
        if self.kind == "link":
            factors = project.document(self.on_map).state.factors
            if self.source not in factors or self.target not in factors:
                raise CommandError("A suggested link must join two factors of the map")
            if self.source == self.target:
                raise CommandError("A suggested link must join two different factors")
        idea = Idea(
            id=self.id,
            map_id=self.on_map,
            kind=self.kind,
            label=label,
            note=note,
            source=self.source if self.kind == "link" else None,
            target=self.target if self.kind == "link" else None,
            polarity=self.polarity,
            why=why,
            status="open",
            created_by=ctx.actor,
            created_at=ctx.now,
            about_kind=self.about_kind if self.kind == "comment" else None,
            about=self.about if self.kind == "comment" else None,
        )
        return [op.insert("ideas", idea.to_row())]


@dataclass
class PlaceIdea(ProjectCommand):
    """Put open idea ``idea_id`` on its map, credited to whoever suggested it."""

    idea_id: str
    x: float | None = None
    y: float | None = None
    # The id of the factor or link made (known before, so a caller can select it).
    item_id: str = field(default_factory=new_id)
    name = "Place idea"

    @property
    def map_id(self) -> str | None:
        idea = self._project_idea
        return idea.map_id if idea else None

    _project_idea: Idea | None = field(default=None, init=False, repr=False, compare=False)

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        idea = _open_idea(project, self.idea_id)
        self._project_idea = idea
        state = project.document(idea.map_id).state
        # The item is the suggester's: a context with them as the actor makes it so.
        theirs = EditContext(idea.created_by, ctx.now, state, project, ctx.session_id)
        if idea.kind == "comment":
            made = comment_ops(project, idea, theirs)
        elif idea.kind == "factor":
            x, y = self._position(state)
            made = AddFactor(idea.label, x=x, y=y, notes=idea.note, id=self.item_id).ops(theirs)
        else:
            made = AddLink(
                idea.source or "",
                idea.target or "",
                polarity=idea.polarity,
                rationale=idea.why,
                notes=idea.note,
                id=self.item_id,
            ).ops(theirs)
        return [*made, _status(idea, "placed")]

    def _position(self, state: MapState) -> tuple[float, float]:
        if self.x is not None and self.y is not None:
            return self.x, self.y
        factors = list(state.factors.values())
        if not factors:
            return 0.0, 0.0
        right = max(f.x for f in factors)
        return right + PLACE_GAP, min(f.y for f in factors)


@dataclass
class DismissIdea(ProjectCommand):
    """Set open idea ``idea_id`` aside (it stays in the project, marked dismissed)."""

    idea_id: str
    name = "Dismiss idea"

    def ops(self, ctx: EditContext) -> list[Op]:
        return [_status(_open_idea(ctx.the_project, self.idea_id), "dismissed")]


def open_ideas(project: Project, map_id: str | None = None) -> list[Idea]:
    """The ideas waiting for the facilitator (of one map, or all), oldest first."""
    ideas = [
        i
        for i in project.ideas.values()
        if i.status == "open" and (map_id is None or i.map_id == map_id)
    ]
    return sorted(ideas, key=lambda i: i.created_at)


def _open_idea(project: Project, idea_id: str) -> Idea:
    idea = project.ideas.get(idea_id)
    if idea is None:
        raise CommandError(f"There is no idea with id {idea_id}")
    if idea.status != "open":
        raise CommandError(f"That idea is already {idea.status}")
    return idea


def _status(idea: Idea, status: str) -> Op:
    return op.update("ideas", idea.id, {"status": idea.status}, {"status": status})
