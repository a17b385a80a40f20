"""The session document and the host's bridge to the one writer, without a network.

A "peer" here is a second pycrdt document that exchanges updates with the host's, the way
a joined laptop does over the socket (tests/live/test_live_processes.py does it for real).
"""

from __future__ import annotations

import json
import random

import pytest
from pycrdt import Doc

from ipsmap.live.doc_diff import Touched, ops_towards
from ipsmap.live.session import HostSession
from ipsmap.live.shared_doc import SharedDoc
from ipsmap.model.author import Author
from ipsmap.model.canonical import canonical_json
from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors, EditFactor
from ipsmap.model.errors import CommandError
from ipsmap.model.history import Scope
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant
from ipsmap.model.state import MapState


def _person(project: Project, name: str) -> str:
    command = AddParticipant(name, "parent", "Glasgow")
    project.execute(command)
    return command.id


def _peer_of(session: HostSession) -> SharedDoc:
    peer = SharedDoc(Doc())
    peer.doc.apply_update(session.shared.doc.get_update())
    return peer


def _edit(peer: SharedDoc, command, map_id: str, actor: str) -> bytes:
    """A peer's edit, returned as the update it would send."""
    before = peer.doc.get_state()
    with peer.doc.transaction(origin="local"):
        peer.edit(command, MapState.from_data(peer.read_map(map_id)), actor)
    return peer.doc.get_update(before)


def _sorted_canonical(data) -> dict:
    document = json.loads(canonical_json(data))
    for key in ("factors", "links"):
        document[key].sort(key=lambda r: r["id"])
    return document


def test_the_document_holds_the_map_exactly_with_integers_kept(project: Project, doc):
    a = AddFactor("Housing", 1.5, 2.0)
    doc.execute(a)
    b = AddFactor("Stress", 3.0, 4.0, attributes={"votes": 3})
    doc.execute(b)
    doc.execute(AddLink(a.id, b.id, "-"))
    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    data = peer.read_map(doc.id)
    assert canonical_json(data) == canonical_json(project.map_data(doc.id))
    assert [type(f.seq) for f in data.factors] == [int, int]
    assert data.factors[1].attributes == {"votes": 3}


def test_a_remote_edit_goes_through_the_one_writer_named_for_the_authenticated_person(
    project: Project, doc
):
    rowan = _person(project, "Rowan")
    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    add = AddFactor("Housing", 10.0, 20.0)
    # The command says someone else made it: the audit log names who the connection is.
    update = _edit(peer, add, doc.id, actor="someone-else")
    outcome = session.apply_remote(update, Author(rowan, "laptop-2", None))
    assert outcome.relay == update
    assert doc.factors[add.id].label == "Housing"
    # The record's provenance is restamped too, and the document corrected for everyone.
    assert (doc.factors[add.id].created_by, doc.factors[add.id].modified_by) == (rowan, rowan)
    assert outcome.corrections
    assert session.shared.rows(doc.id, "factors")[add.id]["created_by"] == rowan
    event = project.history()[-1]
    assert (event.actor, event.origin, event.command) == (rowan, "laptop-2", "Live edit")
    rows = list(project.store.db.execute("SELECT event FROM live_updates WHERE event IS NOT NULL"))
    assert rows[-1][0] == event.seq
    # A repeat of the same update changes nothing and writes nothing.
    events = len(project.history())
    assert session.apply_remote(update, Author(rowan, "laptop-2", None)).relay is None
    assert len(project.history()) == events


def test_concurrent_edits_of_different_fields_both_stay_and_the_same_field_converges(
    project: Project, doc
):
    add = AddFactor("Housing", 0.0, 0.0)
    doc.execute(add)
    session = HostSession(project, [doc.id])
    one, two = _peer_of(session), _peer_of(session)
    label = _edit(
        one, EditFactor(add.id, {"label": "Housing costs"}), doc.id, project.facilitator_id
    )
    notes = _edit(
        two, EditFactor(add.id, {"notes": "rent arrears"}), doc.id, project.facilitator_id
    )
    same = _edit(two, EditFactor(add.id, {"label": "Rent"}), doc.id, project.facilitator_id)
    for update in (label, notes, same):
        session.apply_remote(update, Author(project.facilitator_id, "x", None))
    one.doc.apply_update(session.shared.doc.get_update(one.doc.get_state()))
    factor = doc.factors[add.id]
    assert factor.notes == "rent arrears"
    # Whichever label the CRDT kept, the project holds the same one (its `before` rebased).
    assert factor.label == one.read_map(doc.id).factors[0].label
    assert factor.label in ("Housing costs", "Rent")


def test_a_link_to_a_factor_deleted_meanwhile_is_held_back_and_removed_for_everyone(
    project: Project, doc
):
    a, b = AddFactor("Housing"), AddFactor("Stress")
    doc.execute(a)
    doc.execute(b)
    session = HostSession(project, [doc.id])
    one, two = _peer_of(session), _peer_of(session)
    deleting = _edit(one, DeleteFactors([b.id]), doc.id, project.facilitator_id)
    link = AddLink(a.id, b.id)
    linking = _edit(two, link, doc.id, project.facilitator_id)
    session.apply_remote(deleting, Author(project.facilitator_id, "x", None))
    outcome = session.apply_remote(linking, Author(project.facilitator_id, "y", None))
    assert b.id not in doc.factors and link.id not in doc.links
    assert any("removed" in notice for notice in outcome.notices)
    assert outcome.corrections
    for correction in outcome.corrections:
        two.doc.apply_update(correction)
    two.doc.apply_update(session.shared.doc.get_update(two.doc.get_state()))
    assert link.id not in two.rows(doc.id, "links")


def test_two_people_linking_the_same_pair_keep_one_link(project: Project, doc):
    a, b = AddFactor("Housing"), AddFactor("Stress")
    doc.execute(a)
    doc.execute(b)
    session = HostSession(project, [doc.id])
    one, two = _peer_of(session), _peer_of(session)
    first = _edit(one, AddLink(a.id, b.id, "+"), doc.id, project.facilitator_id)
    second = _edit(two, AddLink(a.id, b.id, "-"), doc.id, project.facilitator_id)
    session.apply_remote(first, Author(project.facilitator_id, "x", None))
    session.apply_remote(second, Author(project.facilitator_id, "y", None))
    assert len(doc.links) == 1
    assert len(session.shared.rows(doc.id, "links")) == 1


def test_a_value_the_model_refuses_is_put_back_for_everyone(project: Project, doc):
    add = AddFactor("Housing")
    doc.execute(add)
    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    before = peer.doc.get_state()
    with peer.doc.transaction(origin="local"):
        peer.maps[doc.id]["factors"][add.id]["label"] = "   "
    outcome = session.apply_remote(
        peer.doc.get_update(before), Author(project.facilitator_id, "x", None)
    )
    assert doc.factors[add.id].label == "Housing"
    assert any("refused" in n for n in outcome.notices)
    assert session.shared.rows(doc.id, "factors")[add.id]["label"] == "Housing"


def test_local_edits_and_undo_reach_the_document_and_are_kept(project: Project, doc):
    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    sent: list[bytes] = []
    session.on_local_update = sent.append
    add = AddFactor("Housing")
    doc.execute(add)
    doc.execute(EditFactor(add.id, {"label": "Housing costs"}))
    assert session.shared.rows(doc.id, "factors")[add.id]["label"] == "Housing costs"
    project.undo(Scope(doc.id))
    assert session.shared.rows(doc.id, "factors")[add.id]["label"] == "Housing"
    for update in sent:
        peer.doc.apply_update(update)
    assert _sorted_canonical(peer.read_map(doc.id)) == _sorted_canonical(project.map_data(doc.id))


def test_a_restarted_host_resumes_the_document_instead_of_re_seeding_it(tmp_path):
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        from ipsmap.model.project_commands import AddMap

        add_map = AddMap("Live", "system")
        project.execute(add_map)
        map_id = add_map.id
        session = HostSession(project, [map_id])
        peer = _peer_of(session)
        add = AddFactor("Offline idea")
        session.apply_remote(
            _edit(peer, add, map_id, project.facilitator_id),
            Author(project.facilitator_id, "x", None),
        )
        state = session.shared.doc.get_state()
        session.close()
    with Project.open(path) as project:
        session = HostSession(project, [])
        assert session.map_ids == [map_id]
        # The same document (same history), not a new one made from the tables.
        assert session.shared.doc.get_state() == state
        assert add.id in session.shared.rows(map_id, "factors")
        session.close()


def test_a_delete_wins_over_a_concurrent_edit_of_the_same_factor(project: Project, doc):
    add = AddFactor("Housing")
    doc.execute(add)
    session = HostSession(project, [doc.id])
    one, two = _peer_of(session), _peer_of(session)
    me = project.facilitator_id
    editing = _edit(two, EditFactor(add.id, {"label": "Housing costs"}), doc.id, me)
    deleting = _edit(one, DeleteFactors([add.id]), doc.id, me)
    session.apply_remote(editing, Author(me, "b", None))
    session.apply_remote(deleting, Author(me, "a", None))
    assert add.id not in doc.factors
    assert session.shared.row(doc.id, "factors", add.id) is None


@pytest.mark.parametrize("seed", range(4))
def test_random_concurrent_edits_delivered_in_any_order_converge_everywhere(
    project: Project, doc, seed: int
):
    """Three peers edit at once; the host takes their updates in a shuffled order; every
    peer's kept copy (updated record by record), a fresh read of its document and the
    project's map end up the same."""
    from tests.helpers.live_peer import random_command

    rng = random.Random(seed)
    me = project.facilitator_id
    for i in range(4):
        doc.execute(AddFactor(f"seed {i}", 10.0 * i, 0.0))
    session = HostSession(project, [doc.id])
    peers = [_peer_of(session) for _ in range(3)]
    kept = [_Kept(peer, doc.id) for peer in peers]
    for _ in range(6):
        outgoing: list[tuple[int, bytes]] = []
        for index, copy in enumerate(kept):
            for _ in range(rng.randrange(1, 6)):
                command = random_command(copy.current(), rng, f"p{index}")
                before = copy.peer.doc.get_state()
                try:
                    with copy.peer.doc.transaction(origin="local"):
                        copy.peer.edit(command, copy.current(), me)
                except CommandError:
                    continue
                outgoing.append((index, copy.peer.doc.get_update(before)))
        rng.shuffle(outgoing)
        for index, update in outgoing:
            session.apply_remote(update, Author(me, f"d{index}", None))
        for copy in kept:
            copy.peer.doc.apply_update(session.shared.doc.get_update(copy.peer.doc.get_state()))
    host = _sorted_canonical(project.map_data(doc.id))
    for copy in kept:
        assert _sorted_canonical(copy.peer.read_map(doc.id)) == host
        data = copy.current().to_data()
        data.participants = project.map_data(doc.id).participants
        assert _sorted_canonical(data) == host
    # The file agrees with memory.
    assert _sorted_canonical(project._read_map(doc.id)) | {"participants": []} == host | {
        "participants": []
    }


class _Kept:
    """A peer's map kept up to date record by record, as a joined laptop keeps it."""

    def __init__(self, peer: SharedDoc, map_id: str) -> None:
        self.peer = peer
        self.state = MapState.from_data(peer.read_map(map_id))
        self.touched = Touched(peer)

    def current(self) -> MapState:
        for _, tables in self.touched.take().items():
            self.state.apply_all(ops_towards(self.peer, self.state, tables).ops)
        return self.state


def test_a_shared_map_deleted_on_the_host_leaves_the_document(project: Project, doc):
    from ipsmap.model.project_commands import DeleteMap

    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    sent: list[bytes] = []
    session.on_local_update = sent.append
    project.execute(DeleteMap(doc.id))
    assert session.map_ids == []
    for update in sent:
        peer.doc.apply_update(update)
    assert peer.map_ids() == []


def test_a_laptop_cannot_remove_a_shared_map(project: Project, doc):
    doc.execute(AddFactor("Housing"))
    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    before = peer.doc.get_state()
    with peer.doc.transaction(origin="local"):
        del peer.maps[doc.id]
    outcome = session.apply_remote(peer.doc.get_update(before), Author(None, "x", None))
    assert any("removed a shared map" in n for n in outcome.notices)
    assert len(doc.factors) == 1
    for correction in outcome.corrections:
        peer.doc.apply_update(correction)
    assert [f.label for f in peer.read_map(doc.id).factors] == ["Housing"]


def test_the_document_names_a_person_without_consent_by_their_numbered_alias_only(
    project: Project, doc
):
    # The shared document leaves the host: it carries what the lobby and window show.
    command = AddParticipant("Jo Bloggs", "parent", "Glasgow", consent=False)
    project.execute(command)
    session = HostSession(project, [doc.id])
    shown = {p.id: p.pseudonym for p in _peer_of(session).participants()}
    assert shown[command.id] == project.participants[command.id].pseudonym
    assert shown[command.id].startswith("Parent/carer ")
    assert "Jo Bloggs" not in session.shared.doc.get_update().decode("utf-8", "replace")


def test_a_new_map_the_model_refuses_is_removed_for_everyone_with_a_notice(project: Project, doc):
    import dataclasses

    from ipsmap.model.mapdata import MapData

    session = HostSession(project, [doc.id])
    peer = _peer_of(session)
    info = dataclasses.replace(project.map_info(doc.id), id="m-new", kind="spreadsheet")
    before = peer.doc.get_state()
    with peer.doc.transaction(origin="local"):
        peer.put_map(MapData(info))
    outcome = session.apply_remote(peer.doc.get_update(before), Author(None, "x", None))
    assert "m-new" not in {m.id for m in project.maps()}
    assert any("refused a new map" in n for n in outcome.notices), outcome.notices
    for correction in outcome.corrections:
        peer.doc.apply_update(correction)
    assert not peer.has_map("m-new") and not session.shared.has_map("m-new")
