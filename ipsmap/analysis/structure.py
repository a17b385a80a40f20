"""A map's overall structure: size, density, drivers, receivers, loops of mutual influence."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ipsmap.model.entities import POLARITIES


@dataclass
class StructureSummary:
    """Counts and factor lists that describe a map's shape (lists in map order)."""

    factors: int
    links: int
    # Links present / links possible, m / (n (n - 1)); 0 for fewer than two factors.
    density: float
    # No incoming links, at least one outgoing.
    drivers: list[str]
    # No outgoing links, at least one incoming.
    receivers: list[str]
    # No links at all.
    isolated: list[str]
    # Strongly connected components of two or more factors, largest first.
    strongly_connected: list[list[str]]
    # Factors in the largest strongly connected component (1 when there is no loop).
    largest_component_size: int
    # Factor pairs linked both ways, as (a, b) with a < b, sorted.
    reciprocal_pairs: list[tuple[str, str]]
    # Links per polarity '+', '-', '?' (a link without one counts as '?').
    polarity_counts: dict[str, int] = field(default_factory=dict)


def summarise_structure(graph: nx.DiGraph) -> StructureSummary:
    """Size, density, drivers, receivers, isolated factors, components and reciprocal pairs."""
    n = graph.number_of_nodes()
    m = graph.number_of_edges()
    in_degree = graph.in_degree
    out_degree = graph.out_degree
    drivers, receivers, isolated = [], [], []
    for node in graph:
        has_in, has_out = in_degree(node) > 0, out_degree(node) > 0
        if has_out and not has_in:
            drivers.append(node)
        elif has_in and not has_out:
            receivers.append(node)
        elif not has_in and not has_out:
            isolated.append(node)

    position = {node: i for i, node in enumerate(graph)}
    components = [
        sorted(component, key=position.__getitem__)
        for component in nx.strongly_connected_components(graph)
        if len(component) > 1
    ]
    # Largest first; equal sizes in map order of their first factor, so the order is fixed.
    components.sort(key=lambda comp: (-len(comp), position[comp[0]]))

    succ = graph.succ
    reciprocal = sorted((u, v) for u, v in graph.edges() if u < v and u in succ[v])

    polarity_counts = dict.fromkeys(POLARITIES, 0)
    for _, _, polarity in graph.edges(data="polarity", default="?"):
        key = polarity if polarity in polarity_counts else "?"
        polarity_counts[key] += 1

    return StructureSummary(
        factors=n,
        links=m,
        density=m / (n * (n - 1)) if n > 1 else 0.0,
        drivers=drivers,
        receivers=receivers,
        isolated=isolated,
        strongly_connected=components,
        # A lone factor is a strongly connected component of one.
        largest_component_size=len(components[0]) if components else min(n, 1),
        reciprocal_pairs=reciprocal,
        polarity_counts=polarity_counts,
    )
