"""A project: one SQLite file holding many maps, their participants and the audit log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsmap.model.author import Author
from ipsmap.model.changes import Change
from ipsmap.model.command import Command, EditContext
from ipsmap.model.conflicts import Conflict
from ipsmap.model.document import MapDocument
from ipsmap.model.entities import (
    CMO,
    PROJECT_RECORD_TYPES,
    Factor,
    Group,
    Idea,
    Link,
    MapInfo,
    Mark,
    Participant,
    Record,
    Session,
    Style,
    now_iso,
)
from ipsmap.model.errors import CommandError, NotFoundError, ProjectFileError, ReadOnlyError
from ipsmap.model.history import MAP_SCOPE, PROJECT_SCOPE, History, HistoryView, Scope, Step
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import Op, invert_all
from ipsmap.model.privacy import redact_op, redact_text, withheld_names
from ipsmap.model.project_commands import AddParticipant, ImportMap
from ipsmap.model.state import MapState
from ipsmap.model.store import (
    AuditEntry,
    ProjectStore,
    creation_failure,
    remove_project_files,
)
from ipsmap.model.summary import summarise

ProjectListener = Callable[[Change], None]


@dataclass(frozen=True)
class Event:
    """One row of the audit log."""

    seq: int
    at: str
    actor: str | None
    actor_name: str
    map_id: str | None
    action: str
    command: str
    summary: str
    ops: list[dict[str, Any]]
    session_id: str | None = None
    # The device the edit came from (this one, or another in a live session).
    origin: str | None = None
    # For an undo or redo: the event whose step it reverts or repeats.
    undoes: int | None = None


class Project:
    """An open project file. Use :meth:`create` or :meth:`open`, and close it when done."""

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        # Project-wide records by table, then id (participants, sessions, CMOs, marks).
        # An older file opened read-only (so not migrated) may lack the newer tables.
        tables = set(store.db.table_names())
        self.records: dict[str, dict[str, Any]] = {
            table: {row["id"]: cls.from_row(row) for row in store.rows(table)}
            if table in tables
            else {}
            for table, cls in PROJECT_RECORD_TYPES.items()
        }
        self.participants: dict[str, Participant] = self.records["participants"]
        self.sessions: dict[str, Session] = self.records["sessions"]
        self.cmos: dict[str, CMO] = self.records["cmos"]
        self.marks: dict[str, Mark] = self.records["marks"]
        # Suggestions from phones waiting for the facilitator (idea_commands.py).
        self.ideas: dict[str, Idea] = self.records["ideas"]
        # The workshop session edits are made in (recorded on every audit event), if any.
        self.session_id: str | None = None
        self._withheld: dict[str, str] | None = None
        self._maps: dict[str, MapInfo] = {
            row["id"]: MapInfo.from_row(row) for row in store.rows("maps")
        }
        self._documents: dict[str, MapDocument] = {}
        self._listeners: list[ProjectListener] = []
        # Everyone's steps, each person's own to undo (see model/history.py).
        self.undo_history = History()
        # What Undo reaches from the project as a whole (project steps of the local actor).
        self.undo_stack = HistoryView(self, Scope(None, project_steps=True))
        info = store.project_info()
        self.title = info.get("title", store.path.stem)
        # This device: the origin of every edit made here (schema 5; None in an older file
        # opened read-only).
        self.device_id: str | None = info.get("device_id")
        self.facilitator_id: str | None = info.get("facilitator_id")
        # Who edits on this device (the window's "Editing as"); others' edits name theirs.
        self.actor_id: str | None = None
        if self.facilitator_id not in self.participants and not store.read_only:
            self._create_facilitator()
        self.actor_id = self.facilitator_id

    # -- life cycle ---------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, title: str = "") -> Project:
        """Create a new empty project file and open it (nothing is left if that fails)."""
        store = ProjectStore.create(path, title)
        try:
            return cls(store)
        except (OSError, sqlite3.Error, CommandError) as exc:
            store.close()
            remove_project_files(store.path)
            raise ProjectFileError(store.path, creation_failure(exc)) from exc

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Project:
        """Open a project file (raises a ProjectFileError subclass with a clear message)."""
        store = ProjectStore.open(path, read_only=read_only)
        try:
            return cls(store)
        except sqlite3.DatabaseError as exc:
            store.close()
            raise ProjectFileError(path, f"the project file is damaged ({exc})") from exc

    def close(self) -> None:
        for document in self._documents.values():
            document.closed = True
        self._documents.clear()
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    @property
    def read_only_reason(self) -> str:
        """Why a project opened for editing is read-only ("the file is read-only"), or ""."""
        return self.store.read_only_reason

    def save_as(self, target: str | Path) -> Path:
        """Copy the whole project to ``target`` (SQLite backup API); this one stays open."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise ProjectFileError(target, "cannot save a project over itself")
        self.store.backup_to(target)
        return target

    # -- maps -----------------------------------------------------------------------

    def maps(self) -> list[MapInfo]:
        """All maps in display order."""
        return sorted(self._maps.values(), key=lambda m: (m.position, m.name))

    def map_info(self, map_id: str) -> MapInfo:
        try:
            return self._maps[map_id]
        except KeyError:
            raise NotFoundError(f"There is no map with id {map_id}") from None

    def find_map(self, ref: str) -> MapInfo:
        """The map whose id is ``ref``, or whose name is ``ref`` (when only one has it): the
        exact name, then in any case, then the only name that starts with it ("Glasgow" for
        "Glasgow: families' local system", as people type it on a command line)."""
        if ref in self._maps:
            return self._maps[ref]
        wanted = ref.strip().casefold()
        tests: list[Callable[[MapInfo], bool]] = [
            lambda m: m.name == ref,
            lambda m: m.name.casefold() == wanted,
            lambda m: bool(wanted) and m.name.casefold().startswith(wanted),
        ]
        for index, matches in enumerate(tests):
            found = [m for m in self.maps() if matches(m)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1 and index == len(tests) - 1:
                names = ", ".join(repr(m.name) for m in found)
                raise NotFoundError(
                    f"Several maps' names start with {ref!r} ({names}); give more of the name"
                )
            if len(found) > 1:
                ids = ", ".join(m.id for m in found)
                raise NotFoundError(f"Several maps are called {ref!r}; give its id instead ({ids})")
        names = ", ".join(repr(m.name) for m in self.maps()) or "none"
        raise NotFoundError(f"No map {ref!r} in {self.path.name} (maps: {names})")

    def document(self, map_id: str) -> MapDocument:
        """The editable document of a map (loaded on first use, then kept)."""
        if map_id not in self._documents:
            state = MapState.from_data(self._read_map(map_id))
            self._documents[map_id] = MapDocument(self, state)
        return self._documents[map_id]

    def map_data(self, map_id: str) -> MapData:
        """A detached copy of a map with the participants its records name."""
        if map_id in self._documents:
            data = self._documents[map_id].state.to_data()
        else:
            data = self._read_map(map_id)
        people = {data.info.created_by}
        for factor in data.factors:
            people.update((factor.created_by, factor.modified_by))
        for link in data.links:
            people.update((link.created_by, link.modified_by))
        # Who wrote the comment lines in its notes (an anonymised export renames them).
        people.update(
            idea.created_by
            for idea in self.ideas.values()
            if idea.map_id == map_id and idea.kind == "comment" and idea.status == "placed"
        )
        data.participants = [p for pid, p in self.participants.items() if pid in people]
        return data

    def counts(self) -> dict[str, tuple[int, int]]:
        """Factor and link counts of every map: {map_id: (factors, links)}."""
        result = {m: (0, 0) for m in self._maps}
        for table, index in (("factors", 0), ("links", 1)):
            for row in self.store.db.query(
                f"SELECT map_id, COUNT(*) AS n FROM {table} GROUP BY map_id"
            ):
                pair = list(result.get(row["map_id"], (0, 0)))
                pair[index] = row["n"]
                result[row["map_id"]] = (pair[0], pair[1])
        return result

    def unique_map_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``... if a map already has it."""
        taken = {m.name.casefold() for m in self._maps.values()}
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate, n = f"{name} ({n})", n + 1
        return candidate

    def next_map_position(self) -> int:
        return max((m.position for m in self._maps.values()), default=-1) + 1

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are already used by a record of this project."""
        wanted = list(set(ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for table in ("maps", "styles", "factors", "links", "groups"):
                rows = self.store.db.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk)
                found.update(row[0] for row in rows)
        return found

    def import_map(self, data: MapData, name: str | None = None) -> str:
        """Add a map read from a file in one transaction; return its id."""
        change = self.execute(ImportMap(data, name))
        assert change is not None and change.map_id is not None
        return change.map_id

    def duplicate_map(self, map_id: str, name: str | None = None) -> str:
        """Copy a map (new ids throughout) and return the copy's id."""
        data = self.map_data(map_id).with_fresh_ids()
        return self.import_map(data, name or f"{data.info.name} (copy)")

    # -- participants ---------------------------------------------------------------

    def set_actor(self, participant_id: str | None) -> None:
        """Attribute the following edits to a participant (None: the facilitator)."""
        if participant_id is not None and participant_id not in self.participants:
            raise NotFoundError(f"There is no participant with id {participant_id}")
        self.actor_id = participant_id or self.facilitator_id

    def _create_facilitator(self) -> None:
        command = AddParticipant("Facilitator", "facilitator")
        self.execute(command)
        self.store.set_project_info("facilitator_id", command.id)
        self.facilitator_id = command.id
        self.undo_history.clear()

    # -- editing: the one writer ----------------------------------------------------

    def local_author(self) -> Author:
        """Who edits on this device now: the "Editing as" participant, here, this session."""
        return Author(self.actor_id, self.device_id, self.session_id)

    def execute(
        self, command: Command, map_id: str | None = None, author: Author | None = None
    ) -> Change | None:
        """Run a command and apply its ops; None if it changed nothing.

        ``map_id``: the map an in-map command edits (its document runs it so); without it
        the command is a project command (maps, participants, sessions, CMOs, marks).
        """
        self._check_writable()
        author = author or self.local_author()
        state = self.document(map_id).state if map_id else None
        ctx = EditContext(author.actor, now_iso(), state, self, author.session_id)
        ops = command.ops(ctx)
        if not ops:
            return None
        scope = MAP_SCOPE if map_id else PROJECT_SCOPE
        map_id = map_id or command.map_id  # else apply reads it from the ops
        return self.apply(ops, name=command.name, author=author, map_id=map_id, scope=scope)

    def apply(
        self,
        ops: list[Op],
        *,
        name: str,
        author: Author | None = None,
        map_id: str | None = None,
        scope: str = PROJECT_SCOPE,
        undoable: bool = True,
        summary: str | None = None,
        rewrite: Callable[[int], None] | None = None,
        across_maps: bool = False,
    ) -> Change:
        """The one way anything in the project changes.

        Every op is checked against the value it expects to replace (a ConflictError
        refuses the whole change, nothing written); the rows and one audit event (who,
        from which device, in which session) are written in one SQLite transaction; the
        in-memory maps and records are updated; listeners hear one change record. Edits
        from this window, the command line, imports, snapshots and other devices all come
        through here. ``undoable``: the step joins its author's undo history.
        ``rewrite(seq)``: runs in the same transaction once the event is logged (the one
        sanctioned rewrite of the log: forgetting a person, model/forget.py; and a live
        session's host keeping the update that produced the ops, live/session.py).
        ``across_maps``: the ops touch records of several maps (each open map takes in its
        own; the change concerns the project, not one map).
        """
        self._check_writable()
        author = author or self.local_author()
        if not across_maps:
            map_id = map_id or _map_of(ops)
        state = self._state_of(map_id)
        entry = _entry(name, "do", author, map_id, summary or summarise(ops, state, self.records))
        seq = self._write(lambda: self.store.write(ops, entry, rewrite))
        change = self._take_in(ops, name, "do", map_id, author, seq)
        if undoable:
            # Recorded before listeners hear of the change, so they see it.
            self.undo_history.record(Step(name, tuple(ops), map_id, scope, author.actor, seq))
        if across_maps:
            self._take_in_open_maps(ops, change)
        self._announce(change)
        return change

    def _take_in_open_maps(self, ops: list[Op], change: Change) -> None:
        """Bring every open map in step with the ops on its records, and tell it alone of
        those (its listeners look up what a change names in that map)."""
        in_maps = [o for o in ops if o.table not in PROJECT_RECORD_TYPES]
        for map_id, document in self._documents.items():
            state = document.state
            own = [
                o
                for o in in_maps
                if (o.table == "maps" and o.key == map_id)
                or o.key in state.factors
                or o.key in state.links
                or o.key in state.styles
                or o.key in state.groups
            ]
            if own:
                state.apply_all(own)
                document.notify(
                    Change.from_ops(
                        change.command,
                        change.action,
                        map_id,
                        own,
                        actor=change.actor,
                        origin=change.origin,
                        session_id=change.session_id,
                        seq=change.seq,
                    )
                )

    def undo(self, scope: Scope | None = None, author: Author | None = None) -> Change | None:
        """Undo the author's last step in ``scope`` (default: project steps) as far as it is
        still theirs to undo; None if they have nothing to undo there.

        Fields someone else changed since are left as they are; the change's ``notes``
        say what was left alone and why.
        """
        author = author or self.local_author()
        step = self.undo_history.last_done(author.actor, scope or Scope())
        if step is None:
            return None
        return self._replay(step, invert_all(list(step.ops)), "undo", author)

    def redo(self, scope: Scope | None = None, author: Author | None = None) -> Change | None:
        """Redo the author's last undone step in ``scope``, as far as nobody changed it since."""
        author = author or self.local_author()
        step = self.undo_history.last_undone(author.actor, scope or Scope())
        if step is None:
            return None
        return self._replay(step, list(step.ops), "redo", author)

    def subscribe(self, listener: ProjectListener) -> Callable[[], None]:
        """Call ``listener(change)`` after every committed change anywhere in the project."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _replay(self, step: Step, ops: list[Op], action: str, author: Author) -> Change:
        self._check_writable()
        if step.map_id and step.scope == MAP_SCOPE and step.map_id not in self._maps:
            raise CommandError(f"Cannot {action} {step.name!r}: its map has been deleted")
        state = self._state_of(step.map_id)
        entry = _entry(step.name, action, author, step.map_id, undoes=step.seq)
        seq, applied, left = self._write(
            lambda: self.store.write_partial(
                ops, entry, lambda done: summarise(done, state, self.records)
            )
        )
        if action == "undo":
            self.undo_history.mark_undone(step, applied, seq)
        else:
            self.undo_history.mark_redone(step, applied, seq)
        notes = [self._left_alone(conflict, action, step.seq) for conflict in left]
        if not applied:
            return Change(step.name, action, step.map_id, actor=author.actor, notes=notes)
        change = self._take_in(applied, step.name, action, step.map_id, author, seq)
        change.notes = notes
        self._announce(change)
        return change

    def _apply_record_op(self, one: Op) -> None:
        if one.table == "participants":
            self._withheld = None  # a pseudonym or a consent may have changed
        records = self.records[one.table]
        if one.kind == "delete":
            records.pop(one.key, None)
            return
        row = records[one.key].to_row() if one.kind == "update" else {}
        row.update(one.after or {})
        cls: type[Record] = PROJECT_RECORD_TYPES[one.table]
        records[one.key] = cls.from_row(row)

    def _state_of(self, map_id: str | None) -> MapState | None:
        document = self._documents.get(map_id) if map_id else None
        return document.state if document else None

    def _take_in(
        self, ops: list[Op], name: str, action: str, map_id: str | None, author: Author, seq: int
    ) -> Change:
        """Bring the in-memory maps and records in step with ops just written."""
        for one in ops:
            if one.table == "maps":
                if one.kind == "insert":
                    self._maps[one.key] = MapInfo.from_row(one.after or {})
                elif one.kind == "delete":
                    self._maps.pop(one.key, None)
                    closed = self._documents.pop(one.key, None)
                    if closed is not None:
                        closed.closed = True
                    self.undo_history.forget_map(one.key)
                else:
                    self._maps[one.key] = MapInfo.from_row(
                        {**self._maps[one.key].to_row(), **(one.after or {})}
                    )
            elif one.table in PROJECT_RECORD_TYPES:
                self._apply_record_op(one)
        document = self._documents.get(map_id) if map_id else None
        if document is not None:
            document.state.apply_all(o for o in ops if o.table not in PROJECT_RECORD_TYPES)
        return Change.from_ops(
            name,
            action,
            map_id,
            ops,
            actor=author.actor,
            origin=author.origin,
            session_id=author.session_id,
            seq=seq,
        )

    def _announce(self, change: Change) -> None:
        """Tell the map's document (if open) and the project's listeners, once each."""
        document = self._documents.get(change.map_id) if change.map_id else None
        if document is not None:
            document.notify(change)
        for listener in list(self._listeners):
            listener(change)

    def _left_alone(self, conflict: Conflict, action: str, since: int) -> str:
        """ "not undone: 'label' of factor 'Poverty' was changed since by Rowan" """
        verb = "not undone" if action == "undo" else "not redone"
        item = conflict.describe_item()
        if conflict.kind in ("changed", "gone"):
            who = self._who_changed(conflict.op.table, conflict.op.key, conflict.field, since)
            if conflict.kind == "gone":
                return f"{verb}: {item} was deleted since{who}"
            return f"{verb}: {conflict.field!r} of {item} was changed since{who}"
        return f"{verb}: {conflict.message()}"

    def _who_changed(self, table: str, key: str, field: str | None, since: int) -> str:
        """ " by Rowan": who last changed a record's field after event ``since``."""
        rows = self.store.db.query(
            "SELECT actor, ops FROM events WHERE seq > ? AND instr(ops, ?) > 0 ORDER BY seq DESC",
            [since, key],
        )
        for row in rows:
            for one in json.loads(row["ops"]):
                if one.get("table") != table or one.get("key") != key:
                    continue
                if field is None or one.get("op") != "update" or field in (one.get("after") or {}):
                    person = self.participants.get(row["actor"] or "")
                    return f" by {person.pseudonym}" if person else ""
        return ""

    def set_session(self, session_id: str | None) -> None:
        """Record the following edits as made in this workshop session (None: none)."""
        if session_id is not None and session_id not in self.sessions:
            raise NotFoundError(f"There is no session with id {session_id}")
        self.session_id = session_id

    def locate_item(self, item_id: str) -> tuple[str, str] | None:
        """(map id, "factors" or "links") of a factor or link anywhere in the project."""
        for table in ("factors", "links"):
            for row in self.store.db.query(f"SELECT map_id FROM {table} WHERE id = ?", [item_id]):
                return row["map_id"], table
        return None

    def item_exists(self, item_id: str) -> bool:
        return self.locate_item(item_id) is not None

    def marks_of(self, map_id: str) -> list[Mark]:
        """The marks given on a map's factors and links, in the order they were made."""
        return [m for m in self.marks.values() if m.map_id == map_id]

    def _write(self, write: Callable[[], Any]) -> Any:
        try:
            return write()
        except sqlite3.IntegrityError as exc:
            raise CommandError(f"The change conflicts with the map as it is now ({exc})") from exc
        except sqlite3.OperationalError as exc:
            raise CommandError(
                f"The change could not be saved ({exc}); nothing was changed"
            ) from exc

    def _check_writable(self) -> None:
        if self.read_only:
            why = f" ({self.read_only_reason})" if self.read_only_reason else ""
            raise ReadOnlyError(f"{self.path.name} is open read-only{why}; changes are not allowed")

    # -- history --------------------------------------------------------------------

    def history(self, map_id: str | None = None, after: int = 0) -> list[Event]:
        """The audit log (oldest first), for one map or the whole project, after seq ``after``."""
        names = {pid: p.pseudonym for pid, p in self.participants.items()}
        withheld = self._withheld_names()
        people = self.participants
        return [
            Event(
                seq=row["seq"],
                at=row["at"],
                actor=row["actor"],
                actor_name=names.get(row["actor"], "") if row["actor"] else "",
                map_id=row["map_id"],
                action=row["action"],
                command=row["command"],
                summary=redact_text(row["summary"], withheld) if withheld else row["summary"],
                ops=[redact_op(o, people) for o in row["ops"]] if withheld else row["ops"],
                session_id=row.get("session_id"),
                origin=row.get("origin"),
                undoes=row.get("undoes"),
            )
            for row in self.store.events(map_id, after)
        ]

    def _withheld_names(self) -> dict[str, str]:
        """Former pseudonyms of people who have since withdrawn consent (see privacy).

        Kept until a participant changes: reading it means decoding every logged op on
        participants (imports included), too much to repeat on each history read.
        """
        if self._withheld is None:
            self._withheld = self._read_withheld_names()
        return self._withheld

    def _read_withheld_names(self) -> dict[str, str]:
        if all(p.consent for p in self.participants.values()):
            return {}
        ops = (
            one
            for row in self.store.db.query(
                "SELECT ops FROM events WHERE ops LIKE '%\"participants\"%'"
            )
            for one in json.loads(row["ops"])
            if one.get("table") == "participants"
        )
        return withheld_names(self.participants, ops)

    # -- reading a map from the file ----------------------------------------------------

    def _read_map(self, map_id: str) -> MapData:
        info = self.map_info(map_id)
        rows = self.store.rows
        groups = [Group.from_row(r) for r in rows("groups", "map_id = ?", [map_id])]
        members: list[tuple[str, str]] = []
        if groups:
            members = [
                (r["group_id"], r["factor_id"])
                for r in self.store.db.query(
                    "SELECT gm.group_id, gm.factor_id FROM group_members gm "
                    "JOIN groups g ON g.id = gm.group_id WHERE g.map_id = ? "
                    "ORDER BY gm.rowid",
                    [map_id],
                )
            ]
        return MapData(
            info=info,
            styles=[Style.from_row(r) for r in rows("styles", "map_id = ?", [map_id])],
            factors=[Factor.from_row(r) for r in rows("factors", "map_id = ?", [map_id])],
            links=[Link.from_row(r) for r in rows("links", "map_id = ?", [map_id])],
            groups=groups,
            members=members,
        )


def _entry(
    command: str,
    action: str,
    author: Author,
    map_id: str | None,
    summary: str = "",
    undoes: int | None = None,
) -> AuditEntry:
    return AuditEntry(
        command=command,
        action=action,
        actor=author.actor,
        origin=author.origin,
        session_id=author.session_id,
        map_id=map_id,
        summary=summary,
        undoes=undoes,
    )


def _map_of(ops: tuple[Op, ...] | list[Op]) -> str | None:
    """The map a project step concerns: a map it adds or removes, or the map its rows
    (marks) point at; None for steps about the project as a whole (participants)."""
    for one in ops:
        if one.table == "maps":
            return one.key
    for one in ops:
        row = one.after if one.kind == "insert" else one.before
        if one.table in ("marks", "ideas") and row and row.get("map_id"):
            return str(row["map_id"])
    return None
