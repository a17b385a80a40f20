"""Phones in a live session (issue 15): who each phone is, and what it may ask of the host.

No HTTP here (phone_server.py serves it): this is what the page's requests do, so it can
be tested and reasoned about alone.

- **Access**: the phone page lives under ``/p/KEY/``, KEY derived from the session's join
  code and certificate (``phone_key``: an HMAC, so the URL the QR code holds never reveals
  the code a laptop needs, and a resumed session keeps the same address). Without the key
  nothing is served.
- **Joining**: a first name or nickname, a group and consent to be credited, added to the
  participant list through the lobby's own rule (``lobby.answer``: ``AddParticipant``, no
  consent → a numbered group alias, credited to the facilitator). The phone gets a random
  bearer token (a cookie, see phone_server.py) and a device id of its own; only a hash of
  the token is kept, in memory, so a phone that sleeps and wakes is the same participant
  for as long as this host runs.
- **Suggesting**: a factor (label ≤ 200, note ≤ 2,000 characters, no control characters)
  lands as an open idea (``AddIdea``) for one of the shared maps, credited to the phone's
  participant on the phone's device in the audit log; at most ``IDEAS_PER_MINUTE`` a phone.
- **Commenting**: a comment (≤ 1,000 characters) on a factor or link of a shared map,
  an open idea of kind "comment" (``comment``; placed, it becomes a line of the item's
  notes credited to its author: model/idea_comments.py), under the same idea limit.
- **Seeing the map**: the shared maps' factors and links, with notes and who added them by
  their public name only (``listed_name``: pseudonym or group alias).

Every answer is a JSON-able dict; a refusal is ``PhoneError`` with one line for the phone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsmap.live import lobby
from ipsmap.live.phone_switches import PhoneSwitches, off_line, off_message, on_line
from ipsmap.model.author import Author
from ipsmap.model.entities import (
    GROUP_LABELS,
    MARK_KIND_LABELS,
    STAKEHOLDER_GROUPS,
    new_id,
    now_iso,
)
from ipsmap.model.errors import IpsmapError
from ipsmap.model.idea_commands import LABEL_MAX, NOTE_MAX, AddIdea, PlaceIdea
from ipsmap.model.idea_comments import commented_item
from ipsmap.model.privacy import listed_name
from ipsmap.model.record_commands import DEFAULT_VOTES, VOTES_ATTRIBUTE, MarkSpec, SetMarks

if TYPE_CHECKING:
    from ipsmap.model.project import Project

# Groups a phone may choose (the facilitator is the one at the laptop).
PHONE_GROUPS = tuple(g for g in STAKEHOLDER_GROUPS if g != "facilitator")
NICKNAME_MAX = lobby.PSEUDONYM_MAX
IDEAS_PER_MINUTE = 10
MARKS_PER_MINUTE = 60  # a tap each: enough for a whole map, not for a script's flood
# What a phone may mark on a factor: the three flags and dot votes ("Collect marks…"'s own).
PHONE_MARKS = ("important", "controllable", "vulnerable", "votes")
# For the whole host: a room of 60 can scan the code in the same minute; a script cannot
# fill the list with names faster than that.
JOINS_PER_MINUTE = 60
MAX_PHONES = 200
MAP_FACTORS_MAX = 3000  # a phone is sent at most this many factors of one map
# A phone whose page asked anything this recently is "here" (the page polls every few
# seconds while it is open; a phone asleep or a page closed stops asking).
HERE_S = 30.0


class PhoneError(Exception):
    """A request a phone made that is refused; the message is one line for the phone."""

    def __init__(self, message: str, status: int = 400, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        # What the page acts on besides showing the line: "removed" (offer to join again as
        # someone new) or "off" (a switch turned off: fetch the switches again).
        self.reason = reason


def phone_key(code: str, fingerprint: str) -> str:
    """The key in the phone page's address: derived from the join code and certificate,
    from which the code cannot be worked back."""
    digest = hmac.new(code.encode(), f"phones:{fingerprint}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


@dataclass
class Phone:
    """One joined phone: the participant it is and its own device id."""

    participant: str
    device: str
    joined_at: str = ""
    # When its page last asked anything (the desk's clock; None: not since this host
    # started, e.g. a phone kept across a restart that has not come back yet).
    last_seen: float | None = None
    ideas_sent: deque[float] = field(default_factory=deque)
    marks_sent: deque[float] = field(default_factory=deque)


class RateLimit:
    """At most ``count`` events in any ``window_s`` seconds."""

    def __init__(
        self, count: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.count, self.window_s, self.clock = count, window_s, clock

    def allow(self, times: deque[float]) -> bool:
        now = self.clock()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if len(times) >= self.count:
            return False
        times.append(now)
        return True


# What ``map_view`` shows: a change to anything else leaves a polling phone's map as it is.
MAP_VIEW_TABLES = ("maps", "factors", "links", "participants")


class PhoneDesk:
    """What the host does for phones: join, who am I, suggest, read the shared maps."""

    def __init__(
        self,
        project: Project,
        shared_maps: Callable[[], list[str]],
        *,
        session_id: Callable[[], str | None],
        say: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project = project
        self.shared_maps = shared_maps
        self.session_id = session_id
        self.say = say
        self.phones: dict[str, Phone] = {}  # sha256 of the token -> phone
        self.removed: set[str] = set()  # token digests of phones the facilitator removed
        self.idea_limit = RateLimit(IDEAS_PER_MINUTE, clock=clock)
        self.mark_limit = RateLimit(MARKS_PER_MINUTE, clock=clock)
        self.join_limit = RateLimit(JOINS_PER_MINUTE, clock=clock)
        self.clock = clock
        self._joins: deque[float] = deque()
        # Bumped by every committed change: a phone polling the map with the version it has
        # is told "unchanged" without the map being read (30 phones every few seconds).
        self.version = 0
        # What phones may do this session, as the facilitator switched it (phone_switches.py).
        self.switches = PhoneSwitches()
        # Called when something a restarted host must keep changed (a phone joined or was
        # removed, a switch): the host saves its kept session then.
        self.on_kept_change: Callable[[], None] | None = None
        self._unsubscribe = project.subscribe(self._changed)

    def _changed(self, change: Any) -> None:
        # Only what the phone's map shows: marks, votes and ideas change every few seconds
        # in a busy room, and counting them made every poll fetch the whole map again.
        if any(change.touches(table) for table in MAP_VIEW_TABLES):
            self.version += 1

    def close(self) -> None:
        """Stop following the project (the host lets go of it)."""
        self._unsubscribe()

    # -- who is this phone? --------------------------------------------------------------

    def phone_for(self, token: str | None) -> Phone | None:
        """The phone holding ``token`` (None: not joined, or its participant is gone; a
        PhoneError if the facilitator removed it)."""
        if not token or len(token) > 200:
            return None
        digest = _digest(token)
        if digest in self.removed:
            raise PhoneError(
                "The facilitator removed this phone from the session.", 403, reason="removed"
            )
        phone = self.phones.get(digest)
        if phone is None or phone.participant not in self.project.participants:
            return None
        phone.last_seen = self.clock()
        return phone

    def listed(self) -> list[dict[str, str]]:
        """The joined phones, in the order they joined, for the facilitator's list: the
        device id (what ``remove`` takes) and the person's public name and group."""
        people = self.project.participants
        return [
            {
                "device": phone.device,
                "participant": phone.participant,
                "name": listed_name(people[phone.participant]),
                "group": GROUP_LABELS[people[phone.participant].stakeholder_group],
                "joined_at": phone.joined_at,
                **self.presence_of(phone),
            }
            for phone in self.phones.values()
            if phone.participant in people
        ]

    def remove(self, device: str) -> bool:
        """Refuse the phone with this device id from now on (its token stops working and
        says so); whether it was one of this session's phones. What it sent stays."""
        for digest, phone in list(self.phones.items()):
            if phone.device == device:
                del self.phones[digest]
                self.removed.add(digest)
                self._kept_changed()
                return True
        return False

    def welcome(self, phone: Phone | None) -> dict[str, Any]:
        """What the page needs to draw itself: the title, the groups, the shared maps and,
        for a joined phone, the name it is known by."""
        maps = [self.project.map_info(m) for m in self._maps()]
        me = None
        if phone is not None:
            person = self.project.participants[phone.participant]
            me = {"name": listed_name(person), "group": GROUP_LABELS[person.stakeholder_group]}
        return {
            "title": self.project.title,
            "groups": [{"id": g, "label": GROUP_LABELS[g]} for g in PHONE_GROUPS],
            "maps": [{"id": m.id, "name": m.name} for m in maps],
            "me": me,
            "limits": {"label": LABEL_MAX, "note": NOTE_MAX, "nickname": NICKNAME_MAX},
            # The flags as the projector reads them out ("Important: this matters a lot").
            "flags": [{"kind": k, "label": MARK_KIND_LABELS[k]} for k in PHONE_MARKS[:3]],
            **self.switches_view(),
        }

    def join(self, body: Any) -> tuple[str, dict[str, Any]]:
        """Add the person on this phone to the list; their new token and the welcome."""
        fields = _fields(body, {"nickname", "group", "consent"})
        group = fields.get("group")
        if group not in PHONE_GROUPS:
            raise PhoneError("Choose the group you are part of.")
        if not isinstance(fields.get("consent"), bool):
            raise PhoneError("Say whether your name may be shown.")
        if len(self.phones) >= MAX_PHONES:
            raise PhoneError("This session is full: ask the facilitator.", 403)
        if not self.join_limit.allow(self._joins):
            raise PhoneError("Many people are joining at once: try again in a minute.", 429)
        request = {
            "pseudonym": fields.get("nickname"),
            "group": group,
            "consent": fields["consent"],
        }
        reply, person_id = lobby.answer(
            self.project, json.dumps({"add": request}), "editor", False, self.session_id()
        )
        if person_id is None:
            raise PhoneError(_plain(reply.get("error", "could not join")))
        token = secrets.token_urlsafe(32)
        phone = Phone(person_id, new_id(), now_iso(), last_seen=self.clock())
        self.phones[_digest(token)] = phone
        self._kept_changed()
        name = listed_name(self.project.participants[person_id])
        self.say(f"joined from a phone: {name} (device {phone.device[:8]})")
        return token, self.welcome(phone)

    # -- what a joined phone may do ------------------------------------------------------

    def suggest(self, phone: Phone, body: Any) -> dict[str, Any]:
        """An idea for a shared map from this phone's participant (see AddIdea): a factor
        (``label``, ``note``) or, with ``"kind": "link"``, a link (``source``, ``target``,
        ``polarity`` "+", "-" or "?", ``why``)."""
        self.allows("suggest")
        fields = _fields(
            body, {"map", "kind", "label", "note", "source", "target", "polarity", "why"}
        )
        map_id = self._shared_map(fields.get("map"))
        kind = fields.get("kind", "factor")
        texts = {k: fields.get(k, "") for k in ("label", "note", "why")}
        ends = {k: fields.get(k) for k in ("source", "target")}
        if kind not in ("factor", "link"):
            raise PhoneError("An idea is a factor or a link.")
        if not all(isinstance(v, str) for v in texts.values()):
            raise PhoneError("The idea must be text.")
        if kind == "link" and not all(isinstance(v, str) for v in ends.values()):
            raise PhoneError("Choose the two factors the link joins.")
        self._take_idea_slot(phone, "ideas")
        if kind == "link":
            command = AddIdea(
                map_id,
                kind="link",
                label="",
                note=texts["note"],
                source=ends["source"],
                target=ends["target"],
                polarity=fields.get("polarity", "?"),
                why=texts["why"],
            )
        else:
            command = AddIdea(map_id, label=texts["label"], note=texts["note"])
        self._send_idea(phone, command, f"suggested a {kind}", "idea")
        return {"idea": command.id, "ideas": self.my_ideas(phone)}

    def _take_idea_slot(self, phone: Phone, sent: str) -> None:
        """Count one more idea or comment against the phone's limit (the two share it),
        or refuse it (429) naming what was ``sent``."""
        if not self.idea_limit.allow(phone.ideas_sent):
            raise PhoneError(
                f"You have sent {IDEAS_PER_MINUTE} {sent} in a minute: wait a little, "
                "then send the next.",
                429,
            )

    def _send_idea(self, phone: Phone, command: AddIdea, said: str, what: str) -> bool:
        """Keep a phone's idea or comment as an open idea credited to its participant on
        the phone's device, and place it at once when ideas go straight onto the map;
        whether it was placed. Refused by the model: a PhoneError, and not counted
        against the phone's limit."""
        author = Author(phone.participant, phone.device, self.session_id())
        try:
            self.project.execute(command, author=author)
        except IpsmapError as exc:
            phone.ideas_sent.pop()
            raise PhoneError(_plain(str(exc))) from None
        name = listed_name(self.project.participants[phone.participant])
        self.say(f"{what} from a phone: {name} {said}")
        if not self.straight_onto_map:
            return False
        try:
            self.project.execute(PlaceIdea(command.id), author=author)
        except IpsmapError as exc:  # e.g. its item was deleted meanwhile: it waits
            self.say(f"the {what} waits in the Ideas panel: {exc}")
            return False
        return True

    def my_ideas(self, phone: Phone) -> list[dict[str, Any]]:
        """This phone's participant's ideas, newest first (what the page lists)."""
        # The project keeps ideas in the order they were made; two sent within the same
        # millisecond have the same created_at, so the later-made one must still come first.
        made = [i for i in self.project.ideas.values() if i.created_by == phone.participant]
        mine = sorted(reversed(made), key=lambda i: i.created_at, reverse=True)
        labels = {}
        maps = {m.id for m in self.project.maps()}
        for map_id in {i.map_id for i in mine if i.kind == "link"} & maps:
            labels.update({f.id: f.label for f in self.project.document(map_id).factors.values()})

        def said(idea: Any) -> str:
            if idea.kind == "comment":
                return _comment_said(self.project, idea, maps)
            if idea.kind == "factor":
                return str(idea.label)
            way = {"+": "more", "-": "less"}.get(idea.polarity, "a change (not sure which way)")
            source = labels.get(idea.source, "a factor since removed")
            target = labels.get(idea.target, "a factor since removed")
            return f"{source} leads to {way} {target}"

        return [{"label": said(i), "note": i.note, "status": i.status} for i in mine[:50]]

    def comment(self, phone: Phone, body: Any) -> dict[str, Any]:
        """A comment from this phone's participant on a factor or link of a shared map
        (``map``, ``on`` "factor" or "link", ``item`` its id, ``text``): an open idea of
        kind "comment" for the facilitator to place (at once when ideas go straight onto
        the map), counted against the same limit as ideas."""
        self.allows("comment")
        fields = _fields(body, {"map", "on", "item", "text"})
        map_id = self._shared_map(fields.get("map"))
        on, item, text = fields.get("on"), fields.get("item"), fields.get("text")
        if on not in ("factor", "link"):
            raise PhoneError("A comment is about a factor or a link.")
        document = self.project.document(map_id)
        items = document.factors if on == "factor" else document.links
        # Only an item of this (shared) map: an id from a map phones do not see is unknown.
        if not isinstance(item, str) or item not in items:
            raise PhoneError(f"That {on} is not on the map any more: reload the map.", 404)
        if not isinstance(text, str):
            raise PhoneError("The comment must be text.")
        self._take_idea_slot(phone, "ideas and comments")
        command = AddIdea(map_id, kind="comment", about_kind=on, about=item, note=text)
        placed = self._send_idea(phone, command, f"on a {on}", "comment")
        return {"idea": command.id, "placed": placed, "ideas": self.my_ideas(phone)}

    def my_marks(self, phone: Phone, map_id: Any) -> dict[str, Any]:
        """This phone's participant's marks on a shared map (factor id → kind → value),
        with their vote budget there: the same records "Collect marks…" keeps."""
        map_id = self._shared_map(map_id)
        marks: dict[str, dict[str, float]] = {}
        used = 0.0
        for mark in self.project.marks_of(map_id):
            if mark.participant == phone.participant and mark.kind in PHONE_MARKS:
                marks.setdefault(mark.target, {})[mark.kind] = mark.value
                used += mark.value if mark.kind == "votes" else 0
        budget = self.project.map_info(map_id).attributes.get(VOTES_ATTRIBUTE, DEFAULT_VOTES)
        return {"map": map_id, "marks": marks, "votes_used": used, "votes_budget": budget}

    def mark(self, phone: Phone, body: Any) -> dict[str, Any]:
        """Set one of this phone's participant's marks on a factor (``SetMarks``, credited
        to them on the phone's device): a flag 1 or 0, or a number of votes."""
        self.allows("mark")
        fields = _fields(body, {"map", "factor", "kind", "value"})
        map_id = self._shared_map(fields.get("map"))
        kind, value, factor = fields.get("kind"), fields.get("value"), fields.get("factor")
        if kind not in PHONE_MARKS:
            raise PhoneError("A phone marks factors important, controllable, vulnerable or votes.")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise PhoneError("A mark is a whole number (0 takes it away).")
        if not isinstance(factor, str) or factor not in self.project.document(map_id).factors:
            raise PhoneError("That factor is not on the map any more: reload the map.", 404)
        if not self.mark_limit.allow(phone.marks_sent):
            raise PhoneError("That is a lot of marks in a minute: wait a little.", 429)
        command = SetMarks(map_id, [MarkSpec(phone.participant, factor, kind, value)])
        author = Author(phone.participant, phone.device, self.session_id())
        try:
            self.project.execute(command, author=author)
        except IpsmapError as exc:
            phone.marks_sent.pop()
            raise PhoneError(_votes_in_plain_words(str(exc))) from None
        return self.my_marks(phone, map_id)

    def map_view(self, map_id: Any, since: Any = None) -> dict[str, Any]:
        """A shared map as the phone draws it: public names only, nothing withheld.
        ``since``: the ``version`` the phone has; if nothing changed since, only that."""
        self.allows("see")
        map_id = self._shared_map(map_id)
        if since == str(self.version):
            return {"unchanged": True, "version": self.version}
        data = self.project.map_data(map_id)
        people = self.project.participants

        def who(person_id: str | None) -> str:
            person = people.get(person_id or "")
            return listed_name(person) if person is not None else ""

        factors = data.factors[:MAP_FACTORS_MAX]
        shown = {f.id for f in factors}
        return {
            "version": self.version,
            "map": {"id": map_id, "name": data.info.name},
            "factors": [
                {
                    "id": f.id,
                    "label": f.label,
                    "x": f.x,
                    "y": f.y,
                    "notes": f.notes,
                    "by": who(f.created_by),
                }
                for f in factors
            ],
            "links": [
                {
                    "id": link.id,
                    "from": link.source,
                    "to": link.target,
                    "polarity": link.polarity,
                    "why": link.rationale,
                    "notes": link.notes,  # where placed comments are (the window's Notes)
                    "by": who(link.created_by),
                }
                for link in data.links
                if link.source in shown and link.target in shown
            ],
        }

    # -- what phones may do (phone_switches.py) --------------------------------------------

    @property
    def straight_onto_map(self) -> bool:
        """The facilitator's switch: phones' ideas go straight onto the map (credited to
        who sent them) instead of waiting in the window's Ideas panel."""
        return self.switches.place

    @straight_onto_map.setter
    def straight_onto_map(self, on: bool) -> None:
        self.set_switch("place", on)

    def allows(self, kind: str) -> None:
        """Refuse (403, one line for the phone) what the facilitator turned off: "see",
        "suggest", "mark" or "comment"."""
        if not self.switches.allows(kind):
            raise PhoneError(off_message(kind), 403, reason="off")

    def set_switch(self, kind: str, on: bool) -> None:
        """Turn what phones may do on or off; phones learn it at their next poll."""
        if self.switches.allows(kind) == bool(on):
            return
        self.switches.set(kind, on)
        self.say(f"phones: {kind} turned {'on' if on else 'off'}")
        self._kept_changed()

    def switches_view(self) -> dict[str, Any]:
        """What the page needs to hide what is off and say so (the welcome has it too)."""
        return {
            "may": self.switches.as_dict(),
            "may_said": off_line(self.switches),
            "ideas_go": on_line(self.switches),
        }

    # -- who is here (presence) --------------------------------------------------------

    def presence_of(self, phone: Phone) -> dict[str, Any]:
        """Whether the phone's page asked anything within ``HERE_S`` seconds, and how long
        ago it last did (None: not since this host started)."""
        if phone.last_seen is None:
            return {"here": False, "seen_s_ago": None}
        ago = max(0.0, self.clock() - phone.last_seen)
        return {"here": ago <= HERE_S, "seen_s_ago": ago}

    def phones_here(self) -> int:
        """How many of the listed phones asked anything within ``HERE_S`` seconds."""
        people = self.project.participants
        return sum(
            1
            for phone in self.phones.values()
            if phone.participant in people and self.presence_of(phone)["here"]
        )

    # -- kept across a restart (kept_session.py) -----------------------------------------

    def kept_phones(self) -> dict[str, Any]:
        """What a restarted host needs so each phone carries on as the same participant:
        the tokens' sha256 digests (never the tokens), who each is, and the removed ones."""
        return {
            "phones": [
                {
                    "digest": digest,
                    "participant": phone.participant,
                    "device": phone.device,
                    "joined_at": phone.joined_at,
                }
                for digest, phone in self.phones.items()
            ],
            "removed": sorted(self.removed),
        }

    def restore(
        self, switches: PhoneSwitches, phones: list[dict[str, str]], removed: list[str]
    ) -> None:
        """Take back what ``kept_phones`` gave (checked by kept_session when read); a phone
        whose participant was deleted meanwhile is not restored."""
        self.switches = switches
        people = self.project.participants
        for kept in phones:
            if kept["participant"] in people:
                self.phones[kept["digest"]] = Phone(
                    kept["participant"], kept["device"], kept.get("joined_at", "")
                )
        self.removed |= set(removed)

    def _kept_changed(self) -> None:
        if self.on_kept_change is not None:
            self.on_kept_change()

    def _maps(self) -> list[str]:
        known = {m.id for m in self.project.maps()}
        return [m for m in self.shared_maps() if m in known]

    def _shared_map(self, map_id: Any) -> str:
        maps = self._maps()
        if map_id is None and maps:
            return maps[0]
        if not isinstance(map_id, str) or map_id not in maps:
            raise PhoneError("That map is not shared with phones.", 404)
        return map_id


def _comment_said(project: Project, idea: Any, maps: set[str]) -> str:
    """A comment as its author's phone lists it: "On 'Rent arrears': we owe two months"."""
    state = project.document(idea.map_id).state if idea.map_id in maps else None
    return f"On {commented_item(idea, state)}: {idea.note}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _fields(body: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PhoneError("The page sent something unreadable: reload it.")
    unknown = set(body) - allowed
    if unknown:
        raise PhoneError(f"Unknown field {sorted(unknown)[0]!r}.")
    return body


def _votes_in_plain_words(message: str) -> str:
    # SetMarks names the person ("Amira has only 5 votes..."): on their own phone, "you".
    if " has only " in message and " votes on this map" in message:
        budget = message.split(" has only ", 1)[1].split(" ", 1)[0]
        return f"You have used all your {budget} votes on this map: take one back first."
    return _plain(message)


def _plain(message: str) -> str:
    """A model or lobby message as a sentence for the phone."""
    # A phone's user typed a name, not a "pseudonym" (the lobby's word for it).
    message = message.strip().replace("pseudonym", "name")
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."
