"""Does an op replace what it expects? The check behind "nothing overwrites a later edit".

Every update op carries in ``before`` the values it expects to replace, and every delete op
the whole row it expects to remove. Before the store writes an op it reads the row as it is
now and compares: a difference means someone (another person, another device) changed it
first. A change is then refused whole (:func:`check_batch`), or, for undo and redo,
trimmed to the part that is still safe (:func:`trim`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ipsmap.model.entities import GROUP_MEMBERS_TABLE, RECORD_TYPES
from ipsmap.model.errors import ConflictError
from ipsmap.model.ops import Op

JSON_COLUMNS = {t: set(cls.JSON_FIELDS) for t, cls in RECORD_TYPES.items()}
BOOL_COLUMNS = {"participants": {"consent"}, "styles": {"dashes"}}
# Tables keyed by something other than one ``id`` column have no general row check here.
_ID_TABLES = set(RECORD_TYPES) | {"snapshots"}
# What to call a record in a message, and which of its fields names it.
_NOUNS = {
    "maps": "map",
    "styles": "style",
    "factors": "factor",
    "links": "link",
    "groups": "group",
    "participants": "participant",
    "sessions": "session",
    "cmos": "CMO",
    "marks": "mark",
    "ideas": "idea",
    "snapshots": "snapshot",
    GROUP_MEMBERS_TABLE: "group membership",
}
_NAME_FIELDS = ("label", "name", "code", "pseudonym", "title")
_NAME_FIELD_OF = {
    "maps": "name",
    "styles": "name",
    "groups": "name",
    "factors": "label",
    "cmos": "code",
    "participants": "pseudonym",
    "sessions": "title",
    "snapshots": "label",
}
# Who changed a record last and when: they follow the content and are never a conflict of
# their own (two people editing different fields of one factor do not collide).
BOOKKEEPING = {"modified_at", "modified_by"}


@dataclass(frozen=True)
class Conflict:
    """Why an op cannot be applied as it stands.

    ``kind``: "changed" (``field`` differs from what the op expects), "gone" (the row to
    change or delete is no longer there), "exists" (the row to insert is already there),
    "depends" (the database refused it: a record it needs is gone, or others need it).
    """

    op: Op
    kind: str
    field: str | None = None
    found: Any = None
    row: dict[str, Any] | None = None

    def describe_item(self) -> str:
        return describe(self.op.table, self.op.key, self.row or self.op.before or self.op.after)

    def message(self) -> str:
        item = self.describe_item()
        if self.kind == "gone":
            return f"{item} is no longer there"
        if self.kind == "exists":
            return f"{item} already exists"
        if self.kind == "depends":
            if self.op.kind == "insert":
                return f"{item} cannot come back: something it belongs to was deleted since"
            return f"{item} stays: something added since depends on it"
        expected = (self.op.before or {}).get(self.field or "")
        return (
            f"the {self.field!r} of {item} was changed first by someone else "
            f"(it is now {_short(self.found)}, not {_short(expected)})"
        )


def describe(table: str, key: str, row: dict[str, Any] | None) -> str:
    """ "factor 'Poverty'" — a record as a person would name it."""
    noun = _NOUNS.get(table, table)
    for name in _NAME_FIELDS:
        value = (row or {}).get(name)
        if isinstance(value, str) and value.strip():
            return f"{noun} {value.strip()[:60]!r}"
    return f"{noun} {key}"


def current_rows(
    conn: sqlite3.Connection,
    table: str,
    keys: Iterable[str],
    columns: Iterable[str] | None = None,
) -> dict[str, dict]:
    """The rows of ``table`` with these keys as they are now (decoded), by key.

    ``columns``: only these (and the id) are read; the rest of each row is left out.
    """
    keys = list(dict.fromkeys(keys))
    found: dict[str, dict] = {}
    if table == GROUP_MEMBERS_TABLE:
        for key in keys:
            group_id, _, factor_id = key.partition("/")
            row = conn.execute(
                "SELECT group_id, factor_id FROM group_members "
                "WHERE group_id = ? AND factor_id = ?",
                [group_id, factor_id],
            ).fetchone()
            if row is not None:
                found[key] = {"group_id": row[0], "factor_id": row[1]}
        return found
    wanted = "*"
    if columns is not None:
        wanted = ", ".join(f"[{c}]" for c in dict.fromkeys(["id", *columns]))
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        cursor = conn.execute(
            f"SELECT {wanted} FROM [{table}] WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
        )
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            row = _decode(table, dict(zip(columns, values, strict=True)))
            found[str(row["id"])] = row
    return found


def conflict_of(op: Op, row: dict[str, Any] | None) -> Conflict | None:
    """What stops ``op`` from applying to ``row`` (the record as it is now, None if absent)."""
    if op.kind == "insert":
        return Conflict(op, "exists", row=row) if row is not None else None
    if row is None:
        return Conflict(op, "gone")
    for name, expected in (op.before or {}).items():
        if name in BOOKKEEPING:
            continue
        if name in row and not same(op.table, name, expected, row[name]):
            return Conflict(op, "changed", name, row[name], row)
    return None


def check_batch(conn: sqlite3.Connection, batch: list[Op]) -> None:
    """Raise ConflictError (naming the item and field) if any op of a batch conflicts.

    Inserts are checked by the database itself (primary keys); see :func:`insert_conflict`.
    """
    table = batch[0].table
    if batch[0].kind == "insert" or table not in _ID_TABLES | {GROUP_MEMBERS_TABLE}:
        return
    # Only what the ops expect is read (for a move: x and y, not the whole row).
    columns = {name for op in batch for name in (op.before or {}) if name not in BOOKKEEPING}
    if table in _NAME_FIELD_OF:
        columns.add(_NAME_FIELD_OF[table])  # to name the item in a message
    rows = current_rows(conn, table, (op.key for op in batch), columns)
    for op in batch:
        conflict = conflict_of(op, rows.get(op.key))
        if conflict is not None:
            raise conflict_error(conflict)


def insert_conflict(conn: sqlite3.Connection, batch: list[Op]) -> ConflictError | None:
    """After an insert batch failed: the error naming an id that already exists, if one does."""
    rows = current_rows(conn, batch[0].table, (op.key for op in batch))
    for op in batch:
        if op.key in rows:
            return conflict_error(Conflict(op, "exists", row=rows[op.key]))
    return None


def conflict_error(conflict: Conflict) -> ConflictError:
    return ConflictError(
        conflict.op.table,
        conflict.op.key,
        conflict.field,
        f"The change was not made: {conflict.message()}. Nothing was changed.",
    )


def trim(op: Op, row: dict[str, Any] | None) -> tuple[Op | None, list[Conflict]]:
    """The part of ``op`` that still applies to ``row``, and what had to be left out.

    An update keeps the fields nobody changed since; an insert or delete applies whole or
    not at all.
    """
    if op.kind != "update":
        conflict = conflict_of(op, row)
        return (None, [conflict]) if conflict else (op, [])
    if row is None:
        return None, [Conflict(op, "gone")]
    kept_before: dict[str, Any] = {}
    kept_after: dict[str, Any] = {}
    left: list[Conflict] = []
    for name, expected in (op.before or {}).items():
        unchanged = name not in row or same(op.table, name, expected, row[name])
        if unchanged:
            kept_before[name] = expected
            kept_after[name] = (op.after or {}).get(name)
        elif name not in BOOKKEEPING:
            left.append(Conflict(op, "changed", name, row[name], row))
        # A stamp someone else's edit set since stays as it is (no note: it follows content).
    if not set(kept_before) - BOOKKEEPING:
        return None, left
    return Op("update", op.table, op.key, kept_before, kept_after), left


def same(table: str, name: str, expected: Any, found: Any) -> bool:
    """Whether a stored value equals the value an op expects (as the database keeps it)."""
    if name in JSON_COLUMNS.get(table, ()):
        return _as_json(expected if expected is not None else {}) == _as_json(
            found if found is not None else {}
        )
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected == found
    if isinstance(expected, int | float) and isinstance(found, int | float):
        return float(expected) == float(found)
    return bool(expected == found)


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _decode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    for name in JSON_COLUMNS.get(table, ()):
        if name in row:
            row[name] = json.loads(row[name]) if row[name] else {}
    for name in BOOL_COLUMNS.get(table, ()):
        if name in row:
            row[name] = bool(row[name])
    return row


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"
