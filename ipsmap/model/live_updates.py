"""A live session's stored document (``live_updates``, schema 8), folded into one update.

The host of a live session appends every incremental update of its shared document (see
ipsmap/live/host_updates.py); a day's workshop leaves thousands. Folding replays them into
one document and stores that document's state as a single update, in place of them all.
Yjs garbage-collects what was deleted or overwritten, so the folded update holds only
what the document holds now: it is smaller, and a forgotten person's words (see
model/forget.py, which folds with every text of the document rewritten first) do not
survive inside it.

Each stored row names the audit event that wrote its ops (``event``). The folded row keeps
the last of them: "the document holds every edit up to this event". The per-update link is
not needed afterwards: the audit log itself records who changed what, and nothing reads an
update by its event (a host replays them all, oldest first).

Updates that cannot all be integrated (one waiting for another that was never stored) are
left as they are: folding would drop the waiting part. A host never stores such a set, so
this is a safeguard, not a case that arises.

pycrdt is imported only when there is something to fold: the window does not load the
live-session libraries at start (tests/test_packaging.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipsmap.model.entities import now_iso


@dataclass(frozen=True)
class Folded:
    """What a fold did: rows and bytes before and after."""

    rows_before: int
    bytes_before: int
    bytes_after: int


def fold(
    conn: sqlite3.Connection,
    rewrite: Callable[[Any], Any] | None = None,
    event: int | None = None,
) -> Folded | None:
    """Replace every stored update by one holding the document's state (call inside a
    transaction). ``rewrite`` turns each value of the document into what it may hold from
    now on (forgetting a person); ``event``: the audit event to name (else the last one
    named). None when there was nothing to fold or the updates could not all be
    integrated (then nothing is changed)."""
    rows = conn.execute("SELECT event, data FROM live_updates ORDER BY seq").fetchall()
    if not rows or (len(rows) == 1 and rewrite is None):
        return None
    from pycrdt import Doc, Map, get_state, merge_updates

    updates = [bytes(data) for _event, data in rows]
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    if state_clocks(doc.get_state()) != state_clocks(get_state(merge_updates(*updates))):
        return None  # something waits for an update never stored: keep them all
    if rewrite is not None:
        with doc.transaction():
            for name in list(doc.keys()):
                _rewrite_values(doc.get(name, type=Map), rewrite)
    folded = doc.get_update()
    named = [e for e, _data in rows if e is not None]
    last = event if event is not None else (max(named) if named else None)
    conn.execute("DELETE FROM live_updates")
    conn.execute(
        "INSERT INTO live_updates (at, event, data) VALUES (?, ?, ?)",
        [now_iso(), last, sqlite3.Binary(folded)],
    )
    return Folded(len(rows), sum(len(u) for u in updates), len(folded))


def _rewrite_values(record: Any, rewrite: Callable[[Any], Any]) -> None:
    """Rewrite every text value of a Y.Map and of the maps inside it (a JSON field stored
    as text is rewritten inside, and stored again in the same form)."""
    from pycrdt import Map

    for key in list(record.keys()):
        value = record[key]
        if isinstance(value, Map):
            _rewrite_values(value, rewrite)
        elif isinstance(value, str):
            new = _rewrite_text(value, rewrite)
            if new != value:
                record[key] = new
        elif isinstance(value, list):
            new_list = rewrite(value)
            if new_list != value:
                record[key] = new_list


def _rewrite_text(value: str, rewrite: Callable[[Any], Any]) -> str:
    if value[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, (dict, list)):
            new = rewrite(parsed)
            # The form the live document stores JSON fields in (live/shared_doc.py).
            return value if new == parsed else json.dumps(new, sort_keys=True)
    return str(rewrite(value))


def state_clocks(state_vector: bytes) -> dict[int, int]:
    """A Yjs state vector as {client: clock} (count, then client/clock pairs, varuints)."""
    at = 0

    def number() -> int:
        nonlocal at
        result, shift = 0, 0
        while True:
            byte = state_vector[at]
            at += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    count = number()
    clocks = {}
    for _ in range(count):
        client = number()
        clocks[client] = number()
    return clocks
