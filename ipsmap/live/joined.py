"""A laptop joined to a live session through its mirror project (no Qt).

Puts together the mirror project's bridge (mirror.py) and a connection (connection.py):
the connection hands every update from the host to the bridge, the bridge hands every
local edit's update to the connection. The device id is the mirror project's own, so the
host's audit log and the mirror's agree on which laptop this is. The window drives one of
these on its qasync loop (ui/live/joining.py); tests drive it on a plain asyncio loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ipsmap.live.connection import CONNECTED, LiveConnection
from ipsmap.live.mirror import MirrorSession
from ipsmap.live.presence_link import PresenceLink
from ipsmap.model.errors import IpsmapError
from ipsmap.model.project import Project


class JoinedLaptop:
    def __init__(
        self,
        project: Project,
        *,
        address: str,
        code: str,
        fingerprint: str,
        participant: str,
        say: Callable[[str], None] = print,
        on_state: Callable[[str], None] | None = None,
        adopt_actor: Callable[[str], None] | None = None,
    ) -> None:
        self.project = project
        self.participant = participant
        self.say = say
        self._on_state = on_state
        # Editing as the person who joined, once the mirror knows them (the window passes
        # its hallway's set_actor, so its combos follow).
        self._adopt_actor = adopt_actor or project.set_actor
        self.mirror = MirrorSession(project)
        self.mirror.notices_heard = say
        self.connection = LiveConnection(
            address,
            code=code,
            fingerprint=fingerprint,
            participant=participant,
            device=project.device_id or "unknown-device",
            doc=self.mirror.shared.doc,
            receive=self._receive,
            say=say,
            on_state=self._state,
        )
        self.mirror.on_local_update = self.connection.send
        # Presence: this window's selection out, everyone else's in (presence_link.py).
        self.presence = PresenceLink(self.connection, say)
        # The host's notices reach whoever hears the mirror's (the window: its status bar).
        self.presence.on_notice = self._host_notice
        self.adopt_actor()

    def _host_notice(self, line: str) -> None:
        if self.mirror.notices_heard is not None:
            self.mirror.notices_heard(line)

    @property
    def online(self) -> bool:
        return self.connection.online

    async def run(self, stop: asyncio.Event) -> None:
        """Stay joined until ``stop`` is set (JoinRefused if the host refuses us)."""
        await self.connection.run(stop)

    def adopt_actor(self) -> None:
        """Edit as the person who joined, if the mirror holds them yet."""
        if (
            self.participant in self.project.participants
            and self.project.actor_id != self.participant
        ):
            self._adopt_actor(self.participant)

    def close(self) -> None:
        """Stop bridging (the connection ends when its ``stop`` is set); once is enough."""
        if self.mirror.on_local_update is None:
            return
        self.mirror.on_local_update = None
        self.mirror.close()

    def _receive(self, update: bytes) -> None:
        try:
            self.mirror.take_remote(update)
        except (ValueError, RuntimeError, IpsmapError) as exc:
            # A malformed update from the host must not end the connection loop.
            self.say(f"ignored an update from the host that could not be applied ({exc})")

    def _state(self, state: str) -> None:
        if state == CONNECTED:
            self.adopt_actor()
        if self._on_state is not None:
            self._on_state(state)
