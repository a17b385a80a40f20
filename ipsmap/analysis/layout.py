"""Automatic layouts: force-directed for systems maps, layered by level for theories of change.

Pure functions from a map's state to new positions; the UI runs them in a worker and
applies the result as one MoveFactors command.
"""

from __future__ import annotations

from collections.abc import Collection

import networkx as nx

from ipsmap.model.state import MapState

Positions = dict[str, tuple[float, float]]
# Average spacing between neighbouring factors, in scene pixels.
SPACING = 190.0


def auto_layout(
    state: MapState,
    only: Collection[str] | None = None,
    direction: str = "lr",
) -> Positions:
    """Layered layout for theory-of-change maps, force-directed for systems maps."""
    if state.info.kind == "toc":
        return layered_layout(state, only, direction)
    return force_layout(state, only)


def force_layout(
    state: MapState,
    only: Collection[str] | None = None,
    seed: int = 1,
) -> Positions:
    """Spring layout of the whole map, or of ``only`` with every other factor held still."""
    graph = nx.Graph()
    graph.add_nodes_from(state.factors)
    graph.add_edges_from((ln.source, ln.target) for ln in state.links.values())
    n = graph.number_of_nodes()
    if n == 0:
        return {}
    moving = set(only) if only else set(state.factors)
    fixed = [f for f in state.factors if f not in moving]
    # networkx works in unit coordinates; k is the ideal distance between nodes there.
    scale = SPACING * max(n, 1) ** 0.5 / 2
    start = {fid: (f.x / scale, f.y / scale) for fid, f in state.factors.items()}
    positions = nx.spring_layout(
        graph,
        pos=start if fixed else None,
        fixed=fixed or None,
        k=1.0 / max(n, 1) ** 0.5 * 2,
        iterations=60 if n < 1000 else 30,
        seed=seed,
        scale=None if fixed else 1.0,
    )
    return {
        fid: (float(x) * scale, float(y) * scale)
        for fid, (x, y) in positions.items()
        if fid in moving
    }


def layered_layout(
    state: MapState, only: Collection[str] | None = None, direction: str = "lr"
) -> Positions:
    """Columns by theory-of-change level (inputs … impact); unlevelled factors below.

    ``direction`` is 'lr' (left to right) or 'bt' (bottom to top). Within a column factors
    are ordered by the mean position of the factors that lead to them, which keeps most
    links short and uncrossed.
    """
    chosen = set(only) if only else set(state.factors)
    levels: dict[int, list[str]] = {}
    loose: list[str] = []
    for fid, factor in state.factors.items():
        if fid not in chosen:
            continue
        style = state.styles.get(factor.type or "")
        if style is not None and style.level is not None:
            levels.setdefault(style.level, []).append(fid)
        else:
            loose.append(fid)
    incoming: dict[str, list[str]] = {}
    for link in state.links.values():
        incoming.setdefault(link.target, []).append(link.source)
    rank: dict[str, float] = {}
    columns: list[list[str]] = []
    for level in sorted(levels):
        column = levels[level]
        column.sort(
            key=lambda f: (
                sum(rank.get(s, 0.0) for s in incoming.get(f, []))
                / max(len(incoming.get(f, [])), 1),
                state.factors[f].y,
            )
        )
        for i, fid in enumerate(column):
            rank[fid] = float(i)
        columns.append(column)
    across, down = 230.0, 110.0
    tallest = max((len(c) for c in columns), default=0)
    result: Positions = {}
    for c, column in enumerate(columns):
        offset = (tallest - len(column)) * down / 2
        for i, fid in enumerate(column):
            main, cross = c * across, offset + i * down
            result[fid] = (main, cross) if direction == "lr" else (cross, -main)
    below = tallest * down + down
    for i, fid in enumerate(loose):
        main, cross = i * across, below
        result[fid] = (main, cross) if direction == "lr" else (-down * 2 - cross, -main)
    return result
