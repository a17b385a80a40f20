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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Subscription, TransactionEvent

from ipsmap.live import host_updates
from ipsmap.live.shared_doc import MEMBERS, RECORD_TABLES, SharedDoc, consistent_rows
from ipsmap.model import ops as op
from ipsmap.model.author import Author
from ipsmap.model.changes import Change
from ipsmap.model.commands import check_fields
from ipsmap.model.entities import EDITABLE_FIELDS, GROUP_MEMBERS_TABLE
from ipsmap.model.errors import CommandError
from ipsmap.model.ops import Op
from ipsmap.model.project import Project
from ipsmap.model.state import MapState

HOST_ORIGIN = "ipsmap-host"
# Applied in this order so that foreign keys hold at every step (deletes in reverse).
_INSERT_ORDER = ("styles", "factors", "groups", MEMBERS, "links")


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

    def __init__(self, project: Project, map_ids: list[str]) -> None:
        self.project = project
        self.shared = SharedDoc()
        self._captured: list[bytes] = []
        # Kept: an observer dies when its subscription object is collected.
        self._subscription: Subscription = self.shared.doc.observe(self._capture)
        self._applying_remote = False
        # Called with each update the host makes itself (local edits), to send to everyone.
        self.on_local_update: Callable[[bytes], None] | None = None
        self.notices: list[str] = []
        self._resume(map_ids)
        self._unsubscribe = project.subscribe(self._on_project_change)

    def close(self) -> None:
        self._unsubscribe()
        self.shared.doc.unobserve(self._subscription)

    @property
    def map_ids(self) -> list[str]:
        return self.shared.map_ids()

    # -- start: resume the document, never re-seed it ----------------------------------

    def _resume(self, map_ids: list[str]) -> None:
        """Replay the updates kept in the project; then add the maps asked for that the
        document lacks, and put in anything the project holds that the document does not
        (an edit made here that committed just before a crash, or between sessions)."""
        for update in host_updates.stored_updates(self.project.store):
            self.shared.doc.apply_update(update)
        wanted = [m for m in dict.fromkeys([*self.shared.map_ids(), *map_ids])]
        known = {m.id for m in self.project.maps()}
        with self._own_transaction() as made:
            self.shared.put_participants(self.project.participants.values())
            for map_id in wanted:
                if map_id in known:
                    self.shared.put_map(self.project.map_data(map_id))
        for update in made:
            host_updates.append_alone(self.project.store, update)

    # -- local edits -------------------------------------------------------------------

    def _on_project_change(self, change: Change) -> None:
        if self._applying_remote:
            return
        touched = [change.map_id] if change.map_id else self.map_ids
        shared = [m for m in touched if m and self.shared.has_map(m)]
        people = change.touches("participants")
        if not shared and not people:
            return
        with self._own_transaction() as made:
            if people:
                self.shared.put_participants(self.project.participants.values())
            for map_id in shared:
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
        self.shared.doc.apply_update(update)
        # Only what this update really changed is kept (a repeat changes nothing).
        received = list(self._captured)
        if not received:
            return Outcome(relay=None)
        outcome = Outcome(relay=update)
        pending = list(received)
        needs_correction = False
        for map_id in self.map_ids:
            try:
                ops, held, restamped = self._ops_towards_document(map_id, author.actor)
                outcome.notices += held
                needs_correction = needs_correction or bool(held) or restamped
                if ops:
                    outcome.event = self._write_remote(ops, author, map_id, pending)
                    pending = []
            except CommandError as exc:
                needs_correction = True
                outcome.notices.append(f"refused an edit from {self._name(author)}: {exc}")
        for one in pending:
            host_updates.append_alone(self.project.store, one)
        if needs_correction:
            # What the project could not take is put back as it holds it, for everyone.
            with self._own_transaction() as made:
                for map_id in self.map_ids:
                    self.shared.put_map(self.project.map_data(map_id))
            for correction in made:
                host_updates.append_alone(self.project.store, correction)
            outcome.corrections = made
        self.notices += outcome.notices
        return outcome

    def _write_remote(
        self, ops: list[Op], author: Author, map_id: str, updates: list[bytes]
    ) -> int:
        def keep_updates(seq: int) -> None:
            for one in updates:
                host_updates.append(self.project.store, one, seq)

        self._applying_remote = True
        try:
            change = self.project.apply(
                ops, name="Live edit", author=author, map_id=map_id, rewrite=keep_updates
            )
        finally:
            self._applying_remote = False
        return change.seq

    def _ops_towards_document(
        self, map_id: str, actor: str | None
    ) -> tuple[list[Op], list[str], bool]:
        """The ops that make the project's map what the document holds, notices of what is
        held back, and whether provenance was restamped.

        ``created_by``/``modified_by`` name the authenticated participant (``actor``),
        whatever the update says: the document is then corrected to match."""
        state = self.project.document(map_id).state
        wanted = consistent_rows(self.shared, map_id)
        everything = {t: self.shared.rows(map_id, t) for t in ("links", MEMBERS)}
        held = [
            f"a link whose factor was deleted meanwhile, or that repeats another, was "
            f"removed ({key})"
            for key in everything["links"].keys() - wanted["links"].keys()
        ] + [
            f"a group membership of a deleted factor was removed ({key})"
            for key in everything[MEMBERS].keys() - wanted[MEMBERS].keys()
        ]
        current = _state_rows(state)
        restamped = False
        inserts: list[Op] = []
        updates: list[Op] = []
        deletes: list[Op] = []
        info = self.shared.info_row(map_id)
        info_now = state.info.to_row()
        changed = {k: v for k, v in info.items() if k in info_now and info_now[k] != v}
        if changed:
            updates.append(op.update("maps", map_id, {k: info_now[k] for k in changed}, changed))
        for table in _INSERT_ORDER:
            db_table = GROUP_MEMBERS_TABLE if table == MEMBERS else table
            have, want = current[table], wanted[table]
            for key in want.keys() - have.keys():
                row = _member_row(key) if table == MEMBERS else want[key]
                restamped = _restamp(row, ("created_by", "modified_by"), actor) or restamped
                _check(state, table, row)
                inserts.append(op.insert(db_table, row))
            for key in want.keys() & have.keys():
                if table == MEMBERS:
                    continue
                after = {k: v for k, v in want[key].items() if k in have[key] and have[key][k] != v}
                if after:
                    restamped = _restamp(after, ("modified_by",), actor) or restamped
                    if not set(after) - {"modified_by"}:
                        continue  # nothing but a claim of authorship
                    _check(state, table, after)
                    updates.append(
                        op.update(db_table, key, {k: have[key][k] for k in after}, after)
                    )
        for table in reversed(_INSERT_ORDER):
            db_table = GROUP_MEMBERS_TABLE if table == MEMBERS else table
            have, want = current[table], wanted[table]
            for key in have.keys() - want.keys():
                row = _member_row(key) if table == MEMBERS else have[key]
                deletes.append(op.delete(db_table, row))
        # Deletes of links and memberships go first so that a factor can follow them.
        dependent = [d for d in deletes if d.table in ("links", GROUP_MEMBERS_TABLE)]
        rest = [d for d in deletes if d not in dependent]
        return [*inserts, *updates, *dependent, *rest], held, restamped

    # -- helpers -------------------------------------------------------------------------

    @contextmanager
    def _own_transaction(self) -> Iterator[list[bytes]]:
        """A document transaction with the host's origin; yields the updates it made."""
        made: list[bytes] = []
        self._captured.clear()
        with self.shared.doc.transaction(origin=HOST_ORIGIN):
            yield made
        made.extend(self._captured)
        self._captured.clear()

    def _capture(self, event: TransactionEvent) -> None:
        self._captured.append(bytes(event.update))

    def _name(self, author: Author) -> str:
        person = self.project.participants.get(author.actor or "")
        return person.pseudonym if person else "another device"


def _state_rows(state: MapState) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "styles": {k: v.to_row() for k, v in state.styles.items()},
        "factors": {k: v.to_row() for k, v in state.factors.items()},
        "groups": {k: v.to_row() for k, v in state.groups.items()},
        "links": {k: v.to_row() for k, v in state.links.items()},
        MEMBERS: {f"{g}/{f}": {} for g, members in state.group_members.items() for f in members},
    }


def _restamp(row: dict[str, Any], fields: tuple[str, ...], actor: str | None) -> bool:
    """Name the authenticated participant in ``row``'s provenance fields; True if the
    update claimed someone else."""
    changed = False
    for name in fields:
        if name in row and actor is not None and row[name] != actor:
            row[name] = actor
            changed = True
    return changed


def _member_row(key: str) -> dict[str, str]:
    group_id, factor_id = key.split("/", 1)
    return {"group_id": group_id, "factor_id": factor_id}


def _check(state: MapState, table: str, row: dict[str, Any]) -> None:
    """Refuse values the model would refuse from a command (CommandError)."""
    if table in EDITABLE_FIELDS:
        check_fields(state, table, {k: v for k, v in row.items() if k in EDITABLE_FIELDS[table]})


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
