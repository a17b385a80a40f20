"""A map's factors and links as a networkx DiGraph, the common input of every analysis."""

from __future__ import annotations

import networkx as nx

from ipsmap.model.state import MapState

# Polarity as a number: products of signs give a path's or loop's overall effect.
SIGNS = {"+": 1, "-": -1, "?": 0}


def polarity_sign(polarity: str) -> int:
    """+1, -1 or 0 for a link polarity of '+', '-' or '?' (anything else counts as '?')."""
    return SIGNS.get(polarity, 0)


def to_digraph(state: MapState) -> nx.DiGraph:
    """The map as a DiGraph: nodes are factor ids, edges are links (one per direction).

    Node attributes: ``label``, ``type``. Edge attributes: ``id`` (link id), ``polarity``,
    ``strength``, ``sign`` (+1/-1/0) and ``weight`` (= strength). Nodes and edges are in
    map (creation) order.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(
        (fid, {"label": factor.label, "type": factor.type}) for fid, factor in state.factors.items()
    )
    graph.add_edges_from(
        (
            link.source,
            link.target,
            {
                "id": link_id,
                "polarity": link.polarity,
                "strength": link.strength,
                "sign": SIGNS.get(link.polarity, 0),
                "weight": link.strength,
            },
        )
        for link_id, link in state.links.items()
        # A link whose end is missing (mid-way through a batch of ops) is not part of the map.
        if link.source in state.factors and link.target in state.factors
    )
    return graph


def factor_label(state: MapState, factor_id: str) -> str:
    """The label of a factor, or its id when it has no label or is not in the map."""
    factor = state.factors.get(factor_id)
    if factor is None or not factor.label:
        return factor_id
    return factor.label


def link_id(graph: nx.DiGraph, source: str, target: str) -> str:
    """The link id of the edge source→target (the pair joined by ':' when it has none)."""
    data = graph.edges[source, target]
    return str(data.get("id", f"{source}:{target}"))
