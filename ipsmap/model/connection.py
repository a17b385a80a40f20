"""Every SQLite connection to a project file, opened defensively.

A project file may come from anyone (an email attachment, a shared drive), so a
connection must not let the file's own schema do harm:

- ``PRAGMA trusted_schema = OFF``: views and triggers in the file may not call functions
  with side effects, nor use virtual tables;
- ``SQLITE_DBCONFIG_DEFENSIVE`` (when this Python can set it, 3.12+): no writing to the
  schema table by hand, no deliberate corruption;
- a watchdog: a statement running longer than ``QUERY_TIME_LIMIT`` seconds is stopped with
  a clear error instead of hanging the program (a recursive view, a pathological query).

The schema itself is checked against ipsmap's before use (``schema_check.py``).
"""

from __future__ import annotations

import errno
import sqlite3
import time
from pathlib import Path

# Seconds one statement may run. Every real statement on a workshop project takes
# milliseconds; a full integrity check of a large project, a second or two.
QUERY_TIME_LIMIT = 60.0
# SQLite virtual-machine steps between two looks at the clock (cheap, ~1 ms of work).
_STEPS_BETWEEN_CHECKS = 20_000


class _Watchdog:
    """Stops a statement that runs too long: the clock restarts as each statement starts."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def statement_started(self, _sql: str) -> None:
        self.started = time.monotonic()

    def too_long(self) -> int:
        # Non-zero makes SQLite abort the statement ("interrupted").
        return int(time.monotonic() - self.started > QUERY_TIME_LIMIT)


def harden(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Set the defensive options on ``conn`` (see the module docstring) and return it."""
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if defensive is not None and hasattr(conn, "setconfig"):
        conn.setconfig(defensive, True)
    conn.execute("PRAGMA trusted_schema = OFF")
    watchdog = _Watchdog()
    conn.set_trace_callback(watchdog.statement_started)
    conn.set_progress_handler(watchdog.too_long, _STEPS_BETWEEN_CHECKS)
    return conn


def connect(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """A hardened connection to ``path``; read-only ones go through a ``mode=ro`` URI.

    ``immutable`` tells SQLite the file cannot change while open: it then reads the file
    alone, creating no -wal/-shm beside it (right for a file nobody can write).
    """
    if read_only or immutable:
        query = "?mode=ro&immutable=1" if immutable else "?mode=ro"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}{query}", uri=True, timeout=5.0)
    else:
        conn = sqlite3.connect(path, timeout=5.0)
    return harden(conn)


def is_disk_full(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the disk or the database is full."""
    while exc is not None:
        if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) in (
            sqlite3.SQLITE_FULL,
        ):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "disk is full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def is_interrupted(exc: BaseException | None) -> bool:
    """True when ``exc`` is a statement the watchdog stopped."""
    while exc is not None:
        if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def database_error_message(exc: BaseException) -> str:
    """One plain line for an SQLite error that reached the user."""
    if is_disk_full(exc):
        return "the disk is full: nothing more could be written (free some space and try again)"
    if is_interrupted(exc):
        return (
            f"a database query ran for more than {QUERY_TIME_LIMIT:g} s and was stopped "
            "(the project file may be damaged or hostile)"
        )
    return f"the project database failed ({exc})"
