"""Forget a person: rewrite every stored trace of their pseudonym and of their free text.

Withdrawing consent renames a participant to their group alias ("Parent/carer 2") from then
on, but the audit log, the frozen snapshots and the undo history still hold what was
written before. Forgetting goes back through all of them, as one logged step:

- their participant record: the group alias, no consent, no notes;
- every live map, CMO and session text and every audit-log op (before and after values,
  the snapshot documents embedded in "Take snapshot" ops included) and every snapshot: any
  former pseudonym of theirs becomes the alias, notes kept about them are emptied, and the
  free text they wrote (notes, rationales, evidence, descriptions: whatever the log shows
  them writing) becomes :data:`REMOVED_TEXT`;
- each snapshot so rewritten gets a new sha256 and keeps the old one under ``superseded``;
- the undo history: steps on their participant record are dropped, the others rewritten,
  so neither Undo nor Redo can bring the text back;
- a live session's stored document (``live_updates``): folded into one update with every
  text in it rewritten the same way (the overwritten values are not carried over).
  Laptops that were joined keep their own copy of the session's updates: the facilitator
  asks for those to be deleted (docs/live-sessions.md).

The event that records it says who forgot whom (by alias) and when, and which snapshots
were re-hashed; never what was removed. Afterwards the file is checkpointed and vacuumed
so the old bytes leave the disk file. Backup copies beside it (``.vN.bak``, taken before a
migration) still hold the old text: :func:`backups_beside` finds them for the caller to
report or remove.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipsmap.model import live_updates
from ipsmap.model import ops as op
from ipsmap.model.canonical import sha256_of
from ipsmap.model.entities import Participant, now_iso
from ipsmap.model.errors import NotFoundError
from ipsmap.model.history import Step
from ipsmap.model.ops import Op
from ipsmap.model.project_commands import group_alias

if TYPE_CHECKING:
    from ipsmap.model.project import Project

REMOVED_TEXT = "[removed at the participant's request]"
# The command name the audit log and change records give the step.
FORGET_COMMAND = "Forget participant"

# The free text a person writes ("their notes, rationales, comments"): removed outright.
# Labels and names are not theirs alone (a factor belongs to the map): only their pseudonym
# is replaced in those.
AUTHORED_TEXT: dict[str, tuple[str, ...]] = {
    "factors": ("notes",),
    "links": ("rationale", "evidence", "notes"),
    "groups": ("notes",),
    "maps": ("description",),
    "cmos": ("notes",),
    "sessions": ("notes",),
    "ideas": ("note", "why"),
}
# Every live column that could hold their name (JSON columns are walked through).
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "ideas": ("label", "note", "why"),
    "maps": ("name", "description", "attributes"),
    "styles": ("name",),
    "factors": ("label", "notes", "attributes"),
    "links": ("rationale", "evidence", "notes", "provenance", "attributes"),
    "groups": ("name", "notes"),
    "cmos": (
        "code",
        "area",
        "context",
        "intervention",
        "mechanism_resource",
        "mechanism_reasoning",
        "outcome",
        "for_whom",
        "notes",
        "evidence",
    ),
    "sessions": ("title", "notes"),
    # Notes about other people may mention them (their own record is handled apart).
    "participants": ("notes",),
}
_CHUNK = 500
# A text of theirs at least this long is removed wherever it is quoted, not only where it
# is the whole value.
QUOTED_FROM = 16


@dataclass(frozen=True)
class Scrubber:
    """What forgetting one person turns every stored value into."""

    person_id: str
    alias: str
    # Pseudonyms they have had (never one someone else holds now).
    old_names: frozenset[str]
    # Exact texts that go: what they wrote, and notes kept about them.
    removed: frozenset[str]

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.old_names:
            return None
        names = sorted(self.old_names, key=len, reverse=True)
        # Not \b: a pseudonym may begin or end with a character that is not a letter.
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")

    @cached_property
    def _passages(self) -> re.Pattern[str] | None:
        # Longer texts of theirs are also taken out of text someone else built on them
        # ("<their note> — agreed, said Bob"); short ones ("yes") only when they are all.
        long = sorted((t for t in self.removed if len(t) >= QUOTED_FROM), key=len, reverse=True)
        return re.compile("|".join(map(re.escape, long))) if long else None

    def text(self, value: str) -> str:
        if value.strip() and value in self.removed:
            return REMOVED_TEXT
        if self._passages is not None:
            value = self._passages.sub(REMOVED_TEXT, value)
        pattern = self._pattern
        return pattern.sub(self.alias, value) if pattern is not None else value

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def row(self, table: str, key: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
        """A row (or an op's before/after fields) as it may be stored from now on."""
        if row is None:
            return None
        if table == "participants" and key == self.person_id:
            result = dict(row)
            if "pseudonym" in result:
                result["pseudonym"] = self.alias
            if result.get("notes"):
                result["notes"] = ""
            return result
        result = self.value(row)
        if table == "snapshots" and isinstance(row.get("content"), str):
            result["content"] = self.snapshot_content(row["content"])
            if result["content"] != row["content"] and "sha256" in row:
                result["sha256"] = sha256_of(result["content"])
        return dict(result)

    def op_json(self, one: dict[str, Any]) -> dict[str, Any]:
        """An audit-log op (its JSON form) rewritten."""
        result = dict(one)
        for side in ("before", "after"):
            if one.get(side) is not None:
                result[side] = self.row(one.get("table", ""), one.get("key", ""), one[side])
        return result

    def op(self, one: Op) -> Op:
        return Op(
            one.kind,
            one.table,
            one.key,
            self.row(one.table, one.key, one.before),
            self.row(one.table, one.key, one.after),
        )

    def snapshot_content(self, content: str) -> str:
        """A frozen map document rewritten, in the same canonical form (same bytes if untouched)."""
        document = json.loads(content)
        rewritten = self.value(document)
        for person in rewritten.get("participants", []):
            if person.get("id") == self.person_id:
                person["pseudonym"] = self.alias
        if rewritten == document:
            return content
        return json.dumps(rewritten, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass
class ForgetResult:
    """What forgetting did: the alias, the event, what was rewritten, what is left over."""

    alias: str
    seq: int = 0
    events_rewritten: int = 0
    # (label, old sha256, new sha256) of each snapshot rewritten.
    snapshots: list[tuple[str, str, str]] = field(default_factory=list)
    # Backup copies beside the project that still hold the old text.
    backups: list[Path] = field(default_factory=list)
    # False when another connection kept the old pages in the WAL (close it and retry).
    compacted: bool = True


def forget_participant(project: Project, participant_id: str) -> ForgetResult:
    """Rewrite every stored trace of a participant under their group alias (see above)."""
    person = project.participants.get(participant_id)
    if person is None:
        raise NotFoundError(f"There is no participant with id {participant_id}")
    scrubber = plan_scrubber(project, person)
    ops = _live_ops(project, person, scrubber)
    snapshots = _snapshots_to_rewrite(project.store.db.conn, scrubber)
    result = ForgetResult(scrubber.alias, snapshots=snapshots)
    summary = f"forgot a participant, now {scrubber.alias!r}: the audit log rewritten"
    for label, old, _new in snapshots:
        summary += f"; snapshot {label!r} re-hashed (was {old[:12]}…)"

    def rewrite(seq: int) -> None:
        conn = project.store.db.conn
        result.seq = seq
        result.events_rewritten = _rewrite_events(conn, scrubber)
        _rewrite_snapshots(conn, scrubber, seq)
        # A live session's stored document: folded into one update with every text
        # rewritten, so their words survive in no stored update (model/live_updates.py).
        live_updates.fold(conn, scrubber.value, seq)

    project.apply(
        ops,
        name=FORGET_COMMAND,
        undoable=False,
        summary=summary,
        rewrite=rewrite,
        across_maps=True,
    )
    project.undo_history.rewrite(scrubber.op, lambda step: _touches(step, person.id))
    result.compacted = project.store.compact()
    result.backups = backups_beside(project.path)
    return result


def plan_scrubber(project: Project, person: Participant) -> Scrubber:
    """Read the log for every name they had and every text they wrote or that was kept
    about them."""
    alias = person.pseudonym
    if person.consent:
        alias = group_alias(project, person.stakeholder_group, exclude=person.id)
    names = {person.pseudonym}
    removed = {person.notes}
    for actor, action, ops in _events(project.store.db.conn):
        for one in ops:
            table, before, after = one.get("table"), one.get("before"), one.get("after")
            if table == "participants" and one.get("key") == person.id:
                for row in (before, after):
                    names.add((row or {}).get("pseudonym") or "")
                    removed.add((row or {}).get("notes") or "")
            elif table in AUTHORED_TEXT and after and action != "undo":
                author = after.get("modified_by") or after.get("created_by") or actor
                if author == person.id:
                    removed.update(
                        after[f] for f in AUTHORED_TEXT[table] if isinstance(after.get(f), str)
                    )
    taken = {p.pseudonym for pid, p in project.participants.items() if pid != person.id}
    return Scrubber(
        person.id,
        alias,
        frozenset(n for n in names if n.strip() and n != alias and n not in taken),
        frozenset(t for t in removed if t.strip() and t != REMOVED_TEXT),
    )


def backups_beside(path: Path) -> list[Path]:
    """Backup copies of a project next to it (taken before a migration: ``NAME.vN.bak``)."""
    return sorted(p for p in path.parent.glob(f"{glob_escape(path.name)}.v*.bak") if p.is_file())


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def remove_backups(paths: list[Path]) -> list[Path]:
    """Delete backup copies; return the ones removed."""
    removed = []
    for path in paths:
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


# -- the live rows (through ordinary ops) -----------------------------------------------


def _live_ops(project: Project, person: Participant, scrubber: Scrubber) -> list[Op]:
    result = []
    wanted = {"pseudonym": scrubber.alias, "consent": False, "notes": ""}
    old = {k: getattr(person, k) for k, v in wanted.items() if getattr(person, k) != v}
    if old:
        result.append(op.update("participants", person.id, old, {k: wanted[k] for k in old}))
    tables = set(project.store.db.table_names())
    for table, columns in TEXT_COLUMNS.items():
        if table not in tables:
            continue
        for row in project.store.rows(table):
            if table == "participants" and row["id"] == person.id:
                continue
            before = {c: row[c] for c in columns if c in row}
            after = {c: scrubber.value(v) for c, v in before.items()}
            changed = [c for c in before if after[c] != before[c]]
            if changed:
                result.append(
                    op.update(
                        table,
                        row["id"],
                        {c: before[c] for c in changed},
                        {c: after[c] for c in changed},
                    )
                )
    return result


def _touches(step: Step, person_id: str) -> bool:
    return any(o.table == "participants" and o.key == person_id for o in step.ops)


# -- the sanctioned rewrite of the append-only log and of frozen snapshots ---------------


def _events(conn: sqlite3.Connection) -> Iterator[tuple[str | None, str, list[dict[str, Any]]]]:
    """(actor, action, ops) of every audit event, read a chunk at a time."""
    last = 0
    while True:
        rows = conn.execute(
            "SELECT seq, actor, action, ops FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            [last, _CHUNK],
        ).fetchall()
        if not rows:
            return
        for seq, actor, action, ops in rows:
            last = seq
            yield actor, action, json.loads(ops)


def _rewrite_events(conn: sqlite3.Connection, scrubber: Scrubber) -> int:
    """Rewrite every event that names them; return how many changed."""
    count = 0
    with _guard_lifted(conn, "events_no_update"):
        last = 0
        while True:
            rows = conn.execute(
                "SELECT seq, ops, summary FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                [last, _CHUNK],
            ).fetchall()
            if not rows:
                return count
            for seq, ops, summary in rows:
                last = seq
                # Same encoding as the store's: an event that names nobody keeps its bytes.
                new_ops = json.dumps(
                    [scrubber.op_json(o) for o in json.loads(ops)], ensure_ascii=False
                )
                new_summary = scrubber.text(summary)
                if new_ops != ops or new_summary != summary:
                    conn.execute(
                        "UPDATE events SET ops = ?, summary = ? WHERE seq = ?",
                        [new_ops, new_summary, seq],
                    )
                    count += 1


def _snapshots_to_rewrite(
    conn: sqlite3.Connection, scrubber: Scrubber
) -> list[tuple[str, str, str]]:
    found = []
    for row in _snapshot_rows(conn):
        new = _rewritten_snapshot(row, scrubber)
        if new is not None:
            found.append((new["label"], row["sha256"], new["sha256"]))
    return found


def _rewrite_snapshots(conn: sqlite3.Connection, scrubber: Scrubber, seq: int) -> None:
    at = now_iso()
    with _guard_lifted(conn, "snapshots_no_update"):
        for row in _snapshot_rows(conn):
            new = _rewritten_snapshot(row, scrubber)
            if new is None:
                continue
            superseded = json.loads(row.get("superseded") or "[]")
            superseded.append({"sha256": row["sha256"], "at": at, "event": seq})
            conn.execute(
                "UPDATE snapshots SET label = ?, note = ?, content = ?, sha256 = ?, "
                "superseded = ? WHERE id = ?",
                [
                    new["label"],
                    new["note"],
                    new["content"],
                    new["sha256"],
                    json.dumps(superseded),
                    row["id"],
                ],
            )


def _snapshot_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT * FROM snapshots ORDER BY rowid")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _rewritten_snapshot(row: dict[str, Any], scrubber: Scrubber) -> dict[str, Any] | None:
    fields = {k: row[k] for k in ("label", "note", "content", "sha256")}
    new = scrubber.row("snapshots", row["id"], fields)
    assert new is not None
    return new if new != fields else None


@contextmanager
def _guard_lifted(conn: sqlite3.Connection, trigger: str) -> Iterator[None]:
    """Drop an append-only trigger for the work inside, then put back exactly the trigger
    that was there (read from the schema, not retyped). Only inside a transaction: if the
    work fails, the rollback restores the trigger along with everything else."""
    assert conn.in_transaction, "an append-only guard is lifted only inside a transaction"
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [trigger]
    ).fetchone()
    if row is not None:
        conn.execute(f"DROP TRIGGER {trigger}")
    yield
    if row is not None:
        conn.execute(row[0])
