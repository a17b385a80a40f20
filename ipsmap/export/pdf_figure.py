"""The map as a vector figure for the PDF report (reportlab graphics, imported lazily).

Factors drawn in their types' colours and shapes at the workshop positions, links with
arrowheads and polarity marks, and the legend beneath.
"""

from __future__ import annotations

import math
from typing import Any

from ipsmap.model.entities import (
    DEFAULT_STRENGTH,
    Style,
)
from ipsmap.model.mapdata import MapData

POLARITY_COLORS = {"+": "#1b5e20", "-": "#b71c1c", "?": "#616161"}
POLARITY_WORDS = {
    "+": "same direction (more leads to more)",
    "-": "opposite direction (more leads to less)",
    "?": "unclear or mixed effect",
}
DEFAULT_FACTOR_COLOR = "#ffffff"
DEFAULT_BORDER_COLOR = "#333333"
DEFAULT_LINK_COLOR = "#555555"
# Size of a factor on the workshop canvas (map units), as the canvas draws labels.
NODE_WIDTH = 170.0
NODE_HEIGHT = 64.0
MAX_LABEL_LINES = 4


def minus_sign(unicode_ok: bool) -> str:
    return "\u2212" if unicode_ok else "-"


# --- The map figure -------------------------------------------------------------------


def _shape_nodes(
    shape: str, cx: float, cy: float, w: float, h: float, fill: Any, stroke: Any, sw: float
) -> list[Any]:
    """reportlab.graphics shapes for one factor outline centred on (cx, cy)."""
    from reportlab.graphics.shapes import Ellipse, Polygon, Rect

    kw = {"fillColor": fill, "strokeColor": stroke, "strokeWidth": sw}
    x0, y0 = cx - w / 2, cy - h / 2
    if shape == "ellipse":
        return [Ellipse(cx, cy, w / 2, h / 2, **kw)]
    if shape == "hexagon":
        d = min(h / 2, w / 5)
        pts = [x0, cy, x0 + d, y0, x0 + w - d, y0, x0 + w, cy, x0 + w - d, y0 + h, x0 + d, y0 + h]
        return [Polygon(pts, **kw)]
    if shape == "star":
        # Drawn as a double border, like the canvas.
        gap = 1.6 * sw + 1
        return [
            Rect(x0, y0, w, h, rx=2, ry=2, **kw),
            Rect(
                x0 + gap,
                y0 + gap,
                w - 2 * gap,
                h - 2 * gap,
                rx=1.5,
                ry=1.5,
                fillColor=None,
                strokeColor=stroke,
                strokeWidth=sw * 0.8,
            ),
        ]
    if shape == "note":
        d = min(h / 3, 6)
        pts = [x0, y0, x0 + w, y0, x0 + w, y0 + h - d, x0 + w - d, y0 + h, x0, y0 + h]
        return [Polygon(pts, **kw)]
    return [Rect(x0, y0, w, h, rx=2.5, ry=2.5, **kw)]


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
    that was 80 million comparisons (most of the PDF's time).
    """

    def __init__(self, boxes: Any, radius: float) -> None:
        self.boxes = [(cx, cy, w / 2 + radius, h / 2 + radius) for cx, cy, w, h, *_ in boxes]
        self.cell = max([2 * max(hw, hh) for _, _, hw, hh in self.boxes] or [1.0])
        self.grid: dict[tuple[int, int], list[int]] = {}
        for i, (cx, cy, hw, hh) in enumerate(self.boxes):
            for gx in range(int((cx - hw) // self.cell), int((cx + hw) // self.cell) + 1):
                for gy in range(int((cy - hh) // self.cell), int((cy + hh) // self.cell) + 1):
                    self.grid.setdefault((gx, gy), []).append(i)

    def hits(self, x: float, y: float) -> bool:
        for i in self.grid.get((int(x // self.cell), int(y // self.cell)), ()):
            cx, cy, hw, hh = self.boxes[i]
            if abs(x - cx) < hw and abs(y - cy) < hh:
                return True
        return False


def _mark_position(
    x1: float, y1: float, x2: float, y2: float, grid: _BoxGrid
) -> tuple[float, float, bool]:
    """A point on the link for its polarity mark, and whether it is clear of every factor."""
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74):
        x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        if not grid.hits(x, y):
            return x, y, True
    return (x1 + x2) / 2, (y1 + y2) / 2, False


def _legend_rows(data: MapData, width: float, font: str, size: float) -> int:
    """How many rows the factor types take in the legend."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    rows, x = 1, 60.0
    for s in data.styles:
        if s.kind != "factor":
            continue
        item_w = 26 + stringWidth(s.name, font, size) + 10
        if x + item_w > width:
            rows, x = rows + 1, 60.0
        x += item_w
    return rows


def map_drawing(
    data: MapData, width: float, height: float, font: str, bold: str, unicode_ok: bool
) -> Any:
    """The map as a reportlab Drawing of ``width`` × ``height`` points, legend at the bottom."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, String
    from reportlab.lib.colors import HexColor, white
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def colour(value: str | None, default: str) -> Any:
        try:
            return HexColor(value or default)
        except (ValueError, TypeError):
            return HexColor(default)

    styles = {s.id: s for s in data.styles}
    legend_h = 50.0 + 14 * _legend_rows(data, width, font, 7.5)
    drawing = Drawing(width, height)
    layout = _Layout(data, styles, width - 8, height - legend_h - 8, font)
    shift_x, shift_y = 4.0, legend_h + 4.0
    boxes = {
        fid: (cx + shift_x, cy + shift_y, w, h, shape, lines)
        for fid, (cx, cy, w, h, shape, lines) in layout.boxes.items()
    }
    pairs = {(ln.source, ln.target) for ln in data.links}
    marks: list[Any] = []
    hidden: list[Any] = []
    mark_r = max(3.2, layout.font_size * 0.62)
    grid = _BoxGrid(boxes.values(), mark_r)
    for link in sorted(data.links, key=lambda ln: ln.seq):
        if link.source not in boxes or link.target not in boxes or link.source == link.target:
            continue
        sx, sy, sw_, sh, sshape, _ = boxes[link.source]
        tx, ty, tw, th, tshape, _ = boxes[link.target]
        dx, dy = tx - sx, ty - sy
        dist = math.hypot(dx, dy) or 1.0
        # Two links between the same pair: move each aside so both stay visible.
        if (link.target, link.source) in pairs:
            off = 2.5
            nx, ny = -dy / dist * off, dx / dist * off
            sx, sy, tx, ty = sx + nx, sy + ny, tx + nx, ty + ny
        x1, y1 = _border_point(sx, sy, sw_ + 3, sh + 3, sshape, dx, dy)
        x2, y2 = _border_point(tx, ty, tw + 3, th + 3, tshape, -dx, -dy)
        style = styles.get(link.type or "")
        line_colour = colour(style.color if style else None, DEFAULT_LINK_COLOR)
        strength = link.strength if link.strength is not None else DEFAULT_STRENGTH
        width_pt = 0.5 + 1.3 * strength
        dashed = bool(style.dashes if style else False) or (
            link.confidence is not None and link.confidence < 0.5
        )
        head = 3.0 + 1.5 * width_pt
        ux, uy = dx / dist, dy / dist
        bx, by = x2 - ux * head, y2 - uy * head
        drawing.add(
            Line(
                x1,
                y1,
                bx,
                by,
                strokeColor=line_colour,
                strokeWidth=width_pt,
                strokeDashArray=[3, 2] if dashed else None,
            )
        )
        px, py = -uy * head * 0.45, ux * head * 0.45
        drawing.add(
            Polygon(
                [x2, y2, bx + px, by + py, bx - px, by - py],
                fillColor=line_colour,
                strokeColor=line_colour,
                strokeWidth=0.3,
            )
        )
        mx, my, clear = _mark_position(x1, y1, x2, y2, grid)
        # A mark that would sit on a factor goes under it rather than hide its label.
        pile = marks if clear else hidden
        pol = link.polarity if link.polarity in POLARITY_COLORS else "?"
        pcol = HexColor(POLARITY_COLORS[pol])
        symbol = minus_sign(unicode_ok) if pol == "-" else pol
        pile.append(Circle(mx, my, mark_r, fillColor=white, strokeColor=pcol, strokeWidth=0.6))
        pile.append(
            String(
                mx,
                my - mark_r * 0.55,
                symbol,
                fontName=bold,
                fontSize=mark_r * 1.6,
                fillColor=pcol,
                textAnchor="middle",
            )
        )
    for mark in hidden:
        drawing.add(mark)
    for factor in sorted(data.factors, key=lambda f: f.seq):
        cx, cy, w, h, shape, lines = boxes[factor.id]
        style = styles.get(factor.type or "")
        fill = colour(style.color if style else None, DEFAULT_FACTOR_COLOR)
        stroke = colour(style.border_color if style else None, DEFAULT_BORDER_COLOR)
        for item in _shape_nodes(shape, cx, cy, w, h, fill, stroke, 0.9):
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
                    fillColor=HexColor("#111111"),
                    textAnchor="middle",
                )
            )
    for mark in marks:
        drawing.add(mark)
    _draw_legend(drawing, data, width, legend_h, font, bold, unicode_ok)
    return drawing


def _draw_legend(
    drawing: Any, data: MapData, width: float, height: float, font: str, bold: str, uni: bool
) -> None:
    """Factor types (those used first), link line key and polarity key along the bottom."""
    from reportlab.graphics.shapes import Circle, Line, String
    from reportlab.lib.colors import HexColor, white

    size = 7.5
    drawing.add(Line(0, height - 2, width, height - 2, strokeColor=HexColor("#bbbbbb")))
    used = {f.type for f in data.factors}
    factor_styles = sorted(
        (s for s in data.styles if s.kind == "factor"),
        key=lambda s: (s.id not in used, s.position, s.name),
    )
    x, y = 2.0, height - 16
    drawing.add(String(x, y, "Factor types", fontName=bold, fontSize=size))
    x += 58
    for s in factor_styles:
        label = s.name
        from reportlab.pdfbase.pdfmetrics import stringWidth

        item_w = 26 + stringWidth(label, font, size) + 10
        if x + item_w > width:
            x, y = 60.0, y - 14
        try:
            fill, stroke = HexColor(s.color), HexColor(s.border_color)
        except (ValueError, TypeError):
            fill, stroke = HexColor(DEFAULT_FACTOR_COLOR), HexColor(DEFAULT_BORDER_COLOR)
        for item in _shape_nodes(s.shape, x + 10, y + 2.5, 20, 10, fill, stroke, 0.8):
            drawing.add(item)
        drawing.add(String(x + 24, y, label, fontName=font, fontSize=size))
        x += item_w
    y -= 16
    x = 2.0
    drawing.add(String(x, y, "Links", fontName=bold, fontSize=size))
    x = 60.0
    for text, w_pt, dashed in (("weak", 0.8, False), ("strong", 1.8, False)):
        drawing.add(
            Line(
                x,
                y + 2.5,
                x + 22,
                y + 2.5,
                strokeWidth=w_pt,
                strokeColor=HexColor(DEFAULT_LINK_COLOR),
                strokeDashArray=[3, 2] if dashed else None,
            )
        )
        drawing.add(String(x + 26, y, text, fontName=font, fontSize=size))
        x += 30 + len(text) * size * 0.55 + 10
    drawing.add(
        Line(
            x,
            y + 2.5,
            x + 22,
            y + 2.5,
            strokeWidth=1.1,
            strokeColor=HexColor(DEFAULT_LINK_COLOR),
            strokeDashArray=[3, 2],
        )
    )
    text = "low confidence or dashed style"
    drawing.add(String(x + 26, y, text, fontName=font, fontSize=size))
    y -= 16
    x = 2.0
    drawing.add(String(x, y, "Polarity", fontName=bold, fontSize=size))
    x = 60.0
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for pol in ("+", "-", "?"):
        pcol = HexColor(POLARITY_COLORS[pol])
        drawing.add(Circle(x + 5, y + 2.5, 5, fillColor=white, strokeColor=pcol, strokeWidth=0.6))
        symbol = minus_sign(uni) if pol == "-" else pol
        drawing.add(
            String(
                x + 5,
                y - 0.5,
                symbol,
                fontName=bold,
                fontSize=8,
                fillColor=pcol,
                textAnchor="middle",
            )
        )
        words = POLARITY_WORDS[pol]
        drawing.add(String(x + 14, y, words, fontName=font, fontSize=size))
        x += 14 + stringWidth(words, font, size) + 14


# --- The report -----------------------------------------------------------------------
