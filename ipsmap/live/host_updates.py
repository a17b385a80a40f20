"""The host's copy of the session document: its updates, kept in the project file.

Each incremental update is appended to ``live_updates`` in the same transaction as the ops
it produced (``event``), so the file never holds an edit without its update or the reverse;
a restarted host replays them and resumes the document as everyone last saw it.

A session stopped on purpose, and a host starting, fold them into one (``compact``, the fold
itself in model/live_updates.py): one row holding the document's state, in one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3

from ipsmap.model.entities import now_iso
from ipsmap.model.live_updates import Folded, fold
from ipsmap.model.store import ProjectStore


def append(store: ProjectStore, update: bytes, event: int | None = None) -> None:
    """Append one update (call inside the transaction that wrote its ops, or alone)."""
    store.db.execute(
        "INSERT INTO live_updates (at, event, data) VALUES (?, ?, ?)",
        [now_iso(), event, sqlite3.Binary(update)],
    )


def append_alone(store: ProjectStore, update: bytes) -> None:
    """Append an update that changed no row (held-back links, corrections) in its own
    transaction."""
    with store.db.atomic():
        append(store, update)


def stored_updates(store: ProjectStore) -> list[bytes]:
    """Every update kept so far, oldest first."""
    return [bytes(row[0]) for row in store.db.execute("SELECT data FROM live_updates ORDER BY seq")]


def compact(store: ProjectStore, *, shrink_file: bool = False) -> Folded | None:
    """Fold every stored update into one, in one transaction (None: nothing to fold).
    ``shrink_file``: also give the freed pages back to the disk (a session's end; skipped
    if another connection is reading the file: the pages are then reused instead)."""
    with store.db.atomic():
        folded = fold(store.db.conn)
    if folded is not None and shrink_file:
        # Busy (another connection reading): the freed pages stay and are written over later.
        with contextlib.suppress(sqlite3.OperationalError):
            store.compact()
    return folded
