"""A laptop joined to a live session: its copy of the document, its log, its connection.

Every update the document takes in is appended to the local log first (update_log.py), so
edits made offline survive a crash and merge on reconnect. The connection pins the host's
certificate fingerprint before anything is sent, proves the join code with a token bound
to that certificate, keeps alive every ~5 s, and reconnects with backoff until stopped.
Only this laptop's own edits are sent (never an update it just received: no echo).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from pycrdt import Subscription, TransactionEvent, YSyncMessageType
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ipsmap.live import presence, protocol
from ipsmap.live.doc_diff import Touched, held_back, ops_towards, with_held
from ipsmap.live.host import (
    HEADER_DEVICE,
    HEADER_PARTICIPANT,
    HEADER_TOKEN,
    KEEPALIVE_S,
    MAX_MESSAGE,
    RESYNC_S,
)
from ipsmap.live.security import (
    SecurityError,
    fingerprint_of_der,
    join_token,
    normalise_fingerprint,
)
from ipsmap.live.shared_doc import SharedDoc
from ipsmap.live.update_log import UpdateLog
from ipsmap.model.command import Command
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import Op
from ipsmap.model.state import MapState

LOCAL_ORIGIN = "ipsmap-local"
BACKOFF_FIRST_S = 0.2
BACKOFF_MAX_S = 5.0


class JoinRefused(Exception):
    """The host refused this device (wrong code, unknown participant) or its certificate
    is not the one we were given: retrying would not help."""


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
        parts = urlsplit(address)
        if parts.scheme != "wss" or not parts.hostname or not parts.port:
            raise SecurityError(
                f"a session address looks like wss://192.168.1.20:8765, not {address!r}"
            )
        self.address = address
        self.host, self.port = parts.hostname, parts.port
        self.fingerprint = normalise_fingerprint(fingerprint)
        self.participant = participant
        self.say = say
        workdir.mkdir(parents=True, exist_ok=True)
        self.device = _device_id(workdir)
        # Only for tests: a token made for another certificate than the one pinned.
        self._token = join_token(
            code, token_fingerprint or self.fingerprint, participant, self.device
        )
        self.shared = SharedDoc()
        self.log = UpdateLog(workdir / f"session-{self.fingerprint[:16]}.updates")
        for update in self.log.updates:
            self.shared.doc.apply_update(update)
        self._local = False
        self._outbox: asyncio.Queue[bytes | str] | None = None
        self._answered_host = False
        # Presence (presence.py): ours as last set, sent again on every (re)connection;
        # everyone else's as the host stamped it, by connection key.
        self._presence: str | None = None
        self.others: dict[str, presence.Presence] = {}
        self.on_presence: Callable[[dict[str, presence.Presence]], None] | None = None
        self._subscription: Subscription = self.shared.doc.observe(self._on_update)
        self._touched = Touched(self.shared)
        self._states: dict[str, MapState] = {}
        # Per map, what the document holds and this copy cannot yet (doc_diff.Diff.held).
        self._held: dict[str, dict[str, set[str]]] = {}
        # Set once the host's copy has been taken in after (re)connecting.
        self.connected = asyncio.Event()
        self.refused: str | None = None

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
        # Until the host's state vector has been answered, our own edits travel in that
        # answer (step 2) instead: sent alone, an edit could reach the host before the
        # offline edits it builds on (a link to a factor made offline, removed there as
        # pointing at a factor deleted meanwhile).
        if self._local and self._outbox is not None and self._answered_host:
            self._outbox.put_nowait(protocol.update(update))

    # -- presence -------------------------------------------------------------------------

    def set_presence(
        self, map_id: str | None, selected: Iterable[str] = (), editing: str | None = None
    ) -> None:
        """Tell the others which map this laptop shows, what is selected on it (the first
        ``presence.MAX_SELECTED`` ids) and which factor or link is being edited."""
        self._presence = presence.claim_message(map_id, selected, editing)
        if self._outbox is not None:
            self._outbox.put_nowait(self._presence)

    def _heard_presence(self, text: str) -> None:
        try:
            heard = presence.parse_from_host(text)
        except presence.PresenceError as exc:
            self.say(f"ignored: a presence message from the host that is not valid ({exc})")
            return
        if isinstance(heard, str):
            if self.others.pop(heard, None) is None:
                return
        else:
            self.others[heard.key] = heard
        self._presence_changed()

    def _presence_changed(self) -> None:
        if self.on_presence is not None:
            self.on_presence(dict(self.others))

    # -- the connection -------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Stay joined until ``stop`` is set, reconnecting with backoff; raise JoinRefused
        if the host refuses us or is not the host we were told of."""
        delay = BACKOFF_FIRST_S
        while not stop.is_set():
            try:
                await self._session(stop)
                delay = BACKOFF_FIRST_S
            except JoinRefused as exc:
                self.refused = str(exc)
                raise
            except (TimeoutError, OSError, WebSocketException) as exc:
                self.say(f"offline ({type(exc).__name__}); your edits will be merged")
            self.connected.clear()
            self._outbox = None
            if self.others:  # the host hands everyone's presence over again on reconnecting
                self.others.clear()
                self._presence_changed()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay * (0.5 + random.random()))
            delay = min(delay * 2, BACKOFF_MAX_S)

    async def _session(self, stop: asyncio.Event) -> None:
        context = await self._pinned_context()
        headers = {
            HEADER_PARTICIPANT: self.participant,
            HEADER_DEVICE: self.device,
            HEADER_TOKEN: self._token,
        }
        try:
            connection = await connect(
                self.address,
                ssl=context,
                server_hostname=self.host,
                additional_headers=headers,
                proxy=None,
                open_timeout=5,
                ping_interval=KEEPALIVE_S,
                ping_timeout=KEEPALIVE_S,
                max_size=MAX_MESSAGE,
                compression=None,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            # Refused (a wrong code, removed by the host, too many wrong codes from here).
            if status in (
                HTTPStatus.UNAUTHORIZED,
                HTTPStatus.FORBIDDEN,
                HTTPStatus.TOO_MANY_REQUESTS,
            ):
                reason = exc.response.body.decode("utf-8", "replace").strip() or "refused"
                raise JoinRefused(f"the host refused to let this device join: {reason}") from exc
            raise
        async with connection:
            self._outbox = asyncio.Queue()
            self._answered_host = False
            self._outbox.put_nowait(protocol.step1(self.shared.doc))
            if self._presence is not None:
                self._outbox.put_nowait(self._presence)
            tasks = [
                asyncio.create_task(self._send_loop(connection)),
                asyncio.create_task(self._receive_loop(connection)),
                asyncio.create_task(self._resync_loop()),
                asyncio.create_task(stop.wait()),
            ]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]

    async def _pinned_context(self) -> ssl.SSLContext:
        """A TLS context that trusts exactly the certificate with our fingerprint.

        The host's certificate is fetched first and compared with the fingerprint we were
        given; only then is a connection made that verifies against it, so the token (and
        any edit) is never sent to anyone else."""
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        probe.check_hostname = False
        probe.verify_mode = ssl.CERT_NONE
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=probe), timeout=5
        )
        try:
            ssl_object = writer.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        finally:
            writer.close()
        if der is None or fingerprint_of_der(der) != self.fingerprint:
            raise JoinRefused(
                "the host's certificate is not the one given with the code "
                "(someone else may be answering at that address)"
            )
        pinned = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        pinned.check_hostname = False
        pinned.load_verify_locations(cadata=der)
        return pinned

    async def _send_loop(self, connection: ClientConnection) -> None:
        assert self._outbox is not None
        while True:
            await connection.send(await self._outbox.get())

    async def _receive_loop(self, connection: ClientConnection) -> None:
        async for message in connection:
            if not isinstance(message, bytes):
                self._heard_presence(message)
                continue
            parsed = protocol.parse(message)
            if parsed is None or self._outbox is None:
                continue
            if parsed.kind == YSyncMessageType.SYNC_STEP1:
                # What the host lacks: our offline edits, or anything a lost message dropped.
                self._outbox.put_nowait(protocol.step2(self.shared.doc, parsed.payload))
                self._answered_host = True
            else:
                if parsed.payload != protocol.EMPTY_UPDATE:
                    self.shared.doc.apply_update(parsed.payload)
                if parsed.kind == YSyncMessageType.SYNC_STEP2 and not self.connected.is_set():
                    # Joined: the host's answer to our first step 1 has been taken in.
                    self.connected.set()
                    self.say("connected")

    async def _resync_loop(self) -> None:
        while True:
            await asyncio.sleep(RESYNC_S)
            if self._outbox is not None:
                self._outbox.put_nowait(protocol.step1(self.shared.doc))

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
