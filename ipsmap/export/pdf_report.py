"""A printable PDF report of one map: cover, the map as a vector figure, tables, analysis.

Built with reportlab's platypus (imported lazily, inside ``write_pdf``). People appear
only as pseudonyms, or as their stakeholder group when they did not consent, exactly as
in the HTML export.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipsmap.export.context import (
    ExportContext,
    map_analysis,
    view_submap,
    with_public_names,
)
from ipsmap.export.files import write_atomically
from ipsmap.export.pdf_figure import NODE_HEIGHT, NODE_WIDTH, map_drawing, minus_sign
from ipsmap.export.pdf_sections import context_sections, esc, when
from ipsmap.export.progress import report
from ipsmap.formats.base import MapFormat
from ipsmap.model.entities import (
    CONFIDENCE_LEVELS,
    STRENGTH_LEVELS,
    level_name,
)
from ipsmap.model.mapdata import MapData
from ipsmap.model.privacy import public_names
from ipsmap.model.toc_notes import ASSUMPTIONS, INDICATORS, toc_badge, toc_list

LOOP_BADGES = {"reinforcing": ("R", "#1b5e20"), "balancing": ("B", "#b71c1c")}


def _shipped_fonts() -> tuple[tuple[str, str], ...]:
    """DejaVu Sans as the built app carries it (resources/fonts), if this ipsmap has it."""
    from ipsmap.resources_path import resource

    try:
        folder = resource("fonts")
    except FileNotFoundError:  # run from source or a wheel: the system's fonts serve
        return ()
    return ((str(folder / "DejaVuSans.ttf"), str(folder / "DejaVuSans-Bold.ttf")),)


# TrueType fonts tried in order (regular, bold); Helvetica when none is found. DejaVu has
# the en dash, minus sign and accented letters workshop labels use.
FONT_FILES: tuple[tuple[str, str], ...] = (
    *_shipped_fonts(),
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
# Saved-view figures in one report, at most (each is a page).
MAX_VIEW_FIGURES = 6
# Above this many links, the links table lists only this many (the workbook has them all).
MAX_TABLE_LINKS = 3000
# Progress, as shares of the time a 2,000-factor report takes: the story (figure shapes,
# tables, analysis) to STORY_DONE, drawing the map figure to FIGURE_DONE, laying out the
# other pages to PAGES_DONE, then saving. A cancel is noticed every CHECK_EVERY shapes or
# table rows, and at every page.
STORY_DONE = 0.35
FIGURE_DONE = 0.6
PAGES_DONE = 0.9
CHECK_EVERY = 400
SAVING = "Saving the PDF"
# Table rows on one page, roughly (a guess for the progress bar, never for the layout).
ROWS_PER_PAGE = 55


# Text longer than this in one table cell (or on the cover) is cut, saying how much is left
# out: the workbook and the JSON hold the whole text; a report is for reading.
CELL_CHARACTERS = 3000
COVER_CHARACTERS = 300


def elided(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\u2026 [{len(text) - limit:,} more characters: see the workbook]"


# Names (labels, types, groups) are repeated in the figure, the legend, the tables and the
# analysis lists: past this many characters they are cut there (the tables' text cells
# keep up to CELL_CHARACTERS).
NAME_CHARACTERS = 200
DESCRIPTION_CHARACTERS = 10_000


def _short_names(data: MapData) -> MapData:
    """``data`` with very long labels, type and group names cut (see NAME_CHARACTERS)."""

    def cut(record: Any, name: str) -> Any:
        value = getattr(record, name)
        if len(value) <= NAME_CHARACTERS:
            return record
        return dataclasses.replace(record, **{name: elided(value, NAME_CHARACTERS)})

    info = cut(data.info, "name")  # also in every page's footer
    if len(info.description) > DESCRIPTION_CHARACTERS:
        info = dataclasses.replace(
            info, description=elided(info.description, DESCRIPTION_CHARACTERS)
        )
    return dataclasses.replace(
        data,
        info=info,
        factors=[cut(f, "label") for f in data.factors],
        styles=[cut(s, "name") for s in data.styles],
        groups=[cut(g, "name") for g in data.groups],
    )


class _Progress:
    """Where the report is, as a fraction, for ``context.progress`` (may raise to stop)."""

    def __init__(self, context: ExportContext | None) -> None:
        self.context = context
        self.fraction = 0.0
        self.pages_expected = 1
        self.message = "Preparing the report"

    @property
    def active(self) -> bool:
        return self.context is not None and self.context.progress is not None

    def tell(self, fraction: float | None = None, message: str | None = None) -> None:
        if fraction is not None:
            self.fraction = max(self.fraction, fraction)
        if message is not None:
            self.message = message
        report(self.context, self.fraction, self.message)

    def on_build(self, kind: str, value: int) -> None:
        """reportlab's progress callback: a page is laid out ("PAGE") and so on."""
        if kind == "PAGE" and self.message != SAVING:
            # Page 1 is the cover, page 2 the map figure (reported while it is drawn).
            done = min(1.0, max(0, value - 2) / self.pages_expected)
            at = STORY_DONE if value <= 2 else FIGURE_DONE + (PAGES_DONE - FIGURE_DONE) * done
            self.tell(at, f"Laying out page {value}")

    def checked_shapes(
        self, drawing: Any, message: str, span: tuple[float, float] | None = None
    ) -> Any:
        """``drawing`` whose shapes report while they are drawn (one figure takes seconds).

        With ``span``, the fraction moves from its start to its end as the shapes are drawn.
        """
        if self.active:

            def check(done: float) -> None:
                self.tell(None if span is None else span[0] + (span[1] - span[0]) * done, message)

            # Past reportlab's attribute check, which would iterate (and so report) now.
            drawing.__dict__["contents"] = _CheckedShapes(drawing.contents, check)
        return drawing


class _CheckedShapes(list):  # type: ignore[type-arg]
    """A drawing's shapes, calling ``check(share drawn)`` every CHECK_EVERY shapes.

    reportlab draws a Drawing by iterating over its ``contents``: the one place a figure
    of 30,000 shapes can be interrupted without a copy of its renderer.
    """

    def __init__(self, shapes: list[Any], check: Any) -> None:
        super().__init__(shapes)
        self._check = check

    def __iter__(self) -> Any:
        total = max(1, len(self))
        for n, shape in enumerate(list.__iter__(self)):
            if n % CHECK_EVERY == 0:
                self._check(n / total)
            yield shape


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


def _analysis(data: MapData, context: ExportContext | None = None) -> dict[str, Any] | None:
    # Bounded for big maps and shared with the workbook of the same bundle.
    return map_analysis(data, context)


def _story(
    data: MapData,
    snapshot_label: str | None,
    sha256: str | None,
    project_title: str,
    frame_w: float,
    frame_h: float,
    wide_w: float,
    wide_h: float,
    context: ExportContext | None = None,
    progress: _Progress | None = None,
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

    if progress is None:
        progress = _Progress(context)
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
    people = public_names(data.participants)
    styles = {s.id: s for s in data.styles}
    labels = {f.id: f.label for f in data.factors}
    shown_links = [ln for ln in data.links if ln.source in labels and ln.target in labels]
    kind = "theory of change" if info.kind == "toc" else "systems map"
    story: list[Any] = []

    # 1. Cover.
    story.append(Spacer(1, 90))
    if project_title:
        story.append(Paragraph(esc(elided(project_title, COVER_CHARACTERS)), subtitle))
        story.append(Spacer(1, 10))
    story.append(Paragraph(esc(elided(info.name, COVER_CHARACTERS) or "Untitled map"), title))
    story.append(Paragraph(esc(kind.capitalize()) + " \u2014 report", subtitle))
    story.append(Spacer(1, 40))
    snap = context.snapshot if context is not None else None
    view = context.view if context is not None else None
    since = context.changes_since if context is not None else None
    cover_rows: list[tuple[str, str]] = [
        ("Project", project_title),
        ("Map", context.map_name if context is not None else info.name),
        ("Site", info.site),
        ("Kind", kind),
        ("Saved view", f"{view.name} \u2014 {view.question}" if view else ""),
        ("Snapshot", snapshot_label or ""),
        ("Taken", when(snap.taken_at) if snap else ""),
        ("Snapshot id", snap.id if snap else ""),
        ("SHA-256", sha256 or ""),
        ("Source", "" if context is None else ("snapshot" if snap else "live map (not frozen)")),
        ("Changes since", f"{since.label} ({when(since.taken_at)})" if since else ""),
        ("Generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Factors", str(len(data.factors))),
        ("Links", str(len(shown_links))),
        ("Groups", str(len(data.groups)) if data.groups else ""),
    ]
    mono = ParagraphStyle("ips-mono", parent=body, fontName="Courier", fontSize=8.5, leading=11)
    cover_data = [
        [
            Paragraph(esc(key), small_b.clone("c-k", fontSize=10, leading=13)),
            Paragraph(
                esc(elided(value, COVER_CHARACTERS)),
                mono if key in ("SHA-256", "Snapshot id") else body,
            ),
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
    people_note = (
        "People are shown by stakeholder group only (anonymised export)."
        if context is not None and context.anonymise
        else "People are shown by pseudonym, or by stakeholder group where they did not "
        "consent to be named."
    )
    story.append(
        Paragraph(
            people_note,
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
    question_h = 0.0
    if view is not None:
        story.append(Paragraph(esc(_view_caption(view)), small))
        question_h = 24.0
    if data.factors:
        progress.tell(0.02, "Drawing the map figure")
        drawing = map_drawing(data, fig_w, fig_h - cap_h - 8 - question_h, font, bold, unicode_ok)
        story.append(
            progress.checked_shapes(drawing, "Drawing the map figure", (STORY_DONE, FIGURE_DONE))
        )
    else:
        story.append(Paragraph("The map has no factors yet.", body))
    if rotate:
        story.append(NextPageTemplate("Later"))
    story.append(PageBreak())

    # 2b. The map's saved views (analysis questions), each as a figure of its submap.
    if context is not None and view is None and context.views and data.factors:
        for figure in context.views[:MAX_VIEW_FIGURES]:
            part = view_submap(data, figure)
            if not part.factors:
                continue
            story.append(Paragraph(esc(f"Saved view: {figure.name}"), h2))
            story.append(Paragraph(esc(_view_caption(figure)), small))
            progress.tell(None, f"Drawing the saved view {figure.name!r}")
            drawing = map_drawing(part, frame_w, frame_h - cap_h - 40, font, bold, unicode_ok)
            story.append(progress.checked_shapes(drawing, f"Drawing the view {figure.name!r}"))
            story.append(PageBreak())

    # 3. Tables.
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def cell(value: str, width: float) -> Any:
        # Text that fits on one line is a plain string cell (no markup, so nothing to
        # escape): a Paragraph per cell was most of the time of a 2,000-factor report.
        text = elided(str(value), CELL_CHARACTERS)
        if "\n" not in text and stringWidth(text, font, small.fontSize) <= width - 7:
            return text
        return Paragraph(esc(text).replace("\n", "<br/>"), small)

    def table(header: list[str], rows: list[list[str]], widths: list[float]) -> Any:
        cells: list[list[Any]] = [[Paragraph(esc(h), small_b) for h in header]]
        for n, row in enumerate(rows):
            if n % CHECK_EVERY == 0 and n:
                progress.tell(None, f"Setting the table rows ({n} of {len(rows)})")
            cells.append([cell(v, w) for v, w in zip(row, widths, strict=True)])
        # splitInRow: a row taller than a page (a long rationale in a narrow column)
        # continues on the next page instead of failing the whole report.
        t = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 1), (-1, -1), font),
                    ("FONTSIZE", (0, 1), (-1, -1), small.fontSize),
                    ("LEADING", (0, 1), (-1, -1), small.leading),
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

    progress.tell(0.12, "Setting the factor and link tables")
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
    if len(shown_links) > MAX_TABLE_LINKS:
        story.append(
            Paragraph(
                f"The first {MAX_TABLE_LINKS} links by name are listed; the workbook export "
                "holds them all.",
                small,
            )
        )
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
        )[:MAX_TABLE_LINKS]
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
                fractions([2.0, 2.0, 0.6, 1.2, 1.55, 2.5, 1.9, 1.5]),
            )
        )
    else:
        story.append(Paragraph("No links.", body))
    story.append(PageBreak())

    # 4. Analysis.
    story.append(Paragraph("Analysis summary", h1))
    progress.tell(0.16, "Analysing the map (metrics and loops)")
    result = _analysis(data, context)
    progress.tell(STORY_DONE, "Analysis done")
    if result is None:
        story.append(Paragraph("The analysis could not be completed for this map.", body))
        if context is not None:
            story += context_sections(data, context, table, fractions, body, small, h1, h2)
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
    # Theory of change: what each step assumes, and how it will be seen to happen.
    noted = [(f.label, f.attributes) for f in data.factors if toc_badge(f.attributes)] + [
        (f"{labels[ln.source]} \u2192 {labels[ln.target]}", ln.attributes)
        for ln in shown_links
        if toc_badge(ln.attributes)
    ]
    if noted:
        story.append(Paragraph(f"Assumptions and indicators ({len(noted)})", h2))
        rows = [
            [
                name,
                "\n".join(f"\u2022 {line}" for line in toc_list(attributes, ASSUMPTIONS)),
                "\n".join(f"\u2022 {line}" for line in toc_list(attributes, INDICATORS)),
            ]
            for name, attributes in noted
        ]
        story.append(table(["Step", "Assumptions", "Indicators"], rows, fractions([3, 4, 4])))
    if context is not None:
        story += context_sections(data, context, table, fractions, body, small, h1, h2)
    return story


def _pages_expected(data: MapData, context: ExportContext | None) -> int:
    """About how many pages the report will have (for the progress bar only)."""
    views = min(len(context.views), MAX_VIEW_FIGURES) if context is not None else 0
    cmos = len(context.cmos) if context is not None else 0
    rows = len(data.factors) + min(len(data.links), MAX_TABLE_LINKS)
    return 5 + views + rows // ROWS_PER_PAGE + cmos // 4


def _view_caption(view: Any) -> str:
    focus = ", ".join(f"\u201c{f}\u201d" for f in view.focus)
    text = f"Question: {view.question}"
    if focus:
        text += f" Focus: {focus}."
    text += f" {len(view.factor_ids)} factors."
    if view.summary:
        text += f" Answer when saved: {view.summary}"
    return text


def write_pdf(
    data: MapData,
    path: str | os.PathLike[str],
    snapshot_label: str | None = None,
    sha256: str | None = None,
    project_title: str = "",
    context: ExportContext | None = None,
) -> None:
    """Write the PDF report of ``data`` to ``path`` atomically (temp file, then replace).

    With a ``context``, the cover states the snapshot it came from and the report adds
    the saved-view figures, the CMO table, the changes since the previous snapshot and
    the balance of voices.
    """
    if context is not None:
        data = with_public_names(data, context)
        project_title = project_title or context.project_title
        if context.snapshot is not None:
            snapshot_label = snapshot_label or context.snapshot.label
            sha256 = sha256 or context.snapshot.sha256
    data = _short_names(data)
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, SimpleDocTemplate

    target = Path(path)
    margin = 16 * mm
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

        def _endBuild(self) -> None:  # reportlab's name
            progress.tell(PAGES_DONE, SAVING)
            super()._endBuild()

    progress = _Progress(context)
    progress.pages_expected = _pages_expected(data, context)
    progress.tell(0.0, "Preparing the report")

    def write(tmp: Path) -> None:
        doc = ReportTemplate(
            str(tmp),
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
            context,
            progress,
        )
        if progress.active:
            doc.setProgressCallBack(progress.on_build)
        doc.build(story)

    write_atomically(target, write)


FORMATS = [
    MapFormat(
        name="pdf",
        label="PDF report",
        suffixes=(".pdf",),
        read=None,
        write=write_pdf,
        takes_context=True,
    )
]
