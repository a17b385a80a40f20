"""What the shared document holds that a map state does not: the ops that close the gap.

The host turns a remote update into ops for ``Project.apply`` this way; a joined laptop
keeps its own in-memory copy of each map up to date the same way. Each op's ``before`` is
the state's current value, so the document's merged value wins (the rebase on the CRDT).

Only the records an update touched are compared (``Touched``, collected by a deep observer
on the document), plus those a change drags in: the links and memberships of a factor that
is gone, the other link between the same pair. A map the update added or replaced whole is
compared in full.

What a project cannot hold yet is held back: a link (or group membership) whose factor was
deleted meanwhile, and of two links between the same pair, all but the first made (lowest
creation number, then id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pycrdt import Map, Subscription

from ipsmap.live.shared_doc import MEMBERS, RECORD_TABLES, SharedDoc
from ipsmap.model import ops as op
from ipsmap.model.entities import GROUP_MEMBERS_TABLE
from ipsmap.model.ops import Op
from ipsmap.model.state import MapState

# Applied in this order so that foreign keys hold at every step (deletes in reverse).
_ORDER = ("styles", "factors", "groups", MEMBERS, "links")
ALL = "*"


@dataclass
class Diff:
    ops: list[Op] = field(default_factory=list)
    # Records the document holds and the map cannot yet (their keys, by table).
    held: dict[str, set[str]] = field(default_factory=dict)


class Touched:
    """Which records of which shared maps changed since the last ``take``."""

    def __init__(self, shared: SharedDoc) -> None:
        self._keys: dict[str, dict[str, set[str]]] = {}
        # Kept: an observer dies when its subscription object is collected.
        self._subscription: Subscription = shared.maps.observe_deep(self._on_events)
        self._shared = shared

    def take(self) -> dict[str, dict[str, set[str]]]:
        """{map id: {table: keys}} (table ``"*"``: the whole map) and start afresh."""
        keys, self._keys = self._keys, {}
        return keys

    def close(self) -> None:
        self._shared.maps.unobserve(self._subscription)

    def _on_events(self, events: list[Any]) -> None:
        for event in events:
            path = list(event.path)
            if not path:
                for map_id in event.keys:
                    self._keys.setdefault(map_id, {})[ALL] = set()
            elif len(path) == 1 or (len(path) == 2 and path[1] == "info"):
                self._keys.setdefault(path[0], {})[ALL if len(path) == 1 else "info"] = set()
            elif len(path) == 2:
                self._keys.setdefault(path[0], {}).setdefault(path[1], set()).update(event.keys)
            else:
                self._keys.setdefault(path[0], {}).setdefault(path[1], set()).add(path[2])


def ops_towards(
    shared: SharedDoc, state: MapState, touched: dict[str, set[str]] | None = None
) -> Diff:
    """The ops that make ``state`` what the document holds for its map (``touched``: the
    records to compare, from :class:`Touched`; None or ``"*"`` in it: all of them)."""
    map_id = state.info.id
    whole = touched is None or ALL in touched
    if whole:
        candidates = {t: set(shared.rows(map_id, t)) | set(_state_keys(state, t)) for t in _ORDER}
    else:
        assert touched is not None
        candidates = {t: set(touched.get(t, ())) for t in _ORDER}
        _drag_in(shared, state, map_id, candidates)
    wanted, held = _wanted(shared, state, map_id, candidates)
    diff = Diff(held=held)
    if whole or (touched is not None and "info" in touched):
        info, now = shared.info_row(map_id), state.info.to_row()
        changed = {k: v for k, v in info.items() if k in now and now[k] != v}
        if changed:
            diff.ops.append(op.update("maps", map_id, {k: now[k] for k in changed}, changed))
    current = {t: {k: r for k in candidates[t] if (r := _state_row(state, t, k)) is not None}
               for t in _ORDER}  # fmt: skip
    inserts: list[Op] = []
    updates: list[Op] = []
    for table in _ORDER:
        name = GROUP_MEMBERS_TABLE if table == MEMBERS else table
        have, want = current[table], wanted[table]
        for key in sorted(want.keys() - have.keys()):
            inserts.append(op.insert(name, _member_row(key) if table == MEMBERS else want[key]))
        if table == MEMBERS:
            continue
        for key in sorted(want.keys() & have.keys()):
            after = {k: v for k, v in want[key].items() if k in have[key] and have[key][k] != v}
            if after:
                updates.append(op.update(name, key, {k: have[key][k] for k in after}, after))
    deletes: list[Op] = []
    # Memberships and links go before the factors and groups they point at.
    for table in (MEMBERS, "links", "groups", "factors", "styles"):
        name = GROUP_MEMBERS_TABLE if table == MEMBERS else table
        have, want = current[table], wanted[table]
        for key in sorted(have.keys() - want.keys()):
            deletes.append(op.delete(name, _member_row(key) if table == MEMBERS else have[key]))
    diff.ops += [*inserts, *updates, *deletes]
    return diff


def with_held(touched: dict[str, set[str]], held: dict[str, set[str]]) -> dict[str, set[str]]:
    """The records to compare: those touched, and those held back last time (a link or
    membership waiting for a factor that has not arrived yet)."""
    result = {table: set(keys) for table, keys in touched.items()}
    for table, keys in held.items():
        result.setdefault(table, set()).update(keys)
    return result


def held_back(shared: SharedDoc, state: MapState) -> dict[str, set[str]]:
    """The links and memberships the document holds and ``state`` does not (a state just
    read from the document leaves them out: see shared_doc.consistent_rows)."""
    map_id = state.info.id
    links = {key for key, _source, _target in shared.link_ends(map_id)} - set(state.links)
    members = set(shared.rows(map_id, MEMBERS)) - set(_state_keys(state, MEMBERS))
    return {table: keys for table, keys in (("links", links), (MEMBERS, members)) if keys}


def _drag_in(
    shared: SharedDoc, state: MapState, map_id: str, candidates: dict[str, set[str]]
) -> None:
    """Add the records a touched record's fate depends on, or that depend on it."""
    factors_gone = {f for f in candidates["factors"] if not _in_doc(shared, map_id, "factors", f)}
    groups_gone = {g for g in candidates["groups"] if not _in_doc(shared, map_id, "groups", g)}
    if factors_gone:
        # Links someone made to a factor another deleted: found by a scan, on deletes only.
        for key, source, target in shared.link_ends(map_id):
            if source in factors_gone or target in factors_gone:
                candidates["links"].add(key)
        for factor_id in factors_gone:
            candidates["links"] |= state.links_of(factor_id)
    if factors_gone or groups_gone:
        for key in shared.rows(map_id, MEMBERS):
            group_id, factor_id = key.split("/", 1)
            if group_id in groups_gone or factor_id in factors_gone:
                candidates[MEMBERS].add(key)
        for group_id, members in state.group_members.items():
            for factor_id in members:
                if group_id in groups_gone or factor_id in factors_gone:
                    candidates[MEMBERS].add(f"{group_id}/{factor_id}")
    # A link's pair: the link the state has between the same factors competes with it.
    for key in list(candidates["links"]):
        row = shared.row(map_id, "links", key) or _state_row(state, "links", key)
        if row:
            other = state.link_between(row["source"], row["target"])
            if other is not None:
                candidates["links"].add(other.id)


def _wanted(
    shared: SharedDoc, state: MapState, map_id: str, candidates: dict[str, set[str]]
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, set[str]]]:
    wanted: dict[str, dict[str, dict[str, Any]]] = {}
    held: dict[str, set[str]] = {}
    for table in ("styles", "factors", "groups"):
        wanted[table] = {
            k: r for k in candidates[table] if (r := shared.row(map_id, table, k)) is not None
        }
    links = {k: r for k in candidates["links"] if (r := shared.row(map_id, "links", k)) is not None}
    kept: dict[tuple[str, str], str] = {}
    for key, row in sorted(links.items(), key=lambda kv: (kv[1].get("seq", 0), kv[0])):
        pair = (row.get("source", ""), row.get("target", ""))
        ends = all(_in_doc(shared, map_id, "factors", end) for end in pair)
        if ends and pair[0] != pair[1] and pair not in kept:
            kept[pair] = key
        else:
            held.setdefault("links", set()).add(key)
    wanted["links"] = {key: links[key] for key in kept.values()}
    members: dict[str, dict[str, Any]] = {}
    for key in candidates[MEMBERS]:
        if not shared.has_member(map_id, key):
            continue
        group_id, factor_id = key.split("/", 1)
        if _in_doc(shared, map_id, "groups", group_id) and _in_doc(
            shared, map_id, "factors", factor_id
        ):
            members[key] = {}
        else:
            held.setdefault(MEMBERS, set()).add(key)
    wanted[MEMBERS] = members
    return wanted, held


def _in_doc(shared: SharedDoc, map_id: str, table: str, key: str) -> bool:
    records = shared.maps[map_id][table]
    return key in records and isinstance(records[key], Map)


def _state_keys(state: MapState, table: str) -> list[str]:
    if table == MEMBERS:
        return [f"{g}/{f}" for g, members in state.group_members.items() for f in members]
    return list(getattr(state, table))


def _state_row(state: MapState, table: str, key: str) -> dict[str, Any] | None:
    if table == MEMBERS:
        group_id, factor_id = key.split("/", 1)
        return {} if factor_id in state.group_members.get(group_id, ()) else None
    record = getattr(state, table).get(key)
    return record.to_row() if record is not None else None


def _member_row(key: str) -> dict[str, str]:
    group_id, factor_id = key.split("/", 1)
    return {"group_id": group_id, "factor_id": factor_id}


assert set(RECORD_TABLES) | {MEMBERS} == set(_ORDER)


def new_map_ops(shared: SharedDoc, map_id: str) -> list[Op]:
    """A map the project does not hold yet, as ops: the map row, then its records in an
    order that keeps the foreign keys (read once: a 2,000-factor map joins fast). A
    joined laptop takes in a map shared since; a host, a map a laptop added."""
    data = shared.read_map(map_id)
    return [
        op.insert("maps", data.info.to_row()),
        *(op.insert("styles", s.to_row()) for s in data.styles),
        *(op.insert("factors", f.to_row()) for f in data.factors),
        *(op.insert("groups", g.to_row()) for g in data.groups),
        *(op.insert(GROUP_MEMBERS_TABLE, {"group_id": g, "factor_id": f}) for g, f in data.members),
        *(op.insert("links", ln.to_row()) for ln in data.links),
    ]
