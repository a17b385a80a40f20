"""What listeners are told after an edit: exactly which records changed, and how."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ipsmap.model.ops import Op


@dataclass
class Change:
    """The effect of one committed command (or its undo/redo) on one map or the project.

    ``added``/``removed`` map a table to record ids; ``changed`` maps a table to
    ``{id: set of field names}``. Group memberships appear under ``group_members`` with
    keys ``"group_id/factor_id"``.
    """

    command: str
    action: str
    map_id: str | None
    added: dict[str, set[str]] = field(default_factory=dict)
    removed: dict[str, set[str]] = field(default_factory=dict)
    changed: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    # Where the change came from: who made it, on which device, in which workshop session,
    # and the audit event that records it.
    actor: str | None = None
    origin: str | None = None
    session_id: str | None = None
    seq: int = 0
    # What an undo or redo left alone and why ("not undone: 'label' was changed since by Rowan").
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_ops(
        cls, command: str, action: str, map_id: str | None, ops: list[Op], **provenance: Any
    ) -> Change:
        """The change ``ops`` make; ``provenance``: actor, origin, session_id, seq."""
        change = cls(command, action, map_id, **provenance)
        for one in ops:
            if one.kind == "insert":
                if one.key in change.removed.get(one.table, set()):
                    change.removed[one.table].discard(one.key)
                    change.changed.setdefault(one.table, {}).setdefault(one.key, set()).update(
                        one.after or {}
                    )
                else:
                    change.added.setdefault(one.table, set()).add(one.key)
            elif one.kind == "delete":
                if one.key in change.added.get(one.table, set()):
                    change.added[one.table].discard(one.key)
                else:
                    change.removed.setdefault(one.table, set()).add(one.key)
                change.changed.get(one.table, {}).pop(one.key, None)
            elif one.key not in change.added.get(one.table, set()):
                fields = change.changed.setdefault(one.table, {}).setdefault(one.key, set())
                fields.update(one.after or {})
        return change

    def touches(self, table: str) -> bool:
        return bool(self.added.get(table) or self.removed.get(table) or self.changed.get(table))
