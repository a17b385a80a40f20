"""Factor metrics: every value equals networkx (or a textbook computation) on the same graph."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.analysis import metrics
from ipsmap.analysis.graph import to_digraph
from ipsmap.analysis.metrics import (
    AUTONOMOUS,
    DEPENDENT,
    INDEPENDENT,
    LINKAGE,
    FactorMetrics,
    factor_metrics,
    undirected_weighted,
)
from ipsmap.model.entities import Factor, Link, MapInfo
from ipsmap.model.state import MapState

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from synthetic import synthetic_map

STRENGTHS = (0.0, 0.25, 0.5, 1.0)
SIGN = {"+": 1, "-": -1, "?": 0}


def close(expected: float) -> object:
    """Equal to within rounding (floats added up in a different order)."""
    return pytest.approx(expected, rel=1e-9, abs=1e-12)


# -- graphs -----------------------------------------------------------------------------------


def link_graph(edges: list[tuple[str, str]], nodes: list[str] | None = None) -> nx.DiGraph:
    """A graph as to_digraph makes it, every link '+' of strength 0.5."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes or [])
    for u, v in edges:
        graph.add_edge(u, v, polarity="+", sign=1, strength=0.5, weight=0.5)
    return graph


@st.composite
def digraphs(draw: st.DrawFn, max_nodes: int = 10, self_links: bool = True) -> nx.DiGraph:
    """Random small maps: isolated factors, several parts, reciprocal pairs, '?' links."""
    n = draw(st.integers(0, max_nodes))
    # Distinct names in a random order, so that map order is not sorted order.
    names = draw(st.permutations([f"f{i}" for i in range(n)]))
    pairs = [(u, v) for u in names for v in names if u != v or self_links]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    for u, v in chosen:
        polarity = draw(st.sampled_from("+-?"))
        strength = draw(st.sampled_from(STRENGTHS))
        graph.add_edge(
            u, v, polarity=polarity, sign=SIGN[polarity], strength=strength, weight=strength
        )
    return graph


def synthetic_graph(n_factors: int, seed: int = 0) -> nx.DiGraph:
    data = synthetic_map(n_factors, seed=seed)
    state = MapState.from_data(data)
    return to_digraph(state)


# -- references ---------------------------------------------------------------------------------


def trophic_reference(graph: nx.DiGraph) -> dict[str, float]:
    """MacKay et al.'s improved trophic levels by dense least squares, part by part."""
    levels: dict[str, float] = {}
    for part in nx.weakly_connected_components(graph):
        nodes = [v for v in graph if v in part]
        adjacency = nx.to_numpy_array(graph, nodelist=nodes, weight=None)
        np.fill_diagonal(adjacency, 0.0)
        into, out_of = adjacency.sum(axis=0), adjacency.sum(axis=1)
        laplacian = np.diag(into + out_of) - adjacency - adjacency.T
        solution = np.linalg.lstsq(laplacian, into - out_of, rcond=None)[0]
        solution -= solution.min()
        levels.update(zip(nodes, solution.tolist(), strict=True))
    return levels


def quadrant(driving: int, dependence: int, mean_driving: float, mean_dependence: float) -> str:
    high_driving = driving >= mean_driving and driving > 0
    high_dependence = dependence >= mean_dependence and dependence > 0
    if high_driving:
        return LINKAGE if high_dependence else INDEPENDENT
    return DEPENDENT if high_dependence else AUTONOMOUS


def expected_communities(graph: nx.DiGraph, seed: int = 1) -> set[frozenset[str]]:
    undirected = undirected_weighted(graph)
    if undirected.size(weight="weight") <= 0:
        return {frozenset([v]) for v in graph}
    return {frozenset(c) for c in nx.community.louvain_communities(undirected, seed=seed)}


def assert_distances_match(graph: nx.DiGraph, result: dict[str, FactorMetrics]) -> None:
    """Closeness, reach and MICMAC counts against networkx searches."""
    n = len(graph)
    closeness = nx.closeness_centrality(graph)
    for v in graph:
        near = nx.single_source_shortest_path_length(graph, v, cutoff=2)
        assert result[v].closeness == close(closeness[v])
        assert result[v].reach == pytest.approx((len(near) - 1) / (n - 1) if n > 1 else 0.0)
        assert result[v].micmac_driving == len(nx.descendants(graph, v))
        assert result[v].micmac_dependence == len(nx.ancestors(graph, v))


def assert_matches_networkx(graph: nx.DiGraph, seed: int = 1) -> None:
    result = factor_metrics(graph, seed=seed)
    assert list(result) == list(graph)
    if not graph:
        return
    assert all(result[v].factor_id == v for v in graph)
    betweenness = nx.betweenness_centrality(graph, normalized=False)
    normalized = nx.betweenness_centrality(graph, normalized=True)
    pagerank = nx.pagerank(graph)
    try:
        eigenvector: dict[str, float] | None = nx.eigenvector_centrality(graph)
    except nx.PowerIterationFailedConvergence:
        eigenvector = None
    trophic = trophic_reference(graph)
    for v in graph:
        got = result[v]
        assert got.in_degree == graph.in_degree(v)
        assert got.out_degree == graph.out_degree(v)
        assert got.weighted_in == pytest.approx(graph.in_degree(v, weight="strength"))
        assert got.weighted_out == pytest.approx(graph.out_degree(v, weight="strength"))
        in_degree = graph.in_degree(v)
        assert got.leverage == (graph.out_degree(v) / in_degree if in_degree else None)
        assert got.betweenness == close(betweenness[v])
        assert got.betweenness_normalized == close(normalized[v])
        assert got.pagerank == close(pagerank[v])
        if eigenvector is None:
            assert got.eigenvector is None
        else:
            assert got.eigenvector == pytest.approx(eigenvector[v], rel=1e-9, abs=1e-9)
        assert got.trophic_level == pytest.approx(trophic[v], abs=1e-7)
    assert_distances_match(graph, result)
    driving = [m.micmac_driving for m in result.values()]
    dependence = [m.micmac_dependence for m in result.values()]
    means = (sum(driving) / len(driving), sum(dependence) / len(dependence))
    for m in result.values():
        assert m.micmac_quadrant == quadrant(m.micmac_driving, m.micmac_dependence, *means)
    assert_communities(graph, result, seed)


def assert_communities(graph: nx.DiGraph, result: dict[str, FactorMetrics], seed: int) -> None:
    members: dict[int, list[str]] = {}
    for v, m in result.items():
        members.setdefault(m.community, []).append(v)
    assert sorted(members) == list(range(len(members)))
    assert {frozenset(c) for c in members.values()} == expected_communities(graph, seed)
    # Numbered by size, largest first, then by the map position of the first member.
    position = {v: i for i, v in enumerate(graph)}
    keys = [(-len(members[k]), position[members[k][0]]) for k in sorted(members)]
    assert keys == sorted(keys)


# -- property tests -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digraphs())
def test_every_metric_equals_networkx(graph: nx.DiGraph) -> None:
    assert_matches_networkx(graph)


@st.composite
def random_digraphs(draw: st.DrawFn) -> nx.DiGraph:
    """Random digraphs of 1 to 200 factors, sparse to dense enough to reach far."""
    n = draw(st.integers(1, 200))
    m = draw(st.integers(0, min(3 * n, n * (n - 1))))
    return nx.gnm_random_graph(n, m, seed=draw(st.integers(0, 2**16)), directed=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_digraphs() | digraphs(max_nodes=150, self_links=False))
def test_bit_blocks_join_up(graph: nx.DiGraph) -> None:
    with pytest.MonkeyPatch.context() as patch:
        # One word (64 factors) per block, so maps over 64 factors span several blocks.
        patch.setattr(metrics, "_BLOCK_WORDS", 1)
        assert_distances_match(graph, factor_metrics(graph))


@settings(max_examples=30, deadline=None)
@given(digraphs(max_nodes=8), st.integers(0, 2**16))
def test_communities_follow_the_seed_and_repeat(graph: nx.DiGraph, seed: int) -> None:
    first = factor_metrics(graph, seed=seed)
    assert_communities(graph, first, seed)
    assert factor_metrics(graph, seed=seed) == first


@st.composite
def weighted_digraphs(draw: st.DrawFn) -> nx.DiGraph:
    """Random maps big enough for Louvain to merge communities over several levels."""
    graph = draw(random_digraphs())
    for u, v in graph.edges:
        # Few distinct strengths: many equal gains, so ties must break as networkx breaks them.
        graph.edges[u, v]["strength"] = draw(st.sampled_from(STRENGTHS[1:]))
    for u in draw(st.lists(st.sampled_from(list(graph)), max_size=3)):
        graph.add_edge(u, u, strength=0.5)
    return graph


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_digraphs(), st.integers(0, 1000))
def test_communities_equal_networkx_louvain(graph: nx.DiGraph, seed: int) -> None:
    assert_communities(graph, factor_metrics(graph, seed=seed), seed)


def test_communities_of_a_large_map_equal_networkx_louvain() -> None:
    graph = synthetic_graph(2000, seed=6)
    assert_communities(graph, factor_metrics(graph), seed=1)


def test_map_over_one_block_equals_networkx() -> None:
    # 1,100 factors: more than one 1,024-factor block at the default block size. Short
    # chains with some links back and across, so that networkx's searches stay quick.
    edges = [(f"f{i}", f"f{i + 1}") for i in range(1099) if i % 10 != 9]
    edges += [(f"f{i}", f"f{i - 3}") for i in range(3, 1100, 7)]
    edges += [(f"f{i}", f"f{(i * 37) % 1100}") for i in range(0, 1100, 50)]
    graph = link_graph(edges, [f"f{i}" for i in range(1100)])
    result = factor_metrics(graph)
    assert_distances_match(graph, result)
    betweenness = nx.betweenness_centrality(graph, normalized=False)
    for v in graph:
        assert result[v].betweenness == close(betweenness[v])


def test_medium_synthetic_map_equals_networkx() -> None:
    assert_matches_networkx(synthetic_graph(150, seed=5), seed=3)


# -- worked examples ----------------------------------------------------------------------------


def test_empty_map_has_no_metrics() -> None:
    assert factor_metrics(nx.DiGraph()) == {}


def test_single_factor() -> None:
    (only,) = factor_metrics(link_graph([], ["a"])).values()
    assert only == FactorMetrics(
        factor_id="a",
        in_degree=0,
        out_degree=0,
        weighted_in=0.0,
        weighted_out=0.0,
        leverage=None,
        betweenness=0.0,
        betweenness_normalized=0.0,
        closeness=0.0,
        pagerank=1.0,
        eigenvector=1.0,
        reach=0.0,
        micmac_driving=0,
        micmac_dependence=0,
        micmac_quadrant=AUTONOMOUS,
        trophic_level=0.0,
        community=0,
    )


def test_chain() -> None:
    result = factor_metrics(link_graph([("a", "b"), ("b", "c"), ("c", "d")]))
    assert [m.trophic_level for m in result.values()] == pytest.approx([0, 1, 2, 3])
    assert [m.leverage for m in result.values()] == [None, 1.0, 1.0, 0.0]
    assert [m.betweenness for m in result.values()] == [0, 2, 2, 0]
    assert [m.betweenness_normalized for m in result.values()] == [0, 1 / 3, 1 / 3, 0]
    assert [m.reach for m in result.values()] == pytest.approx([2 / 3, 2 / 3, 1 / 3, 0])
    assert [m.micmac_driving for m in result.values()] == [3, 2, 1, 0]
    assert [m.micmac_dependence for m in result.values()] == [0, 1, 2, 3]
    # Means 1.5: the first half drives, the second half depends.
    quadrants = [m.micmac_quadrant for m in result.values()]
    assert quadrants == [INDEPENDENT, INDEPENDENT, DEPENDENT, DEPENDENT]
    # Incoming distances: d is reached from c, b, a at 1, 2, 3.
    assert result["d"].closeness == pytest.approx((3 / 6) * (3 / 3))
    # No loop: the power iteration does not settle, as in networkx.
    assert result["a"].eigenvector is None


def test_loop_makes_every_factor_a_linkage_factor() -> None:
    result = factor_metrics(link_graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "a")]))
    assert {m.micmac_quadrant for m in result.values()} == {LINKAGE}
    assert all(m.micmac_driving == m.micmac_dependence == 3 for m in result.values())
    assert all(m.eigenvector == pytest.approx(0.5) for m in result.values())
    assert all(m.trophic_level == pytest.approx(0.0) for m in result.values())


def test_map_without_links() -> None:
    result = factor_metrics(link_graph([], ["c", "a", "b"]))
    assert {m.micmac_quadrant for m in result.values()} == {AUTONOMOUS}
    # All communities are single factors, numbered in map order.
    assert [m.community for m in result.values()] == [0, 1, 2]


def test_each_part_of_the_map_starts_at_trophic_level_zero() -> None:
    result = factor_metrics(link_graph([("a", "b"), ("x", "y"), ("y", "z")], ["lone"]))
    levels = {v: m.trophic_level for v, m in result.items()}
    assert levels == pytest.approx({"lone": 0, "a": 0, "b": 1, "x": 0, "y": 1, "z": 2})


def test_reciprocal_strengths_add_up_for_communities() -> None:
    graph = nx.DiGraph()
    graph.add_edge("a", "b", strength=0.25)
    graph.add_edge("b", "a", strength=0.5)
    graph.add_edge("b", "c", strength=1.0)
    undirected = undirected_weighted(graph)
    assert undirected.edges["a", "b"]["weight"] == 0.75
    assert undirected.edges["b", "c"]["weight"] == 1.0


def test_strength_zero_links_leave_every_factor_alone() -> None:
    graph = nx.DiGraph()
    graph.add_edge("a", "b", strength=0.0)
    result = factor_metrics(graph)
    assert [m.community for m in result.values()] == [0, 1]
    assert result["b"].in_degree == 1


def test_metrics_of_a_map_state() -> None:
    info = MapInfo(id="m", name="Map")
    state = MapState(info)
    factors = [Factor(id=f, map_id="m", label=f.upper(), seq=i) for i, f in enumerate("abc")]
    links = [
        Link(id="l1", map_id="m", source="a", target="b", polarity="+", strength=1.0, seq=1),
        Link(id="l2", map_id="m", source="c", target="b", polarity="?", strength=0.25, seq=2),
        Link(id="l3", map_id="m", source="b", target="c", polarity="-", strength=0.5, seq=3),
    ]
    state.load([], factors, links, [], [])
    result = factor_metrics(to_digraph(state))
    assert list(result) == ["a", "b", "c"]
    assert result["b"].in_degree == 2
    assert result["b"].weighted_in == 1.25
    assert result["b"].weighted_out == 0.5
    assert result["b"].leverage == 0.5
    assert result["a"].leverage is None
