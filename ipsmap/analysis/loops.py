"""Feedback loops: every simple cycle up to a length, exactly once, within a count and time limit.

The enumeration is Johnson's "smallest node first" canonical order with a length bound:
factors are numbered in sorted-id order, and the loops whose smallest factor is ``s`` are
found by a depth-first search from ``s`` over factors numbered above ``s``. A factor whose
shortest way back to ``s`` is longer than the links still allowed cannot close a loop, so
the search never enters it; that distance bound is what keeps long maps fast.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ipsmap.analysis.graph import SIGNS

REINFORCING = "reinforcing"
BALANCING = "balancing"
UNKNOWN = "unknown"
COUNT_LIMIT = "count limit"
TIME_LIMIT = "time limit"
# How many search steps run between two looks at the clock.
_CLOCK_EVERY = 2048


@dataclass(frozen=True)
class Loop:
    """One feedback loop: its factors in loop order (smallest id first) and its links."""

    factors: tuple[str, ...]
    links: tuple[str, ...]
    polarity: str
    # Number of links (= number of factors).
    length: int


@dataclass
class LoopListing:
    """The loops found, with whether the listing is complete and why it stopped if not.

    ``complete`` means every simple cycle of at most ``max_length`` links (through the
    requested factors, if any) is in ``items``. Counts describe ``items``.
    """

    items: list[Loop]
    count: int
    complete: bool
    stopped_because: str | None
    max_length: int | None
    by_length: dict[int, int] = field(default_factory=dict)
    reinforcing: int = 0
    balancing: int = 0
    unknown: int = 0


def loop_polarity(signs: Iterable[int]) -> str:
    """Reinforcing (even number of '-'), balancing (odd), or unknown (any '?')."""
    negatives = 0
    for sign in signs:
        if sign == 0:
            return UNKNOWN
        if sign < 0:
            negatives += 1
    return BALANCING if negatives % 2 else REINFORCING


def find_loops(
    graph: nx.DiGraph,
    max_length: int | None = 6,
    max_count: int = 100_000,
    time_limit: float | None = 10.0,
    through: Hashable | Collection[Hashable] | None = None,
) -> LoopListing:
    """Every simple cycle with at most ``max_length`` links, each once, shortest first.

    ``max_length=None`` means any length. ``through`` keeps only loops that pass through
    that factor, or through at least one of a collection of factors. Stops early, saying
    so, after ``max_count`` loops or ``time_limit`` seconds.
    """
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    nodes = _sorted_nodes(graph)
    limit = len(nodes) if max_length is None else max_length
    if limit < 1 or not nodes or max_count < 0:
        return _listing([], True, None, max_length)
    index = {node: i for i, node in enumerate(nodes)}
    succ: list[list[int]] = [[] for _ in nodes]
    pred: list[list[int]] = [[] for _ in nodes]
    # (link id, sign) of each link, by source and target number, to describe loops found.
    links_from: list[dict[int, tuple[str, int]]] = [{} for _ in nodes]
    for u, v, data in graph.edges(data=True):
        i, j = index[u], index[v]
        succ[i].append(j)
        pred[j].append(i)
        links_from[i][j] = _link_and_sign(u, v, data)
    for adjacency in (succ, pred):
        for targets in adjacency:
            targets.sort()

    removed = _outside_cycles(graph, index)
    if through is None:
        starts: Iterable[int] = range(len(nodes))
    else:
        starts = sorted(index[node] for node in _as_factor_set(graph, through))

    search = _Search(succ, pred, removed, limit, max_count, deadline)
    for start in starts:
        if removed[start]:
            continue
        search.cycles_from(start)
        if search.stopped_because:
            break
        # Every loop through start is now listed. Without 'through', the loops left have
        # their smallest factor above start; with it, a loop through a later wanted factor
        # that also passes start was found here. Either way start is done with.
        removed[start] = True

    # Numbers follow sorted ids, so sorting rotated number lists sorts the loops by id.
    cycles = sorted((_rotated(cycle) for cycle in search.cycles), key=lambda c: (len(c), c))
    items = [_make_loop(nodes, links_from, cycle) for cycle in cycles]
    return _listing(items, search.stopped_because is None, search.stopped_because, max_length)


class _Search:
    """Bounded depth-first search for cycles over integer-numbered factors."""

    def __init__(
        self,
        succ: list[list[int]],
        pred: list[list[int]],
        removed: list[bool],
        limit: int,
        max_count: int,
        deadline: float | None,
    ) -> None:
        self.succ = succ
        self.pred = pred
        self.removed = removed
        self.limit = limit
        self.max_count = max_count
        self.deadline = deadline
        self.cycles: list[list[int]] = []
        self.stopped_because: str | None = None
        self.on_path = [False] * len(succ)
        self.steps = 0

    def distances_back(self, start: int) -> dict[int, int]:
        """Shortest number of links from each usable factor back to ``start`` (bounded)."""
        removed, pred = self.removed, self.pred
        dist = {start: 0}
        frontier = [start]
        # A factor k links from start that closes a loop needs k + distance <= limit, k >= 1.
        for depth in range(1, self.limit):
            next_frontier = []
            for v in frontier:
                for u in pred[v]:
                    if u not in dist and not removed[u]:
                        dist[u] = depth
                        next_frontier.append(u)
            if not next_frontier:
                break
            frontier = next_frontier
        return dist

    def cycles_from(self, start: int) -> None:
        """Add every cycle through ``start`` over factors not removed, within the limits."""
        if self.deadline is not None and time.perf_counter() > self.deadline:
            self.stopped_because = TIME_LIMIT
            return
        dist = self.distances_back(start)
        if len(dist) == 1 and start not in self.succ[start]:
            return
        succ, removed, on_path, limit = self.succ, self.removed, self.on_path, self.limit
        cycles, max_count = self.cycles, self.max_count
        path = [start]
        on_path[start] = True
        stack = [iter(succ[start])]
        steps = self.steps
        try:
            while stack:
                steps += 1
                if steps >= _CLOCK_EVERY:
                    steps = 0
                    if self.deadline is not None and time.perf_counter() > self.deadline:
                        self.stopped_because = TIME_LIMIT
                        return
                # Stepping to the next factor uses link number len(path).
                used = len(path)
                for w in stack[-1]:
                    if w == start:
                        if len(cycles) >= max_count:
                            # Only stop on finding one loop more than allowed, so that
                            # exactly max_count loops still counts as complete.
                            self.stopped_because = COUNT_LIMIT
                            return
                        cycles.append(path.copy())
                        continue
                    if on_path[w] or removed[w]:
                        continue
                    back = dist.get(w)
                    if back is None or used + back > limit:
                        continue
                    path.append(w)
                    on_path[w] = True
                    stack.append(iter(succ[w]))
                    break
                else:
                    stack.pop()
                    on_path[path.pop()] = False
        finally:
            self.steps = steps
            for v in path:
                on_path[v] = False


def _sorted_nodes(graph: nx.DiGraph) -> list[Hashable]:
    nodes = list(graph.nodes)
    try:
        return sorted(nodes)  # type: ignore[type-var]
    except TypeError:
        # Mixed id types (only in hand-built graphs): any fixed order will do.
        return sorted(nodes, key=repr)


def _outside_cycles(graph: nx.DiGraph, index: dict[Hashable, int]) -> list[bool]:
    """True for factors in no loop: alone in their strongly connected component, no self link."""
    removed = [True] * len(index)
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            for node in component:
                removed[index[node]] = False
    for node, _ in nx.selfloop_edges(graph):
        removed[index[node]] = False
    return removed


def _as_factor_set(graph: nx.DiGraph, through: Hashable | Collection[Hashable]) -> set[Hashable]:
    # A single factor id (a string, or any node of a hand-built graph) or a collection.
    single = isinstance(through, str) or through in graph
    wanted: set[Hashable] = {through} if single else set(through)  # type: ignore[arg-type]
    missing = [node for node in wanted if node not in graph]
    if missing:
        raise nx.NodeNotFound(f"not in the map: {sorted(map(str, missing))}")
    return wanted


def _link_and_sign(u: Hashable, v: Hashable, data: dict[str, Any]) -> tuple[str, int]:
    sign = data.get("sign")
    if sign is None:
        # Graphs not made by to_digraph (e.g. read from GraphML) may lack 'sign'.
        sign = SIGNS.get(data.get("polarity", "?"), 0)
    return str(data.get("id", f"{u}:{v}")), int(sign)


def _rotated(cycle: list[int]) -> list[int]:
    """The cycle started at its smallest number (a search from a 'through' factor may not)."""
    first = cycle.index(min(cycle))
    return cycle[first:] + cycle[:first] if first else cycle


def _make_loop(
    nodes: list[Hashable], links_from: list[dict[int, tuple[str, int]]], cycle: list[int]
) -> Loop:
    links = []
    negatives = 0
    unknown = False
    for u, v in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        link, sign = links_from[u][v]
        links.append(link)
        if sign < 0:
            negatives += 1
        elif sign == 0:
            unknown = True
    polarity = UNKNOWN if unknown else BALANCING if negatives % 2 else REINFORCING
    factors = tuple(nodes[i] for i in cycle)
    return Loop(factors, tuple(links), polarity, len(cycle))  # type: ignore[arg-type]


def _listing(
    items: list[Loop], complete: bool, stopped_because: str | None, max_length: int | None
) -> LoopListing:
    listing = LoopListing(items, len(items), complete, stopped_because, max_length)
    for loop in items:
        listing.by_length[loop.length] = listing.by_length.get(loop.length, 0) + 1
        if loop.polarity == REINFORCING:
            listing.reinforcing += 1
        elif loop.polarity == BALANCING:
            listing.balancing += 1
        else:
            listing.unknown += 1
    return listing
