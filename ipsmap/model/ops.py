"""Field-level edit operations: the one currency in which every change is made.

A command expands to a list of ops; the store writes them, the in-memory state applies
them, the audit log records them and undo applies their inverse. Because ops name a table,
a record id and field values (never Python objects), a later co-editing layer can send
them over the wire and apply remote edits through the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

OpKind = Literal["insert", "delete", "update"]


@dataclass(frozen=True)
class Op:
    """One change to one record.

    insert: ``after`` is the whole new row. delete: ``before`` is the whole old row.
    update: ``before``/``after`` hold only the changed fields, old and new values.
    """

    kind: OpKind
    table: str
    key: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    def inverse(self) -> Op:
        """The op that undoes this one."""
        flipped: OpKind = {"insert": "delete", "delete": "insert", "update": "update"}[self.kind]  # type: ignore[assignment]
        return Op(flipped, self.table, self.key, before=self.after, after=self.before)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.kind, "table": self.table, "key": self.key}
        if self.before is not None:
            data["before"] = self.before
        if self.after is not None:
            data["after"] = self.after
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Op:
        return cls(data["op"], data["table"], data["key"], data.get("before"), data.get("after"))


def insert(table: str, row: dict[str, Any]) -> Op:
    return Op("insert", table, _key_of(table, row), after=dict(row))


def delete(table: str, row: dict[str, Any]) -> Op:
    return Op("delete", table, _key_of(table, row), before=dict(row))


def update(table: str, key: str, old: dict[str, Any], new: dict[str, Any]) -> Op:
    return Op("update", table, key, before=dict(old), after=dict(new))


def invert_all(ops: list[Op]) -> list[Op]:
    """The ops that undo ``ops``: each inverted, in reverse order."""
    return [op.inverse() for op in reversed(ops)]


def _key_of(table: str, row: dict[str, Any]) -> str:
    if table == "group_members":
        return f"{row['group_id']}/{row['factor_id']}"
    return str(row["id"])
