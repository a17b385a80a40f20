"""The lobby (who am I?) over real TLS on loopback: the list in public names only, adding a
person with and without consent, hostile input refused in one line, wrong codes refused,
viewers cannot add; then the person added joins the session under that id."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from ipsmap.live import lobby
from ipsmap.live.client import LiveClient
from ipsmap.live.connection import JoinRefused, auth_headers, open_pinned
from ipsmap.live.host import REFUSAL_DELAY_S, LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.model.entities import Participant
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

pytestmark = pytest.mark.timeout(60)

CODE, VIEWER_CODE = "KXMR-4PTA", "CDEF-GHJK"
DEVICE = "3f0c9a1e-laptop"


@pytest.fixture
def hosted(tmp_path):
    """A project with Rowan (credited) and a parent who did not consent, hosted on loopback
    in a fresh loop: ``run(scenario)`` runs ``scenario(host)`` with the host started."""
    project = Project.create(tmp_path / "p.ipsmap", "Family support, Glasgow")
    add_map = AddMap("Live", "system")
    project.execute(add_map)
    project.execute(AddParticipant("Rowan", "practitioner", "Glasgow", notes="secret note"))
    project.execute(AddParticipant("Ann Real-Name", "parent", "Fife", consent=False))
    said: list[str] = []

    def run(scenario):
        async def main():
            host = LiveHost(
                project,
                [add_map.id],
                certificate=make_certificate("127.0.0.1"),
                code=CODE,
                viewer_code=VIEWER_CODE,
                say=said.append,
            )
            await host.start()
            try:
                return await scenario(host)
            finally:
                await host.stop()

        return asyncio.run(main())

    run.project = project  # type: ignore[attr-defined]
    run.said = said  # type: ignore[attr-defined]
    run.map_id = add_map.id  # type: ignore[attr-defined]
    yield run
    project.close()


def test_the_lobby_lists_public_names_groups_and_sites_only(hosted):
    async def scenario(host):
        return await lobby.visit(host.address, CODE, host.fingerprint, DEVICE)

    listed, added = hosted(scenario)
    assert added is None
    assert listed.title == "Family support, Glasgow"
    names = {p.name: p.group for p in listed.people}
    assert names == {"Facilitator": "facilitator", "Parent/carer 1": "parent",
                     "Rowan": "practitioner"}  # fmt: skip
    assert listed.sites == ["Fife", "Glasgow"]
    assert ("parent", "Parent/carer") in listed.groups
    assert listed.can_add is True
    project = hosted.project
    assert {p.id for p in listed.people} == set(project.participants)


def test_the_raw_welcome_holds_no_notes_consent_or_real_names(hosted):
    # A name kept from before aliases existed, consent since withdrawn (an old file).
    old = Participant("old", "Mhairi Old-Name", "parent", consent=False)
    hosted.project.participants[old.id] = old  # as an old file would load it

    async def scenario(host):
        headers = auth_headers(CODE, host.fingerprint, lobby.LOBBY_PARTICIPANT, DEVICE)
        async with await open_pinned(
            host.address, host.fingerprint, headers, path=lobby.LOBBY_PATH
        ) as ws:
            return await ws.recv()

    raw = hosted(scenario)
    assert "secret note" not in raw and "Ann" not in raw and "consent" not in raw
    assert "Mhairi" not in raw
    listed = json.loads(raw)["participants"]
    assert {"id": "old", "name": "Parent/carer", "group": "parent"} in listed


def test_adding_with_consent_keeps_the_pseudonym_and_the_person_can_join(hosted, tmp_path):
    async def scenario(host):
        _listed, person = await lobby.visit(
            host.address, CODE, host.fingerprint, DEVICE,
            add={"pseudonym": "  Morag ", "group": "community member", "site": "Glasgow",
                 "consent": True},
        )  # fmt: skip
        # The new person joins the session under that id.
        client = LiveClient(
            host.address, code=CODE, fingerprint=host.fingerprint, participant=person,
            workdir=tmp_path / "laptop", say=lambda _l: None,
        )  # fmt: skip
        stop = asyncio.Event()
        running = asyncio.create_task(client.run(stop))
        await asyncio.wait_for(client.connected.wait(), 10)
        names = [p.name for p in host.peers]
        stop.set()
        await running
        client.close()
        return person, names

    person, names = hosted(scenario)
    project = hosted.project
    added = project.participants[person]
    assert (added.pseudonym, added.stakeholder_group, added.site, added.consent) == (
        "Morag", "community member", "Glasgow", True,
    )  # fmt: skip
    assert names == ["Morag"]
    event = project.history()[-1]
    assert event.command == "Add participant" and event.actor == project.facilitator_id
    assert any("added to the list from a laptop: Morag" in line for line in hosted.said)


def test_adding_without_consent_stores_a_numbered_group_alias(hosted):
    async def scenario(host):
        return await lobby.visit(
            host.address, CODE, host.fingerprint, DEVICE,
            add={"pseudonym": "Jo Bloggs", "group": "parent", "site": "", "consent": False},
        )  # fmt: skip

    _, person = hosted(scenario)
    added = hosted.project.participants[person]
    assert (added.pseudonym, added.consent) == ("Parent/carer 2", False)
    assert "Jo Bloggs" not in json.dumps([p.to_row() for p in hosted.project.participants.values()])


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("not json", "that message is not JSON"),
        ('{"add": {"pseudonym": ""}}', "pseudonym cannot be blank"),
        ('{"add": {"pseudonym": 7}}', "pseudonym must be text"),
        ('{"add": {"pseudonym": "' + "x" * 61 + '"}}', "longer than 60"),
        ('{"add": {"pseudonym": "a\\u0000b"}}', "control characters"),
        ('{"add": {"pseudonym": "Kim", "group": "boss"}}', "group must be one of"),
        ('{"add": {"pseudonym": "Kim", "consent": "yes"}}', "consent must be true or false"),
        ('{"add": {"pseudonym": "Kim", "real_name": "Kim X"}}', "unknown field 'real_name'"),
        ('{"add": {"pseudonym": "rowan", "consent": true}}', "already called"),
        ('{"remove": "everyone"}', "understands only"),
        ("[" * 3000, "too long"),
    ],
)
def test_hostile_input_is_refused_in_one_line_and_adds_nobody(hosted, message, error):
    async def scenario(host):
        headers = auth_headers(CODE, host.fingerprint, lobby.LOBBY_PARTICIPANT, DEVICE)
        async with await open_pinned(
            host.address, host.fingerprint, headers, path=lobby.LOBBY_PATH
        ) as ws:
            await ws.recv()
            await ws.send(message)
            return json.loads(await ws.recv())

    before = set(hosted.project.participants)
    reply = hosted(scenario)
    assert set(reply) == {"error"} and error in reply["error"] and "\n" not in reply["error"]
    assert set(hosted.project.participants) == before


def test_one_add_per_visit_and_a_binary_message_is_refused(hosted):
    async def scenario(host):
        headers = auth_headers(CODE, host.fingerprint, lobby.LOBBY_PARTICIPANT, DEVICE)
        async with await open_pinned(
            host.address, host.fingerprint, headers, path=lobby.LOBBY_PATH
        ) as ws:
            await ws.recv()
            replies = []
            for message in (
                json.dumps({"add": {"pseudonym": "Kim", "group": "parent", "consent": True}}),
                json.dumps({"add": {"pseudonym": "Lee", "group": "parent", "consent": True}}),
                b"\x00\x01",
            ):
                await ws.send(message)
                replies.append(json.loads(await ws.recv()))
            return replies

    added, second, binary = hosted(scenario)
    assert "added" in added
    assert second == {"error": "one person can be added per visit"}
    assert binary == {"error": "the lobby takes text messages only"}
    names = {p.pseudonym for p in hosted.project.participants.values()}
    assert "Kim" in names and "Lee" not in names


def test_a_viewer_code_lists_but_cannot_add(hosted):
    async def scenario(host):
        listed, _ = await lobby.visit(host.address, VIEWER_CODE, host.fingerprint, DEVICE)
        with pytest.raises(lobby.LobbyError, match="a viewer code cannot add anyone"):
            await lobby.visit(
                host.address, VIEWER_CODE, host.fingerprint, DEVICE,
                add={"pseudonym": "Kim", "group": "parent", "consent": True},
            )  # fmt: skip
        return listed

    listed = hosted(scenario)
    assert listed.can_add is False and len(listed.people) == 3


def test_a_wrong_code_is_refused_after_the_delay_and_another_certificate_too(hosted):
    async def scenario(host):
        started = time.monotonic()
        with pytest.raises(JoinRefused, match="wrong join code"):
            await lobby.visit(host.address, "AAAA-AAAA", host.fingerprint, DEVICE)
        waited = time.monotonic() - started
        with pytest.raises(JoinRefused, match="certificate is not the one"):
            await lobby.visit(host.address, CODE, "ab" * 32, DEVICE)
        return waited

    assert hosted(scenario) >= REFUSAL_DELAY_S
    assert any("wrong join code" in line for line in hosted.said)


def test_the_sync_path_does_not_take_a_lobby_token_as_a_person(hosted, tmp_path):
    async def scenario(host):
        client = LiveClient(
            host.address, code=CODE, fingerprint=host.fingerprint,
            participant=lobby.LOBBY_PARTICIPANT, workdir=tmp_path / "x", say=lambda _l: None,
        )  # fmt: skip
        with pytest.raises(JoinRefused, match="unknown participant"):
            await client.run(asyncio.Event())
        client.close()

    hosted(scenario)


def test_a_viewer_code_may_join_as_just_watching_an_editor_code_may_not(hosted, tmp_path):
    async def scenario(host):
        results = {}
        for code in (VIEWER_CODE, CODE):
            client = LiveClient(
                host.address, code=code, fingerprint=host.fingerprint,
                participant=lobby.VIEWER_PARTICIPANT, workdir=tmp_path / code,
                say=lambda _l: None,
            )  # fmt: skip
            stop = asyncio.Event()
            running = asyncio.create_task(client.run(stop))
            await asyncio.wait(
                [running, asyncio.create_task(client.connected.wait())],
                timeout=10, return_when=asyncio.FIRST_COMPLETED,
            )  # fmt: skip
            results[code] = client.refused or [(p.name, p.role) for p in host.peers]
            stop.set()
            await asyncio.gather(running, return_exceptions=True)
            client.close()
        return results

    results = hosted(scenario)
    assert results[VIEWER_CODE] == [("Viewer", "viewer")]
    assert results[CODE] == "the host refused to let this device join: unknown participant"


def test_a_host_s_welcome_is_checked_and_control_characters_are_made_spaces():
    good = {
        "title": "Glasgow\nfamilies\u202e", "participants": [{"id": "p1", "name": "Rowan",
        "group": "practitioner"}], "groups": [], "sites": [], "can_add": True,
    }  # fmt: skip
    assert lobby.read_welcome(json.dumps(good)).title == "Glasgow families "
    for bad in (
        "not json",
        "[]",
        json.dumps({**good, "participants": "everyone"}),
        json.dumps({**good, "title": "x" * 201}),
        json.dumps({**good, "title": 7}),
    ):
        with pytest.raises(lobby.LobbyError, match="unreadable"):
            lobby.read_welcome(bad)
