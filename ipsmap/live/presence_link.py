"""A laptop's end of presence (presence.py) over its connection: its own, sent (and sent
again on every reconnection), and everyone else's as the host stamped it; and the host's
notices (notices.py), the other text frame the host sends.

``LiveClient`` (headless) and a joined window's ``JoinedLaptop`` both keep one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ipsmap.live import notices, presence
from ipsmap.live.connection import LiveConnection


class PresenceLink:
    def __init__(self, connection: LiveConnection, say: Callable[[str], None]) -> None:
        self.connection = connection
        self.say = say
        # Everyone else's presence by connection key, and who hears of each change.
        self.others: dict[str, presence.Presence] = {}
        self.on_presence: Callable[[dict[str, presence.Presence]], None] | None = None
        # The host's notices (a link removed because its factor was deleted meanwhile).
        self.on_notice: Callable[[str], None] = lambda line: say(f"notice: {line}")
        connection.on_text = self._heard
        connection.on_ended = self._forget

    def set_presence(
        self, map_id: str | None, selected: Iterable[str] = (), editing: str | None = None
    ) -> None:
        """Tell the others which map this laptop shows, what is selected on it (the first
        ``presence.MAX_SELECTED`` ids) and which factor or link is being edited."""
        self.connection.send_text(presence.claim_message(map_id, selected, editing))

    def _heard(self, text: str) -> None:
        notice = notices.parse_notice(text)
        if notice is not None:
            self.on_notice(notice)
            return
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
        self._changed()

    def _forget(self) -> None:
        if self.others:  # the host hands everyone's presence over again on reconnecting
            self.others.clear()
            self._changed()

    def _changed(self) -> None:
        if self.on_presence is not None:
            self.on_presence(dict(self.others))
