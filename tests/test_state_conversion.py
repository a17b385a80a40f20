"""MapState ↔ MapData: the one conversion between a detached map and in-memory state."""

from __future__ import annotations

from ipsmap.model.commands import AddFactor, AddGroup, AddLink
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.state import MapState


def test_state_and_data_round_trip(project: Project) -> None:
    glasgow = AddMap("Glasgow", "system", "Glasgow")
    project.execute(glasgow)
    doc = project.document(glasgow.id)
    a, b = AddFactor("Poverty", 1, 2), AddFactor("Parental stress", 3, 4)
    doc.execute(a)
    doc.execute(b)
    doc.execute(AddLink(a.id, b.id, "+"))
    doc.execute(AddGroup("Money", [a.id, b.id]))

    stored = project._read_map(glasgow.id)
    live = doc.state.to_data()
    # Members come back by group, sorted (the database keeps them in insertion order).
    assert sorted(live.members) == sorted(stored.members)
    live.members = stored.members
    assert live == stored
    again = MapState.from_data(stored).to_data()
    assert sorted(again.members) == sorted(stored.members)
    again.members = stored.members
    assert again == stored
    again_state = MapState.from_data(stored)
    assert again_state.links_of(a.id) == doc.state.links_of(a.id)
    assert again_state.next_seq("factors") == doc.state.next_seq("factors")
