"""What phones may do in one session, as the facilitator switched it (issue 15 item 2).

Five switches: phones may **see** the map, **suggest** factors and links, **mark** factors
and vote, **comment**, and have their ideas **place**d straight onto the map (instead of
waiting in the window's Ideas list). All on but ``place`` unless the facilitator says
otherwise. The host enforces them (``PhoneDesk.allows``); the page hides what is off and
says so, in the sentences ``off_line`` makes. No Qt, no HTTP: the window, ``ipsmap host``
and the kept session all read and write them through this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

# The switches in the order the window and the command line list them.
KINDS = ("see", "suggest", "mark", "comment", "place")
# What a facilitator reads beside each checkbox.
LABELS = {
    "see": "See the map",
    "suggest": "Suggest factors and links",
    "mark": "Mark factors and vote",
    "comment": "Comment on factors and links",
    "place": "Put phones' ideas straight onto the map",
}
# What a phone is told is turned off: "The facilitator has turned off <this> for now."
OFF_WORDS = {
    "see": "seeing the map",
    "suggest": "sending ideas",
    "mark": "marking and voting",
    "comment": "commenting",
}


class SwitchesError(ValueError):
    """Switches that cannot be read (the message is one line)."""


@dataclass
class PhoneSwitches:
    """One session's switches; ``place`` only matters while ``suggest`` is on."""

    see: bool = True
    suggest: bool = True
    mark: bool = True
    comment: bool = True
    place: bool = False

    def allows(self, kind: str) -> bool:
        if kind not in KINDS:
            raise SwitchesError(f"no phone switch {kind!r}")
        return bool(getattr(self, kind))

    def set(self, kind: str, on: bool) -> None:
        if kind not in KINDS:
            raise SwitchesError(f"no phone switch {kind!r}")
        setattr(self, kind, bool(on))

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> PhoneSwitches:
        """From what a kept session holds: known names with booleans; missing ones take
        their default (a kept file from before a switch existed)."""
        if not isinstance(raw, Mapping):
            raise SwitchesError("the phone switches are not a table of names")
        unknown = set(raw) - set(KINDS)
        if unknown:
            raise SwitchesError(f"no phone switch {sorted(unknown)[0]!r}")
        if not all(isinstance(v, bool) for v in raw.values()):
            raise SwitchesError("a phone switch is not true or false")
        return cls(**{f.name: raw[f.name] for f in fields(cls) if f.name in raw})

    @classmethod
    def only(cls, kinds: Iterable[str]) -> PhoneSwitches:
        """These switches on, every other off."""
        chosen = set(kinds)
        unknown = chosen - set(KINDS)
        if unknown:
            raise SwitchesError(f"no phone switch {sorted(unknown)[0]!r}")
        return cls(**{kind: kind in chosen for kind in KINDS})


def parse_may(text: str) -> PhoneSwitches:
    """``ipsmap host --phones-may``: a comma-separated list of what phones may do
    ("see,suggest,mark"), or ``none``; what is not named is off."""
    words = [w.strip().lower() for w in text.split(",")]
    if words == ["none"]:
        return PhoneSwitches.only(())
    if not all(words):
        raise SwitchesError(f"give a comma-separated list of {', '.join(KINDS)}, or none")
    for word in words:
        if word not in KINDS:
            raise SwitchesError(
                f"no such thing as {word!r} (choose from {', '.join(KINDS)}, or none)"
            )
    return PhoneSwitches.only(words)


def off_message(kind: str) -> str:
    """The one line a phone is refused with when ``kind`` is switched off."""
    return f"The facilitator has turned off {OFF_WORDS[kind]} for now."


def off_line(switches: PhoneSwitches) -> str:
    """What the page says of the switches that are off ("" when everything is on)."""
    off = [OFF_WORDS[k] for k in KINDS if k in OFF_WORDS and not switches.allows(k)]
    if not off:
        return ""
    if len(off) == len(OFF_WORDS):
        return "The facilitator has turned off everything phones can do for now."
    if len(off) == 1:
        return f"The facilitator has turned off {off[0]} for now."
    return f"For now the facilitator has turned off: {'; '.join(off)}."


def on_line(switches: PhoneSwitches) -> str:
    """Where a phone's ideas go, in a sentence for the page."""
    if not switches.suggest:
        return ""
    if switches.place:
        return "Your ideas go straight onto the map."
    return "The facilitator puts ideas on the map."
