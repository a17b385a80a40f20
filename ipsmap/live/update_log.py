"""A joining laptop's own copy of the session's updates: one append-only file.

Every update the client's document takes in (its own edits and everyone else's) is
appended and flushed to disk before it is sent, so edits made offline survive the laptop's
crash and merge when it comes back. Each record is a 4-byte big-endian length and the
update; a record torn by a crash mid-write is ignored on reading (it was never sent).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

_LENGTH = struct.Struct(">I")


class UpdateLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        updates, complete = _records(path)
        self.updates: list[bytes] = updates
        self._file = open(path, "ab")  # noqa: SIM115 (kept open for the session)
        # A record torn by a crash is cut off, so that what follows it stays readable.
        self._file.truncate(complete)

    def append(self, update: bytes) -> None:
        self._file.write(_LENGTH.pack(len(update)) + update)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


def _records(path: Path) -> tuple[list[bytes], int]:
    """The complete records of a log and where they end (none if it does not exist)."""
    if not path.exists():
        return [], 0
    data = path.read_bytes()
    updates, at = [], 0
    while at + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, at)
        if at + _LENGTH.size + length > len(data):
            break  # torn by a crash: never acknowledged, never sent
        updates.append(data[at + _LENGTH.size : at + _LENGTH.size + length])
        at += _LENGTH.size + length
    return updates, at
