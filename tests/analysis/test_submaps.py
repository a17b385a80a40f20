"""Submaps and paths: reach, neighbourhoods, shortest and simple paths, routes, induced maps."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsmap.analysis.graph import factor_label, polarity_sign, to_digraph
from ipsmap.analysis.submaps import (
    COUNT_LIMIT,
    LENGTH_CAP,
    downstream,
    neighbourhood,
    on_any_path,
    shortest_paths,
    simple_paths,
    submap,
    upstream,
)
from ipsmap.model.project import Project

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from synthetic import synthetic_map


def chain_graph(edges: list[tuple[str, str]], nodes: Iterable[str] = "") -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    for u, v in edges:
        graph.add_edge(u, v, id=f"{u}{v}")
    return graph


# a → b → c → d, b → e, x → c, d → b (a loop b c d), f alone.
EXAMPLE = chain_graph(
    [("a", "b"), ("b", "c"), ("c", "d"), ("b", "e"), ("x", "c"), ("d", "b")], nodes="abcdexf"
)


@st.composite
def small_graphs(draw: st.DrawFn) -> nx.DiGraph:
    n = draw(st.integers(1, 9))
    names = [f"n{i}" for i in range(n)]
    density = draw(st.sampled_from([0.1, 0.2, 0.35]))
    edges = [(u, v) for u in names for v in names if u != v and draw(st.floats(0, 1)) < density]
    return chain_graph(edges, nodes=names)


def some_nodes(graph: nx.DiGraph, data: st.DataObject, max_size: int = 3) -> list[str]:
    nodes = list(graph.nodes)
    return data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=max_size, unique=True))


# -- to_digraph --------------------------------------------------------------------------


def test_to_digraph_carries_factors_and_links(tmp_path: Path) -> None:
    data = synthetic_map(40)
    with Project.create(tmp_path / "p.ipsmap") as project:
        state = project.document(project.import_map(data)).state
        graph = to_digraph(state)
        assert list(graph.nodes) == list(state.factors)
        assert graph.number_of_edges() == len(state.links)
        for link_id, link in state.links.items():
            attrs = graph.edges[link.source, link.target]
            assert attrs["id"] == link_id
            assert attrs["polarity"] == link.polarity
            assert attrs["strength"] == attrs["weight"] == link.strength
            assert attrs["sign"] == {"+": 1, "-": -1, "?": 0}[link.polarity]
        first = next(iter(state.factors.values()))
        assert graph.nodes[first.id] == {"label": first.label, "type": first.type}
        assert factor_label(state, first.id) == first.label
        assert factor_label(state, "no such factor") == "no such factor"
    assert polarity_sign("-") == -1 and polarity_sign("odd") == 0


# -- reach -------------------------------------------------------------------------------


def test_downstream_and_upstream_by_hand() -> None:
    assert downstream(EXAMPLE, ["a"]) == set("abcde")
    assert downstream(EXAMPLE, ["a"], depth=1) == set("ab")
    assert downstream(EXAMPLE, ["a"], depth=0) == {"a"}
    assert upstream(EXAMPLE, ["c"]) == set("abcdx")
    assert upstream(EXAMPLE, ["c"], depth=1) == set("bcx")
    assert downstream(EXAMPLE, ["a", "x"]) == set("abcdex")
    assert downstream(EXAMPLE, ["a", "x"], combine="intersection") == set("bcde")
    assert downstream(EXAMPLE, ["a", "x"], depth=1, combine="intersection") == set()
    assert downstream(EXAMPLE, "f") == {"f"}


def test_bad_arguments() -> None:
    with pytest.raises(nx.NodeNotFound):
        downstream(EXAMPLE, ["zz"])
    with pytest.raises(ValueError):
        downstream(EXAMPLE, ["a"], combine="both")
    with pytest.raises(ValueError):
        neighbourhood(EXAMPLE, ["a"], 1, direction="up")


@settings(max_examples=100, deadline=None)
@given(graph=small_graphs(), data=st.data())
def test_reach_matches_networkx(graph: nx.DiGraph, data: st.DataObject) -> None:
    starts = some_nodes(graph, data)
    depth = data.draw(st.sampled_from([None, 0, 1, 2, 3]))

    def reach(g: nx.DiGraph, start: str) -> set[str]:
        return set(nx.single_source_shortest_path_length(g, start, cutoff=depth))

    for func, g in ((downstream, graph), (upstream, graph.reverse())):
        per_start = [reach(g, s) for s in starts]
        assert func(graph, starts, depth) == set().union(*per_start)
        assert func(graph, starts, depth, "intersection") == set.intersection(*per_start)


@settings(max_examples=100, deadline=None)
@given(graph=small_graphs(), data=st.data())
def test_neighbourhood_matches_ego_graphs(graph: nx.DiGraph, data: st.DataObject) -> None:
    starts = some_nodes(graph, data)
    radius = data.draw(st.integers(0, 3))
    for direction, undirected, g in (
        ("both", True, graph),
        ("out", False, graph),
        ("in", False, graph.reverse()),
    ):
        expected = set().union(
            *(nx.ego_graph(g, s, radius=radius, undirected=undirected).nodes for s in starts)
        )
        assert neighbourhood(graph, starts, radius, direction) == expected


# -- paths -------------------------------------------------------------------------------


def all_simple_paths(
    graph: nx.DiGraph, sources: list[str], targets: list[str], cutoff: int | None
) -> list[tuple[str, ...]]:
    return [
        tuple(path)
        for s in sources
        for t in targets
        if s != t
        for path in nx.all_simple_paths(graph, s, t, cutoff=cutoff)
    ]


def test_shortest_paths_by_hand() -> None:
    assert shortest_paths(EXAMPLE, ["a"], ["d", "e"]) == [["a", "b", "e"]]
    assert shortest_paths(EXAMPLE, ["a", "x"], ["d"]) == [["x", "c", "d"]]
    assert shortest_paths(EXAMPLE, ["a"], ["f"]) == []
    assert shortest_paths(EXAMPLE, ["a"], ["a"]) == []
    diamond = chain_graph([("s", "p"), ("s", "q"), ("p", "t"), ("q", "t")])
    assert shortest_paths(diamond, ["s"], ["t"]) == [["s", "p", "t"], ["s", "q", "t"]]
    assert len(shortest_paths(diamond, ["s"], ["t"], max_count=1)) == 1


@settings(max_examples=100, deadline=None)
@given(graph=small_graphs(), data=st.data())
def test_shortest_paths_match_brute_force(graph: nx.DiGraph, data: st.DataObject) -> None:
    sources, targets = some_nodes(graph, data), some_nodes(graph, data)
    every = all_simple_paths(graph, sources, targets, None)
    shortest = min((len(p) for p in every), default=0)
    expected = sorted(p for p in every if len(p) == shortest)
    found = shortest_paths(graph, sources, targets)
    assert sorted(tuple(p) for p in found) == expected
    assert len(found) == len(expected)


@settings(max_examples=100, deadline=None)
@given(graph=small_graphs(), data=st.data())
def test_simple_paths_match_networkx(graph: nx.DiGraph, data: st.DataObject) -> None:
    sources, targets = some_nodes(graph, data), some_nodes(graph, data)
    max_length = data.draw(st.integers(1, 5))
    listing = simple_paths(graph, sources, targets, max_length=max_length, max_count=10**6)
    expected = sorted(all_simple_paths(graph, sources, targets, max_length))
    found = [tuple(p) for p in listing.paths]
    assert sorted(found) == expected
    assert len(found) == len(set(found)) == listing.count
    assert listing.complete
    longer = len(all_simple_paths(graph, sources, targets, None)) > len(expected)
    if longer:
        # Longer paths exist, so the cap must have cut something.
        assert listing.stopped_because == LENGTH_CAP
    assert listing.stopped_because in (None, LENGTH_CAP)
    assert sum(listing.by_length.values()) == listing.count


def test_simple_paths_count_limit_and_length_cap() -> None:
    grid = nx.grid_2d_graph(4, 4).to_directed()
    graph = nx.relabel_nodes(grid, {node: f"{node[0]}{node[1]}" for node in grid})
    every = all_simple_paths(graph, ["00"], ["33"], 8)
    capped = simple_paths(graph, ["00"], ["33"], max_length=8, max_count=5)
    assert capped.count == 5 and not capped.complete
    assert capped.stopped_because == COUNT_LIMIT
    assert {tuple(p) for p in capped.paths} <= set(every)
    exact = simple_paths(graph, ["00"], ["33"], max_length=8, max_count=len(every))
    assert exact.complete and exact.count == len(every)
    assert exact.stopped_because == LENGTH_CAP  # longer detours exist
    short = simple_paths(graph, ["00"], ["01"], max_length=1, max_count=5)
    assert short.paths == [["00", "01"]] and short.stopped_because == LENGTH_CAP
    line = chain_graph([("a", "b"), ("b", "c")])
    whole = simple_paths(line, ["a"], ["b", "c"])
    assert whole.paths == [["a", "b"], ["a", "b", "c"]]
    assert whole.complete and whole.stopped_because is None


# -- routes and induced submaps ------------------------------------------------------------


def test_on_any_path_by_hand() -> None:
    factors, links = on_any_path(EXAMPLE, ["a"], ["d"])
    # b → e leads nowhere near d; x is not reached from a; the loop b c d is on the way.
    assert factors == set("abcd")
    assert links == {"ab", "bc", "cd", "db"}
    # Routes may go round a loop: y is on a route s y b t even though no simple path has it.
    detour = chain_graph([("s", "b"), ("b", "y"), ("y", "b"), ("b", "t")])
    assert on_any_path(detour, ["s"], ["t"]) == (set("sbyt"), {"sb", "by", "yb", "bt"})
    assert on_any_path(EXAMPLE, ["e"], ["a"]) == (set(), set())


@settings(max_examples=100, deadline=None)
@given(graph=small_graphs(), data=st.data())
def test_on_any_path_matches_has_path(graph: nx.DiGraph, data: st.DataObject) -> None:
    sources, targets = some_nodes(graph, data), some_nodes(graph, data)

    def reached(node: str) -> bool:
        return any(nx.has_path(graph, s, node) for s in sources)

    def reaching(node: str) -> bool:
        return any(nx.has_path(graph, node, t) for t in targets)

    factors, links = on_any_path(graph, sources, targets)
    assert factors == {n for n in graph if reached(n) and reaching(n)}
    assert links == {d["id"] for u, v, d in graph.edges(data=True) if reached(u) and reaching(v)}
    # Every simple path from a source to a target lies inside.
    for path in all_simple_paths(graph, sources, targets, None):
        assert set(path) <= factors
        assert {graph.edges[e]["id"] for e in pairwise(path)} <= links


def test_submap_is_induced() -> None:
    assert submap(EXAMPLE, ["b", "c", "d", "f"]) == ({"b", "c", "d", "f"}, {"bc", "cd", "db"})
    assert submap(EXAMPLE, []) == (set(), set())
    with pytest.raises(nx.NodeNotFound):
        submap(EXAMPLE, ["b", "zz"])
