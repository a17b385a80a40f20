"""reportlab drawing pieces shared by the PDF map figure and its key (imported lazily)."""

from __future__ import annotations

from typing import Any

from ipsmap.export.map_key import MARK_SHAPES, POLARITY_COLORS, polarity_of
from ipsmap.model.colors import as_hex

DEFAULT_FACTOR_COLOR = "#ffffff"
DEFAULT_BORDER_COLOR = "#333333"
DEFAULT_LINK_COLOR = "#555555"
DEFAULT_TEXT_COLOR = "#111111"


def shape_nodes(
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


def mark_nodes(polarity: str, x: float, y: float, r: float) -> list[Any]:
    """A polarity mark centred on (x, y): its shape (``MARK_SHAPES``) with the sign drawn in.

    The sign is drawn as strokes, not a font glyph: the same in every font, and a minus
    can't be mistaken for a hyphen or a dash.
    """
    from reportlab.graphics.shapes import Circle, Line, Polygon, Rect, String
    from reportlab.lib.colors import HexColor, white

    pol = polarity_of(polarity)
    colour = HexColor(POLARITY_COLORS[pol])
    outline = {"fillColor": white, "strokeColor": colour, "strokeWidth": max(0.5, r * 0.16)}
    kind = MARK_SHAPES[pol]
    nodes: list[Any]
    if kind == "circle":
        nodes = [Circle(x, y, r, **outline)]
    elif kind == "square":
        a = r * 0.86
        nodes = [Rect(x - a, y - a, 2 * a, 2 * a, **outline)]
    else:
        d = r * 1.18
        nodes = [Polygon([x, y + d, x + d, y, x, y - d, x - d, y], **outline)]
    arm = r * 0.55
    stroke = {"strokeColor": colour, "strokeWidth": max(0.6, r * 0.3), "strokeLineCap": 0}
    if pol in ("+", "-"):
        nodes.append(Line(x - arm, y, x + arm, y, **stroke))
    if pol == "+":
        nodes.append(Line(x, y - arm, x, y + arm, **stroke))
    if pol == "?":
        nodes.append(
            String(
                x,
                y - r * 0.5,
                "?",
                fontName="Helvetica-Bold",
                fontSize=r * 1.45,
                fillColor=colour,
                textAnchor="middle",
            )
        )
    return nodes


def colour(value: str | None, default: str) -> Any:
    """A map's colour for reportlab; ``default`` when it is missing or not a colour."""
    from reportlab.lib.colors import HexColor

    return HexColor(as_hex(value) or default)
