"""Factor metrics of PRSM's sample maps equal PRSM's own figures (reference-metrics.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from ipsmap.analysis.metrics import factor_metrics

SHARED = Path(__file__).parents[2].parent / "shared"
PRSM = SHARED / "data" / "prsm"
REFERENCE = PRSM / "reference-metrics.json"
MAPS = ("PathsExample", "User_manual_examples", "clusterexamplemap", "npctheoryofchange191")
# The reference rounds leverage and trophic levels to 4 decimals.
ROUNDING = 5.1e-5


def load_json(path: Path) -> Any:
    if not path.is_file():
        pytest.skip(f"PRSM sample data not found at {path.parent} (../shared is absent)")
    return json.loads(path.read_text(encoding="utf-8"))


def prsm_digraph(prsm: dict[str, Any]) -> nx.DiGraph:
    """Factors and links of a decoded .prsm file (top-level ``nodes`` and ``edges``).

    Cluster nodes and their links are PRSM's display bookkeeping, not factors.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(
        (node["id"], {"label": node.get("label", "")})
        for node in prsm["nodes"]
        if not node.get("isCluster")
    )
    for edge in prsm["edges"]:
        if edge["from"] in graph and edge["to"] in graph and not edge.get("isClusterEdge"):
            graph.add_edge(edge["from"], edge["to"], id=edge["id"])
    return graph


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data = load_json(REFERENCE)
    assert isinstance(data, dict)
    return data["maps"]


@pytest.mark.parametrize("name", MAPS)
def test_metrics_equal_prsm_reference(reference: dict[str, Any], name: str) -> None:
    expected = reference[name]
    graph = prsm_digraph(load_json(PRSM / "decoded-json" / f"{name}.json"))
    assert (len(graph), graph.number_of_edges()) == (expected["n_nodes"], expected["n_edges"])
    result = factor_metrics(graph)
    assert set(result) == {node["id"] for node in expected["nodes"]}
    for node in expected["nodes"]:
        got = result[node["id"]]
        assert got.in_degree == node["indegree"], node["label"]
        assert got.out_degree == node["outdegree"], node["label"]
        if node["leverage"] is None:
            assert got.leverage is None, node["label"]
        else:
            assert got.leverage == pytest.approx(node["leverage"], abs=ROUNDING), node["label"]
        assert got.betweenness == pytest.approx(node["betweenness_prsm"], abs=1e-9)
        assert got.trophic_level == pytest.approx(node["trophic_mackay_lstsq"], abs=ROUNDING), node[
            "label"
        ]
