"""Host and laptop in one asyncio loop (as the window will run them under qasync), over
real TLS sockets on loopback: the host's own edits reach the laptop, a laptop that joins
after everyone left still gets the whole document, and the audit log names the session."""

from __future__ import annotations

import asyncio

import pytest

from ipsmap.live.client import JoinRefused, LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.model.commands import AddFactor, EditFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.record_commands import AddSession

pytestmark = pytest.mark.timeout(30)


async def _until(check, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.02)


def _join(host: LiveHost, participant: str, folder, code: str = "KXMR-4PTA") -> LiveClient:
    return LiveClient(
        host.address,
        code=code,
        fingerprint=host.fingerprint,
        participant=participant,
        workdir=folder,
        say=lambda line: None,
    )


def test_host_edits_reach_a_laptop_and_a_late_joiner_gets_everything(tmp_path):
    with Project.create(tmp_path / "p.ipsmap") as project:
        add_map = AddMap("Live", "system")
        project.execute(add_map)
        rowan = AddParticipant("Rowan", "parent")
        project.execute(rowan)
        session = AddSession("Workshop 2", "2026-12-05")
        project.execute(session)
        map_id = add_map.id

        async def scenario() -> None:
            host = LiveHost(
                project,
                [map_id],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                session_id=session.id,
                say=lambda line: None,
            )
            await host.start()
            try:
                first = _join(host, rowan.id, tmp_path / "first")
                stop = asyncio.Event()
                running = asyncio.create_task(first.run(stop))
                await asyncio.wait_for(first.connected.wait(), 10)
                # The facilitator edits on the host: it reaches the laptop.
                document = project.document(map_id)
                housing = AddFactor("Housing")
                document.execute(housing)
                await _until(lambda: housing.id in first.state(map_id).factors)
                # The laptop edits: the host's project has it, credited to Rowan in session 2.
                stress = AddFactor("Stress")
                first.edit(stress, map_id)
                await _until(lambda: stress.id in document.factors)
                event = project.history(map_id)[-1]
                assert (event.actor, event.session_id) == (rowan.id, session.id)
                document.execute(EditFactor(housing.id, {"label": "Housing costs"}))
                await _until(
                    lambda: first.state(map_id).factors[housing.id].label == "Housing costs"
                )
                stop.set()
                await running
                first.close()
                # Everyone has left; a new laptop still gets the whole document.
                late = _join(host, rowan.id, tmp_path / "late")
                stop = asyncio.Event()
                running = asyncio.create_task(late.run(stop))
                await asyncio.wait_for(late.connected.wait(), 10)
                labels = {f.label for f in late.state(map_id).factors.values()}
                assert labels == {"Housing costs", "Stress"}
                stop.set()
                await running
                late.close()
            finally:
                await host.stop()

        asyncio.run(scenario())


def test_a_participant_the_host_does_not_know_is_refused(tmp_path):
    with Project.create(tmp_path / "p.ipsmap") as project:

        async def scenario() -> None:
            host = LiveHost(
                project,
                [],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                say=lambda line: None,
            )
            await host.start()
            try:
                stranger = _join(host, "nobody", tmp_path / "x")
                with pytest.raises(JoinRefused, match="unknown participant"):
                    await asyncio.wait_for(stranger.run(asyncio.Event()), 10)
                stranger.close()
            finally:
                await host.stop()

        asyncio.run(scenario())


def test_a_host_given_no_session_records_edits_in_the_projects_current_one(tmp_path):
    # The window hosts without a session of its own: changing the Session box mid-way
    # moves the laptops' edits to the new one, as it does the facilitator's.
    with Project.create(tmp_path / "p.ipsmap") as project:
        add_map = AddMap("Live", "system")
        project.execute(add_map)
        rowan = AddParticipant("Rowan", "parent")
        project.execute(rowan)
        morning = AddSession("Morning", "2026-12-05")
        afternoon = AddSession("Afternoon", "2026-12-05")
        project.execute(morning)
        project.execute(afternoon)
        project.set_session(morning.id)
        map_id = add_map.id

        async def scenario() -> list[str | None]:
            host = LiveHost(
                project,
                [map_id],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                say=lambda line: None,
            )
            await host.start()
            laptop = _join(host, rowan.id, tmp_path / "laptop")
            stop = asyncio.Event()
            running = asyncio.create_task(laptop.run(stop))
            sessions = []
            try:
                await asyncio.wait_for(laptop.connected.wait(), 10)
                for label in ("Housing", "Stress"):
                    factor = AddFactor(label)
                    laptop.edit(factor, map_id)
                    await _until(lambda f=factor: f.id in project.document(map_id).factors)
                    sessions.append(project.history(map_id)[-1].session_id)
                    project.set_session(afternoon.id)
            finally:
                stop.set()
                await running
                laptop.close()
                await host.stop()
            return sessions

        assert asyncio.run(scenario()) == [morning.id, afternoon.id]
