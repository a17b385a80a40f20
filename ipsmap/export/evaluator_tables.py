"""The evaluator tables beside the factors and links: loops, metrics, CMOs, voices, changes.

Plain rows (header first), shared by the Excel workbook and the CSV tables. Column names
follow what Kumu and PRSM users know (Label, Type, Description, From, To; Indegree,
Outdegree, Betweenness, Closeness, Eigenvector, Reach, Leverage).
"""

from __future__ import annotations

from typing import Any

from ipsmap import __version__
from ipsmap.export.context import (
    ExportContext,
    change_rows,
    cmo_text,
    evidence_text,
    map_analysis,
)
from ipsmap.model.mapdata import MapData

Rows = list[list[Any]]
# Sheet / table names in the order they are written after Factors and Links.
EXTRA_TABLES = ("Loops", "Metrics", "CMOs", "Voices", "Snapshot", "Changes")
LOOP_LETTERS = {"reinforcing": "R", "balancing": "B", "unknown": "?"}


def evaluator_tables(data: MapData, context: ExportContext) -> dict[str, Rows]:
    """Loops, Metrics, CMOs, Voices, Snapshot and Changes for ``data`` in ``context``."""
    result = map_analysis(data, context)
    return {
        "Loops": loop_rows(result),
        "Metrics": metric_rows(data, result),
        "CMOs": cmo_rows(data, context),
        "Voices": voice_rows(context.voices),
        "Snapshot": provenance_rows(data, context, result),
        "Changes": [
            ["What", "Change", "Name", "Details"],
            *change_rows(context.changes or {}),
        ],
    }


def loop_rows(result: dict[str, Any] | None) -> Rows:
    rows: Rows = [["Loop", "Polarity", "Type", "Length", "Factors", "Factor ids", "Link ids"]]
    if result is None:
        return rows
    items = sorted(result["loops"]["items"], key=lambda lp: (lp["length"], lp["labels"]))
    for n, lp in enumerate(items, start=1):
        rows.append(
            [
                f"L{n}",
                LOOP_LETTERS.get(lp["polarity"], "?"),
                lp["polarity"],
                lp["length"],
                " \u2192 ".join([*lp["labels"], lp["labels"][0]]),
                "; ".join(lp["factors"]),
                "; ".join(lp["links"]),
            ]
        )
    return rows


METRIC_COLUMNS = (
    ("Indegree", "in_degree"),
    ("Outdegree", "out_degree"),
    ("Betweenness", "betweenness"),
    ("Betweenness (normalised)", "betweenness_normalized"),
    ("Closeness", "closeness"),
    ("PageRank", "pagerank"),
    ("Eigenvector", "eigenvector"),
    ("Reach", "reach"),
    ("Leverage", "leverage"),
    ("Trophic level", "trophic_level"),
    ("Community", "community"),
    ("MICMAC quadrant", "micmac_quadrant"),
)


def metric_rows(data: MapData, result: dict[str, Any] | None) -> Rows:
    rows: Rows = [["id", "Label", "Type", *(name for name, _ in METRIC_COLUMNS)]]
    if result is None:
        return rows
    types = {s.id: s.name for s in data.styles}
    factor_type = {f.id: types.get(f.type or "", "") for f in data.factors}
    for entry in result["factors"]:
        rows.append(
            [
                entry["id"],
                entry["label"],
                factor_type.get(entry["id"], ""),
                *(_number(entry.get(key)) for _, key in METRIC_COLUMNS),
            ]
        )
    return rows


def _number(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    return value


def cmo_rows(data: MapData, context: ExportContext) -> Rows:
    rows: Rows = [
        [
            "Code", "Area", "For whom", "Context", "Intervention", "Mechanism (resource)",
            "Mechanism (reasoning)", "Outcome", "Status", "Confidence", "Evidence", "Notes",
            "Explains", "Leads to", "Proposed by", "Description",
        ]
    ]  # fmt: skip
    labels = {f.id: f.label for f in data.factors}
    link_names = {
        ln.id: f"{labels.get(ln.source, '?')} \u2192 {labels.get(ln.target, '?')}"
        for ln in data.links
    }
    codes = {c.id: c.code for c in context.cmos}
    for cmo in context.cmos:
        explains = [labels.get(i) or link_names.get(i) for i in cmo.explains]
        rows.append(
            [
                cmo.code,
                cmo.area,
                cmo.for_whom,
                cmo.context,
                cmo.intervention,
                cmo.mechanism_resource,
                cmo.mechanism_reasoning,
                cmo.outcome,
                cmo.status,
                cmo.confidence,
                evidence_text(cmo),
                cmo.notes,
                "; ".join(e for e in explains if e),
                "; ".join(codes.get(i, i) for i in cmo.leads_to),
                context.people.get(cmo.created_by or "", ""),
                cmo_text(cmo),
            ]
        )
    return rows


VOICE_KINDS = ("factors", "links", "notes", "marks", "contributions", "attendees")


def voice_rows(voices: dict[str, Any] | None) -> Rows:
    """Contributions and attendance by stakeholder group, then by site, then warnings."""
    header = ["Scope", "Group or site"]
    for kind in VOICE_KINDS:
        header += [kind.capitalize(), f"{kind.capitalize()} share"]
    rows: Rows = [header]
    if not voices:
        return rows
    for scope, key in (("groups", "Stakeholder group"), ("sites", "Site")):
        for row in voices.get(scope, []):
            cells: list[Any] = [key, row.get("label", "")]
            for kind in VOICE_KINDS:
                cells += [row.get(kind, 0), row.get(f"{kind}_share", 0.0)]
            rows.append(cells)
    for warning in voices.get("warnings", []):
        rows.append(["Warning", warning, *([""] * (len(header) - 2))])
    return rows


def provenance_rows(
    data: MapData, context: ExportContext, result: dict[str, Any] | None = None
) -> Rows:
    """Where the export came from: project, map, snapshot (sha256), view, when, by what."""
    snap = context.snapshot
    since = context.changes_since
    view = context.view
    rows: Rows = [
        ["Field", "Value"],
        ["Project", context.project_title],
        ["Map", context.map_name or data.info.name],
        ["Map id", data.info.id],
        ["Site", context.site],
        ["Source", "snapshot" if snap else "live map"],
        ["Snapshot id", snap.id if snap else ""],
        ["Snapshot label", snap.label if snap else ""],
        ["Snapshot taken at", snap.taken_at if snap else ""],
        ["Snapshot sha256", snap.sha256 if snap else ""],
        ["Saved view", view.name if view else ""],
        ["View question", view.question if view else ""],
        ["Factors", len(data.factors)],
        ["Links", len(data.links)],
        ["Changes compared with", f"{since.label} ({since.taken_at})" if since else ""],
        ["Anonymised", "yes" if context.anonymise else "no"],
        ["Exported at", context.exported_at],
        ["Exported by", f"ipsmap {__version__}"],
    ]
    if result is not None and not result["loops"]["complete"]:
        rows.append(["Loops", f"incomplete ({result['loops']['stopped_because']})"])
    return rows
