"""The Live session panel's lines for who is connected: name, role, the map they are on, and
their presence colour for the swatch."""

from __future__ import annotations

import contextlib
from typing import Any

from ipsmap.model.errors import IpsmapError


def people_rows(host: Any) -> list[tuple[str, str | None]]:
    """One (line, colour) per connected device, by name: "Rowan — editor — on 'Housing'"."""
    rows = []
    for peer in host.peers:
        presence = host.presence.presence_of(peer)
        name = presence.name if presence is not None else peer.name
        line = f"{name} — {peer.role}"
        if presence is not None and presence.map_id is not None:
            with contextlib.suppress(IpsmapError):  # a map deleted since: no id shown instead
                line += f" — on '{host.project.map_info(presence.map_id).name}'"
        rows.append((line, presence.colour if presence is not None else None))
    return sorted(rows, key=lambda row: row[0].casefold())
