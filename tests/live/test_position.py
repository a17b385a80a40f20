"""A factor's position is one value in the session document ("pos": [x, y]): two people
moving one factor at once end at one of their two positions, never x from one and y from
the other. Documents written before (separate x and y keys) are still read."""

from __future__ import annotations

import asyncio

import pytest
from pycrdt import Doc, Map

from ipsmap.live import host_updates
from ipsmap.live.client import LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.live.session import HostSession
from ipsmap.live.shared_doc import POSITION, SharedDoc
from ipsmap.model.author import Author
from ipsmap.model.commands import AddFactor, EditFactor, MoveFactors
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.state import MapState

pytestmark = pytest.mark.timeout(60)


def _person(project: Project, name: str) -> str:
    command = AddParticipant(name, "parent", "Glasgow")
    project.execute(command)
    return command.id


def _peer_of(session: HostSession, client_id: int) -> SharedDoc:
    peer = SharedDoc(Doc(client_id=client_id))
    peer.doc.apply_update(session.shared.doc.get_update())
    return peer


def _edit(peer: SharedDoc, command, map_id: str, actor: str) -> bytes:
    before = peer.doc.get_state()
    with peer.doc.transaction(origin="local"):
        peer.edit(command, MapState.from_data(peer.read_map(map_id)), actor)
    return peer.doc.get_update(before)


@pytest.mark.parametrize("client_ids", [(11, 22), (22, 11)])
def test_two_concurrent_moves_end_at_one_of_the_two_positions_everywhere(
    project: Project, doc, client_ids
):
    rowan, sam = _person(project, "Rowan"), _person(project, "Sam")
    housing = AddFactor("Housing", 10.0, 20.0)
    doc.execute(housing)
    session = HostSession(project, [doc.id])
    first, second = (_peer_of(session, c) for c in client_ids)
    # Rowan moves it right, Sam moves it down, neither having seen the other's move.
    by_rowan = _edit(first, MoveFactors({housing.id: (500.0, 20.0)}), doc.id, rowan)
    by_sam = _edit(second, MoveFactors({housing.id: (10.0, 400.0)}), doc.id, sam)
    session.apply_remote(by_rowan, Author(rowan, "laptop-1", None))
    session.apply_remote(by_sam, Author(sam, "laptop-2", None))
    first.doc.apply_update(by_sam)
    second.doc.apply_update(by_rowan)
    ends = {
        "host": (doc.factors[housing.id].x, doc.factors[housing.id].y),
        "first": _position(first, doc.id, housing.id),
        "second": _position(second, doc.id, housing.id),
    }
    assert len(set(ends.values())) == 1, ends
    assert ends["host"] in {(500.0, 20.0), (10.0, 400.0)}


def test_a_document_written_with_separate_x_and_y_is_read_and_brought_to_one_value(
    project: Project, doc
):
    housing = AddFactor("Housing", 10.0, 20.0)
    doc.execute(housing)
    # A host of the earlier layout stored this document (x and y as two keys).
    old = Doc()
    maps = old.get("maps", type=Map)
    with old.transaction():
        row = {k: v for k, v in doc.factors[housing.id].to_row().items() if k != "map_id"}
        row["attributes"] = "{}"
        maps[doc.id] = Map(
            {
                "info": Map({k: v for k, v in doc.info.to_row().items() if k != "attributes"}),
                "styles": Map({}),
                "factors": Map({housing.id: Map(row)}),
                "links": Map({}),
                "groups": Map({}),
                "members": Map({}),
            }
        )
    host_updates.append_alone(project.store, old.get_update())
    session = HostSession(project, [doc.id])
    factor = session.shared.read_map(doc.id).factors[0]
    assert (factor.x, factor.y) == (10.0, 20.0)
    # The host moves it: the record now holds one position and no separate keys.
    doc.execute(MoveFactors({housing.id: (30.0, 40.0)}))
    record = session.shared.maps[doc.id]["factors"][housing.id]
    assert record[POSITION] == [30.0, 40.0]
    assert "x" not in record and "y" not in record
    session.close()


def test_a_position_that_is_not_two_numbers_is_refused_and_put_back(project: Project, doc):
    rowan = _person(project, "Rowan")
    housing = AddFactor("Housing", 10.0, 20.0)
    doc.execute(housing)
    session = HostSession(project, [doc.id])
    peer = _peer_of(session, 33)
    before = peer.doc.get_state()
    with peer.doc.transaction():
        peer.maps[doc.id]["factors"][housing.id][POSITION] = ["left", 3.0]
    outcome = session.apply_remote(peer.doc.get_update(before), Author(rowan, "laptop", None))
    assert any("Position x must be a finite number" in n for n in outcome.notices)
    assert (doc.factors[housing.id].x, doc.factors[housing.id].y) == (10.0, 20.0)
    for correction in outcome.corrections:
        peer.doc.apply_update(correction)
    assert _position(peer, doc.id, housing.id) == (10.0, 20.0)


def test_an_edit_of_other_fields_leaves_the_position_alone(project: Project, doc):
    housing = AddFactor("Housing", 10.0, 20.0)
    doc.execute(housing)
    session = HostSession(project, [doc.id])
    doc.execute(EditFactor(housing.id, {"label": "Housing costs"}))
    record = session.shared.maps[doc.id]["factors"][housing.id]
    assert record[POSITION] == [10.0, 20.0]
    assert record["label"] == "Housing costs"
    session.close()


def _position(peer: SharedDoc, map_id: str, factor_id: str) -> tuple[float, float]:
    factor = next(f for f in peer.read_map(map_id).factors if f.id == factor_id)
    return (factor.x, factor.y)


def test_the_last_of_two_concurrent_edits_of_one_factor_is_credited_to_its_author(
    project: Project, doc
):
    """Rowan renames and Sam moves one factor at once; whichever modified_by wins in the
    document, the record ends naming the person whose edit the host wrote last, as the
    audit log does (found by tests/live/test_convergence_hypothesis.py)."""
    rowan, sam = _person(project, "Rowan"), _person(project, "Sam")
    housing = AddFactor("Housing", 10.0, 20.0)
    doc.execute(housing)
    session = HostSession(project, [doc.id])
    for first_id, second_id in ((11, 22), (22, 11)):
        first, second = _peer_of(session, first_id), _peer_of(session, second_id)
        by_rowan = _edit(first, EditFactor(housing.id, {"label": f"L{first_id}"}), doc.id, rowan)
        by_sam = _edit(second, MoveFactors({housing.id: (float(first_id), 5.0)}), doc.id, sam)
        session.apply_remote(by_rowan, Author(rowan, "laptop-1", None))
        outcome = session.apply_remote(by_sam, Author(sam, "laptop-2", None))
        last = project.history(doc.id)[-1]
        assert last.actor == sam
        assert doc.factors[housing.id].modified_by == sam
        # The document says so too, for everyone (the correction is sent to all).
        for correction in outcome.corrections:
            first.doc.apply_update(correction)
        first.doc.apply_update(by_sam)
        record = next(f for f in first.read_map(doc.id).factors if f.id == housing.id)
        assert record.modified_by == sam
    session.close()


def test_two_laptops_moving_one_factor_offline_end_at_one_of_their_positions_everywhere(
    tmp_path,
):
    """Over real TLS sockets on loopback: both laptops go offline, move the same factor to
    different places, and reconnect."""
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        add_map = AddMap("Live", "system")
        project.execute(add_map)
        people = [_person(project, name) for name in ("Rowan", "Sam")]
        housing = AddFactor("Housing", 10.0, 20.0)
        project.document(add_map.id).execute(housing)
        map_id = add_map.id
        moves = [(500.0, 20.0), (10.0, 400.0)]

        async def scenario() -> None:
            host = LiveHost(
                project,
                [map_id],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                say=lambda line: None,
            )
            await host.start()
            laptops = [
                LiveClient(
                    host.address,
                    code="KXMR-4PTA",
                    fingerprint=host.fingerprint,
                    participant=person,
                    workdir=tmp_path / person,
                    say=lambda line: None,
                )
                for person in people
            ]
            try:
                stops = [asyncio.Event() for _ in laptops]
                runs = [asyncio.create_task(c.run(s)) for c, s in zip(laptops, stops, strict=True)]
                for laptop in laptops:
                    await asyncio.wait_for(laptop.connected.wait(), 10)
                for stop in stops:
                    stop.set()
                await asyncio.gather(*runs)
                for laptop, move in zip(laptops, moves, strict=True):
                    laptop.edit(MoveFactors({housing.id: move}), map_id)  # offline
                stops = [asyncio.Event() for _ in laptops]
                runs = [asyncio.create_task(c.run(s)) for c, s in zip(laptops, stops, strict=True)]
                document = project.document(map_id)

                def ends() -> set[tuple[float, float]]:
                    found = {(document.factors[housing.id].x, document.factors[housing.id].y)}
                    for laptop in laptops:
                        factor = laptop.state(map_id).factors[housing.id]
                        found.add((factor.x, factor.y))
                    return found

                deadline = asyncio.get_running_loop().time() + 15
                while (len(ends()) != 1 or ends() == {(10.0, 20.0)}) and (
                    asyncio.get_running_loop().time() < deadline
                ):
                    await asyncio.sleep(0.05)
                assert len(ends()) == 1 and ends() <= set(moves), ends()
                for stop in stops:
                    stop.set()
                await asyncio.gather(*runs)
            finally:
                for laptop in laptops:
                    laptop.close()
                await host.stop()

        asyncio.run(scenario())
    with Project.open(path, read_only=True) as reopened:
        factor = reopened.document(map_id).factors[housing.id]
        assert (factor.x, factor.y) in moves
