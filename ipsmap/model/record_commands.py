"""Project commands on workshop sessions, CMO configurations and participants' marks.

Each is an ordinary undoable project command: its ops go through the one write path, so
every change is an audit event (who, when, in which session) and the evolution of a CMO
or of a participant's marks can be read back from the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsmap.model import ops as op
from ipsmap.model.command import EditContext
from ipsmap.model.entities import (
    CMO,
    CMO_STATUSES,
    EDITABLE_FIELDS,
    MARK_KINDS,
    Mark,
    Session,
    new_id,
)
from ipsmap.model.errors import CommandError
from ipsmap.model.ops import Op
from ipsmap.model.project_commands import ProjectCommand

if TYPE_CHECKING:
    from ipsmap.model.project import Project

# Map attribute holding how many dots each participant may place on that map.
VOTES_ATTRIBUTE = "votes_per_person"
DEFAULT_VOTES = 5


# -- sessions ----------------------------------------------------------------------------


@dataclass
class AddSession(ProjectCommand):
    title: str
    date: str
    site: str = ""
    facilitator: str = ""
    attendees: list[str] = field(default_factory=list)
    notes: str = ""
    id: str = field(default_factory=new_id)
    name = "Add session"

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        fields = _session_fields(
            project,
            {
                "title": self.title,
                "date": self.date,
                "site": self.site,
                "facilitator": self.facilitator,
                "attendees": self.attendees,
                "notes": self.notes,
            },
        )
        return [op.insert("sessions", Session(id=self.id, **fields).to_row())]


@dataclass
class EditSession(ProjectCommand):
    session_id: str
    changes: dict[str, Any]
    name = "Edit session"

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        session = _require(project.sessions, self.session_id, "session")
        _check_editable("sessions", self.changes)
        fields = _session_fields(project, {**session.to_row(), **self.changes})
        return _update("sessions", session, {k: fields[k] for k in self.changes}, {})


@dataclass
class DeleteSession(ProjectCommand):
    session_id: str
    name = "Delete session"

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        session = _require(project.sessions, self.session_id, "session")
        result = []
        # Marks made in the session stay (they are the participants'); they lose the tag.
        for mark in project.marks.values():
            if mark.session_id == session.id:
                result.append(
                    op.update("marks", mark.id, {"session_id": session.id}, {"session_id": None})
                )
        return [*result, op.delete("sessions", session.to_row())]


def _session_fields(project: Project, fields: dict[str, Any]) -> dict[str, Any]:
    title = str(fields.get("title") or "").strip()
    if not title:
        raise CommandError("A session needs a title")
    date = str(fields.get("date") or "").strip()
    if not _is_iso_date(date):
        raise CommandError(f"A session's date is written YYYY-MM-DD, not {date!r}")
    attendees = list(dict.fromkeys(fields.get("attendees") or []))
    unknown = [a for a in attendees if a not in project.participants]
    if unknown:
        raise CommandError(f"Unknown attendee id {unknown[0]}")
    facilitator = fields.get("facilitator") or ""
    if facilitator and facilitator not in project.participants:
        raise CommandError(f"Unknown facilitator id {facilitator}")
    return {
        "title": title,
        "date": date,
        "site": str(fields.get("site") or "").strip(),
        "facilitator": facilitator,
        "attendees": attendees,
        "notes": str(fields.get("notes") or ""),
    }


def _is_iso_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


# -- CMO configurations -------------------------------------------------------------------


@dataclass
class AddCMO(ProjectCommand):
    fields: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)
    name = "Add CMO"

    def ops(self, ctx: EditContext) -> list[Op]:
        project, actor, now = ctx.the_project, ctx.actor, ctx.now
        _check_editable("cmos", self.fields)
        values = _cmo_fields(project, self.id, self.fields)
        values.setdefault("code", next_cmo_code(project))
        values.setdefault(
            "position", max((c.position for c in project.cmos.values()), default=0) + 1
        )
        cmo = CMO(
            id=self.id,
            **values,
            created_at=now,
            created_by=actor,
            modified_at=now,
            modified_by=actor,
        )
        return [op.insert("cmos", cmo.to_row())]


@dataclass
class EditCMO(ProjectCommand):
    cmo_id: str
    changes: dict[str, Any]
    name = "Edit CMO"

    def ops(self, ctx: EditContext) -> list[Op]:
        project, actor, now = ctx.the_project, ctx.actor, ctx.now
        cmo = _require(project.cmos, self.cmo_id, "CMO")
        _check_editable("cmos", self.changes)
        values = _cmo_fields(project, cmo.id, self.changes)
        return _update("cmos", cmo, values, {"modified_at": now, "modified_by": actor})


@dataclass
class DeleteCMO(ProjectCommand):
    """Delete a CMO; chains through it are cut (undo restores both)."""

    cmo_id: str
    name = "Delete CMO"

    def ops(self, ctx: EditContext) -> list[Op]:
        project = ctx.the_project
        cmo = _require(project.cmos, self.cmo_id, "CMO")
        result = []
        for other in project.cmos.values():
            if cmo.id in other.leads_to:
                kept = [c for c in other.leads_to if c != cmo.id]
                result.append(
                    op.update(
                        "cmos", other.id, {"leads_to": list(other.leads_to)}, {"leads_to": kept}
                    )
                )
        return [*result, op.delete("cmos", cmo.to_row())]


def next_cmo_code(project: Project) -> str:
    """ "CMO n" with the next unused n."""
    taken = {c.code for c in project.cmos.values()}
    n = len(project.cmos) + 1
    while f"CMO {n}" in taken:
        n += 1
    return f"CMO {n}"


def _cmo_fields(project: Project, cmo_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "status":
            if value not in CMO_STATUSES:
                raise CommandError(
                    f"A CMO's status is one of {', '.join(CMO_STATUSES)}, not {value!r}"
                )
        elif key == "confidence":
            if value is not None:
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    raise CommandError(
                        f"Confidence is a number from 0 to 1, not {value!r}"
                    ) from None
                if not 0 <= value <= 1:
                    raise CommandError(f"Confidence is a number from 0 to 1, not {value}")
        elif key == "code":
            value = str(value).strip()
            if not value:
                raise CommandError("A CMO needs a code (e.g. “CMO 3”)")
            if any(c.code == value and c.id != cmo_id for c in project.cmos.values()):
                raise CommandError(f"Another CMO already has the code {value!r}")
        elif key == "explains":
            value = list(dict.fromkeys(value))
            unknown = [i for i in value if not project.item_exists(i)]
            if unknown:
                raise CommandError(f"There is no factor or link with id {unknown[0]}")
        elif key == "leads_to":
            value = list(dict.fromkeys(value))
            if cmo_id in value:
                raise CommandError("A CMO cannot lead to itself")
            unknown = [i for i in value if i not in project.cmos]
            if unknown:
                raise CommandError(f"There is no CMO with id {unknown[0]}")
        elif key == "evidence":
            existing = project.cmos.get(cmo_id)
            # A reference the CMO already holds stays valid even if its session has gone.
            held = {
                e.get(k) for e in (existing.evidence if existing else []) for k in _EVIDENCE_REFS
            }
            value = [_evidence_entry(project, e, held) for e in value]
        elif key == "position":
            value = int(value)
        else:
            value = str(value)
        values[key] = value
    return values


# Evidence may point at a session or snapshot by id, so renaming it does not break it.
_EVIDENCE_REFS = ("session_id", "snapshot_id")


def _evidence_entry(project: Project, entry: Any, held: set[Any]) -> dict[str, str]:
    if isinstance(entry, str):
        entry = {"source": entry}
    if not isinstance(entry, Mapping):
        raise CommandError("Each piece of evidence has a source, a quote and where it came from")
    result = {key: str(entry.get(key) or "") for key in ("source", "quote", "where")}
    for key in _EVIDENCE_REFS:
        ref = entry.get(key)
        if not ref:
            continue
        if ref not in held and not _evidence_ref_exists(project, key, str(ref)):
            raise CommandError(f"There is no {key[:-3]} with id {ref}")
        result[key] = str(ref)
    return result


def _evidence_ref_exists(project: Project, key: str, ref: str) -> bool:
    if key == "session_id":
        return ref in project.sessions
    from ipsmap.model.snapshots import find_snapshot

    return find_snapshot(project, ref) is not None


# -- marks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkSpec:
    """One judgement to record: ``value`` None (or 0) clears it."""

    participant: str
    target: str
    kind: str
    value: float | None = 1.0


@dataclass
class SetMarks(ProjectCommand):
    """Record (or clear) marks on one map's factors and links, as one undoable step.

    One participant in workshop mode, or the facilitator entering a whole group's sheet.
    """

    on_map: str
    marks: list[MarkSpec]
    name = "Set marks"

    @property
    def map_id(self) -> str | None:
        return self.on_map

    def ops(self, ctx: EditContext) -> list[Op]:
        project, actor, now = ctx.the_project, ctx.actor, ctx.now
        map_id = self.on_map
        if map_id not in {m.id for m in project.maps()}:
            raise CommandError(f"There is no map with id {map_id}")
        document = project.document(map_id)
        existing = {(m.participant, m.target, m.kind): m for m in project.marks_of(map_id)}
        votes = {p: 0.0 for p in project.participants}
        for mark in existing.values():
            if mark.kind == "votes":
                votes[mark.participant] = votes.get(mark.participant, 0.0) + mark.value
        budget = document.info.attributes.get(VOTES_ATTRIBUTE, DEFAULT_VOTES)
        result: list[Op] = []
        for spec in self.marks:
            if spec.participant not in project.participants:
                raise CommandError(f"There is no participant with id {spec.participant}")
            if spec.kind not in MARK_KINDS:
                raise CommandError(f"A mark is one of {', '.join(MARK_KINDS)}, not {spec.kind!r}")
            is_link = spec.target in document.links
            if not is_link and spec.target not in document.factors:
                raise CommandError(f"There is no factor or link with id {spec.target} on this map")
            if spec.kind == "confidence" and not is_link:
                raise CommandError("Confidence is given to links, not to factors")
            if spec.kind != "confidence" and is_link and spec.kind != "votes":
                raise CommandError(f"Links are not marked {spec.kind}; give them a confidence")
            value = _mark_value(spec)
            key = (spec.participant, spec.target, spec.kind)
            old = existing.get(key)
            if spec.kind == "votes":
                votes[spec.participant] += (value or 0) - (old.value if old else 0)
                if budget is not None and votes[spec.participant] > budget:
                    who = project.participants[spec.participant].pseudonym
                    raise CommandError(f"{who} has only {budget:g} votes on this map")
            if old is not None and not value:
                result.append(op.delete("marks", old.to_row()))
                del existing[key]
            elif old is not None and old.value != value:
                result.append(op.update("marks", old.id, {"value": old.value}, {"value": value}))
            elif old is None and value:
                mark = Mark(
                    id=new_id(),
                    map_id=map_id,
                    target=spec.target,
                    participant=spec.participant,
                    kind=spec.kind,
                    value=value,
                    session_id=ctx.session_id,
                    created_at=now,
                    created_by=actor,
                )
                existing[key] = mark
                result.append(op.insert("marks", mark.to_row()))
        return result


def _mark_value(spec: MarkSpec) -> float | None:
    if spec.value is None:
        return None
    try:
        value = float(spec.value)
    except (TypeError, ValueError):
        raise CommandError(f"A mark's value is a number, not {spec.value!r}") from None
    if spec.kind == "confidence" and not 0 <= value <= 1:
        raise CommandError(f"Confidence is a number from 0 to 1, not {value:g}")
    if spec.kind == "votes" and (value < 0 or value != int(value)):
        raise CommandError(f"Votes are whole numbers, not {value:g}")
    if spec.kind in ("important", "controllable", "vulnerable") and value not in (0, 1):
        raise CommandError(f"{spec.kind.capitalize()} is yes (1) or no (0), not {value:g}")
    return value


# -- shared ------------------------------------------------------------------------------


def _require(records: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in records:
        raise CommandError(f"There is no {what} with id {key}")
    return records[key]


def _check_editable(table: str, changes: Mapping[str, Any]) -> None:
    for key in changes:
        if key not in EDITABLE_FIELDS[table]:
            raise CommandError(f"{key!r} cannot be changed on a {table[:-1]}")


def _update(table: str, record: Any, values: dict[str, Any], stamp: dict[str, Any]) -> list[Op]:
    old = {k: getattr(record, k) for k, v in values.items() if getattr(record, k) != v}
    if not old:
        return []
    new = {k: values[k] for k in old}
    for key, value in stamp.items():
        old[key] = getattr(record, key)
        new[key] = value
    return [op.update(table, record.id, old, new)]
