"""One map's analysis as plain data: factor metrics, feedback loops, structure summary.

Used by ``ipsmap analyse`` (and by exports); JSON-ready, with ids and labels side by side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ipsmap.analysis.graph import to_digraph
from ipsmap.analysis.loops import find_loops
from ipsmap.analysis.metrics import factor_metrics
from ipsmap.analysis.structure import summarise_structure
from ipsmap.analysis.submaps import downstream, upstream
from ipsmap.model.errors import NotFoundError
from ipsmap.model.state import MapState

FACTOR_KEYS = (
    "in_degree",
    "out_degree",
    "leverage",
    "betweenness",
    "betweenness_normalized",
    "closeness",
    "pagerank",
    "reach",
    "micmac_quadrant",
    "trophic_level",
    "community",
)


def resolve_factors(state: MapState, refs: Sequence[str]) -> list[str]:
    """Factor ids for references given as ids or (unique, case-insensitive) labels."""
    result = []
    for ref in refs:
        if ref in state.factors:
            result.append(ref)
            continue
        found = [f.id for f in state.factors.values() if f.label.casefold() == ref.casefold()]
        if len(found) == 1:
            result.append(found[0])
        elif found:
            raise NotFoundError(f"Several factors are labelled {ref!r}; give an id instead")
        else:
            raise NotFoundError(f"No factor {ref!r} in map {state.info.name!r}")
    return result


def analyse_map(
    state: MapState,
    loops_max_length: int = 6,
    focus: Sequence[str] = (),
    loops_max_count: int = 100_000,
    time_limit: float = 20.0,
) -> dict[str, Any]:
    """Metrics for every factor, loops up to ``loops_max_length``, and the structure summary.

    With ``focus`` (factor ids or labels): loops through those factors only, and what they
    affect and what influences them.
    """
    focus_ids = resolve_factors(state, focus)
    graph = to_digraph(state)
    metrics = factor_metrics(graph)
    factors = []
    for factor_id, factor in state.factors.items():
        row = dataclasses.asdict(metrics[factor_id])
        entry: dict[str, Any] = {"id": factor_id, "label": factor.label}
        entry.update({key: row[key] for key in FACTOR_KEYS})
        entry["eigenvector"] = row["eigenvector"]
        entry["micmac_driving"] = row["micmac_driving"]
        entry["micmac_dependence"] = row["micmac_dependence"]
        factors.append(entry)
    listing = find_loops(
        graph,
        max_length=loops_max_length,
        max_count=loops_max_count,
        time_limit=time_limit,
        through=focus_ids or None,
    )
    loops = {
        "max_length": listing.max_length,
        "complete": listing.complete,
        "stopped_because": listing.stopped_because,
        "count": listing.count,
        "reinforcing": listing.reinforcing,
        "balancing": listing.balancing,
        "unknown": listing.unknown,
        "by_length": {str(k): v for k, v in sorted(listing.by_length.items())},
        "items": [
            {
                "factors": list(loop.factors),
                "labels": [state.factors[f].label for f in loop.factors],
                "links": list(loop.links),
                "polarity": loop.polarity,
                "length": loop.length,
            }
            for loop in listing.items
        ],
    }
    structure = summarise_structure(graph)
    summary = {
        "factors": structure.factors,
        "links": structure.links,
        "density": structure.density,
        "drivers": structure.drivers,
        "receivers": structure.receivers,
        "isolated": structure.isolated,
        "strongly_connected": structure.strongly_connected,
        "largest_component_size": structure.largest_component_size,
        "reciprocal_pairs": [list(pair) for pair in structure.reciprocal_pairs],
        "polarity_counts": structure.polarity_counts,
    }
    result: dict[str, Any] = {
        "map": {"id": state.info.id, "name": state.info.name, "kind": state.info.kind},
        "factors": factors,
        "loops": loops,
        "summary": summary,
    }
    if focus_ids:
        result["focus"] = {
            "factors": focus_ids,
            "affects": sorted(downstream(graph, focus_ids) - set(focus_ids)),
            "influenced_by": sorted(upstream(graph, focus_ids) - set(focus_ids)),
        }
    return result
