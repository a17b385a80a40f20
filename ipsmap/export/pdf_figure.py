"""The map as a vector figure for the PDF report (reportlab graphics, imported lazily).

Factors drawn in their types' colours and shapes at the workshop positions, links with
arrowheads and polarity marks, and the legend beneath.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ipsmap.export.map_key import is_dashed, map_key
from ipsmap.export.pdf_legend import Legend
from ipsmap.export.pdf_shapes import (
    DEFAULT_BORDER_COLOR,
    DEFAULT_FACTOR_COLOR,
    DEFAULT_LINK_COLOR,
    DEFAULT_TEXT_COLOR,
    colour,
    mark_nodes,
    shape_nodes,
)
from ipsmap.model.entities import (
    DEFAULT_STRENGTH,
    Style,
)
from ipsmap.model.mapdata import MapData

# Size of a factor on the workshop canvas (map units), as the canvas draws labels.
NODE_WIDTH = 170.0
NODE_HEIGHT = 64.0
MAX_LABEL_LINES = 4


def minus_sign(unicode_ok: bool) -> str:
    return "\u2212" if unicode_ok else "-"


# --- The map figure -------------------------------------------------------------------


def _border_point(
    cx: float, cy: float, w: float, h: float, shape: str, dx: float, dy: float
) -> tuple[float, float]:
    """Where a ray from the centre in direction (dx, dy) leaves the factor's outline."""
    length = math.hypot(dx, dy)
    if length == 0:  # two factors at one spot (new ones start at 0, 0): no direction
        return cx, cy
    ux, uy = dx / length, dy / length
    if shape == "ellipse":
        a, b = w / 2, h / 2
        t = 1.0 / math.sqrt((ux / a) ** 2 + (uy / b) ** 2)
    else:
        tx = (w / 2) / abs(ux) if ux else math.inf
        ty = (h / 2) / abs(uy) if uy else math.inf
        t = min(tx, ty)
    return cx + ux * t, cy + uy * t


class _Layout:
    """Factor boxes in drawing coordinates, with label lines fitted to the box width."""

    def __init__(
        self,
        data: MapData,
        styles: dict[str, Style],
        width: float,
        height: float,
        font: str,
    ) -> None:
        from reportlab.lib.utils import simpleSplit

        factors = data.factors
        xs = [f.x for f in factors] or [0.0]
        ys = [f.y for f in factors] or [0.0]
        span_x = max(xs) - min(xs) + NODE_WIDTH
        span_y = max(ys) - min(ys) + NODE_HEIGHT * 1.3
        self.scale = min(width / span_x, height / span_y, 1.2)
        used_w, used_h = span_x * self.scale, span_y * self.scale
        off_x = (width - used_w) / 2 + NODE_WIDTH * self.scale / 2
        off_y = (height - used_h) / 2 + NODE_HEIGHT * 1.3 * self.scale / 2
        min_x, max_y = min(xs), max(ys)
        self.font = font
        self.font_size = max(5.0, min(9.0, 15.0 * self.scale))
        self.box_w = (NODE_WIDTH - 12) * self.scale
        self.boxes: dict[str, tuple[float, float, float, float, str, list[str]]] = {}
        leading = self.font_size * 1.15
        for f in factors:
            style = styles.get(f.type or "")
            shape = style.shape if style else "box"
            cx = off_x + (f.x - min_x) * self.scale
            # The canvas's y grows downwards; the PDF's upwards.
            cy = off_y + (max_y - f.y) * self.scale
            text_w = self.box_w - 6 if shape not in ("ellipse", "hexagon") else self.box_w * 0.78
            lines = simpleSplit(f.label or " ", font, self.font_size, text_w)
            if len(lines) > MAX_LABEL_LINES:
                lines = lines[:MAX_LABEL_LINES]
                lines[-1] = lines[-1].rstrip()[: max(1, len(lines[-1]) - 1)] + "\u2026"
            h = len(lines) * leading + 6
            if shape in ("ellipse", "hexagon"):
                h += leading
            self.boxes[f.id] = (cx, cy, self.box_w, h, shape, lines)


class _BoxGrid:
    """Factor boxes bucketed on a grid, so "is this point on a factor?" looks at a few.

    A 2,000-factor map has 6,000 links, each trying up to seven points: against every box
    that was 80 million comparisons (most of the PDF's time). ``radius`` is the largest
    margin a question will ask for.
    """

    def __init__(self, boxes: Any, radius: float) -> None:
        self.boxes = [(cx, cy, w / 2, h / 2) for cx, cy, w, h, *_ in boxes]
        self.cell = max([2 * (max(hw, hh) + radius) for _, _, hw, hh in self.boxes] or [1.0])
        self.grid: dict[tuple[int, int], list[int]] = {}
        for i, (cx, cy, hw, hh) in enumerate(self.boxes):
            x0, x1 = cx - hw - radius, cx + hw + radius
            y0, y1 = cy - hh - radius, cy + hh + radius
            for gx in range(int(x0 // self.cell), int(x1 // self.cell) + 1):
                for gy in range(int(y0 // self.cell), int(y1 // self.cell) + 1):
                    self.grid.setdefault((gx, gy), []).append(i)

        # Marks already placed, on a finer grid: a mark keeps clear of them too.
        self.mark_cell = 4 * radius or 1.0
        self.marks: dict[tuple[int, int], list[tuple[float, float, float]]] = {}

    def hits(self, x: float, y: float, radius: float) -> bool:
        """Whether a circle of ``radius`` at (x, y) touches a factor box or a placed mark."""
        for i in self.grid.get((int(x // self.cell), int(y // self.cell)), ()):
            cx, cy, hw, hh = self.boxes[i]
            if abs(x - cx) < hw + radius and abs(y - cy) < hh + radius:
                return True
        gx, gy = int(x // self.mark_cell), int(y // self.mark_cell)
        for cell in ((gx + i, gy + j) for i in (-1, 0, 1) for j in (-1, 0, 1)):
            for mx, my, mr in self.marks.get(cell, ()):
                if math.hypot(x - mx, y - my) < radius + mr + 0.5:
                    return True
        return False

    def add_mark(self, x: float, y: float, radius: float) -> None:
        """Remember a placed mark, so later marks keep clear of it."""
        cell = (int(x // self.mark_cell), int(y // self.mark_cell))
        self.marks.setdefault(cell, []).append((x, y, radius))


Point = tuple[float, float]
# A mark never shrinks below this radius (points); a link too short for it gets its mark
# beside the line instead of on it.
MIN_MARK_R = 2.4
# Along the link, between the mark and the line's start or the arrow's base (points).
MARK_GAP = 1.0


@dataclass(frozen=True)
class LinkShape:
    """Where one link, its arrowhead and its polarity mark are drawn (figure points)."""

    start: Point
    control: Point | None  # quadratic Bézier control point of a curved link
    base: Point  # where the line ends and the arrowhead begins
    tip: Point
    head_half: float  # half the arrowhead's width
    mark: Point
    mark_r: float
    mark_clear: bool  # clear of every factor box (drawn on top), else drawn beneath them
    mark_beside: bool  # too short for a mark on it: the mark sits beside the line

    def point(self, t: float) -> Point:
        """The point at parameter ``t`` (0 = start, 1 = arrow base) of the drawn line."""
        (x0, y0), (x2, y2) = self.start, self.base
        if self.control is None:
            return x0 + (x2 - x0) * t, y0 + (y2 - y0) * t
        cx, cy = self.control
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        return a * x0 + b * cx + c * x2, a * y0 + b * cy + c * y2


Box = tuple[float, float, float, float, str]  # centre x, centre y, width, height, shape


def link_shape(
    source_box: Box,
    target_box: Box,
    reciprocal: bool,
    width_pt: float,
    mark_r: float,
    grid: _BoxGrid,
) -> LinkShape | None:
    """The geometry of a link between two factor boxes, its mark placed (see the two steps)."""
    path = link_path(source_box, target_box, reciprocal, width_pt, mark_r)
    return None if path is None else place_mark(path, width_pt, mark_r, grid)


def link_path(
    source_box: Box, target_box: Box, reciprocal: bool, width_pt: float, mark_r: float
) -> LinkShape | None:
    """The line and arrowhead of a link (its mark not placed yet), or None without length.

    Of a two-way pair each link bends to its own side (right of its direction), far enough
    that the two marks stand apart; the arrowhead is shortened on a short link rather than
    swallow it.
    """
    sx, sy, sw, sh, sshape = source_box
    tx, ty, tw, th, tshape = target_box
    dx, dy = tx - sx, ty - sy
    dist = math.hypot(dx, dy)
    if dist < 1e-6:
        return None
    control: Point | None = None
    if reciprocal:
        bend = max(0.12 * dist, 2 * (2 * mark_r + 2.0))
        nx, ny = dy / dist, -dx / dist  # right of the direction of travel
        control = ((sx + tx) / 2 + nx * bend, (sy + ty) / 2 + ny * bend)
        aim_s: Point = (control[0] - sx, control[1] - sy)
        aim_t: Point = (control[0] - tx, control[1] - ty)
    else:
        aim_s, aim_t = (dx, dy), (-dx, -dy)
    start = _border_point(sx, sy, sw + 3, sh + 3, sshape, *aim_s)
    tip = _border_point(tx, ty, tw + 3, th + 3, tshape, *aim_t)
    # The arrow points along the line's last stretch: from the control point, if curved.
    fx, fy = control if control is not None else start
    ex, ey = tip[0] - fx, tip[1] - fy
    elen = math.hypot(ex, ey) or 1.0
    ux, uy = ex / elen, ey / elen
    visible = math.hypot(tip[0] - start[0], tip[1] - start[1])
    # Shorter on a short link, but never too small to see (it is drawn above the boxes).
    head = min(3.0 + 1.5 * width_pt, max(0.4 * visible, 2.5))
    base = (tip[0] - ux * head, tip[1] - uy * head)
    return LinkShape(start, control, base, tip, head * 0.45, start, mark_r, False, False)


def place_mark(shape: LinkShape, width_pt: float, mark_r: float, grid: _BoxGrid) -> LinkShape:
    """``shape`` with its mark placed clear of factors and other marks where it can be.

    The mark is shrunk to fit between the line's start and the arrowhead, or put beside a
    link too short to carry one.
    """
    start, base, tip = shape.start, shape.base, shape.tip
    head = math.hypot(tip[0] - base[0], tip[1] - base[1])
    ux, uy = (tip[0] - base[0]) / (head or 1.0), (tip[1] - base[1]) / (head or 1.0)
    # The mark fits between the start and the arrowhead with a little line showing each side.
    room = math.hypot(base[0] - start[0], base[1] - start[1])
    if shape.control is not None:
        room = max(0.0, math.hypot(tip[0] - start[0], tip[1] - start[1]) - head)
    r = min(mark_r, (room - 2 * MARK_GAP) / 2 * 0.8)
    if r < MIN_MARK_R:
        # Too short to carry a mark: beside the middle of the line, on its right.
        r = MIN_MARK_R
        mid = shape.point(0.5)
        off = r + width_pt / 2 + 1.0
        mark = (mid[0] + uy * off, mid[1] - ux * off)
        clear = not grid.hits(mark[0], mark[1], r)
        return _with_mark(shape, mark, r, clear, beside=True)
    # Near the middle if it is clear of every factor; else further along, or smaller (a
    # small mark in the open reads better than a full-size one under a box).
    for size in sorted({r, max(MIN_MARK_R, r * 0.75), MIN_MARK_R}, reverse=True):
        lo = (size + MARK_GAP) / room if room else 0.5
        hi = 1 - lo
        for frac in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82):
            x, y = shape.point(lo + (hi - lo) * frac)
            if not grid.hits(x, y, size):
                return _with_mark(shape, (x, y), size, True, beside=False)
    return _with_mark(shape, shape.point(0.5), r, False, beside=False)


def _with_mark(shape: LinkShape, mark: Point, r: float, clear: bool, beside: bool) -> LinkShape:
    return LinkShape(
        shape.start,
        shape.control,
        shape.base,
        shape.tip,
        shape.head_half,
        mark,
        r,
        clear,
        beside,
    )


def _link_line(shape: LinkShape, colour: Any, width_pt: float, dashed: bool) -> Any:
    from reportlab.graphics.shapes import Line, Path

    dash = [3, 2] if dashed else None
    (x0, y0), (x2, y2) = shape.start, shape.base
    if shape.control is None:
        return Line(x0, y0, x2, y2, strokeColor=colour, strokeWidth=width_pt, strokeDashArray=dash)
    # reportlab paths take cubic Béziers: the quadratic's control points raised by degree.
    cx, cy = shape.control
    path = Path(fillColor=None, strokeColor=colour, strokeWidth=width_pt, strokeDashArray=dash)
    path.moveTo(x0, y0)
    path.curveTo(
        x0 + 2 / 3 * (cx - x0),
        y0 + 2 / 3 * (cy - y0),
        x2 + 2 / 3 * (cx - x2),
        y2 + 2 / 3 * (cy - y2),
        x2,
        y2,
    )
    return path


def _arrowhead(shape: LinkShape, colour: Any) -> Any:
    from reportlab.graphics.shapes import Polygon

    (bx, by), (tx, ty) = shape.base, shape.tip
    length = math.hypot(tx - bx, ty - by) or 1.0
    px, py = -(ty - by) / length * shape.head_half, (tx - bx) / length * shape.head_half
    return Polygon(
        [tx, ty, bx + px, by + py, bx - px, by - py],
        fillColor=colour,
        strokeColor=colour,
        strokeWidth=0.3,
    )


def map_drawing(
    data: MapData, width: float, height: float, font: str, bold: str, unicode_ok: bool
) -> Any:
    """The map as a reportlab Drawing of ``width`` × ``height`` points, legend at the bottom."""
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    styles = {s.id: s for s in data.styles}
    key = map_key(data)
    legend = Legend(key, width, font, bold)
    drawing = Drawing(width, height)
    layout = _Layout(data, styles, width - 8, height - legend.height - 8, font)
    shift_x, shift_y = 4.0, legend.height + 4.0
    boxes = {
        fid: (cx + shift_x, cy + shift_y, w, h, shape, lines)
        for fid, (cx, cy, w, h, shape, lines) in layout.boxes.items()
    }
    pairs = {(ln.source, ln.target) for ln in data.links}
    mark_r = max(3.2, layout.font_size * 0.62)
    grid = _BoxGrid(boxes.values(), mark_r)
    # First every line and arrowhead, so that no mark is then placed over an arrowhead.
    paths: list[tuple[Any, LinkShape, float]] = []
    for link in sorted(data.links, key=lambda ln: ln.seq):
        if link.source not in boxes or link.target not in boxes or link.source == link.target:
            continue
        strength = link.strength if link.strength is not None else DEFAULT_STRENGTH
        width_pt = 0.5 + 1.3 * strength
        reciprocal = (link.target, link.source) in pairs
        path = link_path(
            boxes[link.source][:5], boxes[link.target][:5], reciprocal, width_pt, mark_r
        )
        if path is None:  # two factors at one spot: no direction to draw
            continue
        paths.append((link, path, width_pt))
        (bx, by), (tx, ty) = path.base, path.tip
        grid.add_mark((bx + tx) / 2, (by + ty) / 2, math.hypot(tx - bx, ty - by) / 2)
    on_top: list[Any] = []  # arrowheads, and marks clear of every factor
    beneath: list[Any] = []  # marks that would sit on a factor: under it, not over its label
    for link, path, width_pt in paths:
        shape = place_mark(path, width_pt, mark_r, grid)
        grid.add_mark(*shape.mark, shape.mark_r)
        style = styles.get(link.type or "")
        line_colour = colour(style.color if style else None, DEFAULT_LINK_COLOR)
        drawing.add(_link_line(shape, line_colour, width_pt, is_dashed(style, link.confidence)))
        # Drawn after the factors, so no box ever covers an arrowhead.
        on_top.append(_arrowhead(shape, line_colour))
        pile = on_top if shape.mark_clear else beneath
        pile.extend(mark_nodes(link.polarity, *shape.mark, shape.mark_r))
    for mark in beneath:
        drawing.add(mark)
    for factor in sorted(data.factors, key=lambda f: f.seq):
        cx, cy, w, h, shape_name, lines = boxes[factor.id]
        style = styles.get(factor.type or "")
        fill = colour(style.color if style else None, DEFAULT_FACTOR_COLOR)
        stroke = colour(style.border_color if style else None, DEFAULT_BORDER_COLOR)
        # The type's own label colour (white on a dark box), as the canvas draws it.
        text = colour(style.font_color if style else None, DEFAULT_TEXT_COLOR)
        for item in shape_nodes(shape_name, cx, cy, w, h, fill, stroke, 0.9):
            drawing.add(item)
        # A single word wider than the box (no place to wrap it): a smaller font.
        widest = max(stringWidth(line, font, layout.font_size) for line in lines)
        size = layout.font_size * min(1.0, (w - 4) / widest) if widest else layout.font_size
        leading = size * 1.15
        top = cy + len(lines) * leading / 2 - size * 0.85
        for i, line in enumerate(lines):
            drawing.add(
                String(
                    cx,
                    top - i * leading,
                    line,
                    fontName=font,
                    fontSize=size,
                    fillColor=text,
                    textAnchor="middle",
                )
            )
    for item in on_top:
        drawing.add(item)
    legend.draw(drawing)
    return drawing


# --- The report -----------------------------------------------------------------------
