"""The Live session panel's lines for who is connected: name, role, the map they are on, and
their presence colour for the swatch."""

from __future__ import annotations

import contextlib
from typing import Any

from ipsmap.model.errors import IpsmapError

MAP_NAME_SHOWN = 30  # characters of a map's name in the list


def shortened(name: str) -> str:
    return name if len(name) <= MAP_NAME_SHOWN else name[: MAP_NAME_SHOWN - 1].rstrip() + "…"


def people_rows(host: Any) -> list[tuple[str, str, str | None]]:
    """One (text, device, colour) per connected device, by name: "Rowan — editor", and
    "on 'Housing'" on a second line once they show a shared map (the panel is narrow: two
    short lines leave room for the Remove button)."""
    rows = []
    for peer in host.peers:
        presence = host.presence.presence_of(peer)
        name = presence.name if presence is not None else peer.name
        line = f"{name} — {peer.role}"
        if presence is not None and presence.map_id is not None:
            with contextlib.suppress(IpsmapError):  # a map deleted since: no id shown instead
                line += f"\non '{shortened(host.project.map_info(presence.map_id).name)}'"
        rows.append((line, peer.device, presence.colour if presence is not None else None))
    phones = host.phones.desk.listed() if getattr(host, "phones", None) is not None else []
    for phone in phones:  # the facilitator removes a phone here too (by its device id)
        line = f"{phone['name']} — phone\n{phone['group']} · {phone_presence_words(phone)}"
        rows.append((line, phone["device"], None))
    return sorted(rows, key=lambda row: row[0].casefold())


def phone_presence_words(phone: dict[str, Any]) -> str:
    """Whether a phone is here now, in words (not a colour): "here", or "left, last seen
    2 min ago" (its page asked nothing for a while: asleep, closed, out of the room)."""
    if phone.get("here"):
        return "here"
    ago = phone.get("seen_s_ago")
    if ago is None:
        return "left, not seen since the session resumed"
    minutes = int(ago // 60)
    if minutes < 1:
        return "left, last seen less than a minute ago"
    if minutes < 60:
        return f"left, last seen {minutes} min ago"
    return f"left, last seen {minutes // 60} h {minutes % 60:02d} min ago"
