"""Presence in a live session: which map each person looks at, what they have selected, and
which factor or link they are editing.

A device says only *what* it looks at (a small JSON text frame on the session's websocket:
the Yjs sync messages are binary frames, so peers that know nothing of presence ignore it).
The host says *who*: participant, public name, role and colour come from the connection the
device authenticated, never from the message. The host checks every claim (types, sizes,
that the map is shared and the ids are in it), relays it to the others, coalesces a device
that publishes faster than ``MIN_INTERVAL_S``, withdraws it when the device leaves, and
hands a device that joins late everyone's current presence.

Not the Yjs awareness protocol: its entries are keyed by client ids the sender chooses and
carry a free-form state, so the host would have to decode, check and re-encode every entry
to stamp identity, and a device could still publish entries for other client ids. A message
of our own that the host rebuilds from scratch has nothing in it to trust.

Wire format (JSON objects, UTF-8 text frames):
    device → host   {"type": "presence", "map": id|null, "selected": [ids], "editing": id|null}
    host → devices  {"type": "presence", "key": k, "participant": p, "name": n, "role": r,
                     "colour": "#rrggbb", "map": …, "selected": […], "editing": …}
    host → devices  {"type": "presence-gone", "key": k}
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ipsmap.model.errors import IpsmapError
from ipsmap.model.privacy import public_name

PRESENCE = "presence"
GONE = "presence-gone"
# The most ids one selection publishes (a rubber band over a whole map outlines the first).
MAX_SELECTED = 200
MAX_ID_CHARS = 64
MAX_NAME_CHARS = 120
# Far above 200 ids of 36 characters; anything bigger is refused before it is parsed.
MAX_TEXT = 20_000
# At most about 20 presence messages a second per device are relayed; faster ones are
# coalesced (the latest wins, sent when the interval is up).
MIN_INTERVAL_S = 0.05
HOST_KEY = "host"
# Distinct from each other for most colour vision (Okabe-Ito and Tol's bright colours), dark
# enough to read on white and light enough on black; the canvas draws them over a halo.
PALETTE = (
    "#0072b2",  # blue
    "#d55e00",  # vermilion
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#e69f00",  # orange
    "#56b4e9",  # sky blue
    "#aa3377",  # wine
    "#228833",  # green
)
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_COLOUR = re.compile(r"#[0-9a-f]{6}")


class PresenceError(ValueError):
    """A presence message that is not well formed (the reason, in one line)."""


@dataclass(frozen=True)
class Claim:
    """What a device says about itself: nothing here names anyone."""

    map_id: str | None
    selected: tuple[str, ...] = ()
    editing: str | None = None


@dataclass(frozen=True)
class Presence:
    """One person's presence as the host stamped it."""

    key: str  # one per connection (a person on two devices appears twice)
    participant: str
    name: str
    role: str  # "editor", "viewer" or "host"
    colour: str
    map_id: str | None
    selected: tuple[str, ...]
    editing: str | None

    def message(self) -> str:
        return json.dumps(
            {
                "type": PRESENCE,
                "key": self.key,
                "participant": self.participant,
                "name": self.name,
                "role": self.role,
                "colour": self.colour,
                "map": self.map_id,
                "selected": list(self.selected),
                "editing": self.editing,
            }
        )


# -- messages --------------------------------------------------------------------------------


def claim_message(
    map_id: str | None, selected: Iterable[str] = (), editing: str | None = None
) -> str:
    """A device's presence message (the selection cut to ``MAX_SELECTED`` ids)."""
    ids = list(dict.fromkeys(selected))[:MAX_SELECTED]
    return json.dumps({"type": PRESENCE, "map": map_id, "selected": ids, "editing": editing})


def gone_message(key: str) -> str:
    return json.dumps({"type": GONE, "key": key})


def _load(text: str) -> dict[str, Any]:
    if not isinstance(text, str):
        raise PresenceError("not text")
    if len(text) > MAX_TEXT:
        raise PresenceError(f"{len(text)} characters (at most {MAX_TEXT})")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PresenceError("not JSON") from exc
    if not isinstance(value, dict):
        raise PresenceError("not a JSON object")
    return value


def _an_id(value: Any, what: str, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise PresenceError(f"{what} is not an id")
    return value


def _ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PresenceError("selected is not a list")
    if len(value) > MAX_SELECTED:
        raise PresenceError(f"{len(value)} ids selected (at most {MAX_SELECTED})")
    return tuple(dict.fromkeys(_an_id(one, "a selected item", optional=False) for one in value))  # type: ignore[misc]


def parse_claim(text: str) -> Claim:
    """A device's message read strictly; anything else it carries (a name, a colour) is
    ignored: the host knows who sent it."""
    value = _load(text)
    if value.get("type") != PRESENCE:
        raise PresenceError("not a presence message")
    map_id = _an_id(value.get("map"), "the map")
    selected = _ids(value.get("selected", []))
    editing = _an_id(value.get("editing"), "the item edited")
    if map_id is None and (selected or editing):
        raise PresenceError("a selection without a map")
    return Claim(map_id, selected, editing)


def parse_from_host(text: str) -> Presence | str:
    """A message the host relayed: someone's presence, or the key of one withdrawn.
    Checked as strictly as a device's (a joined laptop trusts sizes to nobody)."""
    value = _load(text)
    kind = value.get("type")
    if kind == GONE:
        return _an_id(value.get("key"), "the key", optional=False)  # type: ignore[return-value]
    if kind != PRESENCE:
        raise PresenceError("not a presence message")
    name, role, colour = value.get("name"), value.get("role"), value.get("colour")
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
        raise PresenceError("the name is not text")
    if role not in ("editor", "viewer", "host"):
        raise PresenceError("the role is not known")
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
        raise PresenceError("the colour is not #rrggbb")
    participant = value.get("participant")
    if participant != "":
        participant = _an_id(participant, "the participant", optional=False)
    claim = parse_claim(
        json.dumps({k: value.get(k) for k in ("type", "map", "selected", "editing")})
    )
    return Presence(
        _an_id(value.get("key"), "the key", optional=False),  # type: ignore[arg-type]
        participant,  # type: ignore[arg-type]
        name,
        role,
        colour,
        claim.map_id,
        claim.selected,
        claim.editing,
    )


# -- the host's side ------------------------------------------------------------------------


@dataclass
class _Slot:
    """One connection's presence at the host, with its rate limit."""

    identity: Presence  # who (map and selection empty until they say)
    current: Presence | None = None  # the last relayed
    pending: Presence | None = None  # newer, waiting for the interval
    last_sent: float = float("-inf")
    timer: asyncio.TimerHandle | None = None
    warned: bool = False


class PresenceHub:
    """The host's record of everyone's presence, and the relay.

    ``ids_in(map_id)`` gives the ids of a shared map's factors and links (None: not shared);
    ``broadcast(message, but)`` sends to every connection but one; ``say`` a line for the
    host's log. ``on_change(others)`` tells the host window of everyone's presence but its
    own. Connections are any hashable object the host uses for a device (its Peer).
    """

    def __init__(
        self,
        people: Callable[[], dict[str, Any]],
        ids_in: Callable[[str], Container[str] | None],
        broadcast: Callable[[str, object | None], None],
        say: Callable[[str], None],
    ) -> None:
        self._people = people
        self._ids_in = ids_in
        self._broadcast = broadcast
        self._say = say
        self._slots: dict[object, _Slot] = {}
        self._colours: dict[str, str] = {}  # participant → colour, kept for the session
        self._keys = itertools.count(1)
        self.on_change: Callable[[dict[str, Presence]], None] | None = None

    # -- who -----------------------------------------------------------------------------

    def colour_for(self, participant: str) -> str:
        """The participant's colour for this session: the first in the palette that nobody
        here has, kept if they leave and come back."""
        if participant not in self._colours:
            here = {slot.identity.colour for slot in self._slots.values()}
            kept = set(self._colours.values())
            self._colours[participant] = (
                next((c for c in PALETTE if c not in kept and c not in here), None)
                or next((c for c in PALETTE if c not in here), None)
                or PALETTE[len(self._colours) % len(PALETTE)]
            )
        return self._colours[participant]

    def _name_of(self, participant: str, fallback: str) -> str:
        person = self._people().get(participant)
        return public_name(person) if person is not None else fallback

    def join(
        self, connection: object, participant: str, role: str, fallback_name: str
    ) -> list[str]:
        """A device is connected: remember who it is; the messages it must be sent at once
        (everyone's current presence)."""
        identity = Presence(
            HOST_KEY if connection is HOST_KEY else f"d{next(self._keys)}",
            participant,
            self._name_of(participant, fallback_name)[:MAX_NAME_CHARS] or "someone",
            role,
            self.colour_for(participant),
            None,
            (),
            None,
        )
        self._slots[connection] = _Slot(identity)
        return [s.current.message() for s in self._slots.values() if s.current is not None]

    def leave(self, connection: object) -> None:
        """A device left or was removed: its presence is withdrawn for everyone."""
        slot = self._slots.pop(connection, None)
        if slot is None:
            return
        if slot.timer is not None:
            slot.timer.cancel()
        if slot.current is not None:
            self._broadcast(gone_message(slot.identity.key), connection)
            self._changed()

    def close(self) -> None:
        for slot in self._slots.values():
            if slot.timer is not None:
                slot.timer.cancel()
        self._slots.clear()

    # -- what they look at ------------------------------------------------------------------

    def receive(self, connection: object, text: str) -> None:
        """A device's presence message: checked, stamped, relayed (or coalesced)."""
        slot = self._slots.get(connection)
        if slot is None:
            return
        try:
            claim = parse_claim(text)
        except PresenceError as exc:
            if not slot.warned:  # one line per device, not one per message of a flood
                slot.warned = True
                self._say(f"ignored: presence from {slot.identity.name} that is not valid ({exc})")
            return
        self._publish(connection, slot, claim)

    def publish_own(
        self,
        participant: str,
        map_id: str | None,
        selected: Sequence[str] = (),
        editing: str | None = None,
    ) -> None:
        """The host window's own presence (as whoever edits there)."""
        slot = self._slots.get(HOST_KEY)
        if slot is None or slot.identity.participant != participant:
            self.leave(HOST_KEY)
            self.join(HOST_KEY, participant, "host", "Facilitator")
            slot = self._slots[HOST_KEY]
        ids = list(dict.fromkeys(selected))[:MAX_SELECTED]
        self._publish(HOST_KEY, slot, Claim(map_id, tuple(ids), editing))

    def _publish(self, connection: object, slot: _Slot, claim: Claim) -> None:
        stamped = replace(slot.identity, **self._checked(claim, slot.identity.role))
        if stamped == (slot.pending or slot.current):
            return
        now = _now()
        wait = slot.last_sent + MIN_INTERVAL_S - now
        if wait <= 0 and slot.timer is None:
            self._send(connection, slot, stamped, now)
            return
        slot.pending = stamped
        if slot.timer is None:
            slot.timer = _later(max(wait, 0.0), lambda: self._flush(connection))

    def _checked(self, claim: Claim, role: str) -> dict[str, Any]:
        """The claim with what is not in a shared map left out (a race with a deletion, or
        a device making things up)."""
        known = self._ids_in(claim.map_id) if claim.map_id is not None else None
        if known is None:
            return {"map_id": None, "selected": (), "editing": None}
        editing = claim.editing if claim.editing in known and role != "viewer" else None
        return {
            "map_id": claim.map_id,
            "selected": tuple(one for one in claim.selected if one in known),
            "editing": editing,
        }

    def _flush(self, connection: object) -> None:
        slot = self._slots.get(connection)
        if slot is None:
            return
        slot.timer = None
        if slot.pending is not None:
            stamped, slot.pending = slot.pending, None
            self._send(connection, slot, stamped, _now())

    def _send(self, connection: object, slot: _Slot, stamped: Presence, now: float) -> None:
        slot.current, slot.last_sent = stamped, now
        self._broadcast(stamped.message(), connection)
        self._changed()

    def presence_of(self, connection: object) -> Presence | None:
        """A connection's presence as last relayed (or just who it is, before it said)."""
        slot = self._slots.get(connection)
        if slot is None:
            return None
        return slot.current or slot.identity

    def everyone(self) -> dict[str, Presence]:
        return {s.identity.key: s.current for s in self._slots.values() if s.current is not None}

    def others(self) -> dict[str, Presence]:
        """Everyone's presence but the host window's own."""
        return {key: p for key, p in self.everyone().items() if key != HOST_KEY}

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.others())


class _Records:
    """The ids of one map's factors and links (the project's copy: the one record)."""

    def __init__(self, factors: Container[str], links: Container[str]) -> None:
        self._factors, self._links = factors, links

    def __contains__(self, one: object) -> bool:
        return one in self._factors or one in self._links


def ids_in_session(session: Any) -> Callable[[str], Container[str] | None]:
    """``ids_in`` for a hub: a map's ids if the host session shares it, else None."""

    def ids_in(map_id: str) -> Container[str] | None:
        if map_id not in session.map_ids:
            return None
        try:
            document = session.project.document(map_id)
        except IpsmapError:  # the map went from the project meanwhile: nothing to point at
            return None
        return _Records(document.factors, document.links)

    return ids_in


def _now() -> float:
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return 0.0  # no loop: _later then sends at once, nothing is held back


def _later(delay: float, then: Callable[[], None]) -> asyncio.TimerHandle | None:
    try:
        return asyncio.get_running_loop().call_later(delay, then)
    except RuntimeError:
        then()
        return None
