"""Combining several maps of the same concepts into one (counts, strengths, positions)."""

from __future__ import annotations

import json

import pytest

from ipsmap.model.aggregate import aggregate_maps, combine_maps, propose_merges
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.errors import CommandError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from tests.test_cli import assert_user_error, ipsmap

# Three participants' maps. Per map: factors (label, x, y) and links (from, to, ±, strength).
MAPS = {
    "Anna": (
        [("Stress", 0, 0), ("Sleep", 100, 0), ("Support", 0, 100)],
        [("Stress", "Sleep", "-", 1.0), ("Support", "Stress", "-", 0.5)],
    ),
    "Ben": (
        [("stress ", 20, 10), ("Sleep", 200, 0)],
        [("stress ", "Sleep", "-", 0.25)],
    ),
    "Cleo": (
        [("STRESS", 40, 20), ("Support", 60, 100), ("Money", 0, 0), ("Sleep", 300, 30)],
        [
            ("STRESS", "Sleep", "-", 0.5),
            ("Support", "STRESS", "+", 0.25),
            ("Money", "STRESS", "+", 1.0),
        ],
    ),
}


def build(project: Project) -> list[str]:
    ids = []
    for name, (factors, links) in MAPS.items():
        command = AddMap(name, "system", "Glasgow")
        project.execute(command)
        doc = project.document(command.id)
        by_label = {}
        for label, x, y in factors:
            add = AddFactor(label, x, y)
            doc.execute(add)
            by_label[label] = add.id
        for source, target, polarity, strength in links:
            doc.execute(AddLink(by_label[source], by_label[target], polarity, strength))
        ids.append(command.id)
    return ids


@pytest.fixture
def three(project):
    return project, build(project)


def by_label(data):
    return {f.label: f for f in data.factors}


def link_of(data, source: str, target: str, polarity: str | None = None):
    labels = {f.id: f.label for f in data.factors}
    found = [
        ln
        for ln in data.links
        if labels[ln.source] == source
        and labels[ln.target] == target
        and (polarity is None or ln.polarity == polarity)
    ]
    assert len(found) == 1, found
    return found[0]


def test_factors_merge_by_label_with_counts_and_mean_positions(three):
    project, ids = three
    data = aggregate_maps([project.map_data(i) for i in ids], "Everyone")
    factors = by_label(data)
    assert sorted(factors) == ["Money", "Sleep", "Stress", "Support"]
    stress = factors["Stress"]  # three spellings: the first one seen wins the tie
    assert stress.attributes["maps_count"] == 3
    assert stress.attributes["maps"] == ["Anna", "Ben", "Cleo"]
    assert (stress.x, stress.y) == (20.0, 10.0)
    assert (factors["Sleep"].x, factors["Sleep"].y) == (200.0, 10.0)
    assert factors["Support"].attributes["maps"] == ["Anna", "Cleo"]
    assert (factors["Support"].x, factors["Support"].y) == (30.0, 100.0)
    assert factors["Money"].attributes["maps_count"] == 1
    assert data.info.name == "Everyone" and data.info.site == "Glasgow"
    # Styles merged by name: one set, not three.
    names = [(s.kind, s.name) for s in data.styles]
    assert len(names) == len(set(names)) == len(project.map_data(ids[0]).styles)
    assert {f.type for f in data.factors} <= {s.id for s in data.styles}


def test_links_merge_with_strength_mean_min_max(three):
    project, ids = three
    data = aggregate_maps([project.map_data(i) for i in ids], "Everyone")
    assert len(data.links) == 4
    sleep = link_of(data, "Stress", "Sleep")
    assert sleep.polarity == "-"
    assert sleep.attributes["maps_count"] == 3
    assert sleep.attributes["strength_min"] == 0.25
    assert sleep.attributes["strength_max"] == 1.0
    assert sleep.attributes["strength_mean"] == pytest.approx(1.75 / 3)
    assert sleep.strength == pytest.approx(1.75 / 3)
    # Polarities kept apart: Anna says support lowers stress, Cleo that it raises it.
    minus = link_of(data, "Support", "Stress", "-")
    plus = link_of(data, "Support", "Stress", "+")
    assert (minus.attributes["maps"], plus.attributes["maps"]) == (["Anna"], ["Cleo"])
    assert link_of(data, "Money", "Stress").attributes["strength_mean"] == 1.0


def test_links_by_ends_record_the_polarity_disagreement(three):
    project, ids = three
    data = aggregate_maps([project.map_data(i) for i in ids], "Everyone", split_polarity=False)
    assert len(data.links) == 3
    support = link_of(data, "Support", "Stress")
    assert support.polarity == "?"
    assert support.attributes["polarities"] == {"+": 1, "-": 1}
    assert support.attributes["maps_count"] == 2
    assert support.strength == pytest.approx(0.375)
    assert "polarities" not in link_of(data, "Stress", "Sleep").attributes


def test_combine_adds_one_undoable_map(three):
    project, ids = three
    before = len(project.maps())
    map_id = combine_maps(project, ids, "Everyone")
    doc = project.document(map_id)
    assert len(project.maps()) == before + 1
    assert len(doc.factors) == 4 and len(doc.links) == 4
    stored = next(f for f in doc.factors.values() if f.label == "Stress")
    assert stored.attributes["maps_count"] == 3
    assert project.undo_stack.undo_name() == "Import map"
    project.undo()
    assert len(project.maps()) == before
    with pytest.raises(CommandError):
        combine_maps(project, ids[:1], "Alone")
    with pytest.raises(CommandError):
        combine_maps(project, [ids[0], ids[0]], "Twice")


def test_cli_aggregate(tmp_path):
    path = tmp_path / "three.ipsmap"
    with Project.create(path, "Three") as project:
        build(project)
    result = ipsmap("aggregate", path, "Anna", "Ben", "Cleo", "--name", "All three", "--json")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert (row["name"], row["factors"], row["links"]) == ("All three", 4, 4)
    assert row["maps"] == ["Anna", "Ben", "Cleo"]
    with Project.open(path, read_only=True) as project:
        doc = project.document(row["id"])
        sleep = next(ln for ln in doc.links.values() if doc.factors[ln.target].label == "Sleep")
        assert sleep.attributes["strength_min"] == 0.25
    by_ends = ipsmap("aggregate", path, "Anna", "Cleo", "--name", "AC", "--by-ends", "--json")
    assert json.loads(by_ends.stdout)["links"] == 3
    assert_user_error(ipsmap("aggregate", path, "Anna", "Nobody", "--name", "X"), "No map")
    assert_user_error(ipsmap("aggregate", path, "Anna", "--name", "X"), "at least two")


def test_similar_labels_are_proposed_and_merged_only_when_accepted(project):
    maps = []
    for name, labels in (("Anna", ["Waiting lists", "Sleep"]), ("Ben", ["Waiting list", "Sleep"])):
        command = AddMap(name, "system")
        project.execute(command)
        doc = project.document(command.id)
        ids = []
        for label in labels:
            add = AddFactor(label)
            doc.execute(add)
            ids.append(add.id)
        doc.execute(AddLink(ids[0], ids[1], "-", 0.5 if name == "Anna" else 1.0))
        maps.append(project.map_data(command.id))

    (proposal,) = propose_merges(maps)
    assert {proposal.a, proposal.b} == {"Waiting lists", "Waiting list"}
    assert proposal.score >= 0.85

    apart = aggregate_maps(maps, "Apart")
    assert sorted(f.label for f in apart.factors) == ["Sleep", "Waiting list", "Waiting lists"]

    merged = aggregate_maps(maps, "Merged", merge=[("waiting list", "WAITING LISTS")])
    waiting = next(f for f in merged.factors if f.label.startswith("Waiting"))
    assert len(merged.factors) == 2 and waiting.attributes["maps_count"] == 2
    (link,) = merged.links
    assert link.attributes["maps_count"] == 2
    assert (link.attributes["strength_min"], link.attributes["strength_max"]) == (0.5, 1.0)


def test_cli_aggregate_merge_option(tmp_path):
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        for name, label in (("Anna", "Waiting lists"), ("Ben", "Waiting list")):
            command = AddMap(name, "system")
            project.execute(command)
            project.document(command.id).execute(AddFactor(label))
    apart = json.loads(ipsmap("aggregate", path, "Anna", "Ben", "--name", "A", "--json").stdout)
    assert apart["factors"] == 2 and len(apart["similar_not_merged"]) == 1
    merged = ipsmap(
        "aggregate", path, "Anna", "Ben", "--name", "M", "--merge", "Waiting lists=Waiting list"
    )
    assert merged.returncode == 0, merged.stderr
    assert ": 1 factors" in merged.stdout and "similar, not merged" not in merged.stdout
    assert_user_error(
        ipsmap("aggregate", path, "Anna", "Ben", "--name", "X", "--merge", "nope"), "--merge"
    )
