"""Plain-language summaries of ops for the audit log ("Added factor 'Housing'")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from ipsmap.model.ops import Op
from ipsmap.model.state import MapState

_NOUNS = {
    "factors": ("factor", "factors"),
    "links": ("link", "links"),
    "styles": ("style", "styles"),
    "groups": ("group", "groups"),
    "group_members": ("group membership", "group memberships"),
    "maps": ("map", "maps"),
    "participants": ("participant", "participants"),
    "sessions": ("session", "sessions"),
    "cmos": ("CMO", "CMOs"),
    "marks": ("mark", "marks"),
    "ideas": ("idea", "ideas"),
}
_VERBS = {"insert": "added", "delete": "removed", "update": "changed"}


def summarise(
    ops: list[Op],
    state: MapState | None = None,
    records: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """One line saying what the ops did, naming the record when there is just one.

    ``records`` (the project's participants, sessions, CMOs by table and id) lets an edit
    of one of them be named by its code, title or pseudonym rather than its id.
    """
    if len(ops) == 1:
        one = ops[0]
        if one.kind == "update" and records is not None and one.key in records.get(one.table, {}):
            record = records[one.table][one.key]
            name = getattr(record, "code", "") or getattr(record, "title", "")
            name = name or getattr(record, "pseudonym", "")
            if name:
                singular = _NOUNS.get(one.table, (one.table, one.table))[0]
                fields = ", ".join(
                    sorted(k for k in (one.after or {}) if not k.startswith("modified_"))
                )
                return f"{singular} {name!r} changed ({fields})"
        return _describe_one(one, state)
    counts = Counter((o.kind, o.table) for o in ops)
    parts = []
    for (kind, table), n in counts.items():
        singular, plural = _NOUNS.get(table, (table, table))
        parts.append(f"{n} {singular if n == 1 else plural} {_VERBS[kind]}")
    return ", ".join(parts)


def _describe_one(one: Op, state: MapState | None) -> str:
    singular = _NOUNS.get(one.table, (one.table, one.table))[0]
    row = one.after if one.kind == "insert" else one.before
    if one.kind != "update":
        return f"{singular} {_name(one.table, one.key, row, state)} {_VERBS[one.kind]}"
    fields = ", ".join(sorted(k for k in (one.after or {}) if not k.startswith("modified_")))
    return f"{singular} {_name(one.table, one.key, None, state)} changed ({fields})"


def _name(table: str, key: str, row: dict | None, state: MapState | None) -> str:
    if table == "links":
        if row is None and state is not None and key in state.links:
            row = {"source": state.links[key].source, "target": state.links[key].target}
        if row is not None:
            return f"{_factor_label(row['source'], state)} → {_factor_label(row['target'], state)}"
        return key
    if row is None and state is not None:
        stores: dict[str, dict[str, Any]] = {
            "factors": state.factors,
            "styles": state.styles,
            "groups": state.groups,
        }
        record = stores.get(table, {}).get(key)
        if record is not None:
            row = {"label": getattr(record, "label", None), "name": getattr(record, "name", None)}
        elif table == "maps":
            row = {"name": state.info.name}
    if row is not None:
        text = (
            row.get("label")
            or row.get("name")
            or row.get("pseudonym")
            or row.get("code")
            or row.get("title")
        )
        if text:
            return repr(text)
    return key


def _factor_label(factor_id: str, state: MapState | None) -> str:
    if state is not None and factor_id in state.factors:
        return repr(state.factors[factor_id].label)
    return factor_id[:8]
