"""The host's controls over who may be connected: remove a device, change the join code, and
the gate every handshake passes first (addresses refused for wrong codes, removed devices).

A mixin of ``LiveHost`` (host.py keeps the connections; this keeps the rules), so the server
itself stays about serving.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Response

from ipsmap.live.security import new_join_code, normalise_code
from ipsmap.live.throttle import WrongCodeThrottle

REMOVED_MESSAGE = "the host removed this device\n"
CLOSE_REMOVED = 4003  # a websocket close code of the application range: removed by the host


class HostControls:
    """Removal, code changes and the per-address throttle (needs ``peers``, ``code``,
    ``viewer_code`` and ``say`` from the host)."""

    code: str
    viewer_code: str | None
    peers: set[Any]
    say: Callable[[str], None]

    def _init_controls(
        self, throttle: WrongCodeThrottle | None, removed: set[str] | None = None
    ) -> None:
        self.throttle = throttle or WrongCodeThrottle()
        # Devices removed since the code last changed: refused at the handshake.
        self.removed_devices: set[str] = set(removed or ())
        self._connections: dict[Any, ServerConnection] = {}
        self._closing: set[asyncio.Future[None]] = set()

    # -- what the facilitator does -------------------------------------------------------

    def remove(self, device: str) -> list[str]:
        """Close ``device``'s connection and refuse it until the code changes; the names of
        the people it was connected as (none if it was not connected)."""
        self.removed_devices.add(device)
        names = []
        for peer, connection in list(self._connections.items()):
            if peer.device == device:
                names.append(peer.name)
                self._close(connection)
        who = names[0] if names else "a device"
        self.say(f"removed: {who} (device {device[:8]}) cannot join again with this code")
        return names

    def change_code(self) -> str:
        """A new join code (and viewer code, if there is one) for new joins; devices already
        connected stay, and removed devices may join again with the new code."""
        self.code = normalise_code(new_join_code())
        if self.viewer_code is not None:
            self.viewer_code = normalise_code(new_join_code())
        self.removed_devices.clear()
        self.say("the join code was changed: new joins need the new code")
        return self.code

    # -- the gate every handshake passes -------------------------------------------------

    def _refused_address(self, connection: ServerConnection) -> Response | None:
        """A 429 for an address refused after too many wrong codes (nothing else is read)."""
        address = _address_of(connection)
        if not self.throttle.refused(address):
            return None
        wait = self.throttle.seconds_left(address)
        return connection.respond(
            HTTPStatus.TOO_MANY_REQUESTS,
            f"too many wrong join codes from this address: try again in {wait} s\n",
        )

    def _wrong_code_from(self, connection: ServerConnection) -> None:
        address = _address_of(connection)
        if self.throttle.wrong_code(address):
            self.say(
                f"refusing {address} for {self.throttle.block_s:.0f} s: "
                f"{self.throttle.limit} wrong join codes within "
                f"{self.throttle.window_s:.0f} s"
            )

    def _refused_device(self, connection: ServerConnection, device: str) -> Response | None:
        if device not in self.removed_devices:
            return None
        self.say(f"refused: a removed device ({device[:8]})")
        return connection.respond(HTTPStatus.FORBIDDEN, REMOVED_MESSAGE)

    def _close(self, connection: ServerConnection) -> None:
        task = asyncio.ensure_future(connection.close(CLOSE_REMOVED, "removed by the host"))
        # Kept until done: the loop holds only weak references to its tasks.
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


def _address_of(connection: ServerConnection) -> str:
    remote = connection.remote_address
    return str(remote[0]) if remote else "unknown"
