"""Edit commands on one map. Each expands to field-level ops against the current state.

A command checks its arguments against the map and raises CommandError with a plain
message; it never touches the database or the state itself (the document applies its ops).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ipsmap.model import ops as op
from ipsmap.model.command import Command, EditContext
from ipsmap.model.entities import (
    EDITABLE_FIELDS,
    GROUP_MEMBERS_TABLE,
    POLARITIES,
    Factor,
    Group,
    Link,
    Style,
    new_id,
)
from ipsmap.model.errors import CommandError
from ipsmap.model.ops import Op
from ipsmap.model.state import MapState

# -- factors ------------------------------------------------------------------------


@dataclass
class AddFactor(Command):
    label: str
    x: float = 0.0
    y: float = 0.0
    type: str | None = None
    notes: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)
    name = "Add factor"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        if self.id in state.factors:
            raise CommandError(f"A factor with id {self.id} already exists")
        fields = check_fields(
            state,
            "factors",
            {
                "label": self.label,
                "x": self.x,
                "y": self.y,
                "type": self.type,
                "notes": self.notes,
                "attributes": self.attributes,
            },
        )
        if fields["type"] is None:
            default = state.default_style("factor")
            fields["type"] = default.id if default else None
        factor = Factor(
            id=self.id,
            map_id=state.info.id,
            seq=state.next_seq("factors"),
            created_at=ctx.now,
            created_by=ctx.actor,
            modified_at=ctx.now,
            modified_by=ctx.actor,
            **fields,
        )
        return [op.insert("factors", factor.to_row())]


@dataclass
class EditFactor(Command):
    """Change some fields of one factor."""

    factor_id: str
    changes: dict[str, Any]
    name = "Edit factor"

    def ops(self, ctx: EditContext) -> list[Op]:
        return _edit(ctx, "factors", ctx.state.factors, self.factor_id, self.changes)


@dataclass
class EditFactors(Command):
    """Set the same fields on several factors (e.g. their type), as one step."""

    factor_ids: list[str]
    changes: dict[str, Any]
    name = "Edit factors"

    def ops(self, ctx: EditContext) -> list[Op]:
        result: list[Op] = []
        for factor_id in _unique(self.factor_ids):
            result += _edit(ctx, "factors", ctx.state.factors, factor_id, self.changes)
        return result


@dataclass
class MoveFactors(Command):
    """Move one or many factors to new positions (a whole drag is one command)."""

    positions: Mapping[str, tuple[float, float]]
    name = "Move"

    def ops(self, ctx: EditContext) -> list[Op]:
        result: list[Op] = []
        for factor_id, (x, y) in self.positions.items():
            result += _edit(ctx, "factors", ctx.state.factors, factor_id, {"x": x, "y": y})
        return result


@dataclass
class DeleteFactors(Command):
    """Delete factors with their links and group memberships; undo brings all back."""

    factor_ids: list[str]
    name = "Delete"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        ids = _unique(self.factor_ids)
        for factor_id in ids:
            _require(state.factors, factor_id, "factor")
        link_ids = {lid for fid in ids for lid in state.links_of(fid)}
        links = sorted((state.links[lid] for lid in link_ids), key=lambda ln: ln.seq)
        factors = sorted((state.factors[fid] for fid in ids), key=lambda f: f.seq)
        result = [
            op.delete(GROUP_MEMBERS_TABLE, {"group_id": gid, "factor_id": fid})
            for gid, members in state.group_members.items()
            for fid in ids
            if fid in members
        ]
        # Links and factors in creation order (undo runs in reverse and restores them all).
        result += [op.delete("links", link.to_row()) for link in links]
        result += [op.delete("factors", f.to_row()) for f in factors]
        return result


# -- links --------------------------------------------------------------------------


@dataclass
class AddLink(Command):
    source: str
    target: str
    polarity: str = "+"
    strength: float | None = None
    confidence: float | None = None
    type: str | None = None
    rationale: str = ""
    evidence: str = ""
    notes: str = ""
    provenance: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)
    name = "Add link"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        source = _require(state.factors, self.source, "factor")
        target = _require(state.factors, self.target, "factor")
        if self.source == self.target:
            raise CommandError(f"A factor cannot link to itself ({source.label!r})")
        if self.id in state.links:
            raise CommandError(f"A link with id {self.id} already exists")
        if state.link_between(self.source, self.target) is not None:
            raise CommandError(f"There is already a link from {source.label!r} to {target.label!r}")
        values: dict[str, Any] = {
            "polarity": self.polarity,
            "confidence": self.confidence,
            "type": self.type,
            "rationale": self.rationale,
            "evidence": self.evidence,
            "notes": self.notes,
            "provenance": self.provenance,
            "attributes": self.attributes,
        }
        if self.strength is not None:
            values["strength"] = self.strength
        fields = check_fields(state, "links", values)
        if fields["type"] is None:
            default = state.default_style("link")
            fields["type"] = default.id if default else None
        link = Link(
            id=self.id,
            map_id=state.info.id,
            source=self.source,
            target=self.target,
            seq=state.next_seq("links"),
            created_at=ctx.now,
            created_by=ctx.actor,
            modified_at=ctx.now,
            modified_by=ctx.actor,
            **fields,
        )
        return [op.insert("links", link.to_row())]


@dataclass
class EditLink(Command):
    link_id: str
    changes: dict[str, Any]
    name = "Edit link"

    def ops(self, ctx: EditContext) -> list[Op]:
        return _edit(ctx, "links", ctx.state.links, self.link_id, self.changes)


@dataclass
class EditLinks(Command):
    """Set the same fields on several links (e.g. polarity or strength), as one step."""

    link_ids: list[str]
    changes: dict[str, Any]
    name = "Edit links"

    def ops(self, ctx: EditContext) -> list[Op]:
        result: list[Op] = []
        for link_id in _unique(self.link_ids):
            result += _edit(ctx, "links", ctx.state.links, link_id, self.changes)
        return result


@dataclass
class DeleteLinks(Command):
    link_ids: list[str]
    name = "Delete links"

    def ops(self, ctx: EditContext) -> list[Op]:
        ids = set(_unique(self.link_ids))
        for link_id in ids:
            _require(ctx.state.links, link_id, "link")
        return [op.delete("links", ln.to_row()) for ln in ctx.state.links.values() if ln.id in ids]


# -- styles -------------------------------------------------------------------------


@dataclass
class AddStyle(Command):
    kind: str
    style_name: str
    color: str = "#ffffff"
    border_color: str = "#333333"
    shape: str = "box"
    dashes: bool = False
    level: int | None = None
    id: str = field(default_factory=new_id)
    font_color: str | None = None
    name = "Add style"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        if self.kind not in ("factor", "link"):
            raise CommandError(f"A style is for factors or links, not {self.kind!r}")
        label = _nonempty(self.style_name, "A style needs a name")
        if state.style_named(self.kind, label):
            raise CommandError(f"There is already a {self.kind} style called {label!r}")
        siblings = state.factor_styles() if self.kind == "factor" else state.link_styles()
        # After a delete, len() would repeat a position in use; one past the last never does.
        position = max((s.position for s in siblings), default=-1) + 1
        style = Style(
            id=self.id,
            map_id=state.info.id,
            kind=self.kind,
            name=label,
            color=self.color,
            border_color=self.border_color,
            shape=self.shape,
            dashes=self.dashes,
            level=self.level,
            position=position,
            font_color=self.font_color,
        )
        return [op.insert("styles", style.to_row())]


@dataclass
class EditStyle(Command):
    """Change a style; every factor or link of that style is restyled with it."""

    style_id: str
    changes: dict[str, Any]
    name = "Edit style"

    def ops(self, ctx: EditContext) -> list[Op]:
        style = _require(ctx.state.styles, self.style_id, "style")
        new_name = self.changes.get("name")
        if new_name is not None:
            other = ctx.state.style_named(style.kind, _nonempty(new_name, "A style needs a name"))
            if other is not None and other.id != style.id:
                raise CommandError(f"There is already a {style.kind} style called {new_name!r}")
        return _edit(ctx, "styles", ctx.state.styles, self.style_id, self.changes)


@dataclass
class DeleteStyle(Command):
    """Delete a style, giving its members another style (the default unless named)."""

    style_id: str
    replacement_id: str | None = None
    name = "Delete style"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        style = _require(state.styles, self.style_id, "style")
        siblings = [s for s in state.styles.values() if s.kind == style.kind and s.id != style.id]
        if not siblings:
            raise CommandError(f"A map needs at least one {style.kind} style")
        replacement = self.replacement_id or min(siblings, key=lambda s: s.position).id
        if replacement == style.id or replacement not in {s.id for s in siblings}:
            raise CommandError("The replacement style must be another style of the same kind")
        records: dict[str, Any] = state.factors if style.kind == "factor" else state.links
        table = "factors" if style.kind == "factor" else "links"
        result: list[Op] = []
        for record in list(records.values()):
            if record.type == style.id:
                result += _edit(ctx, table, records, record.id, {"type": replacement})
        return [*result, op.delete("styles", style.to_row())]


# -- groups -------------------------------------------------------------------------


@dataclass
class AddGroup(Command):
    group_name: str
    members: list[str] = field(default_factory=list)
    color: str = "#dddddd"
    notes: str = ""
    id: str = field(default_factory=new_id)
    name = "Group"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        group = Group(
            id=self.id,
            map_id=state.info.id,
            name=_nonempty(self.group_name, "A group needs a name"),
            color=self.color,
            notes=self.notes,
            position=len(state.groups),
        )
        result = [op.insert("groups", group.to_row())]
        for factor_id in _unique(self.members):
            _require(state.factors, factor_id, "factor")
            result.append(
                op.insert(GROUP_MEMBERS_TABLE, {"group_id": self.id, "factor_id": factor_id})
            )
        return result


@dataclass
class EditGroup(Command):
    group_id: str
    changes: dict[str, Any]
    name = "Edit group"

    def ops(self, ctx: EditContext) -> list[Op]:
        return _edit(ctx, "groups", ctx.state.groups, self.group_id, self.changes)


@dataclass
class SetGroupMembers(Command):
    """Add factors to, or remove them from, a group."""

    group_id: str
    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    name = "Change group"

    def ops(self, ctx: EditContext) -> list[Op]:
        state = ctx.state
        _require(state.groups, self.group_id, "group")
        members = state.group_members.get(self.group_id, set())
        result: list[Op] = []
        for factor_id in _unique(self.add):
            _require(state.factors, factor_id, "factor")
            if factor_id not in members:
                row = {"group_id": self.group_id, "factor_id": factor_id}
                result.append(op.insert(GROUP_MEMBERS_TABLE, row))
        for factor_id in _unique(self.remove):
            if factor_id in members:
                row = {"group_id": self.group_id, "factor_id": factor_id}
                result.append(op.delete(GROUP_MEMBERS_TABLE, row))
        return result


@dataclass
class DeleteGroup(Command):
    """Ungroup: remove the group (its factors stay)."""

    group_id: str
    name = "Ungroup"

    def ops(self, ctx: EditContext) -> list[Op]:
        group = _require(ctx.state.groups, self.group_id, "group")
        members = sorted(ctx.state.group_members.get(group.id, set()))
        result = [
            op.delete(GROUP_MEMBERS_TABLE, {"group_id": group.id, "factor_id": fid})
            for fid in members
        ]
        return [*result, op.delete("groups", group.to_row())]


# -- the map itself and compounds -------------------------------------------------------


@dataclass
class EditMap(Command):
    """Change the map's name, site, description (rename is the common case)."""

    changes: dict[str, Any]
    name = "Edit map"

    def ops(self, ctx: EditContext) -> list[Op]:
        info = ctx.state.info
        changes = check_fields(ctx.state, "maps", self.changes)
        old = {k: getattr(info, k) for k in changes if getattr(info, k) != changes[k]}
        new = {k: changes[k] for k in old}
        return [op.update("maps", info.id, old, new)] if new else []


def RenameMap(new_name: str) -> EditMap:
    """Rename the map."""
    command = EditMap({"name": new_name})
    command.name = "Rename map"
    return command


# -- validation helpers ---------------------------------------------------------------


def check_fields(state: MapState, table: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise field values for ``table``; raise CommandError if invalid."""
    allowed = EDITABLE_FIELDS[table]
    result: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in allowed:
            raise CommandError(f"{name!r} cannot be changed on {table}")
        result[name] = _check_value(state, table, name, value)
    return result


def _check_value(state: MapState, table: str, name: str, value: Any) -> Any:
    if name in ("label", "name"):
        return _nonempty(value, f"A {table[:-1]} needs a {name}")
    if name in ("x", "y"):
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise CommandError(f"Position {name} must be a finite number, not {value!r}")
        return float(value)
    if name == "polarity":
        if value not in POLARITIES:
            raise CommandError(f"Polarity must be one of + - ?, not {value!r}")
        return value
    if name in ("strength", "confidence"):
        if value is None and name == "confidence":
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise CommandError(f"{name.capitalize()} must be a number from 0 to 1, not {value!r}")
        return float(value)
    if name == "type":
        if value is None:
            return None
        kind = "factor" if table == "factors" else "link"
        style = state.styles.get(value)
        if style is None or style.kind != kind:
            raise CommandError(f"{value!r} is not a {kind} style of this map")
        return value
    if name == "attributes":
        if not isinstance(value, dict):
            raise CommandError("Attributes must be a mapping of names to values")
        return dict(value)
    if name == "kind" and value not in ("system", "toc"):
        raise CommandError(f"A map is of kind 'system' or 'toc', not {value!r}")
    text_fields = ("notes", "rationale", "evidence", "provenance", "site", "description")
    if name in text_fields and not isinstance(value, str):
        raise CommandError(f"{name.capitalize()} must be text")
    return value


def _edit(
    ctx: EditContext, table: str, records: Mapping[str, Any], key: str, changes: Mapping[str, Any]
) -> list[Op]:
    record = _require(records, key, table[:-1])
    new = check_fields(ctx.state, table, changes)
    old = {name: getattr(record, name) for name in new}
    new = {name: value for name, value in new.items() if old[name] != value}
    if not new:
        return []
    old = {name: old[name] for name in new}
    if table in ("factors", "links"):
        old.update(modified_at=record.modified_at, modified_by=record.modified_by)
        new.update(modified_at=ctx.now, modified_by=ctx.actor)
    return [op.update(table, key, old, new)]


def _require(records: Mapping[str, Any], key: str, what: str) -> Any:
    try:
        return records[key]
    except KeyError:
        raise CommandError(f"There is no {what} with id {key} in this map") from None


def _nonempty(value: Any, message: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CommandError(message)
    return value.strip()


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))
