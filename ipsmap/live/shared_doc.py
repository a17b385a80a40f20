"""The shared maps of a live session as one pycrdt (Yjs) document.

Layout: ``doc["maps"]`` maps a map id to a Y.Map holding ``info`` (the map's own fields)
and one Y.Map per table (``styles``, ``factors``, ``links``, ``groups``) keyed by record id,
each record a Y.Map of its fields, so two people changing different fields of one factor
both keep their change; ``members`` holds group memberships as ``"group/factor": True``.
``doc["people"]`` holds the participants by id with their public name only (a person who
did not consent to attribution appears as their group), which is what a map's canonical
document shows of them. JSON fields (attributes) are stored as JSON text: one value, so a
concurrent change replaces rather than mixes them. A factor's position is one value too,
``"pos": [x, y]``: two people moving one factor at once end with one of their two
positions, never x from one and y from the other (the model keeps its x and y fields).
A document written before that (``x`` and ``y`` keys) is still read, and a record's keys
are brought to ``pos`` the first time it is written.

Yjs numbers come back as floats (``seq`` 3 → 3.0): every value read here is brought back
to its field's type before anyone sees it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from typing import Any

from pycrdt import Doc, Map

from ipsmap.model.command import Command, EditContext
from ipsmap.model.entities import (
    GROUP_MEMBERS_TABLE,
    Factor,
    Group,
    Link,
    MapInfo,
    Participant,
    Style,
    now_iso,
)
from ipsmap.model.errors import NotFoundError
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import Op
from ipsmap.model.privacy import listed_name
from ipsmap.model.state import MapState

RECORD_TABLES = ("styles", "factors", "groups", "links")
MEMBERS = "members"
# A factor's position in the document: one key holding [x, y] (see above).
POSITION = "pos"
_AXES = ("x", "y")
_TYPES: dict[str, Any] = {
    "styles": Style,
    "factors": Factor,
    "groups": Group,
    "links": Link,
    "maps": MapInfo,
}


def _int_fields(cls: Any) -> frozenset[str]:
    # Annotations are strings here (postponed evaluation): "int", "int | None".
    return frozenset(
        f.name for f in dataclasses.fields(cls) if str(f.type).split(" ")[0] in ("int", "int|")
    )


_INTS = {table: _int_fields(cls) for table, cls in _TYPES.items()}
_JSON = {table: frozenset(getattr(cls, "JSON_FIELDS", ())) for table, cls in _TYPES.items()}
_FIELDS = {table: frozenset(cls.field_names()) for table, cls in _TYPES.items()}


def to_doc_value(table: str, name: str, value: Any) -> Any:
    """A field's value as the document stores it (JSON fields as text)."""
    if name in _JSON[table]:
        return json.dumps(value if value is not None else {}, sort_keys=True)
    return value


def from_doc_value(table: str, name: str, value: Any) -> Any:
    """A field's value as the model holds it (integers as int, JSON decoded)."""
    if value is None:
        return None
    if name in _JSON[table]:
        try:
            return json.loads(value) if isinstance(value, str) else {}
        except ValueError:
            return {}
    if name in _INTS[table] and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class SharedDoc:
    """The session's document and the one place that knows its layout."""

    def __init__(self, doc: Doc | None = None) -> None:
        self.doc = doc if doc is not None else Doc()
        self.maps: Map = self.doc.get("maps", type=Map)
        self.people: Map = self.doc.get("people", type=Map)

    # -- reading ----------------------------------------------------------------------

    def map_ids(self) -> list[str]:
        return sorted(self.maps.keys())

    def has_map(self, map_id: str) -> bool:
        return map_id in self.maps

    def rows(self, map_id: str, table: str) -> dict[str, dict[str, Any]]:
        """The records of one table of a shared map, as model rows keyed by id."""
        shared = self.maps.get(map_id)
        if shared is None or table not in shared:
            return {}
        if table == MEMBERS:
            return {key: {} for key in shared[MEMBERS]}
        # The whole table as JSON in one native call: reading it record by record through
        # Map.items() cost ~1.3 s for a 2,000 / 6,000 map, blocking a joining window.
        records = json.loads(str(shared[table]))
        return {
            key: _row_from_values(table, _as_read(values), map_id)
            for key, values in records.items()
            if isinstance(values, dict)
        }

    def row(self, map_id: str, table: str, key: str) -> dict[str, Any] | None:
        """One record of a shared map as a model row, or None if the document lacks it."""
        shared = self.maps.get(map_id)
        record = shared[table].get(key) if isinstance(shared, Map) else None
        return _row_from(table, record, map_id) if isinstance(record, Map) else None

    def link_ends(self, map_id: str) -> Iterator[tuple[str, Any, Any]]:
        """(link id, source, target) of every link of a shared map (reads two fields each:
        the scan a factor's deletion needs stays cheap on a 6,000-link map)."""
        shared = self.maps.get(map_id)
        if not isinstance(shared, Map):
            return
        for key, record in shared["links"].items():
            if isinstance(record, Map):
                yield key, record.get("source"), record.get("target")

    def has_member(self, map_id: str, key: str) -> bool:
        shared = self.maps.get(map_id)
        return isinstance(shared, Map) and key in shared[MEMBERS]

    def info_row(self, map_id: str) -> dict[str, Any]:
        shared = self.maps.get(map_id)
        if not isinstance(shared, Map):
            raise NotFoundError(f"The map {map_id} is not shared in this session")
        return _row_from("maps", shared["info"], None)

    def read_map(self, map_id: str) -> MapData:
        """The shared map as a detached MapData, without what it cannot hold yet (links or
        memberships whose end is gone, a second link between the same pair): see
        :func:`consistent_rows`."""
        rows = consistent_rows(self, map_id)
        factors = sorted((Factor.from_row(r) for r in rows["factors"].values()), key=_order)
        links = sorted((Link.from_row(r) for r in rows["links"].values()), key=_order)
        styles = sorted(
            (Style.from_row(r) for r in rows["styles"].values()),
            key=lambda s: (s.kind, s.position, s.id),
        )
        groups = sorted(
            (Group.from_row(r) for r in rows["groups"].values()), key=lambda g: (g.position, g.id)
        )
        members = [tuple(key.split("/", 1)) for key in sorted(rows[MEMBERS])]
        people_ids = {f.created_by for f in factors} | {f.modified_by for f in factors}
        people_ids |= {ln.created_by for ln in links} | {ln.modified_by for ln in links}
        info = MapInfo.from_row(self.info_row(map_id))
        people_ids.add(info.created_by)
        people = [p for p in self.participants() if p.id in people_ids]
        return MapData(info, styles, factors, links, groups, members, people)  # type: ignore[arg-type]

    def participants(self) -> list[Participant]:
        """The people of the session, public names only (consent is implied by the name)."""
        result = []
        for pid, fields in self.people.items():
            if isinstance(fields, Map):
                row = {k: v for k, v in fields.items()}
                result.append(Participant.from_row({**row, "id": pid, "consent": True}))
        return sorted(result, key=lambda p: p.id)

    # -- writing (callers hold a transaction with their origin) ---------------------------

    def put_participants(self, people: Iterable[Participant]) -> None:
        for person in people:
            public = {
                "pseudonym": listed_name(person),
                "stakeholder_group": person.stakeholder_group,
                "site": person.site,
            }
            current = self.people.get(person.id)
            if not isinstance(current, Map):
                self.people[person.id] = Map(public)
                continue
            for name, value in public.items():
                if current.get(name) != value:
                    current[name] = value

    def put_map(self, data: MapData, keep: dict[str, set[str]] | None = None) -> None:
        """Make the shared map exactly ``data`` (seeding, or bringing the document back in
        line with the host's record), writing only the fields that differ. ``keep``: records
        (table → keys) to leave in the document although ``data`` lacks them (a laptop's
        held-back links, waiting for their factor: removing them would remove them for
        everyone)."""
        keep = keep or {}
        map_id = data.info.id
        shared = self.maps.get(map_id)
        if not isinstance(shared, Map):
            shared = self.maps[map_id] = Map(
                {"info": Map({}), **{t: Map({}) for t in (*RECORD_TABLES, MEMBERS)}}
            )
        _set_fields(shared["info"], "maps", data.info.to_row())
        wanted = {
            "styles": {s.id: s.to_row() for s in data.styles},
            "factors": {f.id: f.to_row() for f in data.factors},
            "groups": {g.id: g.to_row() for g in data.groups},
            "links": {ln.id: ln.to_row() for ln in data.links},
        }
        for table, records in wanted.items():
            target = shared[table]
            for key in [k for k in target if k not in records and k not in keep.get(table, ())]:
                del target[key]
            for key, row in records.items():
                current = target.get(key)
                if isinstance(current, Map):
                    _set_fields(current, table, row)
                else:
                    target[key] = Map(_doc_fields(table, row))
        members = shared[MEMBERS]
        keys = {f"{g}/{f}" for g, f in data.members}
        for key in [k for k in members if k not in keys and k not in keep.get(MEMBERS, ())]:
            del members[key]
        for key in keys - set(members.keys()):
            members[key] = True

    def edit(
        self,
        command: Command,
        state: MapState,
        actor: str | None,
        session_id: str | None = None,
    ) -> list[Op]:
        """Run a map command against ``state`` (the shared map as it is now) and write its
        ops into the document (a joined laptop's edit; the caller holds a transaction with
        its local origin)."""
        ops = command.ops(EditContext(actor, now_iso(), state, None, session_id))
        self.write_ops(state.info.id, ops)
        return ops

    def remove_map(self, map_id: str) -> None:
        """Stop sharing a map (it was deleted from the host's project)."""
        if map_id in self.maps:
            del self.maps[map_id]

    def put_record(self, map_id: str, table: str, key: str, row: dict[str, Any] | None) -> None:
        """Make one record (or membership) of the shared map ``row``; None removes it."""
        shared = self.maps.get(map_id)
        if not isinstance(shared, Map):
            return
        target = shared[table]
        if row is None:
            if key in target:
                del target[key]
        elif table == MEMBERS:
            target[key] = True
        elif isinstance(target.get(key), Map):
            _set_fields(target[key], table, row)
        else:
            target[key] = Map(_doc_fields(table, row))

    def write_ops(self, map_id: str, ops: Iterable[Op]) -> None:
        """Carry ops already written to a project (or made by a command) into the map."""
        shared = self.maps.get(map_id)
        if not isinstance(shared, Map):
            return
        for one in ops:
            if one.table == "maps":
                if one.kind == "update" and one.key == map_id:
                    _set_fields(shared["info"], "maps", one.after or {})
                continue
            if one.table == GROUP_MEMBERS_TABLE:
                if one.kind == "insert":
                    shared[MEMBERS][one.key] = True
                elif one.key in shared[MEMBERS]:
                    del shared[MEMBERS][one.key]
                continue
            if one.table not in RECORD_TABLES:
                continue
            target = shared[one.table]
            if one.kind == "insert":
                target[one.key] = Map(_doc_fields(one.table, one.after or {}))
            elif one.kind == "delete":
                if one.key in target:
                    del target[one.key]
            else:
                record = target.get(one.key)
                if isinstance(record, Map):
                    _set_fields(record, one.table, one.after or {})


def consistent_rows(shared: SharedDoc, map_id: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The shared map's rows less what a project cannot hold yet.

    A link (or group membership) whose factor someone deleted meanwhile is held back; of
    two links between the same pair (two people linked it at once) the first made (lowest
    creation number, then id) is kept. The host removes what is held back from the
    document for everyone (see live/session.py).
    """
    rows = {table: shared.rows(map_id, table) for table in (*RECORD_TABLES, MEMBERS)}
    factors, groups = rows["factors"], rows["groups"]
    kept: dict[tuple[str, str], str] = {}
    for key, row in sorted(rows["links"].items(), key=lambda kv: (kv[1].get("seq", 0), kv[0])):
        pair = (row.get("source"), row.get("target"))
        if pair[0] in factors and pair[1] in factors and pair[0] != pair[1] and pair not in kept:
            kept[pair] = key  # type: ignore[index]
    rows["links"] = {key: rows["links"][key] for key in kept.values()}
    rows[MEMBERS] = {
        key: row
        for key, row in rows[MEMBERS].items()
        if key.split("/", 1)[0] in groups and key.split("/", 1)[-1] in factors
    }
    return rows


def _order(record: Any) -> tuple[int, str]:
    return (record.seq, record.id)


def _row_from(table: str, record: Map, map_id: str | None) -> dict[str, Any]:
    return _row_from_values(table, record.to_py() or {}, map_id)


def _as_read(values: dict[str, Any]) -> dict[str, Any]:
    """Values from the document's JSON as a native read gives them: the document keeps
    every number as a float, and its JSON writes 2.0 as 2 (which would read back as int)."""

    def one(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, list)):
            return value
        return float(value) if isinstance(value, int) else [one(v) for v in value]

    return {key: one(value) for key, value in values.items()}


def _row_from_values(table: str, values: dict[str, Any], map_id: str | None) -> dict[str, Any]:
    """A model row from a record's values as the document holds them."""
    fields = _FIELDS[table]
    row = {k: from_doc_value(table, k, v) for k, v in values.items() if k in fields}
    if table == "factors" and POSITION in values:
        row.update(zip(_AXES, _axes(values[POSITION]), strict=True))
    if map_id is not None:
        row["map_id"] = map_id
    return row


def _axes(value: Any) -> tuple[Any, Any]:
    """x and y from a stored position. Anything but two numbers is handed on as it came,
    as both coordinates, for the model's check to refuse (a device sent it)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    return value, value


def _doc_fields(table: str, row: dict[str, Any]) -> dict[str, Any]:
    fields = {k: to_doc_value(table, k, v) for k, v in row.items() if k != "map_id"}
    if table == "factors" and any(axis in fields for axis in _AXES):
        fields[POSITION] = [_number(fields.pop("x", 0.0)), _number(fields.pop("y", 0.0))]
    return fields


def _number(value: Any) -> Any:
    # Stored as a float whichever it came as, so every peer reads back the same value.
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _set_fields(record: Map, table: str, row: dict[str, Any]) -> None:
    if table == "factors" and (any(axis in row for axis in _AXES) or "x" in record):
        row = dict(row)
        _set_position(record, row.pop("x", None), row.pop("y", None))
    for name, value in row.items():
        if name == "map_id" and table != "maps":
            continue
        stored = to_doc_value(table, name, value)
        if name not in record or from_doc_value(table, name, record[name]) != value:
            record[name] = stored


def _set_position(record: Map, x: Any, y: Any) -> None:
    """Write a factor's position as one value (a coordinate not given keeps its value), and
    drop the separate x and y keys of a document written before positions were one value."""
    current = _row_from("factors", record, None)
    wanted = [
        _number(current.get("x", 0.0) if x is None else x),
        _number(current.get("y", 0.0) if y is None else y),
    ]
    if POSITION not in record or list(_axes(record[POSITION])) != wanted:
        record[POSITION] = wanted
    for axis in _AXES:
        if axis in record:
            del record[axis]
