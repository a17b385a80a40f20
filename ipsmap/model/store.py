"""The project file on disk: open safely, write ops in one transaction, read rows back.

Opening checks the file read-only first (is it a regular file, is it SQLite, is it ours,
is it too new, is its schema exactly ours, is it damaged) so that a file we refuse is
never modified. A file (or folder) this user cannot write is opened read-only, saying why.
Writers take an exclusive advisory lock on the file: a second ipsmap process gets a clear
"in use" error instead of becoming a second writer. The OS drops the lock when a process
dies, so a crash leaves no stale lock.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsmap.model.conflicts import (
    BOOL_COLUMNS,
    JSON_COLUMNS,
    Conflict,
    check_batch,
    current_rows,
    insert_conflict,
    trim,
)
from ipsmap.model.connection import connect, database_error_message, harden, is_disk_full
from ipsmap.model.entities import GROUP_MEMBERS_TABLE, now_iso
from ipsmap.model.errors import (
    ConflictError,
    DamagedProjectError,
    ForeignSchemaError,
    NewerProjectError,
    NotAProjectError,
    ProjectFileError,
    ProjectInUseError,
)
from ipsmap.model.file_kind import not_a_file_reason, read_head
from ipsmap.model.ops import Op
from ipsmap.model.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from ipsmap.model.schema_check import schema_problems
from ipsmap.model.schema_releases import NEEDS_KEY, plausible_release, release_writing
from ipsmap.model.sqlite import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
PROJECT_NOUN = "an ipsmap project file"


@dataclass(frozen=True)
class AuditEntry:
    """What the audit log records about a change besides its ops."""

    command: str
    action: str = "do"
    actor: str | None = None
    origin: str | None = None
    session_id: str | None = None
    map_id: str | None = None
    summary: str = ""
    # For an undo or redo: the event whose step it reverts or repeats.
    undoes: int | None = None


class ProjectStore:
    """One open project file."""

    def __init__(
        self,
        path: Path,
        db: sqlite_utils.Database,
        read_only: bool,
        lock: Any,
        read_only_reason: str = "",
    ) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        # Why a project asked to be opened for writing was opened read-only ("" if it wasn't).
        self.read_only_reason = read_only_reason
        self._lock = lock
        self._known_devices: set[str] = set()

    # -- opening and creating -----------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, title: str = "") -> ProjectStore:
        """Create a new, empty project file (refusing to overwrite an existing file)."""
        path = Path(path)
        if path.exists() or path.is_symlink():
            reason = not_a_file_reason(path, PROJECT_NOUN)
            raise ProjectFileError(
                path, reason if reason and path.exists() else "a file with this name already exists"
            )
        if not path.parent.is_dir():
            raise ProjectFileError(path, f"the folder {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise ProjectFileError(path, f"the folder {path.parent} is read-only")
        # Build the file under a temporary name and rename it into place, so that a
        # failure half-way never leaves a half-made project under the real name.
        tmp = path.with_name(f".{path.name}.creating")
        remove_project_files(tmp)
        try:
            conn = harden(sqlite3.connect(tmp))
            try:
                db = sqlite_utils.Database(conn)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                _migrate(db, 0)
                with db.atomic():
                    db.execute(
                        "INSERT INTO project (key, value) VALUES (?, ?), (?, ?)",
                        ["title", title or path.stem, "created_at", now_iso()],
                    )
            finally:
                conn.close()
            os.replace(tmp, path)
        except (OSError, sqlite3.Error) as exc:
            remove_project_files(tmp)
            raise ProjectFileError(path, creation_failure(exc)) from exc
        try:
            return cls.open(path)
        except ProjectFileError as exc:
            # Opening writes too (WAL mode): on a full disk nothing may stay behind.
            remove_project_files(path)
            raise ProjectFileError(path, creation_failure(exc)) from exc

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> ProjectStore:
        """Open an existing project, migrating it forward (after a backup) if it is older.

        A project this user cannot write (the file, or the folder SQLite keeps its
        journal in) is opened read-only instead; ``read_only_reason`` says why.
        """
        path = Path(path)
        version = inspect_project(path)
        unwritable = why_not_writable(path)
        reason = "" if read_only else unwritable
        lock = None
        if not read_only and not reason:
            lock = _acquire_lock(path)
        try:
            if reason or read_only:
                db = sqlite_utils.Database(_connect_read_only(path, bool(unwritable)))
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA user_version").fetchone()  # reads now: fails here if it must
            elif version < SCHEMA_VERSION:
                backup = backup_path(path, version)
                _backup(path, backup)
                db = _connect(path)
                _migrate(db, version)
            else:
                db = _connect(path)
        except sqlite3.DatabaseError as exc:
            _release_lock(lock)
            if is_disk_full(exc):
                raise ProjectFileError(path, database_error_message(exc)) from exc
            raise DamagedProjectError(path, f"the project cannot be opened ({exc})") from exc
        except OSError as exc:
            _release_lock(lock)
            raise ProjectFileError(path, f"the project cannot be opened ({exc})") from exc
        except BaseException:
            _release_lock(lock)
            raise
        return cls(path, db, read_only or bool(reason), lock, reason)

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            _release_lock(self._lock)
            self._lock = None

    # -- writing ------------------------------------------------------------------

    def write(
        self, ops: list[Op], entry: AuditEntry, then: Callable[[int], None] | None = None
    ) -> int:
        """Write ops and their audit event in one transaction; return the event's seq.

        Every op must replace what it expects (see model/conflicts.py): otherwise a
        ConflictError names the item and field, and nothing is written. ``then(seq)`` runs
        inside the same transaction after the event is logged (forgetting a person rewrites
        the log there), so it commits or rolls back with the change.
        """
        try:
            with self.db.atomic():
                self._write_checked(ops)
                seq = self._log(ops, entry, entry.summary)
                if then is not None:
                    then(seq)
                return seq
        except BaseException:
            self._known_devices.clear()  # a device recorded in the rolled-back transaction
            raise

    def write_partial(
        self, ops: list[Op], entry: AuditEntry, summary: Callable[[list[Op]], str]
    ) -> tuple[int, list[Op], list[Conflict]]:
        """Write what of ``ops`` still applies (undo, redo), in one transaction.

        Returns the event's seq (0 when nothing applied and nothing was logged), the ops
        written, and what was left alone and why. Never overwrites a value someone else set.
        ``summary`` says in one line what the ops that applied did.
        """
        conn = self.db.conn
        try:
            with self.db.atomic():
                conn.execute("SAVEPOINT whole")
                try:
                    self._write_checked(ops)
                    applied, left = list(ops), list[Conflict]()
                except (ConflictError, sqlite3.IntegrityError):
                    conn.execute("ROLLBACK TO whole")
                    applied, left = self._write_what_applies(ops)
                conn.execute("RELEASE whole")
                if not applied:
                    return 0, [], left
                return self._log(applied, entry, summary(applied)), applied, left
        except BaseException:
            self._known_devices.clear()
            raise

    def _write_checked(self, ops: list[Op]) -> None:
        conn = self.db.conn
        for table, kind, batch in _batches(ops):
            check_batch(conn, batch)
            try:
                self._write_batch(table, kind, batch)
            except sqlite3.IntegrityError:
                exists = insert_conflict(conn, batch) if kind == "insert" else None
                if exists is not None:
                    raise exists from None
                raise

    def _write_what_applies(self, ops: list[Op]) -> tuple[list[Op], list[Conflict]]:
        # One op at a time, each in a savepoint: an op the database refuses (a record it
        # needs was deleted since, or others now depend on it) is left out, not the rest.
        conn = self.db.conn
        applied: list[Op] = []
        left: list[Conflict] = []
        for one in ops:
            kept, conflicts = trim(one, current_rows(conn, one.table, [one.key]).get(one.key))
            left += conflicts
            if kept is None:
                continue
            conn.execute("SAVEPOINT one_op")
            try:
                self._write_batch(kept.table, kept.kind, [kept])
            except sqlite3.IntegrityError:
                conn.execute("ROLLBACK TO one_op")
                left.append(Conflict(kept, "depends"))
            else:
                applied.append(kept)
            conn.execute("RELEASE one_op")
        return applied, left

    def _log(self, ops: list[Op], entry: AuditEntry, summary: str) -> int:
        if entry.origin is not None and entry.origin not in self._devices():
            # A device seen for the first time (another laptop in a live session) is
            # recorded in the same transaction as its first edit.
            self.db.execute(
                "INSERT OR IGNORE INTO devices (id, kind, first_seen) VALUES (?, 'remote', ?)",
                [entry.origin, now_iso()],
            )
            self._known_devices.add(entry.origin)
        cursor = self.db.execute(
            "INSERT INTO events (at, actor, map_id, action, command, summary, ops, session_id, "
            "origin, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                now_iso(),
                entry.actor,
                entry.map_id,
                entry.action,
                entry.command,
                summary,
                json.dumps([op.to_json() for op in ops], ensure_ascii=False),
                entry.session_id,
                entry.origin,
                entry.undoes,
            ],
        )
        return int(cursor.lastrowid or 0)

    def _devices(self) -> set[str]:
        if not self._known_devices:
            self._known_devices = {row[0] for row in self.db.execute("SELECT id FROM devices")}
        return self._known_devices

    def _write_batch(self, table: str, kind: str, batch: list[Op]) -> None:
        conn = self.db.conn
        if kind == "insert":
            columns = list(batch[0].after or {})
            sql = (
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            conn.executemany(sql, [_encode(table, op.after or {}, columns) for op in batch])
            return
        if kind == "delete":
            where, keys = _where(table, batch)
            cursor = conn.executemany(f"DELETE FROM [{table}] WHERE {where}", keys)
            if cursor.rowcount != len(batch):
                raise sqlite3.IntegrityError(f"some {table} to delete are already gone")
            return
        for op in batch:
            after = op.after or {}
            columns = list(after)
            where, keys = _where(table, [op])
            sql = f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in columns)} WHERE {where}"
            cursor = conn.execute(sql, [*_encode(table, after, columns), *keys[0]])
            if cursor.rowcount != 1:
                raise sqlite3.IntegrityError(f"{table} record {op.key} is gone")

    # -- reading ------------------------------------------------------------------

    def rows(self, table: str, where: str = "", params: Iterable[Any] = ()) -> Iterator[dict]:
        """Rows of a table as dicts, with JSON and boolean columns decoded."""
        sql = f"SELECT * FROM [{table}]" + (f" WHERE {where}" if where else "")
        if table in ("factors", "links"):
            sql += " ORDER BY seq"
        elif table in ("styles", "groups", "maps", "cmos"):
            sql += " ORDER BY position, rowid"
        elif table == "sessions":
            sql += " ORDER BY date, rowid"
        json_cols = JSON_COLUMNS.get(table, set())
        bool_cols = BOOL_COLUMNS.get(table, set())
        for row in self.db.query(sql, list(params)):
            for name in json_cols:
                row[name] = json.loads(row[name]) if row[name] else {}
            for name in bool_cols:
                row[name] = bool(row[name])
            yield row

    def project_info(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self.db.query("SELECT * FROM project")}

    def set_project_info(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO project (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def events(self, map_id: str | None = None, after: int = 0) -> Iterator[dict]:
        """Audit events in order (of one map, newer than seq ``after``)."""
        where: str = "WHERE seq > ?"
        params: list[Any] = [after]
        if map_id:
            where, params = "WHERE seq > ? AND map_id = ?", [after, map_id]
        for row in self.db.query(f"SELECT * FROM events {where} ORDER BY seq", params):
            row["ops"] = json.loads(row["ops"])
            yield row

    def compact(self) -> bool:
        """Fold the WAL into the file and rebuild it, so deleted bytes leave the disk file.

        Returns False when another connection kept the WAL from being emptied.
        """
        conn = self.db.conn
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # VACUUM writes every live page afresh (free pages holding old text are dropped);
        # in WAL mode it goes through the WAL, so that is emptied once more afterwards.
        conn.execute("VACUUM")
        busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy

    def backup_to(self, target: str | Path) -> None:
        """Copy the whole project to ``target`` with SQLite's online backup API."""
        _backup_connection(self.db.conn, Path(target))


# -- helpers ----------------------------------------------------------------------


def inspect_project(path: Path) -> int:
    """Check that ``path`` is an ipsmap project we can open; return its schema version.

    Reads only; raises a ProjectFileError subclass naming the problem.
    """
    reason = not_a_file_reason(path, PROJECT_NOUN)
    if reason == "no such file":
        raise ProjectFileError(path, reason)
    if reason is not None:
        raise NotAProjectError(path, reason)
    try:
        header = read_head(path, 100)
    except OSError as exc:
        raise ProjectFileError(path, f"cannot read the file ({exc.strerror})") from exc
    if not header:
        raise NotAProjectError(path, "the file is empty, not an ipsmap project")
    if not header.startswith(SQLITE_HEADER):
        raise NotAProjectError(path, "not an ipsmap project (it is not a database file)")
    if len(header) < 100:
        raise DamagedProjectError(path, "the project file is damaged (cut short)")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id != APPLICATION_ID:
        raise NotAProjectError(path, "this is a database file, but not an ipsmap project")
    # With no WAL beside the file there is nothing but the file to read, and `immutable`
    # stops SQLite from creating -wal/-shm files next to a file we may refuse.
    sidecars = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    existed = [s.exists() for s in sidecars]
    try:
        conn = connect(path, read_only=True, immutable=not any(existed))
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise NewerProjectError(path, _newer_file_message(conn, version))
            if version >= 1:
                problems = schema_problems(conn, version)
                if problems:
                    raise ForeignSchemaError(
                        path,
                        f"this file's structure is not ipsmap's ({'; '.join(problems[:3])}); "
                        "it was not opened and has not been changed",
                    )
            result = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
        finally:
            conn.close()
            for sidecar, was_there in zip(sidecars, existed, strict=True):
                if not was_there and sidecar.exists() and sidecar.stat().st_size == 0:
                    sidecar.unlink(missing_ok=True)
    except sqlite3.DatabaseError as exc:
        if _cannot_open_read_only(path, exc):
            raise ProjectFileError(
                path,
                "the project is read-only here and has changes not yet folded into the file "
                "(its -wal file); copy the project and its -wal file to a folder you can "
                "write, or ask its owner to open and close it once",
            ) from exc
        raise DamagedProjectError(
            path, f"the project file is damaged and cannot be read ({exc})"
        ) from exc
    if result != ["ok"]:
        detail = " ".join(" ".join(map(str, result)).split())
        raise DamagedProjectError(path, f"the project file is damaged ({detail[:160]})")
    if version < 1:
        raise DamagedProjectError(path, "the project file was never fully created")
    return version


def backup_path(path: Path, version: int) -> Path:
    """Where the copy taken before migrating a version-``version`` file goes."""
    return path.with_name(f"{path.name}.v{version}.bak")


def why_not_writable(path: Path) -> str:
    """Why this user cannot write the project at ``path`` ("" when they can)."""
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        # SQLite keeps its -wal and -shm files beside the project while it is open.
        return "its folder is read-only"
    return ""


def _connect_read_only(path: Path, unwritable: bool) -> sqlite3.Connection:
    # A file nobody here can write cannot change under us: with no WAL content beside
    # it, `immutable` reads the file alone and needs no -shm (which a read-only folder
    # could not hold). Committed pages still in a -wal must be read through it (mode=ro).
    # A file merely in use by another ipsmap is read with mode=ro: it does change.
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    return connect(path, read_only=True, immutable=unwritable and not pending)


def _cannot_open_read_only(path: Path, exc: sqlite3.DatabaseError) -> bool:
    wal = Path(f"{path}-wal")
    return (
        "unable to open" in str(exc)
        and wal.exists()
        and wal.stat().st_size > 0
        and bool(why_not_writable(path))
    )


def remove_project_files(path: Path) -> None:
    """Delete a project file and its SQLite side files (those that exist)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def creation_failure(exc: BaseException) -> str:
    """Why a new project could not be created, in one line."""
    if is_disk_full(exc):
        return "the disk is full: the project could not be created (nothing was left behind)"
    if isinstance(exc, ProjectFileError):
        return exc.problem
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"cannot create the project: {detail}"


def _connect(path: Path) -> sqlite_utils.Database:
    conn = connect(path)
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    # FULL: an acknowledged edit survives a crash of the process and of the machine.
    db.execute("PRAGMA synchronous = FULL")
    return db


def _migrate(db: sqlite_utils.Database, from_version: int) -> None:
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        with db.atomic():
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
            if version == SCHEMA_VERSION:
                # Which release this file now needs, for an older ipsmap to name when it
                # refuses the file (it cannot know formats made after it).
                db.execute(
                    "INSERT INTO project (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [NEEDS_KEY, release_writing(version)],
                )


def _newer_file_message(conn: sqlite3.Connection, version: int) -> str:
    """Why a file from a newer ipsmap is refused, naming the release to install if known."""
    from ipsmap import __version__

    needed = None
    try:
        row = conn.execute("SELECT value FROM project WHERE key = ?", [NEEDS_KEY]).fetchone()
        needed = plausible_release(row[0]) if row else None
    except sqlite3.DatabaseError:
        pass  # no readable project table: say what we can without it
    install = f"Install ipsmap {needed} or later" if needed else "Install a newer ipsmap"
    return (
        f"this project was saved by a newer version of ipsmap (file format {version}; "
        f"ipsmap {__version__} reads up to {SCHEMA_VERSION}). {install} to open it; "
        "the file has not been changed."
    )


def _backup(path: Path, target: Path) -> None:
    wal = Path(f"{path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        # Everything is in the file itself (and we hold the writer's lock): an exact copy.
        tmp = target.with_name(f".{target.name}.partial")
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
        return
    # Committed pages still in the WAL: SQLite's backup API gives a complete copy.
    conn = connect(path, read_only=True)
    try:
        _backup_connection(conn, target)
    finally:
        conn.close()


def _backup_connection(conn: sqlite3.Connection, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.partial")
    tmp.unlink(missing_ok=True)
    try:
        dest = harden(sqlite3.connect(tmp))
        try:
            conn.backup(dest)
            # A copy is a standalone file: no WAL beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, target)
    except BaseException:
        remove_project_files(tmp)  # a half-written copy is no copy
        raise


def _acquire_lock(path: Path) -> Any:
    # O_NONBLOCK: never wait on a pipe swapped in after the checks.
    handle = os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb")
    try:
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise ProjectInUseError(
            path,
            "this project is already open in another ipsmap window or process. Close it "
            "there first, or open it read-only.",
        ) from exc
    return handle


def project_in_use(path: Path) -> bool:
    """True when another process has the project open for writing."""
    try:
        _release_lock(_acquire_lock(path))
    except ProjectInUseError:
        return True
    return False


def _release_lock(handle: Any) -> None:
    if handle is not None:
        handle.close()


def _batches(ops: list[Op]) -> Iterator[tuple[str, str, list[Op]]]:
    """Group consecutive inserts (same table, same columns) and deletes for executemany."""
    batch: list[Op] = []
    for op in ops:
        if batch and (
            op.kind == "update"
            or op.kind != batch[0].kind
            or op.table != batch[0].table
            or (op.kind == "insert" and list(op.after or {}) != list(batch[0].after or {}))
        ):
            yield batch[0].table, batch[0].kind, batch
            batch = []
        batch.append(op)
        if op.kind == "update":
            yield op.table, "update", batch
            batch = []
    if batch:
        yield batch[0].table, batch[0].kind, batch


def _where(table: str, ops: list[Op]) -> tuple[str, list[list[str]]]:
    if table == GROUP_MEMBERS_TABLE:
        return "group_id = ? AND factor_id = ?", [op.key.split("/", 1) for op in ops]
    return "id = ?", [[op.key] for op in ops]


def _encode(table: str, row: dict[str, Any], columns: list[str]) -> list[Any]:
    json_cols = JSON_COLUMNS.get(table, ())
    values = []
    for name in columns:
        value = row.get(name)
        if name in json_cols:
            value = json.dumps(value if value is not None else {}, ensure_ascii=False)
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    return values
