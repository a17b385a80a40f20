"""Where a straight link is drawn: its ends on the factors' edges, its arrowhead, its bounds.

Plain float arithmetic, no Qt objects: this runs for every link when a map opens and for
every link of a dragged factor on each mouse move, and building ``QLineF``/``QPointF``
objects for each step was most of its cost (~40 µs a link). Curved links (two links
joining the same factors both ways) are few and keep their Qt path in ``LinkItem``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A factor's outline as links see it: centre x, centre y, half width, half height (the
# half sizes include the gap left between a line's end and the box).
Box = tuple[float, float, float, float]
# Tip, left corner, right corner: x0, y0, x1, y1, x2, y2.
Arrow = tuple[float, float, float, float, float, float]
# Links end this far outside a factor's outline.
EDGE_GAP = 2.0


@dataclass(frozen=True, slots=True)
class StraightLink:
    """The drawn line from ``(x1, y1)`` to ``(x2, y2)``, its arrowhead (None when the line
    has no length) and its bounds (left, top, right, bottom)."""

    x1: float
    y1: float
    x2: float
    y2: float
    arrow: Arrow | None
    bounds: tuple[float, float, float, float]

    def midpoint(self) -> tuple[float, float]:
        return (self.x1 + self.x2) / 2, (self.y1 + self.y2) / 2


def edge_point(box: Box, toward_x: float, toward_y: float) -> tuple[float, float]:
    """Where the line from the box's centre toward a point leaves the box."""
    cx, cy, half_w, half_h = box
    dx, dy = toward_x - cx, toward_y - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def arrow_head(x1: float, y1: float, x2: float, y2: float, size: float) -> Arrow | None:
    """A filled triangle of ``size`` with its tip on ``(x2, y2)``, pointing along the line."""
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return None
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    bx, by = x2 - ux * size, y2 - uy * size
    half = size * 0.55
    return (x2, y2, bx - uy * half, by + ux * half, bx + uy * half, by - ux * half)


def straight_link(
    source: Box, target: Box, arrow_size: float, margin: float
) -> StraightLink | None:
    """The straight link between two factors' boxes, its bounds reaching ``margin`` past
    the line and arrowhead (the pen, the polarity mark); None when their centres (nearly)
    coincide and there is nothing to draw."""
    sx, sy = source[0], source[1]
    tx, ty = target[0], target[1]
    if math.hypot(tx - sx, ty - sy) < 1:
        return None
    x1, y1 = edge_point(source, tx, ty)
    x2, y2 = edge_point(target, sx, sy)
    arrow = arrow_head(x1, y1, x2, y2, arrow_size)
    xs = (x1, x2) if arrow is None else (x1, x2, arrow[2], arrow[4])
    ys = (y1, y2) if arrow is None else (y1, y2, arrow[3], arrow[5])
    m = margin
    return StraightLink(x1, y1, x2, y2, arrow, (min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m))
