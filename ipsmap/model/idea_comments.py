"""Comments: ideas about a factor or link already on the map (issue 15, schema 10).

A comment is an idea of kind "comment" (``about_kind`` "factor" or "link", ``about`` the
item's id, the text in ``note``). Placing it appends one line, ``Name: text``, to the
item's notes (the field the window's inspector shows as *Notes* for factors and links
alike), as an ordinary field update made in the suggester's name, so the item's
``modified_by`` is them and undo takes the line off again.

The line is the suggester's public name (``listed_name``: their pseudonym, or their
numbered group alias if they did not consent) and the text with its line breaks folded
into spaces: each comment is exactly one line, so no comment can contain a second line
that looks like someone else's ("…\\nAmira: I agree").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipsmap.model.command import EditContext
from ipsmap.model.commands import EditFactor, EditLink
from ipsmap.model.entities import COMMENT_TARGETS, Idea
from ipsmap.model.errors import CommandError
from ipsmap.model.ops import Op
from ipsmap.model.privacy import listed_name
from ipsmap.model.state import MapState
from ipsmap.model.text_checks import checked_text

if TYPE_CHECKING:
    from ipsmap.model.project import Project

COMMENT_MAX = 1000


def checked_comment(state: MapState, about_kind: object, about: object, text: object) -> str:
    """The comment's text, stripped, if it is about a factor or link of ``state`` and is
    acceptable text; else a CommandError saying what is wrong."""
    if about_kind not in COMMENT_TARGETS:
        raise CommandError("A comment is about a factor or a link")
    items = state.factors if about_kind == "factor" else state.links
    if not isinstance(about, str) or about not in items:
        raise CommandError(f"The {about_kind} this comment is about is not on the map")
    return checked_text(text, "comment", COMMENT_MAX, required=True)


def comment_line(name: str, text: str) -> str:
    """One comment as the line added to the notes: ``Name: text``, on one line."""
    return f"{name}: {' '.join(text.split())}"


def comment_ops(project: Project, idea: Idea, ctx: EditContext) -> list[Op]:
    """The ops that append ``idea``'s line to its item's notes, in the context ``ctx``
    (the suggester's: they are the edit's ``modified_by``)."""
    state = ctx.state
    items = state.factors if idea.about_kind == "factor" else state.links
    item = items.get(idea.about or "")
    if item is None:
        what = "factor" if idea.about_kind == "factor" else "link"
        raise CommandError(
            f"The {what} this comment is about was deleted from the map: "
            "the comment cannot be placed (set it aside instead)"
        )
    person = project.participants.get(idea.created_by or "")
    name = listed_name(person) if person is not None else "Someone"
    line = comment_line(name, idea.note)
    notes = f"{item.notes.rstrip()}\n{line}" if item.notes.strip() else line
    if idea.about_kind == "factor":
        return EditFactor(item.id, {"notes": notes}).ops(ctx)
    return EditLink(item.id, {"notes": notes}).ops(ctx)


def commented_item(idea: Idea, state: MapState | None) -> str:
    """What a comment is about, in words: "'Rent arrears'", "the link 'A' → 'B'", or
    "a factor since deleted"."""
    if state is not None and idea.about_kind == "factor" and idea.about in state.factors:
        return f"'{state.factors[idea.about].label}'"
    if state is not None and idea.about_kind == "link" and idea.about in state.links:
        link = state.links[idea.about]
        ends = (state.factors.get(link.source), state.factors.get(link.target))
        return "the link " + " → ".join(f"'{f.label}'" if f else "?" for f in ends)
    return f"a {idea.about_kind or 'factor'} since deleted"
