"""The PDF report's evaluation sections: CMO table, changes since the previous snapshot,
balance of voices (built from the export context), and the text helpers the report shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from ipsmap.export.context import ExportContext, change_rows, evidence_text
from ipsmap.model.mapdata import MapData


def esc(text: object) -> str:
    """Text made safe for reportlab Paragraph markup (``<``, ``>``, ``&`` and quotes)."""
    return _xml_escape(str(text), {'"': "&quot;"})


def when(iso: str) -> str:
    """An ISO time as people read it ("2025-03-04 14:05 UTC")."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def context_sections(
    data: MapData,
    context: ExportContext,
    table: Any,
    fractions: Any,
    body: Any,
    small: Any,
    h1: Any,
    h2: Any,
) -> list[Any]:
    """CMO table, changes since the previous snapshot and balance of voices."""
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    story: list[Any] = [PageBreak()]
    labels = {f.id: f.label for f in data.factors}
    link_names = {
        ln.id: f"{labels.get(ln.source, '?')} \u2192 {labels.get(ln.target, '?')}"
        for ln in data.links
    }
    codes = {c.id: c.code for c in context.cmos}

    # CMO configurations.
    story.append(Paragraph(f"CMO configurations ({len(context.cmos)})", h1))
    if context.cmos_note:
        story.append(Paragraph(esc(context.cmos_note), small))
        story.append(Spacer(1, 4))
    if context.cmos:
        rows = []
        for cmo in context.cmos:
            explains = [labels.get(i) or link_names.get(i) or "" for i in cmo.explains]
            status = cmo.status
            if cmo.confidence is not None:
                status += f" ({cmo.confidence:.0%})"
            details = [
                f"Area: {cmo.area}" if cmo.area else "",
                f"For whom: {cmo.for_whom}" if cmo.for_whom else "",
                f"Intervention: {cmo.intervention}" if cmo.intervention else "",
                f"Explains: {'; '.join(e for e in explains if e)}" if any(explains) else "",
                f"Leads to: {', '.join(codes.get(i, '?') for i in cmo.leads_to)}"
                if cmo.leads_to
                else "",
                f"Evidence: {evidence_text(cmo)}" if cmo.evidence else "",
                f"Notes: {cmo.notes}" if cmo.notes else "",
            ]
            rows.append(
                [
                    cmo.code,
                    cmo.context,
                    "\n".join(
                        x
                        for x in (
                            f"Resource: {cmo.mechanism_resource}" if cmo.mechanism_resource else "",
                            f"Reasoning: {cmo.mechanism_reasoning}"
                            if cmo.mechanism_reasoning
                            else "",
                        )
                        if x
                    ),
                    cmo.outcome,
                    status,
                    "\n".join(d for d in details if d),
                ]
            )
        story.append(
            table(
                ["Code", "Context", "Mechanism", "Outcome", "Status", "Details"],
                rows,
                fractions([0.9, 2.4, 2.6, 2.0, 1.2, 3.4]),
            )
        )
    else:
        story.append(Paragraph("The project has no CMO configurations yet.", body))

    # Changes since the previous snapshot.
    story.append(Spacer(1, 14))
    since = context.changes_since
    story.append(Paragraph("Changes since the previous snapshot", h1))
    if since is None or context.changes is None:
        story.append(Paragraph("There is no earlier snapshot of this map to compare with.", body))
    else:
        rows = change_rows(context.changes)
        story.append(
            Paragraph(
                esc(
                    f"Compared with \u201c{since.label}\u201d, taken {when(since.taken_at)} "
                    f"(sha256 {since.sha256[:12]}\u2026): {len(rows)} change(s)."
                ),
                body,
            )
        )
        if rows:
            story.append(Spacer(1, 4))
            story.append(
                table(["What", "Change", "Name", "Details"], rows, fractions([1, 1, 3.5, 5]))
            )

    # Balance of voices.
    voices = context.voices
    if voices and voices.get("groups"):
        story.append(Spacer(1, 14))
        story.append(Paragraph("Balance of voices", h1))
        story.append(
            Paragraph(
                "Who proposed the factors and links, wrote the notes and gave the marks, by "
                "stakeholder group, next to who attended the workshops.",
                small,
            )
        )
        story.append(Spacer(1, 4))
        kinds = ("factors", "links", "notes", "marks", "contributions", "attendees")

        def cell(row: dict[str, Any], kind: str) -> str:
            return f"{row.get(kind, 0)} ({row.get(f'{kind}_share', 0.0):.0%})"

        rows = [
            [row.get("label", ""), *(cell(row, k) for k in kinds)]
            for row in voices["groups"]
            if row.get("contributions") or row.get("attendees")
        ]
        if rows:
            story.append(
                table(
                    ["Group", "Factors", "Links", "Notes", "Marks", "All", "Attendees"],
                    rows,
                    fractions([2.2, 1, 1, 1, 1, 1, 1.1]),
                )
            )
        for warning in voices.get("warnings", []):
            story.append(Paragraph(esc(f"Note: {warning}"), small))
    return story
