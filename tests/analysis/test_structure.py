"""Structure summary: counts, density, drivers, receivers, components, reciprocal pairs."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from ipsmap.analysis.structure import summarise_structure

WILIAM = Path(__file__).parents[2].parent / "shared/data/maps/wiliam_loop_diagram_v1_2.graphml"


def signed(edges: list[tuple[str, str, str]], nodes: str = "") -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((u, v, {"polarity": p}) for u, v, p in edges)
    return graph


def test_hand_made_map() -> None:
    # d drives a; a ⇄ b; b → c → a (loop a b c); c → r; e ⇄ g; z alone.
    graph = signed(
        [
            ("d", "a", "+"),
            ("a", "b", "-"),
            ("b", "a", "+"),
            ("b", "c", "?"),
            ("c", "a", "-"),
            ("c", "r", "+"),
            ("e", "g", "+"),
            ("g", "e", "-"),
        ],
        nodes="zdabcreg",
    )
    summary = summarise_structure(graph)
    assert (summary.factors, summary.links) == (8, 8)
    assert summary.density == pytest.approx(8 / 56)
    assert summary.drivers == ["d"]
    assert summary.receivers == ["r"]
    assert summary.isolated == ["z"]
    assert summary.strongly_connected == [["a", "b", "c"], ["e", "g"]]
    assert summary.largest_component_size == 3
    assert summary.reciprocal_pairs == [("a", "b"), ("e", "g")]
    assert summary.polarity_counts == {"+": 4, "-": 3, "?": 1}


def test_empty_and_loopless_maps() -> None:
    empty = summarise_structure(nx.DiGraph())
    assert (empty.factors, empty.links, empty.density) == (0, 0, 0.0)
    assert empty.largest_component_size == 0
    assert empty.polarity_counts == {"+": 0, "-": 0, "?": 0}
    chain = summarise_structure(signed([("a", "b", "+"), ("b", "c", "+")]))
    assert chain.strongly_connected == []
    assert chain.largest_component_size == 1
    assert (chain.drivers, chain.receivers, chain.isolated) == (["a"], ["c"], [])


def test_wiliam_structure() -> None:
    if not WILIAM.is_file():
        pytest.skip(f"WILIAM graph not found at {WILIAM} (shared test data absent)")
    graph = nx.read_graphml(WILIAM)
    summary = summarise_structure(graph)
    assert (summary.factors, summary.links) == (92, 421)
    assert summary.largest_component_size == 53
    assert len(summary.strongly_connected[0]) == 53
    assert summary.density == pytest.approx(421 / (92 * 91))
    # Its links carry no polarity.
    assert summary.polarity_counts == {"+": 0, "-": 0, "?": 421}
    assert len(summary.reciprocal_pairs) == 12  # the 12 loops of length 2
    for a, b in summary.reciprocal_pairs:
        assert a < b and graph.has_edge(a, b) and graph.has_edge(b, a)
    in_loop = {node for comp in summary.strongly_connected for node in comp}
    assert not in_loop & set(summary.drivers + summary.receivers + summary.isolated)
