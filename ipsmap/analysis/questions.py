"""The method's questions about chosen factors, answered on a map's graph (no Qt).

The Analysis panel asks them live and the evaluator exports ask a saved view's question
again of the map exported; both answer through :func:`answer_question`, so a saved view
shows the same factors in the window and in a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsmap.analysis.squashing import TANH

if TYPE_CHECKING:
    import networkx as nx

# Question key (stored in saved views) → how the panel and the exports word it.
QUESTIONS = {
    "affects": "What does this affect?",
    "influences": "What influences this?",
    "connected": "How are these connected?",
    "loops": "Which loops run through this?",
    "central": "Which factors are most central?",
    "whatif": "What if this went up (or down)?",
}
# Questions with no answer until factors are chosen (loops and centrality look at all).
NEEDS_FOCUS = frozenset({"affects", "influences", "connected", "whatif"})
# Questions whose answer is a set of factors a saved view can show again.
SUBMAP_QUESTIONS = frozenset({"affects", "influences", "connected", "loops"})


@dataclass
class Answer:
    """The factors and links an answer shows, and what else the question found.

    ``detail`` is the loop listing (loops), factor id → value (central), or the scenario
    result (whatif); None for the others.
    """

    factors: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)
    detail: Any = None


def answer_question(
    graph: nx.DiGraph,
    question: str,
    focus: Sequence[str],
    *,
    depth: int | None = None,
    loop_length: int = 6,
    loop_count: int = 100_000,
    loop_seconds: float | None = 10.0,
    metric: str = "betweenness",
    direction: str = "up",
    function: str = TANH,
) -> Answer:
    """Answer ``question`` (a key of QUESTIONS) about ``focus`` (factor ids, in order).

    ``graph`` is ``to_digraph`` of the map. ``depth`` bounds affects/influences (None:
    any number of steps); ``loop_*`` bound the loop search; ``metric`` is a FactorMetrics
    field for "central"; ``direction`` ("up"/"down") and ``function`` set the what-if.
    """
    # Imported here: networkx, numpy and scipy load when a question is first asked, not
    # when the window starts.
    from ipsmap.analysis.loops import find_loops
    from ipsmap.analysis.metrics import factor_metrics
    from ipsmap.analysis.scenarios import clamp_value, run_scenario
    from ipsmap.analysis.submaps import downstream, on_any_path, upstream

    focus = list(focus)
    if question in ("affects", "influences"):
        found = (downstream if question == "affects" else upstream)(graph, focus, depth)
        return Answer(found, _links_among(graph, found))
    if question == "connected":
        # Paths from the first chosen factor to the others (or to itself: its loops).
        factors, links = on_any_path(graph, focus[:1], focus[1:] or focus[:1])
        return Answer(set(factors), set(links))
    if question == "loops":
        listing = find_loops(
            graph, loop_length, max_count=loop_count, time_limit=loop_seconds, through=focus or None
        )
        return Answer(
            {f for loop in listing.items for f in loop.factors},
            {x for loop in listing.items for x in loop.links},
            listing,
        )
    if question == "central":
        values = {f: float(getattr(m, metric) or 0.0) for f, m in factor_metrics(graph).items()}
        return Answer(detail=values)
    if question == "whatif":
        value = clamp_value(direction, function)
        result = run_scenario(graph, {f: value for f in focus}, function)
        changed = {c.factor_id for c in result.factors.values() if c.direction != "no change"}
        return Answer(changed | set(focus), set(), result)
    raise ValueError(f"unknown question {question!r} (known: {', '.join(QUESTIONS)})")


def _links_among(graph: nx.DiGraph, factors: set[str]) -> set[str]:
    return {d["id"] for u, v, d in graph.edges(data=True) if u in factors and v in factors}
