"""The Yjs sync protocol messages a host and a client exchange (pycrdt's encoders).

Both sides send SYNC_STEP1 (their state vector) on connecting and every few seconds; the
other answers SYNC_STEP2 (what the asker lacks, deletions included). Edits travel as
SYNC_UPDATE. The periodic exchange repairs anything a dropped message lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycrdt import Doc, YMessageType, YSyncMessageType, create_sync_message, create_update_message
from pycrdt import read_message as _read_payload

# The "nothing to send" update Yjs encodes as two zero bytes.
EMPTY_UPDATE = b"\x00\x00"


@dataclass(frozen=True)
class SyncMessage:
    kind: YSyncMessageType
    payload: bytes  # a state vector (step 1) or an update (step 2, update)


def parse(message: bytes) -> SyncMessage | None:
    """A sync message, or None for anything else (awareness, which is not used yet, or
    bytes that are not a message at all)."""
    if len(message) < 2 or message[0] != YMessageType.SYNC:
        return None
    try:
        kind = YSyncMessageType(message[1])
        return SyncMessage(kind, _read_payload(message[2:]))
    except (ValueError, RuntimeError):
        return None


def step1(doc: Doc) -> bytes:
    return create_sync_message(doc)


def step2(doc: Doc, state_vector: bytes) -> bytes:
    """The reply to a peer's step 1: everything ``doc`` has that the peer lacks."""
    update = doc.get_update(state_vector)
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + _with_length(update)


def update(data: bytes) -> bytes:
    return create_update_message(data)


def _with_length(data: bytes) -> bytes:
    from pycrdt import write_var_uint

    return write_var_uint(len(data)) + data
