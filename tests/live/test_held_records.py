"""A joined laptop's copy of a map takes in a link (or group membership) that arrived
before its factor: relayed edits can overtake the step 2 that brings the factor after a
reconnect. Found by tests/live/test_convergence_hypothesis.py: the copy kept lacked the
link for good while the document and the host had it."""

from __future__ import annotations

from ipsmap.live.client import LiveClient
from ipsmap.live.session import HostSession
from ipsmap.model.commands import AddFactor, AddGroup, AddLink, SetGroupMembers
from ipsmap.model.project import Project

from .support import comparable_json


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
