"""Participants' marks on one map, added up per factor and link (no Qt).

A factor's *share* of a mark kind is the fraction of the people who marked anything on
the map (within the chosen groups, sites and session) who gave it that mark. The
importance × controllability grid, the ranking and the canvas badges all read from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ipsmap.model.entities import GROUP_LABELS, Mark
from ipsmap.model.record_commands import DEFAULT_VOTES, VOTES_ATTRIBUTE

if TYPE_CHECKING:
    from ipsmap.model.project import Project

FLAG_KINDS = ("important", "controllable", "vulnerable")
# Two groups disagree about a factor when their shares differ by at least this much,
# and agree when all groups are within AGREE_GAP of each other.
DISAGREE_GAP = 0.5
AGREE_GAP = 0.25
# A group needs this many people marking the map before its view is compared with others.
MIN_GROUP_MARKERS = 2


@dataclass
class Tally:
    """Counts of one set of people's marks on one factor."""

    markers: int = 0
    important: int = 0
    controllable: int = 0
    vulnerable: int = 0
    votes: float = 0.0

    def share(self, kind: str) -> float:
        """The fraction of markers who gave this mark (0 when nobody marked the map)."""
        return getattr(self, kind) / self.markers if self.markers else 0.0


@dataclass
class FactorMarks:
    """One factor's marks: in total, by stakeholder group, and how far the groups agree."""

    factor_id: str
    label: str
    total: Tally
    by_group: dict[str, Tally] = field(default_factory=dict)
    # "agree", "disagree", "mixed", or "" when fewer than two groups can be compared.
    agreement: str = ""
    # Plain words, e.g. "Parent/carer 100% important, Practitioner 0%".
    agreement_note: str = ""

    @property
    def marked(self) -> bool:
        t = self.total
        return bool(t.important or t.controllable or t.vulnerable or t.votes)


@dataclass
class LinkMarks:
    link_id: str
    raters: int
    mean_confidence: float | None


@dataclass
class MarkSummary:
    map_id: str
    markers: int
    markers_by_group: dict[str, int]
    factors: dict[str, FactorMarks]
    links: dict[str, LinkMarks]

    def ranked(self) -> list[FactorMarks]:
        """Marked factors, most votes first, then most often important, then by label."""
        marked = [f for f in self.factors.values() if f.marked]
        return sorted(
            marked,
            key=lambda f: (
                -f.total.votes,
                -f.total.share("important"),
                -f.total.share("controllable"),
                f.label.casefold(),
            ),
        )


def filtered_marks(
    project: Project,
    map_id: str,
    groups: Iterable[str] | None = None,
    sites: Iterable[str] | None = None,
    session_id: str | None = None,
) -> list[Mark]:
    """The map's marks made by people in ``groups`` and ``sites`` (None: all), in a session."""
    wanted_groups = set(groups) if groups is not None else None
    wanted_sites = set(sites) if sites is not None else None
    result = []
    for mark in project.marks_of(map_id):
        person = project.participants.get(mark.participant)
        if person is None:
            continue
        if wanted_groups is not None and person.stakeholder_group not in wanted_groups:
            continue
        if wanted_sites is not None and person.site not in wanted_sites:
            continue
        if session_id is not None and mark.session_id != session_id:
            continue
        result.append(mark)
    return result


def summarise_marks(
    project: Project,
    map_id: str,
    groups: Iterable[str] | None = None,
    sites: Iterable[str] | None = None,
    session_id: str | None = None,
) -> MarkSummary:
    """Add up the map's marks per factor and link, for the chosen people."""
    document = project.document(map_id)
    marks = filtered_marks(project, map_id, groups, sites, session_id)
    group_of = {pid: p.stakeholder_group for pid, p in project.participants.items()}
    markers = {m.participant for m in marks}
    markers_by_group: dict[str, int] = {}
    for pid in markers:
        markers_by_group[group_of[pid]] = markers_by_group.get(group_of[pid], 0) + 1
    factors = {
        fid: FactorMarks(
            fid,
            factor.label,
            Tally(markers=len(markers)),
            {g: Tally(markers=n) for g, n in markers_by_group.items()},
        )
        for fid, factor in document.factors.items()
    }
    confidences: dict[str, list[float]] = {}
    for mark in marks:
        if mark.kind == "confidence":
            confidences.setdefault(mark.target, []).append(mark.value)
            continue
        entry = factors.get(mark.target)
        if entry is None:
            continue
        for tally in (entry.total, entry.by_group[group_of[mark.participant]]):
            if mark.kind == "votes":
                tally.votes += mark.value
            elif mark.kind in FLAG_KINDS and mark.value:
                setattr(tally, mark.kind, getattr(tally, mark.kind) + 1)
    for entry in factors.values():
        entry.agreement, entry.agreement_note = group_agreement(entry.by_group)
    links = {
        lid: LinkMarks(
            lid,
            len(confidences.get(lid, [])),
            sum(confidences[lid]) / len(confidences[lid]) if confidences.get(lid) else None,
        )
        for lid in document.links
    }
    return MarkSummary(map_id, len(markers), markers_by_group, factors, links)


def group_agreement(by_group: dict[str, Tally]) -> tuple[str, str]:
    """How far the stakeholder groups agree on a factor being important and controllable.

    Only groups with at least MIN_GROUP_MARKERS people marking the map are compared. The
    kind (important or controllable) with the widest gap between two groups decides.
    """
    compared = {g: t for g, t in by_group.items() if t.markers >= MIN_GROUP_MARKERS}
    if len(compared) < 2:
        return "", ""
    widest: tuple[float, str, str, str] | None = None
    for kind in ("important", "controllable"):
        shares = {g: t.share(kind) for g, t in compared.items()}
        high = max(shares, key=lambda g: (shares[g], g))
        low = min(shares, key=lambda g: (shares[g], g))
        gap = shares[high] - shares[low]
        if widest is None or gap > widest[0]:
            widest = (gap, kind, high, low)
    assert widest is not None
    gap, kind, high, low = widest
    if not any(t.important or t.controllable for t in compared.values()):
        return "", ""
    note = (
        f"{GROUP_LABELS.get(high, high)} {_percent(compared[high].share(kind))} {kind}, "
        f"{GROUP_LABELS.get(low, low)} {_percent(compared[low].share(kind))}"
    )
    if gap >= DISAGREE_GAP:
        return "disagree", note
    if gap <= AGREE_GAP:
        return "agree", note
    return "mixed", note


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def vote_budget(project: Project, map_id: str) -> float | None:
    """How many votes each person may place on this map (None: no limit)."""
    budget = project.map_info(map_id).attributes.get(VOTES_ATTRIBUTE, DEFAULT_VOTES)
    return None if budget is None else float(budget)


def votes_used(project: Project, map_id: str, participant: str) -> float:
    """How many votes this person has placed on this map."""
    return sum(
        m.value
        for m in project.marks_of(map_id)
        if m.participant == participant and m.kind == "votes"
    )


def marks_by(project: Project, map_id: str, participant: str) -> dict[tuple[str, str], float]:
    """One person's marks on a map: {(target id, kind): value}."""
    return {
        (m.target, m.kind): m.value
        for m in project.marks_of(map_id)
        if m.participant == participant
    }
