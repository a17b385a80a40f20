"""Edit commands on the project as a whole: maps and participants."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsmap.model import ops as op
from ipsmap.model.command import Command, EditContext
from ipsmap.model.defaults import default_styles
from ipsmap.model.entities import (
    EDITABLE_FIELDS,
    GROUP_LABELS,
    GROUP_MEMBERS_TABLE,
    MAP_KINDS,
    STAKEHOLDER_GROUPS,
    MapInfo,
    Participant,
    new_id,
)
from ipsmap.model.errors import CommandError
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import Op

if TYPE_CHECKING:
    from ipsmap.model.project import Project


class ProjectCommand(Command):
    """An edit of the project (not inside one map): its maps and project-wide records.

    The map a step concerns (for its undo and the audit log) is read from its ops."""

    name = "Edit project"


@dataclass
class AddMap(ProjectCommand):
    map_name: str
    kind: str = "system"
    site: str = ""
    description: str = ""
    id: str = field(default_factory=new_id)
    name = "Add map"

    @property
    def map_id(self) -> str | None:
        return self.id

    def ops(self, ctx: EditContext) -> list[Op]:
        project, actor, now = ctx.the_project, ctx.actor, ctx.now
        if self.kind not in MAP_KINDS:
            raise CommandError(f"A map is of kind 'system' or 'toc', not {self.kind!r}")
        if not self.map_name.strip():
            raise CommandError("A map needs a name")
        info = MapInfo(
            id=self.id,
            name=project.unique_map_name(self.map_name.strip()),
            kind=self.kind,
            site=self.site,
            description=self.description,
            position=project.next_map_position(),
            created_at=now,
            created_by=actor,
        )
        styles = default_styles(self.id, self.kind)
        return [
            op.insert("maps", info.to_row()),
            *(op.insert("styles", s.to_row()) for s in styles),
        ]


@dataclass
class DeleteMap(ProjectCommand):
    """Delete a map and all it holds (undo brings it back whole)."""

    id: str
    name = "Delete map"

    @property
    def map_id(self) -> str | None:
        return self.id

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        data = project.map_data(self.id)
        # Marks belong to the project's records but point at this map: they go with it.
        result = [op.delete("marks", m.to_row()) for m in project.marks_of(self.id)]
        result += [
            op.delete(GROUP_MEMBERS_TABLE, {"group_id": g, "factor_id": f}) for g, f in data.members
        ]
        result += [op.delete("links", r.to_row()) for r in data.links]
        result += [op.delete("groups", r.to_row()) for r in data.groups]
        result += [op.delete("factors", r.to_row()) for r in data.factors]
        result += [op.delete("styles", r.to_row()) for r in data.styles]
        return [*result, op.delete("maps", data.info.to_row())]


@dataclass
class ImportMap(ProjectCommand):
    """Add a whole map read from a file, in one transaction.

    If any of its ids already exist in the project (the same file imported twice), the
    map gets fresh ids throughout, so a project can hold copies.
    """

    data: MapData
    new_name: str | None = None
    name = "Import map"

    def ops(self, ctx: EditContext) -> list[Op]:
        project, actor, now = ctx.the_project, ctx.actor, ctx.now
        data = self.data
        if project.existing_ids(data.all_ids()):
            data = data.with_fresh_ids()
        known_people = set(project.participants)
        new_people = [p for p in data.participants if p.id not in known_people]
        people = known_people | {p.id for p in new_people}
        name = project.unique_map_name((self.new_name or data.info.name).strip() or "Imported map")
        info = dataclasses.replace(
            data.info,
            name=name,
            position=project.next_map_position(),
            created_at=data.info.created_at or now,
            created_by=data.info.created_by if data.info.created_by in people else actor,
        )

        def who(person: str | None) -> str | None:
            return person if person in people else None

        result = [op.insert("participants", p.to_row()) for p in new_people]
        result.append(op.insert("maps", info.to_row()))
        result += [op.insert("styles", s.to_row()) for s in data.styles]
        for seq, factor in enumerate(data.factors, start=1):
            record = dataclasses.replace(
                factor,
                seq=seq,
                created_at=factor.created_at or now,
                created_by=who(factor.created_by),
                modified_at=factor.modified_at or factor.created_at or now,
                modified_by=who(factor.modified_by or factor.created_by),
            )
            result.append(op.insert("factors", record.to_row()))
        for seq, link in enumerate(data.links, start=1):
            link_record = dataclasses.replace(
                link,
                seq=seq,
                created_at=link.created_at or now,
                created_by=who(link.created_by),
                modified_at=link.modified_at or link.created_at or now,
                modified_by=who(link.modified_by or link.created_by),
            )
            result.append(op.insert("links", link_record.to_row()))
        result += [op.insert("groups", g.to_row()) for g in data.groups]
        result += [
            op.insert(GROUP_MEMBERS_TABLE, {"group_id": g, "factor_id": f}) for g, f in data.members
        ]
        return result


@dataclass
class AddParticipant(ProjectCommand):
    pseudonym: str
    stakeholder_group: str = "other"
    site: str = ""
    consent: bool = True
    notes: str = ""
    id: str = field(default_factory=new_id)
    name = "Add participant"

    def ops(self, ctx: EditContext) -> list[Op]:
        project, now = ctx.the_project, ctx.now
        if not self.pseudonym.strip():
            raise CommandError("A participant needs a pseudonym")
        if self.stakeholder_group not in STAKEHOLDER_GROUPS:
            raise CommandError(
                f"Stakeholder group must be one of {', '.join(STAKEHOLDER_GROUPS)}, "
                f"not {self.stakeholder_group!r}"
            )
        person = Participant(
            id=self.id,
            pseudonym=self.pseudonym.strip()
            if self.consent
            else group_alias(project, self.stakeholder_group),
            stakeholder_group=self.stakeholder_group,
            site=self.site,
            consent=self.consent,
            notes=self.notes if self.consent else "",
            created_at=now,
        )
        return [op.insert("participants", person.to_row())]


@dataclass
class EditParticipant(ProjectCommand):
    participant_id: str
    changes: dict[str, Any]
    name = "Edit participant"

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        person = project.participants.get(self.participant_id)
        if person is None:
            raise CommandError(f"There is no participant with id {self.participant_id}")
        for key in self.changes:
            if key not in EDITABLE_FIELDS["participants"]:
                raise CommandError(f"{key!r} cannot be changed on a participant")
        group = self.changes.get("stakeholder_group", person.stakeholder_group)
        if group not in STAKEHOLDER_GROUPS:
            raise CommandError(f"Unknown stakeholder group {group!r}")
        changes = dict(self.changes)
        if not changes.get("consent", person.consent):
            # Without consent to attribution only the stakeholder group is kept: the
            # pseudonym becomes a numbered group alias and free notes are dropped.
            alias = person.pseudonym
            if person.consent or "stakeholder_group" in changes:
                alias = group_alias(project, group, exclude=person.id)
            changes["pseudonym"] = alias
            changes["notes"] = ""
        old = {k: getattr(person, k) for k in changes if getattr(person, k) != changes[k]}
        new = {k: changes[k] for k in old}
        return [op.update("participants", person.id, old, new)] if new else []


def group_alias(project: Project, group: str, exclude: str | None = None) -> str:
    """The next free "Parent/carer 3"-style name for someone known only by their group."""
    label = GROUP_LABELS.get(group, group)
    taken = {p.pseudonym for pid, p in project.participants.items() if pid != exclude}
    n = 1
    while f"{label} {n}" in taken:
        n += 1
    return f"{label} {n}"
