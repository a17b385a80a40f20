"""Where the marks grid's quadrant captions and factor labels go (plain geometry, no Qt).

Boxes are (left, top, right, bottom) in the grid's pixels. A label sits beside its dot
where there is room; where there is none it moves further out, on rings around the dot,
and the grid joins it to its dot with a thin line. A label never covers a dot, a caption
or another label, and never leaves the plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Box = tuple[float, float, float, float]

# Directions tried on each ring around a dot: the four sides first, then the diagonals,
# then the directions between them.
_DIRECTIONS = [math.radians(a) for a in (0, 180, 270, 90, 315, 45, 225, 135)] + [
    math.radians(a) for a in range(15, 360, 30)
]
MAX_RINGS = 40


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, bounds: Box) -> bool:
    return a[0] >= bounds[0] and a[1] >= bounds[1] and a[2] <= bounds[2] and a[3] <= bounds[3]


def _area(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def caption_corner(size: tuple[float, float], room: Box, dots: Sequence[Box]) -> Box:
    """The corner of a quadrant (``room``, already inset) where a caption of ``size``
    covers the fewest dots: top-left unless a dot is there."""
    w, h = size
    left, top, right, bottom = room
    corners = [
        (left, top, left + w, top + h),
        (right - w, top, right, top + h),
        (left, bottom - h, left + w, bottom),
        (right - w, bottom - h, right, bottom),
    ]
    return min(corners, key=lambda c: sum(_area(c, d) for d in dots))


def _box_at(x: float, y: float, dx: float, dy: float, w: float, h: float) -> Box:
    """A w × h box whose side facing direction (dx, dy) touches the point (x, y)."""
    if dx > 0.3:
        left = x
    elif dx < -0.3:
        left = x - w
    else:
        left = x - w / 2
    if dy > 0.3:
        top = y
    elif dy < -0.3:
        top = y - h
    else:
        top = y - h / 2
    return (left, top, left + w, top + h)


Segment = tuple[tuple[float, float], tuple[float, float]]


def crosses(segment: Segment, box: Box) -> bool:
    """Whether a line segment passes through a box (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = segment
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return False
    return True


def place_label(
    size: tuple[float, float],
    centre: tuple[float, float],
    gap: float,
    bounds: Box,
    obstacles: Sequence[Box],
    step: float,
    lines: Sequence[Segment] = (),
    labels: Sequence[Box] = (),
) -> tuple[Box, bool] | None:
    """A free place for a label of ``size`` near the dot at ``centre``: (box, beside), where
    ``beside`` says it touches its dot's side (else it needs a line to it); None if the
    plot has no free place.

    A label set apart would rather not lie across another label's line (``lines``) nor
    have its own line cross another label (``labels``); where no such place is left, the
    nearest free place is taken all the same.
    """
    w, h = size
    cx, cy = centre
    fallback: tuple[Box, bool] | None = None
    for ring in range(MAX_RINGS + 1):
        distance = gap + ring * step
        directions = _DIRECTIONS[:4] if ring == 0 else _DIRECTIONS
        for angle in directions:
            dx, dy = math.cos(angle), math.sin(angle)
            box = _box_at(cx + dx * distance, cy + dy * distance, dx, dy, w, h)
            if not inside(box, bounds) or any(overlaps(box, o) for o in obstacles):
                continue
            own = leader_line(centre, gap, box)
            tangled = any(crosses(line, box) for line in lines) or (
                ring > 0 and any(crosses(own, other) for other in labels)
            )
            if not tangled:
                return box, ring == 0
            if fallback is None:
                fallback = (box, ring == 0)
    return fallback


def leader_line(
    centre: tuple[float, float], radius: float, box: Box
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The line joining a dot's edge to the nearest point of its label's box."""
    cx, cy = centre
    nx = min(max(cx, box[0]), box[2])
    ny = min(max(cy, box[1]), box[3])
    length = math.hypot(nx - cx, ny - cy) or 1.0
    start = (cx + (nx - cx) / length * radius, cy + (ny - cy) / length * radius)
    return start, (nx, ny)
