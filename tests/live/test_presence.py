"""Presence end to end: ``ipsmap host`` and joined laptops as real processes over loopback
TLS. A laptop's selection reaches the others stamped with who the host knows it is; bad
presence is dropped without ending the connection; leaving withdraws it; a late joiner is
told everyone's."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from ipsmap.live.client import LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.presence import MAX_SELECTED, PALETTE
from ipsmap.live.security import make_certificate
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import HostProcess, PeerProcess, wait_until

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def workshop(tmp_path: Path) -> dict:
    """A project with one shared map of three factors, an unshared map, three people."""
    path = tmp_path / "workshop.ipsmap"
    with Project.create(path, "Presence workshop") as project:
        shared, other = AddMap("Housing and stress", "system"), AddMap("Elsewhere", "system")
        project.execute(shared)
        project.execute(other)
        factors = {}
        for label in ("Housing", "Stress", "Sleep"):
            add = AddFactor(label, 0, 0)
            project.document(shared.id).execute(add)
            factors[label] = add.id
        hidden = AddFactor("Not shared", 0, 0)
        project.document(other.id).execute(hidden)
        people = {}
        for name in ("Rowan", "Eilidh", "Sam"):
            command = AddParticipant(name, "parent", "Glasgow")
            project.execute(command)
            people[name] = command.id
    return {
        "path": path,
        "map": shared.id,
        "other_map": other.id,
        "hidden": hidden.id,
        "factors": factors,
        "people": people,
        "tmp": tmp_path,
    }


def _host(workshop: dict) -> HostProcess:
    """The host, sharing the first map only."""
    return HostProcess(workshop["path"], "--maps", workshop["map"])


def _join(host: HostProcess, workshop: dict, name: str) -> PeerProcess:
    peer = PeerProcess(host, workshop["people"][name], workshop["tmp"] / name)
    assert peer.ask(cmd="wait-connected") == {"connected": True}
    return peer


def _others(peer: PeerProcess) -> list[dict]:
    return list(peer.ask(cmd="others")["others"].values())


def _seen(peer: PeerProcess, **want) -> dict | None:
    """The one presence this laptop sees, once it has all the fields wanted."""
    others = _others(peer)
    if len(others) == 1 and all(others[0][k] == v for k, v in want.items()):
        return others[0]
    return None


def test_a_selection_reaches_another_laptop_stamped_with_who_the_host_knows(workshop):
    host = _host(workshop)
    f, people = workshop["factors"], workshop["people"]
    rowan = eilidh = None
    try:
        rowan, eilidh = _join(host, workshop, "Rowan"), _join(host, workshop, "Eilidh")
        # Rowan's laptop claims to be Sam, in black, as the host: none of it is believed.
        claim = {
            "type": "presence",
            "map": workshop["map"],
            "selected": [f["Housing"], f["Stress"]],
            "editing": f["Housing"],
            "participant": people["Sam"],
            "name": "Sam",
            "role": "host",
            "colour": "#000000",
            "key": "host",
        }
        assert rowan.ask(cmd="send-text", text=json.dumps(claim)) == {"sent": True}
        seen = wait_until(lambda: _seen(eilidh, selected=[f["Housing"], f["Stress"]]))
        assert seen["participant"] == people["Rowan"] and seen["name"] == "Rowan"
        assert seen["role"] == "editor" and seen["colour"] in PALETTE
        assert seen["key"] != "host" and seen["map_id"] == workshop["map"]
        assert seen["editing"] == f["Housing"]
        # Eilidh's own selection reaches Rowan, in another colour; nobody sees themselves.
        eilidh.ask(cmd="presence", map=workshop["map"], selected=[f["Sleep"]])
        back = wait_until(lambda: _seen(rowan, selected=[f["Sleep"]]))
        assert back["name"] == "Eilidh" and back["colour"] in PALETTE
        assert back["colour"] != seen["colour"]
        assert [p["name"] for p in _others(eilidh)] == ["Rowan"]
        # Deselecting reaches the others too.
        rowan.ask(cmd="presence", map=workshop["map"], selected=[])
        wait_until(lambda: _seen(eilidh, selected=[], editing=None))
    finally:
        for peer in (rowan, eilidh):
            if peer is not None:
                peer.quit()
        host.stop()


def test_bad_presence_is_dropped_and_the_connection_goes_on(workshop):
    host = _host(workshop)
    f, map_id = workshop["factors"], workshop["map"]
    rowan = eilidh = None
    try:
        rowan, eilidh = _join(host, workshop, "Rowan"), _join(host, workshop, "Eilidh")
        rowan.ask(cmd="presence", map=map_id, selected=[f["Housing"]])
        wait_until(lambda: _seen(eilidh, selected=[f["Housing"]]))

        def message(**fields) -> str:
            return json.dumps({"type": "presence", "map": map_id, **fields})

        bad = [
            message(selected=[f["Stress"]] * 2 + [7]),  # a number for an id
            message(selected=f["Stress"]),  # not a list
            message(selected=[f"{i:08d}" for i in range(MAX_SELECTED + 1)]),  # too many
            message(selected=[f["Stress"]], editing=["x"]),
            message(selected=[f["Stress"]], pad="x" * 100_000),  # huge
            json.dumps({"type": "presence", "map": None, "selected": [f["Stress"]]}),
            json.dumps([1, 2, 3]),
            "{not json",
        ]
        for text in bad:
            assert rowan.ask(cmd="send-text", text=text) == {"sent": True}
        time.sleep(0.5)
        assert _seen(eilidh, selected=[f["Housing"]]) is not None  # none of it relayed

        # Ids that are not in the shared map (made up, or in a map not shared) are left out;
        # a map that is not shared is not passed on at all.
        rowan.ask(
            cmd="presence",
            map=map_id,
            selected=[f["Stress"], "made-up-id", workshop["hidden"]],
            editing="made-up-id",
        )
        wait_until(lambda: _seen(eilidh, selected=[f["Stress"]], editing=None))
        rowan.ask(cmd="presence", map=workshop["other_map"], selected=[workshop["hidden"]])
        wait_until(lambda: _seen(eilidh, map_id=None, selected=[]))

        # Still connected, and still editing: an edit after all that reaches Eilidh.
        rowan.ask(cmd="add", map=map_id, id="after-bad-presence", label="Still here")
        wait_until(
            lambda: "after-bad-presence" in eilidh.ask(cmd="dump", map=map_id)["json"],
            timeout=10,
        )
    finally:
        for peer in (rowan, eilidh):
            if peer is not None:
                peer.quit()
        out = host.stop()
    ignored = [line for line in out.splitlines() if "presence from Rowan" in line]
    assert len(ignored) == 1, out  # one line for a device, not one per message
    assert ignored[0].startswith("ignored: presence from Rowan that is not valid (")


def test_leaving_withdraws_presence_and_a_late_joiner_sees_everyone_s(workshop):
    host = _host(workshop)
    f, map_id = workshop["factors"], workshop["map"]
    peers: list[PeerProcess] = []
    try:
        rowan, eilidh = _join(host, workshop, "Rowan"), _join(host, workshop, "Eilidh")
        peers += [rowan, eilidh]
        rowan.ask(cmd="presence", map=map_id, selected=[f["Housing"]], editing=f["Housing"])
        eilidh.ask(cmd="presence", map=map_id, selected=[f["Sleep"]])
        wait_until(lambda: _seen(eilidh, name="Rowan", selected=[f["Housing"]]))

        sam = _join(host, workshop, "Sam")  # joins late: told both at once
        peers.append(sam)
        by_name = wait_until(
            lambda: (lambda found: found if len(found) == 2 else None)(
                {p["name"]: p for p in _others(sam)}
            )
        )
        assert by_name["Rowan"]["selected"] == [f["Housing"]]
        assert by_name["Rowan"]["editing"] == f["Housing"]
        assert by_name["Eilidh"]["selected"] == [f["Sleep"]]

        rowan.quit()  # leaves cleanly
        wait_until(lambda: [p["name"] for p in _others(sam)] == ["Eilidh"])
        eilidh.kill()  # the laptop's process dies: withdrawn all the same
        wait_until(lambda: _others(sam) == [], timeout=20)
    finally:
        for peer in peers:
            peer.quit()
        host.stop()


def test_a_laptop_flooding_presence_is_coalesced_and_its_last_selection_arrives(workshop):
    host = _host(workshop)
    f, map_id = workshop["factors"], workshop["map"]
    rowan = eilidh = None
    try:
        rowan, eilidh = _join(host, workshop, "Rowan"), _join(host, workshop, "Eilidh")
        ids = [f["Housing"], f["Stress"], f["Sleep"]]
        sent = rowan.ask(cmd="flood", map=map_id, ids=ids, n=301)["seconds"]
        # The 301st selection is the last: it arrives, however many were passed over.
        wait_until(lambda: _seen(eilidh, selected=[ids[300 % 3]]))
        time.sleep(0.3)
        heard = eilidh.ask(cmd="heard")["heard"]
        # At most one per 50 ms while it lasted (plus the first and the last), not 301.
        assert heard <= (sent + 0.3) / 0.05 + 3, (heard, sent)
        assert heard < 100
        rowan.ask(cmd="presence", map=map_id, selected=[f["Housing"]])  # and it goes on
        wait_until(lambda: _seen(eilidh, selected=[f["Housing"]]))
    finally:
        for peer in (rowan, eilidh):
            if peer is not None:
                peer.quit()
        host.stop()


def test_a_removed_device_s_presence_is_withdrawn_for_everyone(workshop):
    """Host and laptops in one loop over real TLS sockets: the host's Remove withdraws that
    laptop's presence for everyone; a presence set before connecting is sent on connecting;
    ``on_presence`` tells of each change."""
    f, map_id, people = workshop["factors"], workshop["map"], workshop["people"]
    heard: list[dict] = []

    async def until(check, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError("not reached in time")
            await asyncio.sleep(0.02)

    async def scenario(project: Project) -> None:
        host = LiveHost(
            project,
            [map_id],
            certificate=make_certificate("127.0.0.1"),
            code="KXMR-4PTA",
            say=lambda _line: None,
        )
        await host.start()
        stop = asyncio.Event()
        laptops = {
            name: LiveClient(
                host.address,
                code="KXMR-4PTA",
                fingerprint=host.fingerprint,
                participant=people[name],
                workdir=workshop["tmp"] / f"in-loop-{name}",
                say=lambda _line: None,
            )
            for name in ("Rowan", "Eilidh")
        }
        rowan, eilidh = laptops["Rowan"], laptops["Eilidh"]
        eilidh.on_presence = heard.append
        rowan.set_presence(map_id, [f["Sleep"]])  # before connecting: sent on connecting
        runs = [asyncio.create_task(laptop.run(stop)) for laptop in laptops.values()]
        try:
            await until(lambda: [p.selected for p in eilidh.others.values()] == [(f["Sleep"],)])
            assert heard[-1] == eilidh.others
            host.remove(rowan.device)
            await until(lambda: eilidh.others == {})
            assert heard[-1] == {}
            assert host.presence.everyone() == {}  # Eilidh has published nothing
        finally:
            stop.set()
            await asyncio.gather(*runs, return_exceptions=True)
            for laptop in laptops.values():
                laptop.close()
            await host.stop()

    with Project.open(workshop["path"]) as project:
        asyncio.run(scenario(project))
