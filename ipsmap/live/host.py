"""The host of a live session: a TLS websocket server on one interface (asyncio).

Each device is authenticated during the websocket handshake (participant, device and a
token bound to this session's certificate, see security.py); from then on everything it
sends is attributed to that participant and device, never to what a message claims. An
editor's updates go through the session bridge (the one writer) and are relayed to the
other devices; a viewer's updates are dropped here. Every device has its own outbox and
sender task, so a socket that dies mid-broadcast only ends its own connection (the
pycrdt-websocket #142 failure: a room that stopped relaying for everyone).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from pycrdt import YSyncMessageType
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from ipsmap.live import lobby, notices, protocol
from ipsmap.live.host_controls import HostControls
from ipsmap.live.presence import PresenceHub, ids_in_session
from ipsmap.live.security import Certificate, normalise_code, token_matches
from ipsmap.live.session import HostSession
from ipsmap.live.throttle import WrongCodeThrottle
from ipsmap.model.author import Author
from ipsmap.model.project import Project

HEADER_PARTICIPANT = "X-Ipsmap-Participant"
HEADER_DEVICE = "X-Ipsmap-Device"
HEADER_TOKEN = "X-Ipsmap-Token"
# Large enough for a 2,000-factor / 6,000-link map in one step 2.
MAX_MESSAGE = 64 * 1024 * 1024
KEEPALIVE_S = 5.0
RESYNC_S = 2.0
# A wrong code costs the guesser this long (with 25**8 codes, guessing is hopeless).
REFUSAL_DELAY_S = 0.5


@dataclass(eq=False)
class Peer:
    """One authenticated device."""

    participant: str
    name: str
    device: str
    role: str  # "editor" or "viewer"
    outbox: asyncio.Queue[bytes | str] = field(default_factory=asyncio.Queue)


class LiveHost(HostControls):
    def __init__(
        self,
        project: Project,
        map_ids: list[str],
        *,
        certificate: Certificate,
        code: str,
        viewer_code: str | None = None,
        interface: str = "127.0.0.1",
        port: int = 0,
        session_id: str | None = None,
        say: Callable[[str], None] = print,
        throttle: WrongCodeThrottle | None = None,
        removed_devices: set[str] | None = None,
        phone_port: int | None = 0,
        phone_switches: Any = None,
        kept_phones: dict[str, Any] | None = None,
    ) -> None:
        self.project = project
        self.certificate = certificate
        self.fingerprint = certificate.fingerprint
        self.code = normalise_code(code)
        self.viewer_code = normalise_code(viewer_code) if viewer_code else None
        self.interface = interface
        self.port = port
        # The workshop session edits are recorded in: this one, or (None) whichever the
        # project has now, so a facilitator who changes it in the window mid-way is followed.
        self._session_id = session_id
        self.say = say
        self.session = HostSession(project, map_ids)
        self.session.on_local_update = self._broadcast_local
        self.peers: set[Peer] = set()
        # Who looks at what (presence.py): relayed as text frames, identity stamped here.
        self.presence = PresenceHub(
            lambda: project.participants, ids_in_session(self.session), self._broadcast, say
        )
        # Authenticated at the handshake, waiting for the connection to start (weak: a
        # handshake that fails after authentication leaves nothing behind).
        self._pending: weakref.WeakKeyDictionary[ServerConnection, Peer] = (
            weakref.WeakKeyDictionary()
        )
        # Authenticated visitors of the lobby (who am I?), by role: see lobby.py.
        self._visitors: weakref.WeakKeyDictionary[ServerConnection, str] = (
            weakref.WeakKeyDictionary()
        )
        self._server: Server | None = None
        # The phone page (phone_server.py), on its own port (None: no phones this session).
        self.phone_port = phone_port
        self.phones: Any = None  # the PhoneServer once started
        # What phones may do (a PhoneSwitches; None: the defaults) and, resuming after a
        # crash, the phones kept (kept_session.phones_from), taken in when phones start.
        self._phone_switches = phone_switches
        self._kept_phones = kept_phones
        # Called when something kept for a restart changes on the phones' side (a join, a
        # removal, a switch): ``ipsmap host`` and the window save the kept session then.
        self.on_kept_change: Callable[[], None] | None = None
        self._closed = False
        self._init_controls(throttle, removed_devices)

    @property
    def session_id(self) -> str | None:
        return self._session_id if self._session_id is not None else self.project.session_id

    @property
    def address(self) -> str:
        host = f"[{self.interface}]" if ":" in self.interface else self.interface
        return f"wss://{host}:{self.port}"

    async def start(self) -> None:
        self._server = await serve(
            self._serve,
            self.interface,
            self.port,
            ssl=self.certificate.server_context(),
            process_request=self._authenticate,
            ping_interval=KEEPALIVE_S,
            ping_timeout=KEEPALIVE_S,
            max_size=MAX_MESSAGE,
            compression=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        if self.phone_port is not None:
            try:
                await self._start_phones()
            except BaseException:
                self.close()
                await self._server.wait_closed()
                raise

    async def _start_phones(self) -> None:
        # Imported here: aiohttp loads only when a session is hosted.
        from ipsmap.live.phone_server import PhoneServer
        from ipsmap.live.phones import PhoneDesk, phone_key

        desk = PhoneDesk(
            self.project,
            lambda: self.session.map_ids,
            session_id=lambda: self.session_id,
            say=self.say,
        )
        self._restore_phones(desk)
        # Resumed: the key the phones' pages already have (a New code since does not move
        # their address), else one derived from this session's code and certificate.
        kept_key = self._kept_phones.get("key") if self._kept_phones else None
        self.phones = PhoneServer(
            desk,
            kept_key or phone_key(self.code, self.fingerprint),
            certificate_context=self.certificate.server_context(),
            interface=self.interface,
            port=self.phone_port or 0,
        )
        await self._start_phone_port(self.phones)

    def _restore_phones(self, desk: Any) -> None:
        """The switches and, after a crash, the phones kept; saves go through
        ``on_kept_change``."""
        kept = self._kept_phones
        if kept is not None:
            desk.restore(kept["switches"], kept["phones"], kept["removed"])
        if self._phone_switches is not None:
            desk.switches = self._phone_switches
        desk.on_kept_change = lambda: self.on_kept_change and self.on_kept_change()

    async def _start_phone_port(self, phones: Any) -> None:
        """Listen on the phone port asked for (a resumed session's own, so phones' pages
        carry on); if that one is taken now, on any free port."""
        try:
            await phones.start()
        except OSError:
            if not phones.port:
                raise
            taken, phones.port = phones.port, 0
            await phones.start()
            self.say(f"the phone port {taken} is taken now: phones scan the new QR code")

    def remove(self, device: str) -> list[str]:
        """Remove a laptop (HostControls.remove) or a phone (its token stops working; the
        desk's ``listed()`` gives phones' device ids); the names of who it was."""
        if self.phones is not None:
            listed = {p["device"]: p["name"] for p in self.phones.desk.listed()}
            if self.phones.desk.remove(device):
                self.say(f"removed: {listed.get(device, 'a phone')} (phone {device[:8]})")
                return [listed[device]] if device in listed else []
        return super().remove(device)

    @property
    def phone_url(self) -> str | None:
        """The phone page's address, the one the QR code holds (None: no phones)."""
        return self.phones.url() if self.phones is not None else None

    def close(self) -> None:
        """Stop listening, start closing every connection and let go of the project, at once
        (a window closing its project cannot wait); ``stop`` also waits for the sockets."""
        if self._server is not None:
            self._server.close()
        if self.phones is not None:
            self.phones.close()
        if not self._closed:
            self._closed = True
            self.presence.close()
            self.session.close()

    async def stop(self) -> None:
        self.close()
        if self.phones is not None:
            await self.phones.stop()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    # -- the handshake: who is this? ----------------------------------------------------

    async def _authenticate(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        refused = self._refused_address(connection)
        if refused is not None:
            return refused
        headers = request.headers
        claimed = headers.get(HEADER_PARTICIPANT, "")
        device = headers.get(HEADER_DEVICE, "")
        token = headers.get(HEADER_TOKEN, "")
        if not (claimed and device and token):
            return connection.respond(HTTPStatus.UNAUTHORIZED, "join with a code\n")
        role = self._role_for(token, claimed, device)
        if role is None:
            self._wrong_code_from(connection)
            await asyncio.sleep(REFUSAL_DELAY_S)
            self.say(f"refused: a device ({device[:8]}) with a wrong join code")
            return connection.respond(HTTPStatus.FORBIDDEN, "wrong join code\n")
        removed = self._refused_device(connection, device)
        if removed is not None:
            return removed
        if request.path == lobby.LOBBY_PATH:
            if claimed != lobby.LOBBY_PARTICIPANT:
                return connection.respond(HTTPStatus.FORBIDDEN, "the lobby is visited as lobby\n")
            self._visitors[connection] = role
            return None
        person = self._participant(claimed)
        if person is None and role == "viewer" and claimed == lobby.VIEWER_PARTICIPANT:
            # Someone just watching need not be on the list (a viewer's edits stop here).
            self._pending[connection] = Peer(claimed, "Viewer", device, role)
            return None
        if person is None:
            self.say(f"refused: a device ({device[:8]}) joining as someone not on the list")
            return connection.respond(HTTPStatus.FORBIDDEN, "unknown participant\n")
        self._pending[connection] = Peer(person.id, person.pseudonym, device, role)
        return None

    def _role_for(self, token: str, participant: str, device: str) -> str | None:
        if token_matches(token, self.code, self.fingerprint, participant, device):
            return "editor"
        if self.viewer_code and token_matches(
            token, self.viewer_code, self.fingerprint, participant, device
        ):
            return "viewer"
        return None

    def _participant(self, claimed: str) -> Any:
        people = self.project.participants
        if claimed in people:
            return people[claimed]
        named = [p for p in people.values() if p.pseudonym.casefold() == claimed.casefold()]
        return named[0] if len(named) == 1 else None

    # -- one connection ---------------------------------------------------------------

    async def _serve(self, connection: ServerConnection) -> None:
        role = self._visitors.pop(connection, None)
        if role is not None:
            await lobby.serve(
                self.project, connection, role, session_id=self.session_id, say=self.say
            )
            return
        peer = self._pending.pop(connection, None)
        if peer is None or peer.device in self.removed_devices:
            return
        self.peers.add(peer)
        self._connections[peer] = connection
        self.say(f"joined: {peer.name} ({peer.role}, device {peer.device[:8]})")
        for presence in self.presence.join(peer, peer.participant, peer.role, peer.name):
            peer.outbox.put_nowait(presence)  # everyone's presence, for a late joiner
        sender = asyncio.create_task(self._send_loop(connection, peer))
        resync = asyncio.create_task(self._resync_loop(peer))
        try:
            async for message in connection:
                if isinstance(message, bytes):
                    self._receive(peer, message)
                else:
                    self.presence.receive(peer, message)
        except ConnectionClosed:
            pass
        finally:
            self.peers.discard(peer)
            self.presence.leave(peer)
            self._connections.pop(peer, None)
            sender.cancel()
            resync.cancel()
            self.say(f"left: {peer.name} (device {peer.device[:8]})")

    async def _send_loop(self, connection: ServerConnection, peer: Peer) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await connection.send(await peer.outbox.get())

    async def _resync_loop(self, peer: Peer) -> None:
        # Our state vector now and then: the device answers with anything we lack.
        while True:
            peer.outbox.put_nowait(protocol.step1(self.session.shared.doc))
            await asyncio.sleep(RESYNC_S)

    def _receive(self, peer: Peer, message: bytes) -> None:
        if self._closed:
            return  # stopped: its stored updates are being folded, no more edits
        parsed = protocol.parse(message)
        if parsed is None:
            return
        doc = self.session.shared.doc
        if parsed.kind == YSyncMessageType.SYNC_STEP1:
            try:
                peer.outbox.put_nowait(protocol.step2(doc, parsed.payload))
            except (ValueError, RuntimeError):
                self.say(f"ignored: an unreadable message from {peer.name}")
            return
        if parsed.payload == protocol.EMPTY_UPDATE:
            return
        if peer.role != "editor":
            return  # a viewer's edits stop here
        author = Author(peer.participant, peer.device, self.session_id)
        try:
            outcome = self.session.apply_remote(parsed.payload, author)
        except Exception as exc:
            self.say(f"ignored: an update from {peer.name} that could not be applied ({exc})")
            return
        for notice in outcome.notices:
            self.say(f"notice: {notice}")
            # Everyone reads it, the sender too: their link is the one that vanished.
            self._broadcast(notices.notice_message(notice))
        if outcome.relay is not None:
            self._broadcast(protocol.update(outcome.relay), but=peer)
        for correction in outcome.corrections:
            self._broadcast(protocol.update(correction))

    def _broadcast(self, message: bytes | str, but: object | None = None) -> None:
        for peer in list(self.peers):
            if peer is not but:
                peer.outbox.put_nowait(message)

    def _broadcast_local(self, update: bytes) -> None:
        self._broadcast(protocol.update(update))


async def run_until_stopped(host: LiveHost, stop: asyncio.Event) -> None:
    await host.start()
    try:
        await stop.wait()
    finally:
        await host.stop()
