"""A headless laptop joined to a live session: its copy of the document, its log, its
connection (tests, the bench; the window joins through mirror.py).

Every update the document takes in is appended to the local log first (update_log.py), so
edits made offline survive a crash and merge on reconnect. The connection (connection.py)
pins the host's certificate, proves the join code, keeps alive and reconnects with backoff.
Only this laptop's own edits are sent (never an update it just received: no echo).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from pycrdt import Subscription, TransactionEvent

from ipsmap.live.connection import JoinRefused, LiveConnection, split_address
from ipsmap.live.doc_diff import Touched, held_back, ops_towards, with_held
from ipsmap.live.presence import Presence
from ipsmap.live.presence_link import PresenceLink
from ipsmap.live.security import normalise_fingerprint
from ipsmap.live.shared_doc import SharedDoc
from ipsmap.live.update_log import UpdateLog
from ipsmap.model.command import Command
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import Op
from ipsmap.model.state import MapState

LOCAL_ORIGIN = "ipsmap-local"

__all__ = ["LOCAL_ORIGIN", "JoinRefused", "LiveClient"]


class LiveClient:
    def __init__(
        self,
        address: str,
        *,
        code: str,
        fingerprint: str,
        participant: str,
        workdir: Path,
        token_fingerprint: str | None = None,
        say: Callable[[str], None] = print,
    ) -> None:
        split_address(address)  # a clear SecurityError before anything is written
        self.address = address
        self.fingerprint = normalise_fingerprint(fingerprint)
        self.participant = participant
        self.say = say
        workdir.mkdir(parents=True, exist_ok=True)
        self.device = _device_id(workdir)
        self.shared = SharedDoc()
        self.log = UpdateLog(workdir / f"session-{self.fingerprint[:16]}.updates")
        for update in self.log.updates:
            self.shared.doc.apply_update(update)
        self._local = False
        self.connection = LiveConnection(
            address,
            code=code,
            fingerprint=self.fingerprint,
            participant=participant,
            device=self.device,
            doc=self.shared.doc,
            token_fingerprint=token_fingerprint,
            say=say,
        )
        # Presence: ours, and everyone else's as the host stamped it.
        self.presence = PresenceLink(self.connection, say)
        self._subscription: Subscription = self.shared.doc.observe(self._on_update)
        self._touched = Touched(self.shared)
        self._states: dict[str, MapState] = {}
        # Per map, what the document holds and this copy cannot yet (doc_diff.Diff.held).
        self._held: dict[str, dict[str, set[str]]] = {}

    # -- editing -------------------------------------------------------------------------

    def state(self, map_id: str) -> MapState:
        """This laptop's copy of a shared map, brought up to date with the document (only
        the records changed since are compared: doc_diff.py)."""
        for changed_map, tables in self._touched.take().items():
            state = self._states.get(changed_map)
            if state is not None and not self.shared.has_map(changed_map):
                del self._states[changed_map]  # the host stopped sharing it
            elif state is not None:
                # Records held back before are looked at again: a link can arrive before
                # its factor (relayed while the step 2 that brings the factor is on its way).
                held = self._held.pop(changed_map, {})
                diff = ops_towards(self.shared, state, with_held(tables, held))
                state.apply_all(diff.ops)
                self._held[changed_map] = diff.held
        if map_id not in self._states:
            state = MapState.from_data(self.shared.read_map(map_id))
            self._states[map_id] = state
            self._held[map_id] = held_back(self.shared, state)
        return self._states[map_id]

    def map_data(self, map_id: str) -> MapData:
        """A shared map as it is here, with the people its records name."""
        data = self.state(map_id).to_data()
        named = {data.info.created_by}
        for record in [*data.factors, *data.links]:
            named |= {record.created_by, record.modified_by}  # type: ignore[attr-defined]
        data.participants = [p for p in self.shared.participants() if p.id in named]
        return data

    def edit(self, command: Command, map_id: str, actor: str | None = None) -> list[Op]:
        """Make an edit on the shared map (offline too): logged, then sent when connected."""
        state = self.state(map_id)
        self._local = True
        try:
            with self.shared.doc.transaction(origin=LOCAL_ORIGIN):
                return self.shared.edit(command, state, actor or self.participant)
        finally:
            self._local = False

    def _on_update(self, event: TransactionEvent) -> None:
        update = bytes(event.update)
        self.log.append(update)
        if self._local:
            self.connection.send(update)

    # -- presence (presence_link.py) -------------------------------------------------------

    def set_presence(
        self, map_id: str | None, selected: Iterable[str] = (), editing: str | None = None
    ) -> None:
        self.presence.set_presence(map_id, selected, editing)

    @property
    def others(self) -> dict[str, Presence]:
        return self.presence.others

    @property
    def on_presence(self) -> Callable[[dict[str, Presence]], None] | None:
        return self.presence.on_presence

    @on_presence.setter
    def on_presence(self, listener: Callable[[dict[str, Presence]], None] | None) -> None:
        self.presence.on_presence = listener

    # -- the connection -------------------------------------------------------------------

    @property
    def connected(self) -> asyncio.Event:
        """Set once the host's copy has been taken in after (re)connecting."""
        return self.connection.connected

    @property
    def refused(self) -> str | None:
        return self.connection.refused

    async def run(self, stop: asyncio.Event) -> None:
        """Stay joined until ``stop`` is set, reconnecting with backoff; raise JoinRefused
        if the host refuses us or is not the host we were told of."""
        await self.connection.run(stop)

    def close(self) -> None:
        self._touched.close()
        self.shared.doc.unobserve(self._subscription)
        self.log.close()


def _device_id(workdir: Path) -> str:
    """This laptop's id for the session's audit log, kept in the work folder."""
    path = workdir / "device-id"
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    device = str(uuid.uuid4())
    path.write_text(device, encoding="utf-8")
    return device
