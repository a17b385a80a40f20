"""Questions about CMO configurations: what explains an item, chains, and each CMO's history.

Read-only helpers over a Project; the panel, the CLI and exports share them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsmap.model.entities import CMO

if TYPE_CHECKING:
    from ipsmap.model.project import Project

# How the fields of a CMO are named to people (panel, history, CLI).
CMO_FIELD_LABELS = {
    "code": "Code",
    "area": "Programme-theory area",
    "context": "Context",
    "intervention": "Intervention component",
    "mechanism_resource": "Mechanism (resource)",
    "mechanism_reasoning": "Mechanism (reasoning)",
    "outcome": "Outcome",
    "for_whom": "For whom",
    "status": "Status",
    "confidence": "Confidence",
    "evidence": "Evidence",
    "notes": "Notes",
    "explains": "Explains",
    "leads_to": "Leads to",
    "position": "Order",
}
# Bookkeeping fields the history leaves out.
_STAMPS = {"modified_at", "modified_by", "created_at", "created_by", "id"}


def cmos_in_order(project: Project) -> list[CMO]:
    """All CMOs, in their display order."""
    return sorted(project.cmos.values(), key=lambda c: (c.position, code_sort_key(c.code)))


def code_sort_key(code: str) -> tuple:
    """Sort "CMO 2" before "CMO 10" (numbers compared as numbers)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", code)
        if part
    )


def cmos_explaining(project: Project, item_id: str) -> list[CMO]:
    """The CMOs whose ``explains`` names this factor or link, in display order."""
    return [c for c in cmos_in_order(project) if item_id in c.explains]


@dataclass(frozen=True)
class CmoChain:
    """The CMOs before and after one in chains of configurations, nearest first."""

    upstream: list[str]
    downstream: list[str]


def cmo_chain(project: Project, cmo_id: str) -> CmoChain:
    """The CMOs leading (directly or not) to ``cmo_id`` and those it leads to; cycle-safe."""
    if cmo_id not in project.cmos:
        return CmoChain([], [])
    leads_from: dict[str, list[str]] = {}
    for cmo in cmos_in_order(project):
        for target in cmo.leads_to:
            leads_from.setdefault(target, []).append(cmo.id)

    def walk(step) -> list[str]:
        seen, order, queue = {cmo_id}, [], deque([cmo_id])
        while queue:
            for nxt in step(queue.popleft()):
                if nxt not in seen and nxt in project.cmos:
                    seen.add(nxt)
                    order.append(nxt)
                    queue.append(nxt)
        return order

    return CmoChain(
        upstream=walk(lambda c: leads_from.get(c, [])),
        downstream=walk(lambda c: project.cmos[c].leads_to),
    )


def chain_paths(project: Project, cmo_id: str, limit: int = 20) -> list[list[str]]:
    """Every chain through ``cmo_id``, from a CMO nothing leads to, to one leading nowhere.

    Branches give several paths (at most ``limit``); a cycle ends a path where it closes.
    """
    if cmo_id not in project.cmos:
        return []
    leads_from: dict[str, list[str]] = {}
    for cmo in cmos_in_order(project):
        for target in cmo.leads_to:
            if target in project.cmos:
                leads_from.setdefault(target, []).append(cmo.id)

    def paths(start: str, step) -> list[list[str]]:
        found: list[list[str]] = []
        stack = [[start]]
        while stack and len(found) < limit:
            path = stack.pop()
            onward = [c for c in step(path[-1]) if c in project.cmos and c not in path]
            if not onward:
                found.append(path)
            stack += [[*path, c] for c in reversed(onward)]
        return found

    before = paths(cmo_id, lambda c: leads_from.get(c, []))
    after = paths(cmo_id, lambda c: project.cmos[c].leads_to)
    combined: list[list[str]] = []
    for up in before:
        head = list(reversed(up))
        for down in after:
            # In a cycle the same CMOs lie both before and after: stop where it closes.
            tail = []
            for c in down[1:]:
                if c in head:
                    break
                tail.append(c)
            if head + tail not in combined:
                combined.append(head + tail)
    return combined[:limit]


def chain_text(project: Project, cmo_id: str) -> str:
    """The chains through a CMO, one per line: "CMO 7 → [CMO 1] → CMO 2" (codes)."""
    lines = []
    for path in chain_paths(project, cmo_id):
        codes = [f"[{project.cmos[c].code}]" if c == cmo_id else project.cmos[c].code for c in path]
        lines.append(" → ".join(codes))
    return "\n".join(lines)


@dataclass(frozen=True)
class ChainGraph:
    """The chains through one CMO laid out left to right: outcome → the next CMO's context.

    ``columns`` hold CMO ids, most upstream first (the chosen CMO's column is ``center``);
    ``edges`` are every "leads to" between them, including those closing a cycle.
    """

    columns: list[list[str]]
    edges: list[tuple[str, str]]
    center: int


def chain_graph(project: Project, cmo_id: str) -> ChainGraph:
    """Columns by longest path from the chosen CMO, each way; cycles do not loop forever."""
    if cmo_id not in project.cmos:
        return ChainGraph([], [], 0)
    order = {c.id: i for i, c in enumerate(cmos_in_order(project))}
    leads_from: dict[str, list[str]] = {}
    for cmo in cmos_in_order(project):
        for target in cmo.leads_to:
            if target in project.cmos:
                leads_from.setdefault(target, []).append(cmo.id)
    chain = cmo_chain(project, cmo_id)
    after = _longest_layers(cmo_id, lambda c: project.cmos[c].leads_to, set(chain.downstream))
    before = _longest_layers(cmo_id, lambda c: leads_from.get(c, []), set(chain.upstream))
    # A CMO both before and after (a cycle) is drawn once, after.
    layer = {c: -n for c, n in before.items()} | after
    low = min(layer.values())
    columns: list[list[str]] = [[] for _ in range(max(layer.values()) - low + 1)]
    for c in sorted(layer, key=lambda c: order[c]):
        columns[layer[c] - low].append(c)
    edges = [
        (c, t) for c in sorted(layer, key=lambda c: order[c]) for t in project.cmos[c].leads_to
    ]
    return ChainGraph(columns, [(c, t) for c, t in edges if t in layer], -low)


def _longest_layers(
    start: str, step: Callable[[str], list[str]], allowed: set[str]
) -> dict[str, int]:
    """Each reachable CMO's longest distance from ``start``, ignoring edges closing a cycle."""
    allowed = allowed | {start}
    on_path, done = {start}, set()
    finished: list[str] = []
    dag: dict[str, list[str]] = {}
    stack = [(start, iter(step(start)))]
    while stack:  # depth first, so an edge back onto the current path is a cycle closing
        node, onward = stack[-1]
        for nxt in onward:
            if nxt not in allowed or nxt in on_path:
                continue
            dag.setdefault(node, []).append(nxt)
            if nxt not in done:
                on_path.add(nxt)
                stack.append((nxt, iter(step(nxt))))
                break
        else:
            stack.pop()
            on_path.discard(node)
            done.add(node)
            finished.append(node)
    layers = {start: 0}
    for node in reversed(finished):  # a topological order of the acyclic rest
        for nxt in dag.get(node, []):
            layers[nxt] = max(layers.get(nxt, 0), layers[node] + 1)
    return layers


@dataclass(frozen=True)
class ItemRef:
    """A factor or link somewhere in the project, as a person would name it."""

    id: str
    map_id: str
    map_name: str
    kind: str  # "factor" or "link"
    label: str


def describe_item(project: Project, item_id: str) -> ItemRef | None:
    """Where a factor or link is and what it is called (None if it no longer exists)."""
    found = project.locate_item(item_id)
    if found is None:
        return None
    map_id, table = found
    document = project.document(map_id)
    if table == "factors":
        label = document.factors[item_id].label
    else:
        link = document.links[item_id]
        label = f"{document.factors[link.source].label} → {document.factors[link.target].label}"
    return ItemRef(item_id, map_id, document.info.name, table[:-1], label)


@dataclass(frozen=True)
class CmoChange:
    """One step in a CMO's evolution, read from the audit log."""

    seq: int
    at: str
    who: str  # the pseudonym of who made the edit ("" if unknown)
    action: str  # do / undo / redo
    command: str
    kind: str  # "created", "changed" or "deleted"
    field: str = ""
    before: Any = None
    after: Any = None

    def text(self, project: Project | None = None) -> str:
        """One line: when, who, and what changed."""
        when = self.at[:16].replace("T", " ")
        who = self.who or "unknown"
        undo = "" if self.action == "do" else f" ({self.action})"
        if self.kind != "changed":
            return f"{when}  {who}: {self.kind}{undo}"
        name = CMO_FIELD_LABELS.get(self.field, self.field)
        old = format_value(project, self.field, self.before)
        new = format_value(project, self.field, self.after)
        return f"{when}  {who}: {name}: {old} → {new}{undo}"


@dataclass
class _HistoryCache:
    """Each CMO's changes read from the audit log so far, with who made them (actor ids)."""

    store: object  # the store the seqs belong to: another file starts afresh
    last_seq: int = 0
    changes: dict[str, list[tuple[str | None, CmoChange]]] = field(default_factory=dict)
    snapshot_seqs: dict[str, int] = field(default_factory=dict)  # when each was taken


# Per open project: the log is append-only, so later calls read only the newer events.
_history_caches: weakref.WeakKeyDictionary[Any, _HistoryCache] = weakref.WeakKeyDictionary()


def cmo_history(project: Project, cmo_id: str) -> list[CmoChange]:
    """Every change to one CMO (created, each field changed, deleted), oldest first."""
    cache = _read_history(project)
    # Names are read now, so a renamed (or withdrawn) participant is named as they are today.
    names = {pid: p.pseudonym for pid, p in project.participants.items()}
    return [
        dataclasses.replace(change, who=names.get(actor, "") if actor else "")
        for actor, change in cache.changes.get(cmo_id, [])
    ]


def _read_history(project: Project) -> _HistoryCache:
    """The project's cache, brought up to date with the events logged since the last call."""
    cache = _history_caches.get(project)
    store = getattr(project, "store", None)
    if cache is None or cache.store is not store:
        cache = _HistoryCache(store)
        # Something not weak-referenceable is simply read whole every time.
        with contextlib.suppress(TypeError):
            _history_caches[project] = cache
    for event in project.history(after=cache.last_seq):
        cache.last_seq = max(cache.last_seq, event.seq)
        for one in event.ops:
            if one.get("table") == "cmos":
                changes = _changes_of(event, one)
                cache.changes.setdefault(one.get("key", ""), []).extend(
                    (event.actor, change) for change in changes
                )
            elif one.get("table") == "snapshots" and (one.get("op") or one.get("kind")) == "insert":
                cache.snapshot_seqs[one.get("key", "")] = event.seq
    return cache


def _changes_of(event: Any, one: dict[str, Any]) -> list[CmoChange]:
    kind = one.get("op") or one.get("kind")
    base = (event.seq, event.at, "", event.action, event.command)
    if kind == "insert":
        return [CmoChange(*base, kind="created")]
    if kind == "delete":
        return [CmoChange(*base, kind="deleted")]
    before, after = one.get("before") or {}, one.get("after") or {}
    return [
        CmoChange(*base, "changed", name, before.get(name), after[name])
        for name in after
        if name not in _STAMPS
    ]


@dataclass(frozen=True)
class CmoPeriod:
    """A CMO's changes between two adaptation points (snapshots taken of any map)."""

    heading: str
    changes: list[CmoChange]
    snapshot_labels: list[str]  # the snapshots that close the period ([] for the last)
    date: str  # when they were taken (YYYY-MM-DD), "" for the last period

    def as_json(self, project: Project | None = None) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "snapshots": self.snapshot_labels,
            "date": self.date or None,
            "changes": [
                {
                    "seq": c.seq,
                    "at": c.at,
                    "who": c.who,
                    "action": c.action,
                    "kind": c.kind,
                    "field": c.field or None,
                    "before": c.before,
                    "after": c.after,
                    "text": c.text(project),
                }
                for c in self.changes
            ],
        }


def cmo_evolution(project: Project, cmo_id: str) -> list[CmoPeriod]:
    """A CMO's history grouped by the snapshots taken in between, oldest first.

    Snapshots of different maps taken one after another (several maps frozen at one
    adaptation point) close one period together; periods before the CMO existed are left
    out, and a period after its creation with no change says so by being empty.
    """
    from ipsmap.model.snapshots import list_snapshots

    history = cmo_history(project, cmo_id)
    snapshots = list_snapshots(project) if hasattr(project, "store") else []
    seqs = _read_history(project).snapshot_seqs

    def before(change: CmoChange, snapshot: Any) -> bool:
        # The log's order is exact; timestamps (milliseconds) only for an unlogged snapshot.
        seq = seqs.get(snapshot.id)
        return change.seq < seq if seq is not None else change.at < snapshot.taken_at

    def same_point(last: Any, following: Any) -> bool:
        # Other maps frozen straight after (nothing else logged in between) are the same
        # adaptation point; without log positions, no change of this CMO in between.
        a, b = seqs.get(last.id), seqs.get(following.id)
        if a is not None and b is not None:
            return b == a + 1
        return not any(not before(c, last) and before(c, following) for c in rest)

    periods: list[CmoPeriod] = []
    pending: list[CmoChange] = []
    rest = list(history)
    index = 0
    while index < len(snapshots):
        group = [snapshots[index]]
        index += 1
        while (
            index < len(snapshots)
            and snapshots[index].map_id not in {s.map_id for s in group}
            and same_point(group[-1], snapshots[index])
        ):
            group.append(snapshots[index])
            index += 1
        pending = [c for c in rest if before(c, group[0])]
        rest = rest[len(pending) :]
        started = bool(periods) or bool(pending)
        if started:
            labels = list(dict.fromkeys(s.label for s in group))
            date = group[0].taken_at[:10]
            periods.append(
                CmoPeriod(f"Before {' / '.join(labels)} ({date})", pending, labels, date)
            )
    if rest or not periods:
        if periods:
            last = periods[-1]
            heading = f"Since {' / '.join(last.snapshot_labels)} ({last.date})"
        elif snapshots:  # every snapshot was taken before this CMO existed
            heading = f"Since {snapshots[-1].label} ({snapshots[-1].taken_at[:10]})"
        else:
            heading = "All changes (no snapshot taken yet)"
        periods.append(CmoPeriod(heading, rest, [], ""))
    return periods


def evolution_text(project: Project, cmo_id: str) -> str:
    """The CMO's evolution as plain text: a heading per period, its changes indented."""
    lines = []
    for period in cmo_evolution(project, cmo_id):
        lines.append(period.heading)
        lines += [f"    {c.text(project)}" for c in period.changes] or ["    (no changes)"]
    return "\n".join(lines)


def evidence_where(project: Project | None, entry: dict[str, Any]) -> str:
    """Where a piece of evidence came from, naming a session or snapshot as it is called now.

    An entry may hold a ``session_id`` or ``snapshot_id`` besides its ``where`` text; the
    text is what it was called when chosen, shown if the session or snapshot is gone.
    """
    if project is not None:
        session = project.sessions.get(entry.get("session_id") or "")
        if session is not None:
            return session.title
        snapshot_id = entry.get("snapshot_id")
        if snapshot_id and hasattr(project, "store"):
            from ipsmap.model.snapshots import find_snapshot

            snapshot = find_snapshot(project, snapshot_id)
            if snapshot is not None:
                return snapshot_where(snapshot)
    return str(entry.get("where") or "")


def snapshot_where(snapshot: Any) -> str:
    """How a snapshot is named as evidence's "where"."""
    return f"Snapshot: {snapshot.label} ({snapshot.map_name})"


def format_value(project: Project | None, field: str, value: Any) -> str:
    """A field value in plain words (labels for explained items, codes for chains)."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "confidence":
        return f"{float(value):.2f}"
    if field == "explains" and project is not None:
        names = []
        for item_id in value:
            ref = describe_item(project, item_id)
            names.append(f"“{ref.label}”" if ref else "(deleted item)")
        return ", ".join(names)
    if field == "leads_to" and project is not None:
        return ", ".join(
            project.cmos[c].code if c in project.cmos else "(deleted CMO)" for c in value
        )
    if field == "evidence":
        sources = [e.get("source") or e.get("quote", "")[:20] or "?" for e in value]
        return f"{len(value)} ({'; '.join(sources)})"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"
