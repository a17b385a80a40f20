"""Questions about CMO configurations: what explains an item, chains, and each CMO's history.

Read-only helpers over a Project; the panel, the CLI and exports share them.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
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


def cmo_history(project: Project, cmo_id: str) -> list[CmoChange]:
    """Every change to one CMO (created, each field changed, deleted), oldest first."""
    result: list[CmoChange] = []
    for event in project.history():
        for one in event.ops:
            if one.get("table") != "cmos" or one.get("key") != cmo_id:
                continue
            kind = one.get("op") or one.get("kind")
            base = (event.seq, event.at, event.actor_name, event.action, event.command)
            if kind == "insert":
                result.append(CmoChange(*base, kind="created"))
            elif kind == "delete":
                result.append(CmoChange(*base, kind="deleted"))
            else:
                before, after = one.get("before") or {}, one.get("after") or {}
                result += [
                    CmoChange(*base, "changed", name, before.get(name), after[name])
                    for name in after
                    if name not in _STAMPS
                ]
    return result


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
