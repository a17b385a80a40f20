"""A joined laptop's copy of a map takes in a link (or group membership) that arrived
before its factor: relayed edits can overtake the step 2 that brings the factor after a
reconnect. Found by tests/live/test_convergence_hypothesis.py: the copy kept lacked the
link for good while the document and the host had it. And the host's side of the same
race: a laptop's edit made just after reconnecting must not overtake its offline edits."""

from __future__ import annotations

import asyncio

import pytest

from ipsmap.live.client import LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.live.session import HostSession
from ipsmap.model.commands import AddFactor, AddGroup, AddLink, SetGroupMembers
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import comparable_json

pytestmark = pytest.mark.timeout(60)


def _updates_of(session: HostSession, action) -> list[bytes]:
    sent: list[bytes] = []
    session.on_local_update = sent.append
    action()
    session.on_local_update = None
    return sent


def test_a_link_and_a_membership_that_arrive_before_their_factor_are_taken_in(
    project: Project, doc, tmp_path
):
    housing = AddFactor("Housing")
    doc.execute(housing)
    services = AddGroup("Services")
    doc.execute(services)
    session = HostSession(project, [doc.id])
    laptop = LiveClient(
        "wss://127.0.0.1:9",
        code="KXMR-4PTA",
        fingerprint="ab" * 32,
        participant="p",
        workdir=tmp_path / "laptop",
        say=lambda line: None,
    )
    try:
        laptop.shared.doc.apply_update(session.shared.doc.get_update())
        assert set(laptop.state(doc.id).factors) == {housing.id}
        stress = AddFactor("Stress")
        factor_update = _updates_of(session, lambda: doc.execute(stress))
        later = _updates_of(
            session,
            lambda: (
                doc.execute(AddLink(housing.id, stress.id, "+")),
                doc.execute(SetGroupMembers(services.id, add=[stress.id])),
            ),
        )
        # The link and the membership arrive first: held back (their factor is not here).
        for update in later:
            laptop.shared.doc.apply_update(update)
        assert laptop.state(doc.id).links == {}
        # Then the factor: the held records come in with it.
        for update in factor_update:
            laptop.shared.doc.apply_update(update)
        kept = comparable_json(laptop.map_data(doc.id))
        assert kept == comparable_json(laptop.shared.read_map(doc.id))
        assert kept == comparable_json(project.map_data(doc.id))
        assert len(laptop.state(doc.id).links) == 1
        assert laptop.state(doc.id).group_members[services.id] == {stress.id}
    finally:
        laptop.close()
        session.close()


def test_an_edit_made_just_after_reconnecting_does_not_overtake_the_offline_edits(tmp_path):
    """Offline, Rowan adds a factor; reconnected, Rowan links to it at once. Sent alone, the
    link reached the host before the factor (which comes in the reply to the host's state
    vector) and the host removed it as pointing at a factor deleted meanwhile."""
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        add_map = AddMap("Live", "system")
        project.execute(add_map)
        rowan = AddParticipant("Rowan", "parent")
        project.execute(rowan)
        housing = AddFactor("Housing")
        project.document(add_map.id).execute(housing)
        map_id = add_map.id
        notices: list[str] = []

        async def scenario() -> None:
            host = LiveHost(
                project,
                [map_id],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                say=notices.append,
            )
            await host.start()
            laptop = LiveClient(
                host.address,
                code="KXMR-4PTA",
                fingerprint=host.fingerprint,
                participant=rowan.id,
                workdir=tmp_path / "rowan",
                say=lambda line: None,
            )
            try:
                stop = asyncio.Event()
                running = asyncio.create_task(laptop.run(stop))
                await asyncio.wait_for(laptop.connected.wait(), 10)
                stop.set()
                await running
                stress = AddFactor("Stress")
                laptop.edit(stress, map_id)  # offline
                stop = asyncio.Event()
                running = asyncio.create_task(laptop.run(stop))
                while laptop.connection._outbox is None:  # connected, the host not yet answered
                    await asyncio.sleep(0)
                laptop.edit(AddLink(housing.id, stress.id, "+"), map_id)
                document = project.document(map_id)
                deadline = asyncio.get_running_loop().time() + 10
                while not document.links and asyncio.get_running_loop().time() < deadline:
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.3)  # a removal would follow within this
                assert [(ln.source, ln.target) for ln in document.links.values()] == [
                    (housing.id, stress.id)
                ]
                assert not [n for n in notices if "removed" in n]
                stop.set()
                await running
            finally:
                laptop.close()
                await host.stop()

        asyncio.run(scenario())
