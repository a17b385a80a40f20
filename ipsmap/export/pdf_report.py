"""A printable PDF report of one map: cover, the map as a vector figure, tables, analysis.

Built with reportlab's platypus (imported lazily, inside ``write_pdf``). People appear
only as pseudonyms, or as their stakeholder group when they did not consent, exactly as
in the HTML export.
"""

from __future__ import annotations

import math
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from ipsmap.formats.base import MapFormat
from ipsmap.model.entities import (
    CONFIDENCE_LEVELS,
    DEFAULT_STRENGTH,
    STRENGTH_LEVELS,
    Style,
    level_name,
)
from ipsmap.model.mapdata import MapData

POLARITY_COLORS = {"+": "#1b5e20", "-": "#b71c1c", "?": "#616161"}
POLARITY_WORDS = {
    "+": "same direction (more leads to more)",
    "-": "opposite direction (more leads to less)",
    "?": "unclear or mixed effect",
}
LOOP_BADGES = {"reinforcing": ("R", "#1b5e20"), "balancing": ("B", "#b71c1c")}
DEFAULT_FACTOR_COLOR = "#ffffff"
DEFAULT_BORDER_COLOR = "#333333"
DEFAULT_LINK_COLOR = "#555555"
# Size of a factor on the workshop canvas (map units), as the canvas draws labels.
NODE_WIDTH = 170.0
NODE_HEIGHT = 64.0
MAX_LABEL_LINES = 4
# TrueType fonts tried in order (regular, bold); Helvetica when none is found. DejaVu has
# the en dash, minus sign and accented letters workshop labels use.
FONT_FILES: tuple[tuple[str, str], ...] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
)
MAX_LOOPS_LISTED = 10
TOP_CENTRAL = 10


def esc(text: object) -> str:
    """Text made safe for reportlab Paragraph markup (``<``, ``>``, ``&`` and quotes)."""
    return _xml_escape(str(text), {'"': "&quot;"})


def _people(data: MapData) -> dict[str, str]:
    """Participant id → the name an evaluator may see (pseudonym, or group without consent)."""
    names: dict[str, str] = {}
    for person in data.participants:
        if person.consent:
            names[person.id] = person.pseudonym or person.stakeholder_group
        else:
            names[person.id] = f"a {person.stakeholder_group}"
    return names


def _fonts() -> tuple[str, str, bool]:
    """Registered (regular, bold) font names, and whether they are Unicode TrueType."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for regular, bold in FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            try:
                if "IpsSans" not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont("IpsSans", regular))
                    pdfmetrics.registerFont(TTFont("IpsSans-Bold", bold))
                    pdfmetrics.registerFontFamily(
                        "IpsSans",
                        normal="IpsSans",
                        bold="IpsSans-Bold",
                        italic="IpsSans",
                        boldItalic="IpsSans-Bold",
                    )
                return "IpsSans", "IpsSans-Bold", True
            except Exception:  # an unreadable font file: try the next
                continue
    return "Helvetica", "Helvetica-Bold", False


def _minus(unicode_ok: bool) -> str:
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
    length = math.hypot(dx, dy) or 1.0
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


def _mark_position(
    x1: float, y1: float, x2: float, y2: float, boxes: Any, radius: float
) -> tuple[float, float, bool]:
    """A point on the link for its polarity mark, and whether it is clear of every factor."""
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74):
        x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        if not any(
            abs(x - cx) < w / 2 + radius and abs(y - cy) < h / 2 + radius
            for cx, cy, w, h, _shape, _lines in boxes
        ):
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


def _map_drawing(
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
        mx, my, clear = _mark_position(x1, y1, x2, y2, boxes.values(), mark_r)
        # A mark that would sit on a factor goes under it rather than hide its label.
        pile = marks if clear else hidden
        pol = link.polarity if link.polarity in POLARITY_COLORS else "?"
        pcol = HexColor(POLARITY_COLORS[pol])
        symbol = _minus(unicode_ok) if pol == "-" else pol
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
        symbol = _minus(uni) if pol == "-" else pol
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


def _analysis(data: MapData) -> dict[str, Any] | None:
    from ipsmap.analysis.report import analyse_map
    from ipsmap.model.state import MapState

    state = MapState(data.info)
    state.load(data.styles, data.factors, data.links, data.groups, data.members)
    try:
        return analyse_map(state, loops_max_length=6, loops_max_count=20_000, time_limit=10.0)
    except Exception:  # a report without analysis beats no report
        return None


def _story(
    data: MapData,
    snapshot_label: str | None,
    sha256: str | None,
    project_title: str,
    frame_w: float,
    frame_h: float,
    wide_w: float,
    wide_h: float,
) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import (
        KeepTogether,
        NextPageTemplate,
        PageBreak,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    font, bold, unicode_ok = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "ips-body", parent=base["BodyText"], fontName=font, fontSize=10, leading=13
    )
    small = ParagraphStyle(
        "ips-small", parent=body, fontSize=7.5, leading=9.2, spaceAfter=0, spaceBefore=0
    )
    small_b = ParagraphStyle("ips-small-b", parent=small, fontName=bold)
    h1 = ParagraphStyle(
        "ips-h1", parent=base["Heading1"], fontName=bold, fontSize=16, leading=20, spaceAfter=8
    )
    h2 = ParagraphStyle(
        "ips-h2",
        parent=base["Heading2"],
        fontName=bold,
        fontSize=13,
        leading=16,
        spaceBefore=10,
        spaceAfter=6,
    )
    title = ParagraphStyle(
        "ips-title", parent=h1, fontSize=24, leading=30, alignment=TA_CENTER, spaceAfter=14
    )
    subtitle = ParagraphStyle(
        "ips-subtitle",
        parent=body,
        fontSize=13,
        leading=17,
        alignment=TA_CENTER,
        textColor=HexColor("#444444"),
    )

    info = data.info
    people = _people(data)
    styles = {s.id: s for s in data.styles}
    labels = {f.id: f.label for f in data.factors}
    shown_links = [ln for ln in data.links if ln.source in labels and ln.target in labels]
    kind = "theory of change" if info.kind == "toc" else "systems map"
    story: list[Any] = []

    # 1. Cover.
    story.append(Spacer(1, 90))
    if project_title:
        story.append(Paragraph(esc(project_title), subtitle))
        story.append(Spacer(1, 10))
    story.append(Paragraph(esc(info.name or "Untitled map"), title))
    story.append(Paragraph(esc(kind.capitalize()) + " \u2014 report", subtitle))
    story.append(Spacer(1, 40))
    cover_rows: list[tuple[str, str]] = [
        ("Project", project_title),
        ("Map", info.name),
        ("Site", info.site),
        ("Kind", kind),
        ("Snapshot", snapshot_label or ""),
        ("SHA-256", sha256 or ""),
        ("Generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Factors", str(len(data.factors))),
        ("Links", str(len(shown_links))),
        ("Groups", str(len(data.groups)) if data.groups else ""),
    ]
    mono = ParagraphStyle("ips-mono", parent=body, fontName="Courier", fontSize=8.5, leading=11)
    cover_data = [
        [
            Paragraph(esc(key), small_b.clone("c-k", fontSize=10, leading=13)),
            Paragraph(esc(value), mono if key == "SHA-256" else body),
        ]
        for key, value in cover_rows
        if value
    ]
    cover = Table(cover_data, colWidths=[90, frame_w - 150], hAlign="CENTER")
    cover.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, HexColor("#dddddd")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story.append(cover)
    if info.description.strip():
        story.append(Spacer(1, 20))
        story.append(Paragraph(esc(info.description), body))
    story.append(Spacer(1, 24))
    story.append(
        Paragraph(
            "People are shown by pseudonym, or by stakeholder group where they did not consent "
            "to be named.",
            small.clone("c-note", textColor=HexColor("#666666"), alignment=TA_CENTER),
        )
    )
    story.append(PageBreak())

    # 2. The map figure, on its own page: a landscape page when the map is wide.
    cap_h = 30.0
    rotate = False
    if data.factors:
        xs = [f.x for f in data.factors]
        ys = [f.y for f in data.factors]
        span_x = max(xs) - min(xs) + NODE_WIDTH
        span_y = max(ys) - min(ys) + NODE_HEIGHT * 1.3
        upright = min(frame_w / span_x, (frame_h - cap_h - 70) / span_y)
        sideways = min(wide_w / span_x, (wide_h - cap_h - 70) / span_y)
        rotate = sideways > upright * 1.15
    if rotate:
        story[-1:-1] = [NextPageTemplate("Landscape")]
    fig_w, fig_h = (wide_w, wide_h) if rotate else (frame_w, frame_h)
    story.append(Paragraph(esc(f"The map: {info.name}"), h2))
    if data.factors:
        drawing = _map_drawing(data, fig_w, fig_h - cap_h - 8, font, bold, unicode_ok)
        story.append(drawing)
    else:
        story.append(Paragraph("The map has no factors yet.", body))
    if rotate:
        story.append(NextPageTemplate("Later"))
    story.append(PageBreak())

    # 3. Tables.
    def table(header: list[str], rows: list[list[str]], widths: list[float]) -> Any:
        cells = [[Paragraph(esc(h), small_b) for h in header]]
        cells += [[Paragraph(esc(v).replace("\n", "<br/>"), small) for v in row] for row in rows]
        t = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e6e6e6")),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, HexColor("#f6f6f6")]),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, HexColor("#888888")),
                    ("BOX", (0, 0), (-1, -1), 0.4, HexColor("#bbbbbb")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return t

    def fractions(parts: list[float]) -> list[float]:
        total = sum(parts)
        return [frame_w * p / total for p in parts]

    story.append(Paragraph(f"Factors ({len(data.factors)})", h1))
    factor_rows = [
        [
            f.label,
            styles[f.type].name if f.type in styles else "",
            f.notes,
            people.get(f.created_by or "", ""),
        ]
        for f in sorted(data.factors, key=lambda f: f.label.casefold())
    ]
    if factor_rows:
        story.append(
            table(
                ["Factor", "Type", "Notes", "Proposed by"], factor_rows, fractions([3, 1.4, 4, 1.4])
            )
        )
    else:
        story.append(Paragraph("No factors.", body))
    story.append(Spacer(1, 14))
    story.append(Paragraph(f"Links ({len(shown_links)})", h1))
    minus = _minus(unicode_ok)
    arrow = " \u2192 " if unicode_ok else " -> "
    link_rows = [
        [
            labels[ln.source],
            labels[ln.target],
            minus if ln.polarity == "-" else ln.polarity,
            level_name(ln.strength, STRENGTH_LEVELS),
            level_name(ln.confidence, CONFIDENCE_LEVELS),
            ln.rationale,
            ln.evidence,
            people.get(ln.created_by or "", ""),
        ]
        for ln in sorted(
            shown_links, key=lambda ln: (labels[ln.source].casefold(), labels[ln.target].casefold())
        )
    ]
    if link_rows:
        story.append(
            table(
                [
                    "From",
                    "To",
                    "+/\u2212" if unicode_ok else "+/-",
                    "Strength",
                    "Confidence",
                    "Rationale",
                    "Evidence",
                    "Proposed by",
                ],
                link_rows,
                fractions([2.2, 2.2, 0.55, 1.05, 1.2, 2.6, 2.0, 1.3]),
            )
        )
    else:
        story.append(Paragraph("No links.", body))
    story.append(PageBreak())

    # 4. Analysis.
    story.append(Paragraph("Analysis summary", h1))
    result = _analysis(data)
    if result is None:
        story.append(Paragraph("The analysis could not be completed for this map.", body))
        return story
    summary = result["summary"]
    counts = summary["polarity_counts"]
    story.append(
        Paragraph(
            esc(
                f"{summary['factors']} factors and {summary['links']} links "
                f"(density {summary['density']:.3f}). Links by polarity: "
                f"{counts.get('+', 0)} same direction (+), "
                f"{counts.get('-', 0)} opposite direction ({minus}), "
                f"{counts.get('?', 0)} unclear (?)."
            ),
            body,
        )
    )
    story.append(Paragraph("Most central factors", h2))
    story.append(
        Paragraph(
            "Ranked by betweenness centrality: how often a factor lies on the shortest path "
            "between two others. In and out degree count the links into and out of it.",
            small,
        )
    )
    story.append(Spacer(1, 4))
    ranked = sorted(result["factors"], key=lambda r: (-r["betweenness"], r["label"].casefold()))
    central_rows = [
        [
            str(i + 1),
            r["label"],
            f"{r['betweenness_normalized']:.3f}",
            str(r["in_degree"]),
            str(r["out_degree"]),
        ]
        for i, r in enumerate(ranked[:TOP_CENTRAL])
    ]
    if central_rows:
        story.append(
            table(
                ["#", "Factor", "Betweenness (normalised)", "In", "Out"],
                central_rows,
                fractions([0.4, 5, 2, 0.7, 0.7]),
            )
        )

    loops = result["loops"]
    story.append(Paragraph("Feedback loops", h2))
    status = (
        "all loops"
        if loops["complete"]
        else f"an incomplete count (stopped: {loops['stopped_because'] or 'limit reached'})"
    )
    story.append(
        Paragraph(
            esc(
                f"Loops of up to {loops['max_length']} factors, {status}: "
                f"{loops['count']} in total \u2014 "
                f"{loops['reinforcing']} reinforcing, {loops['balancing']} balancing, "
                f"{loops['unknown']} unknown (containing a link of unclear polarity)."
            ),
            body,
        )
    )
    items = sorted(loops["items"], key=lambda lp: (lp["length"], lp["labels"]))
    if items:
        story.append(Spacer(1, 4))
        shown = items[:MAX_LOOPS_LISTED]
        story.append(
            Paragraph(
                esc(
                    f"The {len(shown)} shortest loops (R = reinforcing, B = balancing, "
                    "? = unknown):"
                ),
                small,
            )
        )
        story.append(Spacer(1, 3))
        for lp in shown:
            letter, col = LOOP_BADGES.get(lp["polarity"], ("?", "#616161"))
            badge = (
                f'<font name="{bold}" color="#ffffff" backColor="{col}">&nbsp;{letter}&nbsp;</font>'
            )
            chain = arrow.join(esc(label) for label in [*lp["labels"], lp["labels"][0]])
            story.append(
                Paragraph(
                    f"{badge}&nbsp; {chain}",
                    body.clone(
                        "loop",
                        leftIndent=16,
                        firstLineIndent=-16,
                        fontSize=9,
                        leading=12,
                        spaceAfter=2,
                    ),
                )
            )

    def names(ids: list[str]) -> str:
        return ", ".join(sorted((labels.get(i, i) for i in ids), key=str.casefold)) or "none"

    story.append(
        KeepTogether(
            [
                Paragraph("Drivers and receivers", h2),
                Paragraph(
                    "<b>Drivers</b> (influence others, nothing influences them): "
                    + esc(names(summary["drivers"])),
                    body,
                ),
                Paragraph(
                    "<b>Receivers</b> (influenced, influence nothing): "
                    + esc(names(summary["receivers"])),
                    body,
                ),
            ]
        )
    )
    if summary["isolated"]:
        story.append(
            Paragraph("<b>Unconnected factors:</b> " + esc(names(summary["isolated"])), body)
        )
    return story


def write_pdf(
    data: MapData,
    path: str | os.PathLike[str],
    snapshot_label: str | None = None,
    sha256: str | None = None,
    project_title: str = "",
) -> None:
    """Write the PDF report of ``data`` to ``path`` atomically (temp file, then replace)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, SimpleDocTemplate

    target = Path(path)
    margin = 16 * mm
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    font, _bold, _uni = _fonts()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillGray(0.4)
        text = f"{data.info.name} \u2014 page {doc.page}"
        if snapshot_label:
            text = f"{data.info.name} \u2014 {snapshot_label} \u2014 page {doc.page}"
        canvas.drawCentredString(canvas._pagesize[0] / 2, margin / 2, text)
        canvas.restoreState()

    class ReportTemplate(SimpleDocTemplate):  # type: ignore[misc]
        """Portrait A4 pages, and a landscape page template for a wide map figure."""

        def build(self, flowables: list[Any], **_: Any) -> None:
            self._calc()
            frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="normal")
            wide = Frame(margin, margin, A4[1] - 2 * margin, A4[0] - 2 * margin, id="wide")
            self.addPageTemplates(
                [
                    PageTemplate(id="First", frames=frame, onPage=footer, pagesize=A4),
                    PageTemplate(id="Later", frames=frame, onPage=footer, pagesize=A4),
                    PageTemplate(
                        id="Landscape", frames=wide, onPage=footer, pagesize=landscape(A4)
                    ),
                ]
            )
            BaseDocTemplate.build(self, flowables)

    try:
        doc = ReportTemplate(
            tmp_name,
            pagesize=A4,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin,
            title=data.info.name or "Map report",
            author=project_title or "ipsmap",
            subject="Participatory systems map report",
            creator="ipsmap",
        )
        # Frames pad their flowables by 6 points on each side.
        story = _story(
            data,
            snapshot_label,
            sha256,
            project_title,
            doc.width - 12,
            doc.height - 12,
            A4[1] - 2 * margin - 12,
            A4[0] - 2 * margin - 12,
        )
        doc.build(story)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


FORMATS = [
    MapFormat(name="pdf", label="PDF report", suffixes=(".pdf",), read=None, write=write_pdf)
]
