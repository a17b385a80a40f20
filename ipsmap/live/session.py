"""The host's bridge between the session document and the project (no network here).

Local edits: after ``Project.apply`` commits (the window, the command line, undo), the
records the change touched are written into the document with the host's own origin.
Remote updates: applied to the document, then the difference between the document and the
project becomes ops that go through ``Project.apply`` with the authenticated peer's Author,
in one transaction with the update itself (``live_updates``). Each op's ``before`` is the
project's current value, so the CRDT's merged value wins (the rebase the issue asks for);
the model still checks every op, and values it refuses (a bad polarity, a label that is not
text) are put back in the document as the project holds them, for everyone. What the
project cannot hold yet (a link to a factor deleted meanwhile, a second link between one
pair) is held back and then removed from the document with a notice.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Subscription, TransactionEvent

from ipsmap.live import host_updates
from ipsmap.live.doc_diff import ALL, Touched, new_map_ops, ops_towards
from ipsmap.live.shared_doc import MEMBERS, RECORD_TABLES, SharedDoc
from ipsmap.model import ops as op
from ipsmap.model.author import Author
from ipsmap.model.changes import Change
from ipsmap.model.commands import check_fields
from ipsmap.model.entities import EDITABLE_FIELDS, GROUP_MEMBERS_TABLE
from ipsmap.model.errors import CommandError, IpsmapError
from ipsmap.model.ops import Op
from ipsmap.model.project import Project
from ipsmap.model.state import MapState

HOST_ORIGIN = "ipsmap-host"


@dataclass
class Outcome:
    """What became of one remote update."""

    # The update as received: relay it to the other peers (None: dropped).
    relay: bytes | None
    # The host's own follow-up (held-back or refused records put right): send to everyone.
    corrections: list[bytes] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    event: int | None = None


class HostSession:
    """The shared maps of one project, kept in step with it."""

    # The origin of the document transactions this side makes itself.
    origin = HOST_ORIGIN
    # The host shares its participants (public names); a joined laptop's mirror does not.
    shares_people = True
    # A map a laptop adds to the session is made in the project (the host's, not a mirror's).
    takes_new_maps = True

    def __init__(self, project: Project, map_ids: list[str]) -> None:
        self.project = project
        self.shared = SharedDoc()
        self._captured: list[bytes] = []
        # Kept: an observer dies when its subscription object is collected.
        self._subscription: Subscription = self.shared.doc.observe(self._capture)
        self._touched = Touched(self.shared)
        self._applying_remote = False
        # Called with each update the host makes itself (local edits), to send to everyone.
        self.on_local_update: Callable[[bytes], None] | None = None
        self.notices: list[str] = []
        self._resume(map_ids)
        self._unsubscribe = project.subscribe(self._on_project_change)

    def close(self, *, compact: bool = True) -> None:
        """Stop following the project; ``compact``: fold the stored updates into one (a
        session stopped on purpose; the file shrinks too)."""
        self._unsubscribe()
        self._touched.close()
        self.shared.doc.unobserve(self._subscription)
        if compact:
            # A project closed first (ProgrammingError): the next host start folds them.
            with contextlib.suppress(sqlite3.ProgrammingError):
                host_updates.compact(self.project.store, shrink_file=True)

    @property
    def map_ids(self) -> list[str]:
        return self.shared.map_ids()

    # -- start: resume the document, never re-seed it ----------------------------------

    def _resume(self, map_ids: list[str]) -> None:
        """Replay the updates kept in the project; then add the maps asked for that the
        document lacks, and put in anything the project holds that the document does not
        (an edit made here that committed just before a crash, or between sessions)."""
        host_updates.compact(self.project.store)
        for update in host_updates.stored_updates(self.project.store):
            self.shared.doc.apply_update(update)
        wanted = list(dict.fromkeys([*self.shared.map_ids(), *map_ids]))
        known = {m.id for m in self.project.maps()}
        with self._own_transaction() as made:
            self.shared.put_participants(self.project.participants.values())
            for map_id in wanted:
                if map_id in known:
                    self.shared.put_map(self.project.map_data(map_id))
                else:
                    self.shared.remove_map(map_id)  # deleted here since: no longer shared
        for update in made:
            host_updates.append_alone(self.project.store, update)

    # -- local edits -------------------------------------------------------------------

    def _on_project_change(self, change: Change) -> None:
        if self._applying_remote:
            return
        touched = [change.map_id] if change.map_id else self.map_ids
        shared = [m for m in touched if m and self.shared.has_map(m)]
        people = self.shares_people and change.touches("participants")
        if not shared and not people:
            return
        known = {m.id for m in self.project.maps()}
        with self._own_transaction() as made:
            if people:
                self.shared.put_participants(self.project.participants.values())
            for map_id in shared:
                if map_id not in known:
                    self.shared.remove_map(map_id)  # a shared map deleted here
                    continue
                state = self.project.document(map_id).state
                self.shared.write_ops(map_id, _ops_of(change, state, map_id))
        for update in made:
            host_updates.append_alone(self.project.store, update)
            if self.on_local_update is not None:
                self.on_local_update(update)

    # -- remote updates ---------------------------------------------------------------

    def apply_remote(self, update: bytes, author: Author) -> Outcome:
        """Take in an update from an authenticated editor: document, project, audit log."""
        self._captured.clear()
        self._touched.take()
        self.shared.doc.apply_update(update)
        # Only what this update really changed is kept (a repeat changes nothing).
        received = list(self._captured)
        touched = self._touched.take()
        if not received:
            return Outcome(relay=None)
        outcome = Outcome(relay=update)
        pending = list(received)
        corrections: dict[str, set[tuple[str, str]]] = {}
        known = {m.id for m in self.project.maps()}
        for map_id, tables in touched.items():
            if map_id not in known:
                if self.shared.has_map(map_id) and self.takes_new_maps:
                    event = self._take_new_map(map_id, author, pending, outcome, corrections)
                    if event is not None:
                        outcome.event, pending = event, []
                continue
            if not self.shared.has_map(map_id):
                # Only the host stops sharing a map: put it back for everyone.
                outcome.notices.append(f"refused: {self._name(author)} removed a shared map")
                corrections.setdefault(map_id, set()).add((ALL, map_id))
                continue
            state = self.project.document(map_id).state
            diff = ops_towards(self.shared, state, tables)
            fix = corrections.setdefault(map_id, set())
            for table, keys in diff.held.items():
                fix.update((table, key) for key in keys)
                outcome.notices += [_held_notice(self.shared, state, table, k) for k in keys]
            if not diff.ops:
                continue
            if _restamp(diff.ops, author.actor, state):
                fix.update(_keys_of(diff.ops))
            try:
                _check_values(state, diff.ops)
                outcome.event = self._write_remote(diff.ops, author, map_id, pending)
                pending = []
            except CommandError as exc:
                fix.update(_keys_of(diff.ops))
                outcome.notices.append(f"refused an edit from {self._name(author)}: {exc}")
        for one in pending:
            host_updates.append_alone(self.project.store, one)
        if any(corrections.values()):
            outcome.corrections = self._correct(corrections)
        self.notices += outcome.notices
        return outcome

    def _take_new_map(
        self,
        map_id: str,
        author: Author,
        pending: list[bytes],
        outcome: Outcome,
        corrections: dict[str, set[tuple[str, str]]],
    ) -> int | None:
        """A map a laptop added (or imported, or duplicated) in the session: made in the
        project through the one writer, credited to the laptop's participant, and shared
        with everyone. Its name is made unique here; a map the model refuses is removed
        from the document for everyone, with a notice."""
        ops = new_map_ops(self.shared, map_id)
        info = ops[0].after or {}
        fix = corrections.setdefault(map_id, set())
        name = self.project.unique_map_name(str(info.get("name") or "Map").strip() or "Map")
        if name != info.get("name"):
            info["name"] = name
            fix.add((ALL, map_id))
        if _stamp_new(ops, author.actor):
            fix.add((ALL, map_id))
        try:
            _check_values(MapState.from_data(self.shared.read_map(map_id)), ops)
            event = self._write_remote(ops, author, map_id, pending)
        except (IpsmapError, sqlite3.Error) as exc:
            fix.add((ALL, map_id))
            outcome.notices.append(f"refused a new map from {self._name(author)}: {exc}")
            return None
        outcome.notices.append(f"{self._name(author)} added the map {name!r} to the session")
        return event

    def _correct(self, corrections: dict[str, set[tuple[str, str]]]) -> list[bytes]:
        """Put records back in the document as the project holds them, for everyone."""
        known = {m.id for m in self.project.maps()}
        with self._own_transaction() as made:
            for map_id, keys in corrections.items():
                if (ALL, map_id) in keys and map_id not in known:
                    self.shared.remove_map(map_id)  # a new map the project refused
                    continue
                if (ALL, map_id) in keys:
                    self.shared.put_map(self.project.map_data(map_id))
                    continue
                state = self.project.document(map_id).state
                for table, key in keys:
                    self.shared.put_record(map_id, table, key, _state_row(state, table, key))
        self._touched.take()
        for correction in made:
            host_updates.append_alone(self.project.store, correction)
        return made

    def _write_remote(
        self,
        ops: list[Op],
        author: Author,
        map_id: str | None,
        updates: list[bytes],
        undoable: bool = True,
    ) -> int:
        """The ops through the one writer, with the updates that produced them kept in the
        same transaction; ``undoable``: the step joins its author's undo history (a
        laptop's mirror takes others' edits in without it)."""

        def keep_updates(seq: int) -> None:
            for one in updates:
                host_updates.append(self.project.store, one, seq)

        self._applying_remote = True
        try:
            change = self.project.apply(
                ops,
                name="Live edit",
                author=author,
                map_id=map_id,
                undoable=undoable,
                rewrite=keep_updates,
            )
        finally:
            self._applying_remote = False
        return change.seq

    # -- helpers -------------------------------------------------------------------------

    @contextmanager
    def _own_transaction(self) -> Iterator[list[bytes]]:
        """A document transaction with the host's origin; yields the updates it made."""
        made: list[bytes] = []
        self._captured.clear()
        with self.shared.doc.transaction(origin=self.origin):
            yield made
        made.extend(self._captured)
        self._captured.clear()

    def _capture(self, event: TransactionEvent) -> None:
        self._captured.append(bytes(event.update))

    def _name(self, author: Author) -> str:
        person = self.project.participants.get(author.actor or "")
        return person.pseudonym if person else "another device"


def _restamp(ops: list[Op], actor: str | None, state: MapState) -> bool:
    """Name the authenticated participant in the ops' provenance fields (``created_by``,
    ``modified_by``), whatever the update said; True if it claimed someone else.

    An update that changed a factor or link without naming anyone as its modifier (two
    people edited one record at once and the other's ``modified_by`` won in the document)
    is stamped too: the record then says who made its last edit, as the audit log does."""
    claimed_other = False
    for one in ops:
        if actor is None or one.after is None or one.table not in ("factors", "links"):
            continue
        fields = ("created_by", "modified_by") if one.kind == "insert" else ("modified_by",)
        for name in fields:
            if name in one.after and one.after[name] != actor:
                one.after[name] = actor
                claimed_other = True
        if one.kind == "update" and "modified_by" not in one.after:
            record = getattr(state, one.table).get(one.key)
            if record is not None and record.modified_by != actor:
                if one.before is not None:
                    one.before["modified_by"] = record.modified_by
                one.after["modified_by"] = actor
                claimed_other = True
    return claimed_other


def _stamp_new(ops: list[Op], actor: str | None) -> bool:
    """Credit a new map and its records to the authenticated participant (``created_by``,
    ``modified_by``), whatever the update said; True if it claimed someone else."""
    claimed_other = False
    for one in ops:
        if actor is None or one.after is None:
            continue
        for name in ("created_by", "modified_by"):
            if name in one.after and one.after[name] != actor:
                one.after[name] = actor
                claimed_other = True
    return claimed_other


def _check_values(state: MapState, ops: list[Op]) -> None:
    """Refuse values the model would refuse from a command (CommandError)."""
    for one in ops:
        if one.after and one.table in EDITABLE_FIELDS:
            editable = EDITABLE_FIELDS[one.table]
            check_fields(state, one.table, {k: v for k, v in one.after.items() if k in editable})


def _keys_of(ops: list[Op]) -> set[tuple[str, str]]:
    return {(MEMBERS if o.table == GROUP_MEMBERS_TABLE else o.table, o.key) for o in ops
            if o.table != "maps"}  # fmt: skip


def _state_row(state: MapState, table: str, key: str) -> dict[str, Any] | None:
    if table == MEMBERS:
        group_id, factor_id = key.split("/", 1)
        return {} if factor_id in state.group_members.get(group_id, ()) else None
    record = getattr(state, table).get(key)
    return record.to_row() if record is not None else None


def _held_notice(shared: SharedDoc, state: MapState, table: str, key: str) -> str:
    """ "a link from 'Housing' to a factor deleted meanwhile was removed" """
    if table != "links":
        return "a group membership of a factor deleted meanwhile was removed"
    row = shared.row(state.info.id, "links", key) or {}

    def name(factor_id: str) -> str:
        factor = state.factors.get(factor_id)
        return f"{factor.label!r}" if factor else "a factor deleted meanwhile"

    source, target = row.get("source", ""), row.get("target", "")
    if source in state.factors and target in state.factors:
        return f"a second link from {name(source)} to {name(target)} was removed"
    return f"a link from {name(source)} to {name(target)} was removed"


def _ops_of(change: Change, state: MapState, map_id: str) -> list[Op]:
    """The change as ops carrying the records' values now (what the document needs)."""
    result: list[Op] = []
    stores: dict[str, dict[str, Any]] = {t: getattr(state, t) for t in RECORD_TABLES}
    if "maps" in change.changed and map_id in change.changed["maps"]:
        row = state.info.to_row()
        fields = change.changed["maps"][map_id]
        result.append(op.update("maps", map_id, {}, {k: row[k] for k in fields if k in row}))
    for table, keys in change.removed.items():
        result += [Op("delete", table, key) for key in keys]
    for table, keys in change.added.items():
        if table == GROUP_MEMBERS_TABLE:
            result += [Op("insert", table, key, after={}) for key in keys]
        elif table in stores:
            result += [
                op.insert(table, stores[table][k].to_row()) for k in keys if k in stores[table]
            ]
    for table, records in change.changed.items():
        if table not in stores:
            continue
        for key, fields in records.items():
            record = stores[table].get(key)
            if record is not None:
                row = record.to_row()
                result.append(op.update(table, key, {}, {k: row[k] for k in fields if k in row}))
    return result
