"""A printable PDF report of one map: cover, the map as a vector figure, tables, analysis.

Built with reportlab's platypus (imported lazily, inside ``write_pdf``). People appear
only as pseudonyms, or as their stakeholder group when they did not consent, exactly as
in the HTML export.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from ipsmap.export.pdf_figure import NODE_HEIGHT, NODE_WIDTH, map_drawing, minus_sign
from ipsmap.formats.base import MapFormat
from ipsmap.model.entities import (
    CONFIDENCE_LEVELS,
    STRENGTH_LEVELS,
    level_name,
)
from ipsmap.model.mapdata import MapData

LOOP_BADGES = {"reinforcing": ("R", "#1b5e20"), "balancing": ("B", "#b71c1c")}
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
        drawing = map_drawing(data, fig_w, fig_h - cap_h - 8, font, bold, unicode_ok)
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
    minus = minus_sign(unicode_ok)
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
