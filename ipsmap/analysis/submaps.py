"""Parts of a map around chosen factors: what they affect, what influences them, how they connect.

Every function takes the graph of ``ipsmap.analysis.graph.to_digraph`` and factor ids;
an id not in the graph raises ``networkx.NodeNotFound``. Sets are returned where order
means nothing; lists of paths are in map order (the graph's node order).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import networkx as nx

from ipsmap.analysis.graph import link_id

COMBINES = ("union", "intersection")
DIRECTIONS = ("both", "in", "out")
COUNT_LIMIT = "count limit"
LENGTH_CAP = "length cap"
TIME_LIMIT = "time limit"
_CLOCK_EVERY = 2048


@dataclass
class PathListing:
    """Simple paths from sources to targets, with whether the listing is complete.

    ``complete`` means every simple path of at most ``max_length`` links from a source to
    a (different) target is in ``paths``. ``stopped_because`` is "count limit" or "time
    limit" when the search stopped early (then ``complete`` is False), or "length cap" when
    it finished but the length cap cut off a branch that could still have reached a target
    (so longer paths may exist; ``complete`` stays True), else None.
    """

    paths: list[list[str]]
    count: int
    complete: bool
    stopped_because: str | None
    max_length: int
    max_count: int
    by_length: dict[int, int] = field(default_factory=dict)


def downstream(
    graph: nx.DiGraph,
    starts: Iterable[str],
    depth: int | None = None,
    combine: str = "union",
) -> set[str]:
    """Factors the starts affect within ``depth`` links (None: any), starts included."""
    return _reachable(graph, starts, depth, combine, graph.succ)


def upstream(
    graph: nx.DiGraph,
    starts: Iterable[str],
    depth: int | None = None,
    combine: str = "union",
) -> set[str]:
    """Factors that influence the starts within ``depth`` links (None: any), starts included."""
    return _reachable(graph, starts, depth, combine, graph.pred)


def neighbourhood(
    graph: nx.DiGraph,
    starts: Iterable[str],
    radius: int,
    direction: str = "both",
) -> set[str]:
    """Factors within ``radius`` links of any start, starts included.

    "out" follows links forwards, "in" backwards, "both" either way at every step (links
    taken as undirected, so a neighbour's other causes count too).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if direction == "out":
        return downstream(graph, starts, radius)
    if direction == "in":
        return upstream(graph, starts, radius)
    return _bfs(graph, _checked(graph, starts), radius, graph.succ, graph.pred)


def shortest_paths(
    graph: nx.DiGraph,
    sources: Iterable[str],
    targets: Iterable[str],
    max_count: int | None = None,
) -> list[list[str]]:
    """All paths of the overall shortest length from any source to any other target.

    Empty when no target is reachable. ``max_count`` caps the list (there can be very
    many shortest paths in a dense map).
    """
    source_list = _in_map_order(graph, _checked(graph, sources))
    target_set = _checked(graph, targets)
    best: int | None = None
    pairs: list[tuple[str, str]] = []
    for source in source_list:
        lengths = nx.single_source_shortest_path_length(graph, source, cutoff=best)
        for target in _in_map_order(graph, target_set):
            length = lengths.get(target)
            if target == source or length is None:
                continue
            if best is None or length < best:
                best, pairs = length, []
            if length == best:
                pairs.append((source, target))
    paths: list[list[str]] = []
    for source, target in pairs:
        for path in nx.all_shortest_paths(graph, source, target):
            paths.append(path)
            if max_count is not None and len(paths) >= max_count:
                return _sorted_paths(graph, paths)
    return _sorted_paths(graph, paths)


def simple_paths(
    graph: nx.DiGraph,
    sources: Iterable[str],
    targets: Iterable[str],
    max_length: int = 6,
    max_count: int = 1000,
    time_limit: float | None = 10.0,
) -> PathListing:
    """Every simple path of at most ``max_length`` links from a source to another target.

    A path may pass through other sources and targets on its way. Stops, saying so, after
    ``max_count`` paths or ``time_limit`` seconds.
    """
    source_list = _in_map_order(graph, _checked(graph, sources))
    target_set = _checked(graph, targets)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    # Links still needed to reach some target: a branch that cannot make it is cut. Not
    # bounded by max_length, so that a branch cut by the cap alone is told apart.
    to_target = _distances(graph.pred, target_set, None)
    succ = graph.succ
    found: list[list[str]] = []
    stopped: str | None = None
    capped = False
    steps = 0
    for source in source_list:
        if source not in to_target:
            continue
        path = [source]
        on_path = {source}
        stack = [iter(succ[source])]
        while stack and stopped is None:
            steps += 1
            if (
                steps % _CLOCK_EVERY == 0
                and deadline is not None
                and time.perf_counter() > deadline
            ):
                stopped = TIME_LIMIT
                break
            used = len(path)  # the link to the next factor is link number len(path)
            for w in stack[-1]:
                if w in on_path:
                    continue
                need = to_target.get(w)
                if need is None:
                    continue
                if used + need > max_length:
                    capped = True
                    continue
                path.append(w)
                on_path.add(w)
                if w in target_set:
                    if len(found) >= max_count:
                        stopped = COUNT_LIMIT
                        break
                    found.append(path.copy())
                stack.append(iter(succ[w]))
                break
            else:
                stack.pop()
                on_path.discard(path.pop())
        if stopped:
            break
    listing = PathListing(
        paths=found,
        count=len(found),
        complete=stopped is None,
        stopped_because=stopped or (LENGTH_CAP if capped else None),
        max_length=max_length,
        max_count=max_count,
    )
    for path in found:
        length = len(path) - 1
        listing.by_length[length] = listing.by_length.get(length, 0) + 1
    return listing


def on_any_path(
    graph: nx.DiGraph, sources: Iterable[str], targets: Iterable[str]
) -> tuple[set[str], set[str]]:
    """Factors and links on some directed route from a source to a target.

    A factor is on a route when a source reaches it and it reaches a target (sources
    and targets count as reaching themselves); a link is when its start is reached from
    a source and its end reaches a target. Routes may pass round a loop on the way.
    """
    reached = _bfs(graph, _checked(graph, sources), None, graph.succ)
    reaching = _bfs(graph, _checked(graph, targets), None, graph.pred)
    factors = reached & reaching
    # A link u→v with u reached and v reaching has both ends in `factors`, and back again.
    return factors, _links_among(graph, factors)


def submap(graph: nx.DiGraph, factor_ids: Iterable[str]) -> tuple[set[str], set[str]]:
    """The given factors and every link between two of them."""
    factors = _checked(graph, factor_ids)
    return factors, _links_among(graph, factors)


# -- helpers -------------------------------------------------------------------------------


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def _checked(graph: nx.DiGraph, ids: Iterable[str]) -> set[str]:
    wanted = {ids} if isinstance(ids, str) else set(ids)
    missing = [node for node in wanted if node not in graph]
    if missing:
        raise nx.NodeNotFound(f"not in the map: {sorted(map(str, missing))}")
    return wanted


def _reachable(
    graph: nx.DiGraph,
    starts: Iterable[str],
    depth: int | None,
    combine: str,
    adjacency: nx.classes.coreviews.AdjacencyView,
) -> set[str]:
    if combine not in COMBINES:
        raise ValueError(f"combine must be one of {COMBINES}, not {combine!r}")
    start_set = _checked(graph, starts)
    if combine == "union" or len(start_set) <= 1:
        # One breadth-first search from all starts at once gives the union.
        return _bfs(graph, start_set, depth, adjacency)
    result: set[str] | None = None
    for start in _in_map_order(graph, start_set):
        reached = _bfs(graph, {start}, depth, adjacency)
        result = reached if result is None else result & reached
        if not result:
            break
    return result or set()


def _bfs(
    graph: nx.DiGraph,
    starts: Collection[str],
    depth: int | None,
    *adjacencies: nx.classes.coreviews.AdjacencyView,
) -> set[str]:
    """Factors within ``depth`` steps of the starts, stepping along any of ``adjacencies``."""
    seen = set(starts)
    frontier = list(starts)
    level = 0
    while frontier and (depth is None or level < depth):
        level += 1
        next_frontier = []
        for v in frontier:
            for adjacency in adjacencies:
                for w in adjacency[v]:
                    if w not in seen:
                        seen.add(w)
                        next_frontier.append(w)
        frontier = next_frontier
    return seen


def _distances(
    adjacency: nx.classes.coreviews.AdjacencyView, starts: Collection[str], depth: int | None
) -> dict[str, int]:
    """Fewest steps from the starts to each factor along ``adjacency``, up to ``depth``."""
    dist = dict.fromkeys(starts, 0)
    frontier = list(starts)
    level = 0
    while depth is None or level < depth:
        level += 1
        next_frontier = []
        for v in frontier:
            for w in adjacency[v]:
                if w not in dist:
                    dist[w] = level
                    next_frontier.append(w)
        if not next_frontier:
            break
        frontier = next_frontier
    return dist


def _links_among(graph: nx.DiGraph, factors: set[str]) -> set[str]:
    succ = graph.succ
    return {link_id(graph, u, v) for u in factors for v in succ[u] if v in factors}


def _in_map_order(graph: nx.DiGraph, ids: set[str]) -> list[str]:
    return [node for node in graph if node in ids]


def _sorted_paths(graph: nx.DiGraph, paths: list[list[str]]) -> list[list[str]]:
    position = {node: i for i, node in enumerate(graph)}
    return sorted(paths, key=lambda path: [position[node] for node in path])
