"""Feedback loops: the same loops as networkx.simple_cycles, classified, capped, never hanging."""

from __future__ import annotations

import time
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsmap.analysis.loops import (
    BALANCING,
    COUNT_LIMIT,
    REINFORCING,
    TIME_LIMIT,
    UNKNOWN,
    find_loops,
    loop_polarity,
)

SHARED = Path(__file__).parents[2].parent / "shared"
WILIAM = SHARED / "data" / "maps" / "wiliam_loop_diagram_v1_2.graphml"
# Simple cycles of length <= L in WILIAM, L = 2..7 (computed independently, see the README).
WILIAM_LOOPS = {2: 12, 3: 52, 4: 156, 5: 458, 6: 1291, 7: 3491}
SIGN = {"+": 1, "-": -1, "?": 0}


def signed_graph(edges: dict[tuple[str, str], str]) -> nx.DiGraph:
    """A graph as to_digraph makes it, from {(source, target): polarity}."""
    graph = nx.DiGraph()
    for (u, v), polarity in edges.items():
        graph.add_edge(u, v, id=f"{u}>{v}", polarity=polarity, sign=SIGN[polarity])
    return graph


def rotated(cycle: list[str]) -> tuple[str, ...]:
    first = cycle.index(min(cycle))
    return tuple(cycle[first:] + cycle[:first])


def reference_loops(graph: nx.DiGraph, max_length: int | None) -> set[tuple[str, ...]]:
    return {rotated(c) for c in nx.simple_cycles(graph, length_bound=max_length)}


def loop_edges(loop: tuple[str, ...]) -> list[tuple[str, str]]:
    return list(zip(loop, loop[1:] + loop[:1], strict=True))


def expected_polarity(graph: nx.DiGraph, loop: tuple[str, ...]) -> str:
    polarities = [graph.edges[edge]["polarity"] for edge in loop_edges(loop)]
    if "?" in polarities:
        return UNKNOWN
    return BALANCING if polarities.count("-") % 2 else REINFORCING


@st.composite
def small_signed_graphs(draw: st.DrawFn, max_nodes: int = 12) -> nx.DiGraph:
    # Names that sort differently as text than as numbers ("f10" < "f2") on purpose.
    n = draw(st.integers(1, max_nodes))
    names = [f"f{i}" for i in range(n)]
    pairs = [(u, v) for u in names for v in names]
    density = draw(st.sampled_from([0.1, 0.25, 0.45]))
    edges = {}
    for u, v in pairs:
        if u == v and not draw(st.booleans()):
            continue
        if draw(st.floats(0, 1)) < density:
            edges[(u, v)] = draw(st.sampled_from("+-?"))
    graph = signed_graph(edges)
    graph.add_nodes_from(names)
    return graph


# Graphs for unbounded length stay small: a dense 12-factor map has millions of loops.
bounded_cases = st.tuples(small_signed_graphs(), st.sampled_from([1, 2, 3, 4, 6]))
unbounded_cases = st.tuples(small_signed_graphs(max_nodes=8), st.none())


@settings(max_examples=100, deadline=None)
@given(case=bounded_cases | unbounded_cases)
def test_loops_equal_networkx_simple_cycles(case: tuple[nx.DiGraph, int | None]) -> None:
    graph, max_length = case
    listing = find_loops(graph, max_length=max_length, time_limit=None)
    found = [loop.factors for loop in listing.items]
    assert len(found) == len(set(found)), "a loop listed twice"
    assert set(found) == reference_loops(graph, max_length)
    assert listing.complete and listing.stopped_because is None
    assert listing.count == len(found)
    for loop in listing.items:
        assert loop.factors == rotated(list(loop.factors))
        assert loop.length == len(loop.factors) == len(loop.links)
        assert list(loop.links) == [graph.edges[edge]["id"] for edge in loop_edges(loop.factors)]
        assert loop.polarity == expected_polarity(graph, loop.factors)
    assert sum(listing.by_length.values()) == listing.count
    assert listing.reinforcing + listing.balancing + listing.unknown == listing.count
    assert [loop.length for loop in listing.items] == sorted(loop.length for loop in listing.items)


@settings(max_examples=100, deadline=None)
@given(case=bounded_cases | unbounded_cases, data=st.data())
def test_loops_through_factors_equal_filtered_reference(
    case: tuple[nx.DiGraph, int | None], data: st.DataObject
) -> None:
    graph, max_length = case
    nodes = sorted(graph.nodes)
    chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
    reference = reference_loops(graph, max_length)
    through = chosen[0] if len(chosen) == 1 else set(chosen)
    listing = find_loops(graph, max_length=max_length, through=through, time_limit=None)
    assert listing.complete
    found = [loop.factors for loop in listing.items]
    assert len(found) == len(set(found))
    assert set(found) == {loop for loop in reference if set(loop) & set(chosen)}


def test_polarity_rules() -> None:
    assert loop_polarity([1, 1]) == REINFORCING
    assert loop_polarity([-1, -1, 1]) == REINFORCING
    assert loop_polarity([-1, 1]) == BALANCING
    assert loop_polarity([-1, -1, -1]) == BALANCING
    assert loop_polarity([-1, 0]) == UNKNOWN


def test_reciprocal_pair_is_a_two_factor_loop() -> None:
    graph = signed_graph({("b", "a"): "-", ("a", "b"): "+", ("b", "c"): "+"})
    listing = find_loops(graph)
    assert [(loop.factors, loop.links, loop.polarity) for loop in listing.items] == [
        (("a", "b"), ("a>b", "b>a"), BALANCING)
    ]
    assert listing.by_length == {2: 1}
    assert (listing.reinforcing, listing.balancing, listing.unknown) == (0, 1, 0)


def test_unknown_factor_in_through_is_an_error() -> None:
    with pytest.raises(nx.NodeNotFound):
        find_loops(signed_graph({("a", "b"): "+"}), through="zz")


def test_empty_and_loopless_graphs() -> None:
    assert find_loops(nx.DiGraph()).count == 0
    listing = find_loops(signed_graph({("a", "b"): "+", ("b", "c"): "-"}))
    assert listing.count == 0 and listing.complete


def complete_digraph(n: int) -> nx.DiGraph:
    names = [f"n{i:03d}" for i in range(n)]
    return signed_graph({(u, v): "+" for u in names for v in names if u != v})


def test_count_limit_says_incomplete() -> None:
    graph = complete_digraph(6)  # 15 + 40 + 90 loops of length <= 4
    total = find_loops(graph, max_length=4).count
    assert total == len(reference_loops(graph, 4))
    capped = find_loops(graph, max_length=4, max_count=10)
    assert capped.count == 10
    assert not capped.complete
    assert capped.stopped_because == COUNT_LIMIT
    assert set(loop.factors for loop in capped.items) <= reference_loops(graph, 4)
    # Exactly as many loops as allowed is still complete.
    exact = find_loops(graph, max_length=4, max_count=total)
    assert exact.complete and exact.count == total


def test_time_limit_returns_quickly() -> None:
    graph = complete_digraph(150)  # billions of loops of length <= 8
    start = time.perf_counter()
    listing = find_loops(graph, max_length=8, max_count=10**9, time_limit=0.05)
    elapsed = time.perf_counter() - start
    assert listing.stopped_because == TIME_LIMIT
    assert not listing.complete
    # How many were found before the clock ran out depends on the machine's load (none
    # at all when setting up took the whole budget); what was found must be real loops.
    assert all(len(set(loop.factors)) == loop.length for loop in listing.items)
    assert listing.count < 10**6
    assert elapsed < 1.0


@pytest.fixture(scope="module")
def wiliam() -> nx.DiGraph:
    if not WILIAM.is_file():
        pytest.skip(f"WILIAM graph not found at {WILIAM} (shared test data absent)")
    return nx.read_graphml(WILIAM)


@pytest.mark.parametrize("max_length", sorted(WILIAM_LOOPS))
def test_wiliam_loop_counts_match_oracle(wiliam: nx.DiGraph, max_length: int) -> None:
    listing = find_loops(wiliam, max_length=max_length)
    assert listing.complete
    assert listing.count == WILIAM_LOOPS[max_length]
    # Its links carry no polarity, so every loop is unknown.
    assert listing.unknown == listing.count


def test_wiliam_loops_through_a_factor_equal_filtered_reference(wiliam: nx.DiGraph) -> None:
    reference = reference_loops(wiliam, 5)
    hub = max(wiliam.nodes, key=lambda node: sum(node in loop for loop in reference))
    listing = find_loops(wiliam, max_length=5, through=hub)
    assert {loop.factors for loop in listing.items} == {loop for loop in reference if hub in loop}
