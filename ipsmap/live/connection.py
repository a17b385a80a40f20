"""A joined laptop's connection to the host, for a document someone else owns.

The connection pins the host's certificate fingerprint before anything is sent, proves the
join code with a token bound to that certificate, keeps alive every ~5 s, resyncs every
2 s and reconnects with backoff until stopped. It owns no document: it reads the state
vector and missing updates from the ``Doc`` it is given, hands every update it receives to
``receive`` (by default straight into that ``Doc``), and sends only what its owner passes
to :meth:`send` (the owner's own edits: no echo). Text frames are presence (presence.py):
the owner's last one is sent again on every (re)connection, and those heard go to
``on_text``. ``LiveClient`` (client.py) and a joined
window's mirror project (mirror.py) both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from pycrdt import Doc, YSyncMessageType
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus, WebSocketException

from ipsmap.live import protocol
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

BACKOFF_FIRST_S = 0.2
BACKOFF_MAX_S = 5.0
OPEN_TIMEOUT_S = 5.0

CONNECTED = "connected"
OFFLINE = "offline"
REFUSED = "refused"


class JoinRefused(Exception):
    """The host refused this device (wrong code, unknown participant) or its certificate
    is not the one we were given: retrying would not help."""


def split_address(address: str) -> tuple[str, int]:
    """(host, port) of a ``wss://host:port`` session address (SecurityError otherwise)."""
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not address.startswith("wss://") or not host or not port:
        raise SecurityError(
            f"a session address looks like wss://192.168.1.20:8765, not {address!r}"
        )
    return host, port


async def host_fingerprint(address: str) -> str:
    """The SHA-256 fingerprint of the certificate whoever answers at ``address`` shows
    (unverified: the user compares it with the host's panel before anything is sent)."""
    host, port = split_address(address)
    return fingerprint_of_der(await _peer_certificate(host, port) or b"")


async def _peer_certificate(host: str, port: int) -> bytes | None:
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    probe.check_hostname = False
    probe.verify_mode = ssl.CERT_NONE
    _reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=probe), timeout=OPEN_TIMEOUT_S
    )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        return ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()


async def pinned_context(host: str, port: int, fingerprint: str) -> ssl.SSLContext:
    """A TLS context that trusts exactly the certificate with ``fingerprint``.

    The host's certificate is fetched first and compared; only then is a context made that
    verifies against it, so a token (or any edit) is never sent to anyone else."""
    der = await _peer_certificate(host, port)
    if der is None or fingerprint_of_der(der) != normalise_fingerprint(fingerprint):
        raise JoinRefused(
            "the host's certificate is not the one given with the code "
            "(someone else may be answering at that address)"
        )
    pinned = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    pinned.check_hostname = False
    pinned.load_verify_locations(cadata=der)
    return pinned


async def open_pinned(
    address: str,
    fingerprint: str,
    headers: dict[str, str],
    *,
    path: str = "",
) -> ClientConnection:
    """A websocket to the host at ``address`` (+ ``path``), certificate pinned, handshake
    headers sent; JoinRefused if the host says no (401/403, with its one-line reason)."""
    host, port = split_address(address)
    context = await pinned_context(host, port, fingerprint)
    try:
        return await connect(
            address.rstrip("/") + path,
            ssl=context,
            server_hostname=host,
            additional_headers=headers,
            proxy=None,
            open_timeout=OPEN_TIMEOUT_S,
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


def auth_headers(code: str, fingerprint: str, participant: str, device: str) -> dict[str, str]:
    """The handshake headers that name this participant and device and prove the code."""
    return {
        HEADER_PARTICIPANT: participant,
        HEADER_DEVICE: device,
        HEADER_TOKEN: join_token(code, fingerprint, participant, device),
    }


class LiveConnection:
    """Stay joined to a host on behalf of a document's owner."""

    def __init__(
        self,
        address: str,
        *,
        code: str,
        fingerprint: str,
        participant: str,
        device: str,
        doc: Doc,
        receive: Callable[[bytes], None] | None = None,
        token_fingerprint: str | None = None,
        say: Callable[[str], None] = print,
        on_state: Callable[[str], None] | None = None,
    ) -> None:
        self.address = address
        self.host, self.port = split_address(address)
        self.fingerprint = normalise_fingerprint(fingerprint)
        self.participant = participant
        self.device = device
        self.doc = doc
        self.receive = receive or doc.apply_update
        self.say = say
        self.on_state = on_state
        # Only for tests: a token made for another certificate than the one pinned.
        self._headers = auth_headers(
            code, token_fingerprint or self.fingerprint, participant, device
        )
        self._outbox: asyncio.Queue[bytes | str] | None = None
        # Until the host's state vector has been answered (after each (re)connection), the
        # owner's edits travel in that answer (step 2) instead: sent alone, an edit could
        # reach the host before the offline edits it builds on (a link to a factor made
        # offline, removed there as pointing at a factor deleted meanwhile).
        self._answered_host = False
        # Presence: the owner's last text frame (sent again on reconnecting), and where the
        # host's go; ``on_ended`` hears each connection end (the host re-sends presence).
        self._text: str | None = None
        self.on_text: Callable[[str], None] | None = None
        self.on_ended: Callable[[], None] | None = None
        # Set once the host's copy has been taken in after (re)connecting.
        self.connected = asyncio.Event()
        self.refused: str | None = None

    @property
    def online(self) -> bool:
        return self.connected.is_set()

    def send(self, update: bytes) -> None:
        """Send one of the owner's own updates now if connected; offline, the resync on
        reconnecting carries it (the host's step 1 asks for what it lacks)."""
        if self._outbox is not None and self._answered_host:
            self._outbox.put_nowait(protocol.update(update))

    def send_text(self, text: str) -> None:
        """Send a presence frame now if connected, and again on every reconnection."""
        self._text = text
        if self._outbox is not None:
            self._outbox.put_nowait(text)

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
                self._went_offline()
                self._tell(REFUSED)
                raise
            except (TimeoutError, OSError, WebSocketException) as exc:
                self.say(f"offline ({type(exc).__name__}); your edits will be merged")
            self._went_offline()
            if self.on_ended is not None:
                self.on_ended()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), delay * (0.5 + random.random()))
            delay = min(delay * 2, BACKOFF_MAX_S)

    def _went_offline(self) -> None:
        was_online = self.connected.is_set()
        self.connected.clear()
        self._outbox = None
        if was_online:
            self._tell(OFFLINE)

    def _tell(self, state: str) -> None:
        if self.on_state is not None:
            self.on_state(state)

    async def _session(self, stop: asyncio.Event) -> None:
        connection = await open_pinned(self.address, self.fingerprint, self._headers)
        async with connection:
            self._outbox = asyncio.Queue()
            self._answered_host = False
            self._outbox.put_nowait(protocol.step1(self.doc))
            if self._text is not None:
                self._outbox.put_nowait(self._text)
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

    async def _send_loop(self, connection: ClientConnection) -> None:
        assert self._outbox is not None
        outbox = self._outbox
        while True:
            await connection.send(await outbox.get())

    async def _receive_loop(self, connection: ClientConnection) -> None:
        async for message in connection:
            if not isinstance(message, bytes):
                if self.on_text is not None:
                    self.on_text(message)
                continue
            parsed = protocol.parse(message)
            if parsed is None or self._outbox is None:
                continue
            if parsed.kind == YSyncMessageType.SYNC_STEP1:
                # What the host lacks: our offline edits, or anything a lost message dropped.
                self._outbox.put_nowait(protocol.step2(self.doc, parsed.payload))
                self._answered_host = True
            else:
                if parsed.payload != protocol.EMPTY_UPDATE:
                    self.receive(parsed.payload)
                if parsed.kind == YSyncMessageType.SYNC_STEP2 and not self.connected.is_set():
                    # Joined: the host's answer to our first step 1 has been taken in.
                    self.connected.set()
                    self.say("connected")
                    self._tell(CONNECTED)

    async def _resync_loop(self) -> None:
        while True:
            await asyncio.sleep(RESYNC_S)
            if self._outbox is not None:
                self._outbox.put_nowait(protocol.step1(self.doc))
