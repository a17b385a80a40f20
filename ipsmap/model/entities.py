"""The domain records: participants, maps, styles, factors, links, groups.

Each record is a dataclass with a UUID string id. ``to_row``/``from_row`` convert to and
from the plain dicts that edit operations carry and the database stores (JSON-valued
fields stay Python dicts here; the store encodes them).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

MAP_KINDS = ("system", "toc")
POLARITIES = ("+", "-", "?")
STYLE_KINDS = ("factor", "link")
STAKEHOLDER_GROUPS = (
    "parent",
    "practitioner",
    "community member",
    "researcher",
    "facilitator",
    "other",
)

# Named strength and confidence levels; the model stores the number so analysis can weight
# links, and the UI shows the nearest name.
STRENGTH_LEVELS = {"weak": 0.25, "medium": 0.5, "strong": 1.0}
CONFIDENCE_LEVELS = {"low": 0.25, "medium": 0.5, "high": 1.0}
DEFAULT_STRENGTH = STRENGTH_LEVELS["medium"]


def new_id() -> str:
    """A fresh random UUID as a string."""
    return str(uuid.uuid4())


def now_iso() -> str:
    """The current UTC time, ISO 8601 with milliseconds (sortable as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# How each stakeholder group is named to people (in the UI and in exports).
GROUP_LABELS = {
    "parent": "Parent/carer",
    "practitioner": "Practitioner",
    "community member": "Community member",
    "researcher": "Researcher",
    "facilitator": "Facilitator",
    "other": "Other",
}

# Realist evaluation: how far the evidence bears out a context–mechanism–outcome configuration.
CMO_STATUSES = ("initial", "supported", "refined", "refuted")

# What participants can record about factors and links (the method's "factor information").
MARK_KINDS = ("important", "controllable", "vulnerable", "confidence", "votes")
# Read out on a projector to lay participants: each says what giving the mark means.
MARK_KIND_LABELS = {
    "important": "Important: this matters a lot to us",
    "controllable": "Controllable: something we could do something about",
    "vulnerable": "Vulnerable: could easily change soon, for better or worse",
    "confidence": "How sure are we that this link is real (that one really leads to the other)?",
    "votes": "Votes: each person has a few dots to put on what matters most",
}


def _copy_json(value: Any) -> Any:
    """A copy of a JSON-valued field one level deep (None becomes an empty dict)."""
    if value is None:
        return {}
    if isinstance(value, list):
        return [dict(x) if isinstance(x, dict) else x for x in value]
    return dict(value)


def level_name(value: float | None, levels: dict[str, float]) -> str:
    """The name of the level nearest to ``value`` ("" when unrated)."""
    if value is None:
        return ""
    return min(levels, key=lambda name: abs(levels[name] - value))


@dataclass
class Record:
    """Base for stored records: a table name and row conversion."""

    TABLE: ClassVar[str] = ""
    # Fields stored as JSON text in the database.
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ()

    id: str

    def to_row(self) -> dict[str, Any]:
        # Plain getattr, not dataclasses.asdict: asdict deep-copies and is 10x slower on
        # the 20,000-record imports and deletes that build rows in bulk.
        row = {name: getattr(self, name) for name in self.field_names()}
        for name in self.JSON_FIELDS:
            row[name] = _copy_json(row[name])
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        names = cls.field_names()
        return cls(**{k: v for k, v in row.items() if k in names})

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        cached = cls.__dict__.get("_field_names")
        if cached is None:
            cached = tuple(f.name for f in dataclasses.fields(cls))
            cls._field_names = cached  # type: ignore[attr-defined]
        return cached


@dataclass
class Participant(Record):
    """A workshop participant, known only by a pseudonym and stakeholder group."""

    TABLE: ClassVar[str] = "participants"

    pseudonym: str = ""
    stakeholder_group: str = "other"
    site: str = ""
    consent: bool = True
    notes: str = ""
    created_at: str = ""


@dataclass
class MapInfo(Record):
    """A map's own fields (its contents live in the other tables)."""

    TABLE: ClassVar[str] = "maps"
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("attributes",)

    name: str = ""
    kind: str = "system"
    site: str = ""
    description: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    position: int = 0
    created_at: str = ""
    created_by: str | None = None


@dataclass
class Style(Record):
    """A named factor type or link style; its name is the legend entry."""

    TABLE: ClassVar[str] = "styles"

    map_id: str = ""
    kind: str = "factor"
    name: str = ""
    color: str = "#ffffff"
    border_color: str = "#333333"
    shape: str = "box"
    dashes: bool = False
    # For theory-of-change levels: the column (0 = inputs) of a layered layout.
    level: int | None = None
    position: int = 0
    # The label's colour (e.g. white on a dark fill); None: the theme's text colour.
    font_color: str | None = None


@dataclass
class Factor(Record):
    """Anything in the system that can go up or down."""

    TABLE: ClassVar[str] = "factors"
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("attributes",)

    map_id: str = ""
    label: str = ""
    type: str | None = None
    x: float = 0.0
    y: float = 0.0
    notes: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    # Creation order; kept through delete and undo so lists and drawing order come back.
    seq: int = 0
    created_at: str = ""
    created_by: str | None = None
    modified_at: str = ""
    modified_by: str | None = None


@dataclass
class Link(Record):
    """A causal link from one factor to another."""

    TABLE: ClassVar[str] = "links"
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("attributes",)

    map_id: str = ""
    source: str = ""
    target: str = ""
    polarity: str = "+"
    strength: float = DEFAULT_STRENGTH
    confidence: float | None = None
    type: str | None = None
    rationale: str = ""
    evidence: str = ""
    notes: str = ""
    provenance: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    created_at: str = ""
    created_by: str | None = None
    modified_at: str = ""
    modified_by: str | None = None


@dataclass
class Group(Record):
    """A named, coloured set of factors (members are stored as GroupMember rows)."""

    TABLE: ClassVar[str] = "groups"

    map_id: str = ""
    name: str = ""
    color: str = "#dddddd"
    notes: str = ""
    position: int = 0


@dataclass
class Session(Record):
    """A workshop: when and where, who facilitated (a participant id) and who attended."""

    TABLE: ClassVar[str] = "sessions"
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("attendees",)

    title: str = ""
    date: str = ""
    site: str = ""
    facilitator: str = ""
    attendees: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass
class CMO(Record):
    """A realist context–mechanism–outcome configuration of the programme theory.

    ``explains`` holds the ids of the factors and links (in any map) it accounts for;
    ``leads_to`` the CMOs whose context is this one's outcome (chains of configurations).
    ``evidence`` is a list of {"source", "quote", "where"} entries; one may also hold a
    ``session_id`` or ``snapshot_id`` naming where it came from (``where`` keeps the text).
    """

    TABLE: ClassVar[str] = "cmos"
    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("evidence", "explains", "leads_to")

    code: str = ""
    area: str = ""
    context: str = ""
    intervention: str = ""
    mechanism_resource: str = ""
    mechanism_reasoning: str = ""
    outcome: str = ""
    for_whom: str = ""
    status: str = "initial"
    confidence: float | None = None
    evidence: list[dict[str, str]] = field(default_factory=list)
    notes: str = ""
    explains: list[str] = field(default_factory=list)
    leads_to: list[str] = field(default_factory=list)
    position: int = 0
    created_at: str = ""
    created_by: str | None = None
    modified_at: str = ""
    modified_by: str | None = None


@dataclass
class Mark(Record):
    """One participant's judgement of one factor or link (a flag, a confidence, votes).

    ``participant`` is whose judgement it is; ``created_by`` who entered it (the
    facilitator may enter a group's marks from a sheet).
    """

    TABLE: ClassVar[str] = "marks"

    map_id: str = ""
    target: str = ""
    participant: str = ""
    kind: str = "important"
    value: float = 1.0
    session_id: str | None = None
    created_at: str = ""
    created_by: str | None = None


IDEA_KINDS = ("factor", "link", "comment")
# What a comment idea can be about (schema 10).
COMMENT_TARGETS = ("factor", "link")
IDEA_STATUSES = ("open", "placed", "dismissed")


@dataclass
class Idea(Record):
    """Something a participant suggested from their phone, waiting for the facilitator.

    ``kind`` "factor" (``label`` and ``note``) or "link" (``source`` and ``target``, the
    ids of two factors on ``map_id``, with ``polarity`` and ``why``) or "comment" (``note``
    about the factor or link ``about`` of kind ``about_kind`` on ``map_id``); ``status``
    "open", "placed" (it is on the map, credited to ``created_by``) or "dismissed".
    """

    TABLE: ClassVar[str] = "ideas"

    map_id: str = ""
    kind: str = "factor"
    label: str = ""
    note: str = ""
    source: str | None = None
    target: str | None = None
    polarity: str = "?"
    why: str = ""
    status: str = "open"
    created_by: str | None = None
    created_at: str = ""
    about_kind: str | None = None
    about: str | None = None


# Group membership is a plain (group_id, factor_id) pair; ops key it by "group_id/factor_id".
GROUP_MEMBERS_TABLE = "group_members"


def member_key(group_id: str, factor_id: str) -> str:
    """The op key of one group membership row."""
    return f"{group_id}/{factor_id}"


RECORD_TYPES: dict[str, type[Record]] = {
    cls.TABLE: cls
    for cls in (Participant, MapInfo, Style, Factor, Link, Group, Session, CMO, Mark, Idea)
}

# Project-wide records (not inside one map's undo stack); the Project keeps them in memory.
PROJECT_RECORD_TYPES: dict[str, type[Record]] = {
    cls.TABLE: cls for cls in (Participant, Session, CMO, Mark, Idea)
}

# Fields a user edit may change; ids, owners and bookkeeping are not editable.
EDITABLE_FIELDS: dict[str, frozenset[str]] = {
    "factors": frozenset({"label", "type", "x", "y", "notes", "attributes"}),
    "links": frozenset(
        {
            "polarity",
            "strength",
            "confidence",
            "type",
            "rationale",
            "evidence",
            "notes",
            "provenance",
            "attributes",
        }
    ),
    "styles": frozenset(
        {"name", "color", "border_color", "shape", "dashes", "level", "position", "font_color"}
    ),
    "groups": frozenset({"name", "color", "notes", "position"}),
    "maps": frozenset({"name", "kind", "site", "description", "attributes", "position"}),
    "participants": frozenset({"pseudonym", "stakeholder_group", "site", "consent", "notes"}),
    "sessions": frozenset({"title", "date", "site", "facilitator", "attendees", "notes"}),
    "cmos": frozenset(
        {
            "code",
            "area",
            "context",
            "intervention",
            "mechanism_resource",
            "mechanism_reasoning",
            "outcome",
            "for_whom",
            "status",
            "confidence",
            "evidence",
            "notes",
            "explains",
            "leads_to",
            "position",
        }
    ),
    "marks": frozenset({"value"}),
}
