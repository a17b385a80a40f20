"""What an evaluator export knows beyond the map itself: project, snapshot, CMOs, changes.

``build_context`` gathers it from a project (no Qt, nothing heavy), so every exporter
writes the same provenance. Exporters take the context as an optional keyword; without
one (``write_map(data, path, fmt)``) the sections that need it are left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ipsmap.model.entities import CMO
from ipsmap.model.errors import NotFoundError
from ipsmap.model.mapdata import MapData

if TYPE_CHECKING:
    from ipsmap.model.project import Project

# Loops for a saved view are searched this long at most (a view is a figure, not a census).
VIEW_LOOP_SECONDS = 2.0


@dataclass(frozen=True)
class SnapshotRef:
    """The snapshot an export was made from: what an evaluator cites."""

    id: str
    label: str
    taken_at: str
    sha256: str


@dataclass(frozen=True)
class ViewFigure:
    """A saved view of the map: its question, focus and the factors its answer shows."""

    name: str
    question: str
    focus: tuple[str, ...]
    factor_ids: frozenset[str]
    summary: str = ""


@dataclass
class ExportContext:
    """Everything beyond the MapData that the evaluator exports show."""

    project_title: str = ""
    map_name: str = ""
    site: str = ""
    snapshot: SnapshotRef | None = None
    # The CMOs to list and how they were chosen ("explain this map" or "all").
    cmos: list[CMO] = field(default_factory=list)
    cmos_note: str = ""
    # compare_documents(previous snapshot, this export) and what it was compared with.
    changes: dict[str, Any] | None = None
    changes_since: SnapshotRef | None = None
    # The saved view exported (None: the whole map), and every saved view for figures.
    view: ViewFigure | None = None
    views: list[ViewFigure] = field(default_factory=list)
    voices: dict[str, Any] | None = None
    anonymise: bool = False
    # Participant id → the name exports may show (ipsmap.model.privacy.public_names).
    people: dict[str, str] = field(default_factory=dict)
    exported_at: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    # Analysis results computed once and shared by the exporters of one bundle.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # progress(fraction, message), called by long writers at natural points; it raises
    # ipsmap.export.progress.ExportCancelled to stop the export (see that module).
    progress: Callable[[float, str], None] | None = field(default=None, repr=False, compare=False)

    def name_people(self, data: MapData) -> MapData:
        """``data`` naming its participants as this export may (see with_public_names)."""
        return with_public_names(data, self)


def build_context(
    project: Project,
    map_ref: str | None = None,
    snapshot_id: str | None = None,
    view: str | None = None,
    anonymise: bool = False,
) -> tuple[MapData, ExportContext]:
    """The map (or snapshot, or saved view's submap) to export, and its context.

    Raises NotFoundError (an IpsmapError, one line for the CLI) for an unknown map,
    snapshot or view.
    """
    from ipsmap.model.canonical import map_document
    from ipsmap.model.compare import compare_documents
    from ipsmap.model.privacy import public_names
    from ipsmap.model.snapshots import find_snapshot, list_snapshots, snapshot_map

    snapshot = None
    if snapshot_id is not None:
        snapshot = find_snapshot(project, snapshot_id) or _snapshot_by_label(
            project, snapshot_id, map_ref
        )
        if snapshot is None:
            raise NotFoundError(f"There is no snapshot {snapshot_id!r} in {project.path.name}")
        if map_ref is not None and project.find_map(map_ref).id != snapshot.map_id:
            raise NotFoundError(f"Snapshot {snapshot_id!r} is not of map {map_ref!r}")
        data = snapshot_map(project, snapshot.id)
        map_id = snapshot.map_id
    else:
        if map_ref is None:
            raise NotFoundError("Name the map to export (or a snapshot)")
        map_id = project.find_map(map_ref).id
        data = project.map_data(map_id)

    # Changes since the previous snapshot of the same map: for a snapshot, the one before
    # it; for the live map, the latest.
    earlier = list_snapshots(project, map_id)
    if snapshot is not None:
        position = next(i for i, s in enumerate(earlier) if s.id == snapshot.id)
        earlier = earlier[:position]
    previous = earlier[-1] if earlier else None
    changes = None
    if previous is not None:
        changes = compare_documents(
            map_document(snapshot_map(project, previous.id)), map_document(data), match="id"
        )

    people = public_names(project.participants.values(), anonymise)
    cmos, note = relevant_cmos(project.cmos.values(), data)
    cmos = [_where_named_now(project, cmo) for cmo in cmos]
    context = ExportContext(
        project_title=project.title,
        map_name=data.info.name,
        site=data.info.site,
        snapshot=_ref(snapshot),
        cmos=cmos,
        cmos_note=note,
        changes=changes,
        changes_since=_ref(previous),
        voices=_voices(project, map_id),
        anonymise=anonymise,
        people=people,
    )
    context.views = saved_views(data)
    if view is not None:
        chosen = next((v for v in context.views if v.name == view), None)
        if chosen is None:
            names = ", ".join(repr(v.name) for v in context.views) or "none"
            raise NotFoundError(
                f"No saved view {view!r} on map {data.info.name!r} (views: {names})"
            )
        context.view = chosen
        data = view_submap(data, chosen)
    return data, context


def _where_named_now(project: Project, cmo: CMO) -> CMO:
    """The CMO with its evidence naming workshops and snapshots as they are called now."""
    from ipsmap.model.cmo_queries import evidence_where

    evidence = [{**e, "where": evidence_where(project, e)} for e in cmo.evidence]
    return cmo if evidence == cmo.evidence else dataclasses.replace(cmo, evidence=evidence)


def _snapshot_by_label(project: Project, label: str, map_ref: str | None) -> Any:
    from ipsmap.model.snapshots import list_snapshots

    map_id = project.find_map(map_ref).id if map_ref is not None else None
    found = [s for s in list_snapshots(project, map_id) if s.label == label]
    if len(found) > 1:
        ids = ", ".join(s.id for s in found)
        raise NotFoundError(f"Several snapshots are labelled {label!r}; give its id ({ids})")
    return found[0] if found else None


def _ref(snapshot: Any) -> SnapshotRef | None:
    if snapshot is None:
        return None
    return SnapshotRef(snapshot.id, snapshot.label, snapshot.taken_at, snapshot.sha256)


def _voices(project: Project, map_id: str) -> dict[str, Any] | None:
    try:
        from ipsmap.analysis.voices import balance_of_voices
    except ImportError:  # not every version of the analysis has it
        return None
    try:
        return balance_of_voices(project, map_id=map_id)
    except Exception:  # an export without the voices section beats no export
        return None


def with_public_names(data: MapData, context: ExportContext | None) -> MapData:
    """``data`` whose participants carry only the names exports may show.

    The project's own records decide (a snapshot keeps only a group name for people
    without consent, but not that they withheld it), then ``for_export`` applies.
    """
    from ipsmap.model.privacy import for_export

    if context is None:
        return data
    people = [
        dataclasses.replace(p, pseudonym=context.people.get(p.id, p.pseudonym), consent=True)
        for p in for_export(data, context.anonymise).participants
    ]
    return dataclasses.replace(data, participants=people)


def relevant_cmos(cmos: Any, data: MapData) -> tuple[list[CMO], str]:
    """The CMOs that explain any factor or link of ``data``; all of them when none does."""
    ordered = sorted(cmos, key=lambda c: (c.position, c.code))
    ids = {f.id for f in data.factors} | {ln.id for ln in data.links}
    explaining = [c for c in ordered if ids.intersection(c.explains)]
    if explaining:
        return explaining, "The CMO configurations that explain factors or links of this map."
    if ordered:
        return ordered, (
            "No CMO configuration points at this map yet; all of the project's are listed."
        )
    return [], ""


# -- saved views ----------------------------------------------------------------------


def saved_views(data: MapData) -> list[ViewFigure]:
    """The map's saved views (``info.attributes["views"]``), answered on ``data``."""
    raw = data.info.attributes.get("views", [])
    if not isinstance(raw, list):
        return []
    views = []
    for entry in raw:
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
            continue
        views.append(_answer_view(data, entry))
    return views


def _answer_view(data: MapData, view: dict[str, Any]) -> ViewFigure:
    """The factors a saved view shows, asked again of this map (its stored answer else)."""
    from ipsmap.analysis.graph import to_digraph
    from ipsmap.analysis.questions import QUESTIONS, SUBMAP_QUESTIONS, answer_question

    present = {f.id for f in data.factors}
    focus = [f for f in view.get("focus", []) if f in present]
    question = str(view.get("question") or "")
    found: set[str] = set()
    # Centrality and what-ifs are not asked again: their stored answer is the figure.
    if focus and question in SUBMAP_QUESTIONS:
        found = answer_question(
            to_digraph(_state(data)),
            question,
            focus,
            depth=int(view.get("depth") or 0) or None,
            loop_length=int(view.get("loop_length") or 6),
            loop_count=5000,
            loop_seconds=VIEW_LOOP_SECONDS,
        ).factors
    if not found:
        found = {f for f in view.get("answer", []) if f in present} | set(focus)
    if not found:
        found = present
    labels = {f.id: f.label for f in data.factors}
    return ViewFigure(
        name=str(view["name"]).strip(),
        question=QUESTIONS.get(question, question),
        focus=tuple(labels[f] for f in focus),
        factor_ids=frozenset(found),
        summary=str(view.get("summary") or ""),
    )


def view_submap(data: MapData, view: ViewFigure) -> MapData:
    """The part of ``data`` a saved view shows: its factors and the links among them."""
    keep = view.factor_ids
    factors = [f for f in data.factors if f.id in keep]
    links = [ln for ln in data.links if ln.source in keep and ln.target in keep]
    members = [(g, f) for g, f in data.members if f in keep]
    grouped = {g for g, _ in members}
    info = dataclasses.replace(data.info, name=f"{data.info.name} \u2014 {view.name}")
    return dataclasses.replace(
        data,
        info=info,
        factors=factors,
        links=links,
        members=members,
        groups=[g for g in data.groups if g.id in grouped],
    )


def _state(data: MapData) -> Any:
    from ipsmap.model.state import MapState

    return MapState.from_data(data)


def map_analysis(data: MapData, context: ExportContext | None = None) -> dict[str, Any] | None:
    """analyse_map's result for ``data`` (bounded for big maps), computed once per context.

    None when the analysis fails: a report without analysis beats no report.
    """
    # By content, not id(data): each writer makes its own copy (with_public_names), and a
    # bundle's report and workbook should share one analysis.
    shape = (
        data.info.id,
        tuple((f.id, f.label) for f in data.factors),
        tuple((ln.id, ln.source, ln.target, ln.polarity, ln.strength) for ln in data.links),
    )
    key = f"analysis:{hash(shape)}"
    if context is not None and key in context.cache:
        cached: dict[str, Any] | None = context.cache[key]
        return cached
    from ipsmap.analysis.report import analyse_map

    big = len(data.factors) > 500
    try:
        result: dict[str, Any] | None = analyse_map(
            _state(data),
            loops_max_length=6,
            loops_max_count=2_000 if big else 20_000,
            time_limit=1.5 if big else 10.0,
        )
    except Exception:
        result = None
    if context is not None:
        context.cache[key] = result
    return result


def cmo_text(cmo: CMO) -> str:
    """A CMO configuration in one paragraph, as realist evaluators write it."""
    parts = [
        ("For whom", cmo.for_whom),
        ("Context", cmo.context),
        ("Intervention", cmo.intervention),
        ("Mechanism (resource)", cmo.mechanism_resource),
        ("Mechanism (reasoning)", cmo.mechanism_reasoning),
        ("Outcome", cmo.outcome),
    ]
    return "\n".join(f"{name}: {text}" for name, text in parts if text.strip())


def evidence_text(cmo: CMO) -> str:
    """A CMO's evidence items, one a line ("source, where: “quote”")."""
    lines = []
    for item in cmo.evidence:
        where = ", ".join(x for x in (item.get("source", ""), item.get("where", "")) if x)
        quote = item.get("quote", "")
        lines.append(f"{where}: \u201c{quote}\u201d" if quote else where)
    return "\n".join(line for line in lines if line)


def change_rows(changes: dict[str, Any]) -> list[list[str]]:
    """compare_documents output as rows: what (factor/link), change, name, details."""
    rows: list[list[str]] = []
    for kind, singular in (("factors", "factor"), ("links", "link")):
        part = changes.get(kind, {})
        for entry in part.get("added", []):
            rows.append([singular, "added", str(entry["name"]), ""])
        for entry in part.get("removed", []):
            rows.append([singular, "removed", str(entry["name"]), ""])
        for entry in part.get("changed", []):
            details = "; ".join(
                f"{name}: {_short(before)} \u2192 {_short(after)}"
                for name, (before, after) in entry["fields"].items()
            )
            rows.append([singular, "changed", str(entry["name"]), details])
    return rows


def _short(value: Any, limit: int = 60) -> str:
    if value is None or value == "":
        return "(none)"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
