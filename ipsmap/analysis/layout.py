"""Automatic layouts: force-directed for systems maps, layered by level for theories of change.

Pure functions from a map's state to new positions; the UI runs them in a worker and
applies the result as one MoveFactors command. Every layout ends by pushing apart factor
boxes that overlap (:func:`remove_overlaps`), with box sizes estimated from the labels
(:func:`box_size`), so no Qt is needed here. Imports of maps that carry no positions go
through :func:`lay_out_unplaced`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from ipsmap.model.mapdata import MapData
from ipsmap.model.state import MapState

if TYPE_CHECKING:
    import networkx as nx

Positions = dict[str, tuple[float, float]]
Size = tuple[float, float]
# Average spacing between neighbouring factors, in scene pixels.
SPACING = 190.0

# The canvas draws a factor as its label wrapped at LABEL_WIDTH px inside PADDING px on
# each side (ipsmap/ui/canvas/items.py, DejaVu Sans 10 pt, whose glyphs are 3.6-13 px wide
# and lines 15.1 px high). The estimate gives each character the width of the widest
# glyph of its class, rounded up, so a box that does not overlap here does not overlap on
# the canvas (tests/ui/test_layout_boxes.py checks this against Qt's own measure).
LABEL_WIDTH = 150.0
PADDING = 10.0
LINE_HEIGHT = 16.0
MIN_TEXT_WIDTH = 40.0
CHAR_WIDTHS = {
    **dict.fromkeys("'ijlIJ ,./:;\\|f-", 4.8),
    **dict.fromkeys('()[]t!r"', 6.1),
    **dict.fromkeys("*_`szc?", 7.2),
    **dict.fromkeys("ABCDEFGHKLNOPQRSTUVXYZ&", 10.3),
    **dict.fromkeys("w#+<=>^~M", 11.3),
    **dict.fromkeys("%mW@", 13.1),
}
# Other letters, digits and accented letters; wide (CJK) characters as wide as "W".
CHAR_WIDTH = 8.6
WIDE_CHAR_WIDTH = 13.1
# Shapes drawn round the text take this much more room (as the canvas adds).
ROUND_SHAPES = ("ellipse", "hexagon", "star")
# Clear space kept between two boxes after a layout, in scene pixels.
GAP = 12.0
# Above this many factors, a map imported without positions is put in a grid at once
# (a force-directed layout of thousands takes tens of seconds, too long for an import).
IMPORT_FORCE_LIMIT = 1000


def auto_layout(
    state: MapState,
    only: Collection[str] | None = None,
    direction: str = "lr",
) -> Positions:
    """Layered layout for theory-of-change maps, force-directed for systems maps."""
    if state.info.kind == "toc":
        positions = layered_layout(state, only, direction)
    else:
        positions = force_layout(state, only)
    return remove_overlaps(state, positions)


def box_size(label: str, shape: str = "box") -> Size:
    """Width and height, in scene pixels, of the box the canvas draws for a label.

    An estimate from the character count: the label is wrapped at word boundaries as Qt
    does (a word longer than the line stays whole and widens the box).
    """
    lines: list[float] = []
    for paragraph in label.splitlines() or [""]:
        lines.extend(_wrapped_widths(paragraph))
    # Qt may fit more on a line than this estimate does, so a label that wraps here is
    # taken as the full line width (or its longest word, if wider).
    longest = max(lines)
    text_width = max(longest, LABEL_WIDTH) if len(lines) > 1 else longest
    width = max(text_width, MIN_TEXT_WIDTH) + 2 * PADDING
    height = len(lines) * LINE_HEIGHT + 2 * PADDING
    if shape in ROUND_SHAPES:
        width, height = width + 16, height + 6
    return width, height


def _text_width(text: str) -> float:
    return sum(
        CHAR_WIDTHS.get(ch, WIDE_CHAR_WIDTH if ord(ch) >= 0x2E80 else CHAR_WIDTH) for ch in text
    )


def _wrapped_widths(paragraph: str) -> list[float]:
    """Widths of the lines a paragraph wraps into at LABEL_WIDTH (words are never split)."""
    space = _text_width(" ")
    lines: list[float] = []
    current = 0.0
    for word in paragraph.split():
        width = _text_width(word)
        if current and current + space + width > LABEL_WIDTH:
            lines.append(current)
            current = width
        else:
            current = current + space + width if current else width
    lines.append(current)
    return lines


def factor_boxes(state: MapState) -> dict[str, Size]:
    """The estimated box size of every factor in a map (see :func:`box_size`)."""
    sizes: dict[str, Size] = {}
    for fid, factor in state.factors.items():
        style = state.styles.get(factor.type or "")
        sizes[fid] = box_size(factor.label, style.shape if style is not None else "box")
    return sizes


def overlapping_pairs(
    positions: Mapping[str, tuple[float, float]], sizes: Mapping[str, Size], gap: float = 0.0
) -> list[tuple[str, str]]:
    """Pairs of factors whose boxes (centred on their positions) overlap or are closer than gap."""
    ids = sorted(positions, key=lambda f: positions[f][0] - sizes[f][0] / 2)
    pairs = []
    for i, a in enumerate(ids):
        ax, ay = positions[a]
        aw, ah = sizes[a]
        for b in ids[i + 1 :]:
            bx, by = positions[b]
            bw, bh = sizes[b]
            if bx - bw / 2 >= ax + aw / 2 + gap:
                break
            if abs(ax - bx) < (aw + bw) / 2 + gap and abs(ay - by) < (ah + bh) / 2 + gap:
                pairs.append((a, b))
    return pairs


def remove_overlaps(
    state: MapState, positions: Positions, gap: float = GAP, rounds: int = 25, epochs: int = 40
) -> Positions:
    """The positions with no two factor boxes overlapping (factors not in positions stay put).

    Overlapping pairs are pushed apart along the axis where they overlap least, half each
    (all of it when one of them must stay put), for up to ``rounds`` rounds. In a dense
    core such pushes can chase each other round; then a whole-map layout is spread 6%
    about its centre and pushed again (at most ``epochs`` times), and finally spread just
    enough to separate whatever is left.
    """
    sizes = factor_boxes(state)
    where = {fid: (f.x, f.y) for fid, f in state.factors.items()}
    where.update(positions)
    moving = set(positions)
    whole = moving == set(state.factors)
    for _ in range(epochs if whole else 1):
        if _push_apart(where, sizes, moving, gap, rounds if whole else rounds * 8):
            break
        if whole:
            where = _scaled(where, 1.06)
    if whole:
        where = _spread(where, sizes, gap)
    return {fid: where[fid] for fid in positions}


def _push_apart(
    where: Positions, sizes: Mapping[str, Size], moving: set[str], gap: float, rounds: int
) -> bool:
    """Push overlapping boxes apart in place; True once none (that may move) overlap."""
    for _ in range(rounds):
        pairs = overlapping_pairs(where, sizes, gap)
        pairs = [(a, b) for a, b in pairs if a in moving or b in moving]
        if not pairs:
            return True
        for a, b in pairs:
            (ax, ay), (bx, by) = where[a], where[b]
            dx, dy = bx - ax, by - ay
            over_x = (sizes[a][0] + sizes[b][0]) / 2 + gap - abs(dx)
            over_y = (sizes[a][1] + sizes[b][1]) / 2 + gap - abs(dy)
            if over_x <= 0 or over_y <= 0:
                continue  # already separated by an earlier push this round
            # Push a hair further than needed, so rounding never leaves two just touching.
            if over_x * 0.6 < over_y:
                step, axis, sign = over_x + 0.5, 0, 1.0 if dx >= 0 else -1.0
            else:
                step, axis, sign = over_y + 0.5, 1, 1.0 if dy >= 0 else -1.0
            share_a = 0.0 if a not in moving else (1.0 if b not in moving else 0.5)
            share_b = 1.0 - share_a
            pa, pb = list(where[a]), list(where[b])
            pa[axis] -= sign * step * share_a
            pb[axis] += sign * step * share_b
            where[a], where[b] = (pa[0], pa[1]), (pb[0], pb[1])
    return not any(a in moving or b in moving for a, b in overlapping_pairs(where, sizes, gap))


def _scaled(where: Positions, factor: float) -> Positions:
    """The layout scaled about its centre."""
    cx = sum(x for x, _ in where.values()) / len(where)
    cy = sum(y for _, y in where.values()) / len(where)
    return {f: (cx + (x - cx) * factor, cy + (y - cy) * factor) for f, (x, y) in where.items()}


def _spread(where: Positions, sizes: Mapping[str, Size], gap: float) -> Positions:
    """Scale the layout about its centre by the least factor that separates every box."""
    pairs = overlapping_pairs(where, sizes, gap)
    if not pairs:
        return where
    factor = 1.0
    for a, b in pairs:
        dx = abs(where[a][0] - where[b][0])
        dy = abs(where[a][1] - where[b][1])
        need_x = ((sizes[a][0] + sizes[b][0]) / 2 + gap + 1) / dx if dx > 1e-6 else math.inf
        need_y = ((sizes[a][1] + sizes[b][1]) / 2 + gap + 1) / dy if dy > 1e-6 else math.inf
        factor = max(factor, min(need_x, need_y))
    if math.isinf(factor):
        # Two factors on the very same point: move one aside first, then spread.
        moved = dict(where)
        for a, b in pairs:
            if moved[a] == moved[b]:
                moved[b] = (moved[b][0] + sizes[b][0] + gap, moved[b][1])
        return _spread(moved, sizes, gap) if moved != where else where
    return _scaled(where, factor)


def grid_layout(state: MapState) -> Positions:
    """Factors in creation order, row by row in a square-ish grid; no two boxes overlap."""
    sizes = factor_boxes(state)
    order = sorted(state.factors.values(), key=lambda f: f.seq)
    if not order:
        return {}
    per_row = max(math.ceil(math.sqrt(len(order))), 1)
    cell = max(w for w, _ in sizes.values()) + GAP
    positions: Positions = {}
    y = 0.0
    for start in range(0, len(order), per_row):
        row = order[start : start + per_row]
        height = max(sizes[f.id][1] for f in row) + GAP
        for column, factor in enumerate(row):
            positions[factor.id] = (column * cell, y + height / 2)
        y += height
    return positions


# How the note that a map was laid out on import begins.
NO_POSITIONS = "the file holds no positions"


def has_no_positions(data: MapData) -> bool:
    """True when a map's factors (two or more) all sit on one point: the file gave none."""
    if len(data.factors) < 2:
        return False
    first = data.factors[0]
    return all(f.x == first.x and f.y == first.y for f in data.factors)


def lay_out_unplaced(data: MapData) -> bool:
    """Lay out a freshly read map whose file held no positions; say so in its warnings.

    A map with positions is left alone. Returns whether the map was laid out.
    """
    if not has_no_positions(data):
        return False
    state = MapState.from_data(data)
    if data.info.kind == "toc":
        positions, how = auto_layout(state), "by theory-of-change level"
    elif len(data.factors) > IMPORT_FORCE_LIMIT:
        positions, how = grid_layout(state), "in a grid; Auto layout arranges it by its links"
    else:
        positions, how = auto_layout(state), "force-directed"
    data.factors = [
        dataclasses.replace(f, x=round(positions[f.id][0], 1), y=round(positions[f.id][1], 1))
        if f.id in positions
        else f
        for f in data.factors
    ]
    data.warnings.append(
        f"{NO_POSITIONS}: the {len(data.factors)} factors were laid out automatically ({how})"
    )
    return True


def is_layout_note(warning: str) -> bool:
    """True for the note :func:`lay_out_unplaced` adds (a map's other warnings are losses)."""
    return warning.startswith(NO_POSITIONS)


def force_layout(
    state: MapState,
    only: Collection[str] | None = None,
    seed: int = 1,
) -> Positions:
    """Spring layout of the whole map, or of ``only`` with every other factor held still."""
    import networkx as nx  # loaded on first use: the window starts without it

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
    result = {
        fid: (float(x) * scale, float(y) * scale)
        for fid, (x, y) in positions.items()
        if fid in moving
    }
    if not fixed:
        _row_of_loose_factors_below(graph, result)
    return result


def _row_of_loose_factors_below(graph: nx.Graph, positions: Positions) -> None:
    """Factors with no links go in rows under the rest, not flung to the far corners.

    (The spring layout pushes unlinked nodes to the edge of its square, which leaves the
    linked ones small when the whole map is fitted to the window.)
    """
    loose = [fid for fid in graph.nodes if graph.degree(fid) == 0]
    linked = [positions[fid] for fid in graph.nodes if graph.degree(fid) > 0]
    if not loose or not linked:
        return
    left = min(x for x, _ in linked)
    right = max(max(x for x, _ in linked), left + SPACING)
    y = max(y for _, y in linked) + SPACING / 2
    per_row = max(int((right - left) // SPACING) + 1, 1)
    for i, fid in enumerate(loose):
        row, column = divmod(i, per_row)
        positions[fid] = (left + column * SPACING, y + row * SPACING / 2)


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
    # Along the flow, columns sit a box width apart left to right, a box height apart
    # bottom to top; across it, the reverse.
    across, down = (230.0, 110.0) if direction == "lr" else (130.0, 200.0)
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
