"""The host's controls over real TLS sockets on loopback (host and laptops in one loop):
removing a device, changing the join code, and wrong codes limited per address."""

from __future__ import annotations

import asyncio
import time

import pytest

from ipsmap.live.client import JoinRefused, LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.live.throttle import WrongCodeThrottle
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import Clock

pytestmark = pytest.mark.timeout(60)

CODE = "KXMR-4PTA"


@pytest.fixture
def workshop(tmp_path):
    with Project.create(tmp_path / "p.ipsmap") as project:
        add_map = AddMap("Live", "system")
        project.execute(add_map)
        people = {}
        for name in ("Rowan", "Eilidh"):
            command = AddParticipant(name, "parent")
            project.execute(command)
            people[name] = command.id
        yield project, add_map.id, people


def _laptop(host: LiveHost, participant: str, folder, code: str = CODE) -> LiveClient:
    return LiveClient(
        host.address,
        code=code,
        fingerprint=host.fingerprint,
        participant=participant,
        workdir=folder,
        say=lambda line: None,
    )


async def _until(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.02)


async def _refusal(client: LiveClient) -> str:
    """Why the host refuses ``client`` (it must refuse within 10 s)."""
    with pytest.raises(JoinRefused) as refused:
        await asyncio.wait_for(client.run(asyncio.Event()), 10)
    client.close()
    return str(refused.value)


def _host(project, map_id, said: list[str], **extra) -> LiveHost:
    return LiveHost(
        project,
        [map_id],
        certificate=make_certificate("127.0.0.1"),
        code=CODE,
        say=said.append,
        **extra,
    )


def test_a_removed_device_is_cut_off_and_refused_until_the_code_changes(workshop, tmp_path):
    project, map_id, people = workshop
    said: list[str] = []

    async def scenario() -> None:
        host = _host(project, map_id, said)
        await host.start()
        try:
            rowan = _laptop(host, people["Rowan"], tmp_path / "rowan")
            eilidh = _laptop(host, people["Eilidh"], tmp_path / "eilidh")
            stop = asyncio.Event()
            rowan_runs = asyncio.create_task(rowan.run(stop))
            eilidh_runs = asyncio.create_task(eilidh.run(stop))
            await asyncio.wait_for(rowan.connected.wait(), 10)
            await asyncio.wait_for(eilidh.connected.wait(), 10)
            assert host.remove(rowan.device) == ["Rowan"]
            # Rowan's laptop is closed, tries to come back and is told why it cannot.
            with pytest.raises(JoinRefused, match="the host removed this device"):
                await asyncio.wait_for(rowan_runs, 10)
            await _until(lambda: {p.name for p in host.peers} == {"Eilidh"})
            # Eilidh is still connected and still edits.
            factor = AddFactor("Still here")
            eilidh.edit(factor, map_id)
            await _until(lambda: factor.id in project.document(map_id).factors)
            # The same device with the same code: refused again.
            again = _laptop(host, people["Rowan"], tmp_path / "rowan")
            assert "the host removed this device" in await _refusal(again)
            # A new code: the old one no longer joins, Eilidh stays, Rowan may rejoin.
            old, new = host.code, host.change_code()
            assert new != old and len(new) == 8
            stale = _laptop(host, people["Rowan"], tmp_path / "stale", code=old)
            assert "wrong join code" in await _refusal(stale)
            back = _laptop(host, people["Rowan"], tmp_path / "rowan", code=new)
            back_stop = asyncio.Event()
            back_runs = asyncio.create_task(back.run(back_stop))
            await asyncio.wait_for(back.connected.wait(), 10)
            assert {p.name for p in host.peers} == {"Eilidh", "Rowan"}
            assert not eilidh_runs.done()
            stop.set()
            back_stop.set()
            await asyncio.gather(eilidh_runs, back_runs)
            for client in (rowan, eilidh, back):
                client.close()
        finally:
            await host.stop()

    asyncio.run(scenario())
    assert any(line.startswith("removed: Rowan (device ") for line in said)
    assert any("refused: a removed device" in line for line in said)
    assert "the join code was changed: new joins need the new code" in said


def test_devices_removed_before_a_restart_are_still_refused(workshop, tmp_path):
    project, map_id, people = workshop
    folder = tmp_path / "rowan"
    folder.mkdir()
    (folder / "device-id").write_text("removed-device-1")  # the laptop's own id, kept there

    async def scenario() -> str:
        # A restarted host is given the kept list of removed devices.
        host = _host(project, map_id, [], removed_devices={"removed-device-1"})
        await host.start()
        try:
            return await _refusal(_laptop(host, people["Rowan"], folder))
        finally:
            await host.stop()

    assert "the host removed this device" in asyncio.run(scenario())


def test_changing_the_code_changes_the_viewer_code_too(workshop):
    project, map_id, _ = workshop
    host = LiveHost(
        project,
        [map_id],
        certificate=make_certificate("127.0.0.1"),
        code=CODE,
        viewer_code="VVVV-WWWW",
        say=lambda line: None,
    )
    try:
        new = host.change_code()
        assert host.code == new and host.viewer_code not in (None, "VVVVWWWW", new)
    finally:
        host.close()


def test_parallel_wrong_codes_from_one_address_are_cut_off_with_429(workshop, tmp_path):
    project, map_id, people = workshop
    said: list[str] = []
    clock = Clock()

    async def scenario() -> None:
        host = _host(project, map_id, said, throttle=WrongCodeThrottle(clock=clock))
        await host.start()
        try:
            guessers = [
                _laptop(host, people["Rowan"], tmp_path / f"g{i}", code=f"KXMR-4PT{c}")
                for i, c in enumerate("CDEFGHJKMN")
            ]
            started = time.monotonic()
            reasons = await asyncio.gather(*(_refusal(g) for g in guessers))
            elapsed = time.monotonic() - started
            wrong = [r for r in reasons if r.endswith("wrong join code")]
            limited = [r for r in reasons if "too many wrong join codes" in r]
            assert (len(wrong), len(limited)) == (5, 5), reasons
            assert elapsed < 5  # ten at once: not ten half-second waits in a row
            # Even the right code is not checked from that address for a minute.
            right = _laptop(host, people["Rowan"], tmp_path / "right")
            assert "try again in 60 s" in await _refusal(right)
            clock.now += 61
            right = _laptop(host, people["Rowan"], tmp_path / "right")
            right_stop = asyncio.Event()
            runs = asyncio.create_task(right.run(right_stop))
            await asyncio.wait_for(right.connected.wait(), 10)
            right_stop.set()
            await runs
            right.close()
        finally:
            await host.stop()

    asyncio.run(scenario())
    assert "refusing 127.0.0.1 for 60 s: 5 wrong join codes within 60 s" in said
