"""The lobby: who am I? A joining laptop's first, short visit to the host.

A laptop does not know the participant list before it joins. It opens ``/lobby`` on the
host's server (same TLS, same port, certificate pinned), authenticated like any device but
as the participant ``"lobby"`` (editor or viewer code; a wrong one is refused after the
same delay). The host sends one JSON text message: the session's title, the participants
as the window offers them (id, pseudonym, which is already a numbered group alias for
someone who did not consent to be credited, and group: never notes, consent or anything
withheld), the groups and the sites in use, and whether this code may add someone. An
editor may then send ``{"add": {"pseudonym", "group", "site", "consent"}}`` once: the host
adds the person through the model's own command (``AddParticipant``: no consent → a
numbered group alias), credited to the facilitator, and answers ``{"added": id}``; anything
else is answered ``{"error": "one line"}``. The laptop then joins the session as that id
(a viewer code may also join as ``"viewer"``: someone just watching, on no list).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed, WebSocketException

from ipsmap.model.author import Author
from ipsmap.model.entities import GROUP_LABELS, STAKEHOLDER_GROUPS
from ipsmap.model.errors import CommandError, IpsmapError
from ipsmap.model.privacy import listed_name
from ipsmap.model.project_commands import AddParticipant
from ipsmap.model.text_checks import checked_text

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection

    from ipsmap.model.project import Project

LOBBY_PATH = "/lobby"
LOBBY_PARTICIPANT = "lobby"
# Who a viewer code may join as without being on the list (just watching).
VIEWER_PARTICIPANT = "viewer"
# What a visit may send: a few short messages, one of them an add.
MAX_MESSAGE_CHARS = 2000
MAX_MESSAGES = 4
VISIT_S = 300.0  # a lobby left open longer is closed (someone walked away from the dialog)
PSEUDONYM_MAX = 60
SITE_MAX = 80
# What a laptop accepts from a host's welcome (a pinned host, but input all the same).
MAX_LISTED = 2000
MAX_TEXT = 200
ADD_FIELDS = frozenset({"pseudonym", "group", "site", "consent"})


class LobbyError(Exception):
    """One line saying why the lobby refused or could not be read."""


# -- the host's side ---------------------------------------------------------------------


def welcome(project: Project, role: str) -> dict[str, Any]:
    """The one message a visitor gets: who is on the list, in public names only."""
    people = sorted(project.participants.values(), key=lambda p: p.pseudonym.casefold())
    return {
        "title": project.title,
        "participants": [
            {"id": p.id, "name": listed_name(p), "group": p.stakeholder_group} for p in people
        ],
        "groups": [{"id": g, "label": GROUP_LABELS.get(g, g)} for g in STAKEHOLDER_GROUPS],
        "sites": sorted({p.site for p in people if p.site}),
        "can_add": role == "editor",
    }


def answer(
    project: Project, message: Any, role: str, added_already: bool, session_id: str | None
) -> tuple[dict[str, Any], str | None]:
    """The reply to one message from a visitor, and the id of anyone it added."""
    try:
        fields = _add_request(message)
        if role != "editor":
            raise LobbyError("a viewer code cannot add anyone: join as someone on the list")
        if added_already:
            raise LobbyError("one person can be added per visit")
        pseudonym = _text(fields.get("pseudonym"), "pseudonym", PSEUDONYM_MAX, required=True)
        group = fields.get("group", "other")
        if group not in STAKEHOLDER_GROUPS:
            raise LobbyError(f"group must be one of {', '.join(STAKEHOLDER_GROUPS)}")
        site = _text(fields.get("site", ""), "site", SITE_MAX)
        consent = fields.get("consent", False)
        if not isinstance(consent, bool):
            raise LobbyError("consent must be true or false")
        taken = {p.pseudonym.casefold() for p in project.participants.values()}
        if consent and pseudonym.casefold() in taken:
            raise LobbyError(f"someone is already called {pseudonym!r}: pick another pseudonym")
        command = AddParticipant(pseudonym, group, site, consent)
        # The facilitator lets people in: the add is theirs in the audit log.
        author = Author(project.facilitator_id, project.device_id, session_id)
        project.execute(command, author=author)
    except LobbyError as exc:
        return {"error": str(exc)}, None
    except IpsmapError as exc:
        return {"error": f"could not add them: {exc}"}, None
    return {"added": command.id}, command.id


def _add_request(message: Any) -> dict[str, Any]:
    if not isinstance(message, str):
        raise LobbyError("the lobby takes text messages only")
    if len(message) > MAX_MESSAGE_CHARS:
        raise LobbyError("that message is too long")
    try:
        parsed = json.loads(message)
    except ValueError:
        raise LobbyError("that message is not JSON") from None
    if (
        not isinstance(parsed, dict)
        or set(parsed) != {"add"}
        or not isinstance(parsed["add"], dict)
    ):
        raise LobbyError('the lobby understands only {"add": {...}}')
    fields = parsed["add"]
    unknown = set(fields) - ADD_FIELDS
    if unknown:
        raise LobbyError(f"unknown field {sorted(unknown)[0]!r}")
    return fields


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    """A name typed in the lobby: the model's strict rule for names (text_checks.py)."""
    try:
        return checked_text(value, name, limit, required=required, strict=True)
    except CommandError as exc:
        raise LobbyError(str(exc)) from None


async def serve(
    project: Project,
    connection: ServerConnection,
    role: str,
    *,
    session_id: str | None,
    say: Any,
) -> None:
    """One visit: the welcome, then answers, until the visitor leaves (or stays too long)."""
    added = False
    with contextlib.suppress(ConnectionClosed, TimeoutError):
        async with asyncio.timeout(VISIT_S):
            await connection.send(json.dumps(welcome(project, role)))
            for _ in range(MAX_MESSAGES):
                message = await connection.recv()
                reply, person_id = answer(project, message, role, added, session_id)
                if person_id is not None:
                    added = True
                    name = project.participants[person_id].pseudonym
                    say(f"added to the list from a laptop: {name}")
                await connection.send(json.dumps(reply))
            await connection.close(reason="that is all the lobby answers")


# -- the laptop's side --------------------------------------------------------------------


@dataclass(frozen=True)
class LobbyPerson:
    id: str
    name: str
    group: str


@dataclass(frozen=True)
class Lobby:
    """What the host told a visiting laptop (checked: the host is input like any other)."""

    title: str
    people: list[LobbyPerson]
    groups: list[tuple[str, str]]  # (id, label)
    sites: list[str]
    can_add: bool


def read_welcome(message: Any) -> Lobby:
    try:
        data = json.loads(message) if isinstance(message, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise LobbyError("the host's lobby sent something unreadable")
    try:
        people = data["participants"]
        groups = data["groups"]
        sites = data["sites"]
        if not all(isinstance(x, list) and len(x) <= MAX_LISTED for x in (people, groups, sites)):
            raise TypeError
        return Lobby(
            title=_short(data["title"]),
            people=[
                LobbyPerson(_short(p["id"]), _short(p["name"]), _short(p["group"])) for p in people
            ],
            groups=[(_short(g["id"]), _short(g["label"])) for g in groups],
            sites=[_short(s) for s in sites],
            can_add=data["can_add"] is True,
        )
    except (KeyError, TypeError, ValueError):
        raise LobbyError("the host's lobby sent something unreadable") from None


def _short(value: Any) -> str:
    """Short text from the host, with any control character (a newline in a title, a
    bidi override) made a space: it ends up in a window title and in lists."""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in value)


async def visit(
    address: str,
    code: str,
    fingerprint: str,
    device: str,
    add: dict[str, Any] | None = None,
) -> tuple[Lobby, str | None]:
    """Visit the host's lobby: what it lists, and (``add``) the id of the person added.

    Raises JoinRefused (wrong code, another certificate), LobbyError (the host refused the
    add, or answered nonsense) or OSError (nobody answers)."""
    # Imported here: connection.py imports host.py, which routes to this module.
    from ipsmap.live.connection import auth_headers, open_pinned

    headers = auth_headers(code, fingerprint, LOBBY_PARTICIPANT, device)
    try:
        async with await open_pinned(address, fingerprint, headers, path=LOBBY_PATH) as ws:
            lobby = read_welcome(await ws.recv())
            if add is None:
                return lobby, None
            await ws.send(json.dumps({"add": add}))
            reply = json.loads(await ws.recv())
    except (ConnectionClosed, WebSocketException, ValueError) as exc:
        raise LobbyError(f"the host's lobby closed the connection ({type(exc).__name__})") from exc
    if isinstance(reply, dict) and isinstance(reply.get("added"), str):
        return lobby, _short(reply["added"])
    if isinstance(reply, dict) and isinstance(reply.get("error"), str):
        raise LobbyError(f"the host did not add them: {reply['error'][:MAX_TEXT]}")
    raise LobbyError("the host's lobby sent something unreadable")
