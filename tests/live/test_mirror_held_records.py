"""A joined laptop's mirror when a link arrives before its factor (relayed ahead of the
step 2 that brings the factor): the link waits, is taken in when the factor comes, and is
never removed from the document for everyone, not even by a laptop restarted meanwhile."""

from __future__ import annotations

from pycrdt import Doc

from ipsmap.live.mirror import MirrorSession, open_mirror
from ipsmap.live.session import HostSession
from ipsmap.live.shared_doc import SharedDoc
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.state import MapState


def _peer(first: bytes) -> SharedDoc:
    peer = SharedDoc(Doc())
    peer.doc.apply_update(first)
    return peer


def _edit(peer: SharedDoc, command, map_id: str) -> bytes:
    """A laptop's edit, as the update it sends."""
    before = peer.doc.get_state()
    with peer.doc.transaction(origin="local"):
        peer.edit(command, MapState.from_data(peer.read_map(map_id)), None)
    return peer.doc.get_update(before)


def _host_with_updates(tmp_path):
    """A host project sharing one map with 'Housing'; returns the session, the first
    update a laptop gets, one laptop's update adding 'Stress' and another laptop's update
    linking 'Housing' to it (relayed by the host in any order)."""
    project = Project.create(tmp_path / "host.ipsmap")
    add_map = AddMap("Live", "system")
    project.execute(add_map)
    housing = AddFactor("Housing")
    project.document(add_map.id).execute(housing)
    session = HostSession(project, [add_map.id])
    first = session.shared.doc.get_update()
    one, two = _peer(first), _peer(first)
    stress = AddFactor("Stress")
    factor_update = _edit(one, stress, add_map.id)
    two.doc.apply_update(factor_update)
    link_update = _edit(two, AddLink(housing.id, stress.id, "+"), add_map.id)
    return project, session, add_map.id, first, factor_update, link_update


def test_a_link_arriving_before_its_factor_is_taken_in_when_the_factor_comes(tmp_path):
    host, session, map_id, first, factor_update, link_update = _host_with_updates(tmp_path)
    mirror_project = open_mirror(tmp_path / "laptop", "Live")
    mirror = MirrorSession(mirror_project)
    mirror.take_remote(first)
    mirror.take_remote(link_update)  # ahead of its factor
    assert not mirror_project.document(map_id).links
    mirror.take_remote(factor_update)
    labels = {f.label for f in mirror_project.document(map_id).factors.values()}
    assert labels == {"Housing", "Stress"}
    assert len(mirror_project.document(map_id).links) == 1
    mirror.close()
    mirror_project.close()
    session.close()
    host.close()


def test_a_laptop_restarted_while_a_link_waits_keeps_it_for_everyone(tmp_path):
    host, session, map_id, first, factor_update, link_update = _host_with_updates(tmp_path)
    mirror_project = open_mirror(tmp_path / "laptop", "Live")
    mirror = MirrorSession(mirror_project)
    mirror.take_remote(first)
    mirror.take_remote(link_update)
    mirror.close()
    mirror_project.close()
    # Restarted: resuming must not remove the waiting link from the document (that
    # removal would travel to the host and delete the link for everyone).
    mirror_project = open_mirror(tmp_path / "laptop", "Live")
    mirror = MirrorSession(mirror_project)
    assert len(mirror.shared.rows(map_id, "links")) == 1
    mirror.take_remote(factor_update)
    assert len(mirror_project.document(map_id).links) == 1
    # What the laptop sends the host (its resume and anything after) leaves the link be.
    session.apply_remote(factor_update, host.local_author())
    session.apply_remote(link_update, host.local_author())
    # On reconnecting the host is sent everything it lacks of the laptop's document.
    session.apply_remote(mirror.shared.doc.get_update(), host.local_author())
    assert len(host.document(map_id).links) == 1
    mirror.close()
    mirror_project.close()
    session.close()
    host.close()
