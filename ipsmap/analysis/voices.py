"""Balance of voices: whose contributions a map holds, next to who was in the room.

A contribution is a factor or a link someone proposed (its ``created_by``), a note they
wrote (a factor's notes; a link's rationale, evidence or notes: the author is whoever last
set the text, read from the audit log), or a mark they gave. Each is counted for the
contributor's stakeholder group and site. Attendance comes from the workshop sessions:
for a map, the sessions at the map's site (all sessions when it has none); for a session,
its attendees; for the project, everyone who attended any session.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ipsmap.model.entities import GROUP_LABELS, STAKEHOLDER_GROUPS

if TYPE_CHECKING:
    from ipsmap.model.project import Project

NOTE_FIELDS = {"factors": ("notes",), "links": ("rationale", "evidence", "notes")}
KINDS = ("factors", "links", "notes", "marks")
UNKNOWN = "not recorded"
# A group whose share of contributions falls this far below its share of attendees is named.
UNDER_REPRESENTED_GAP = 0.2


@dataclass
class _Tally:
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {k: Counter() for k in KINDS})

    def add(self, kind: str, key: str) -> None:
        self.counts[kind][key] += 1


def balance_of_voices(
    project: Project, map_id: str | None = None, session_id: str | None = None
) -> dict[str, Any]:
    """Shares of contributions and attendance by stakeholder group and by site.

    Scope: one map (``map_id``), the contributions made during one session
    (``session_id``, optionally on one map), or the whole project.
    """
    people = project.participants
    maps = [m for m in project.maps() if map_id is None or m.id == map_id]
    if map_id is not None and not maps:
        raise KeyError(map_id)
    session = project.sessions.get(session_id) if session_id else None
    if session_id is not None and session is None:
        raise KeyError(session_id)

    items: dict[str, tuple[str, str]] = {}  # id -> (kind, label)
    for info in maps:
        data = project.map_data(info.id)
        labels = {f.id: f.label for f in data.factors}
        for factor in data.factors:
            items[factor.id] = ("factor", f"{info.name}: {factor.label}")
        for link in data.links:
            ends = f"{labels.get(link.source, '?')} → {labels.get(link.target, '?')}"
            items[link.id] = ("link", f"{info.name}: {ends}")

    creators, note_authors = _authorship(project, set(items), session_id)
    marks = [
        m
        for m in project.marks.values()
        if m.target in items and (session_id is None or m.session_id == session_id)
    ]

    def group_of(pid: str | None) -> str:
        return people[pid].stakeholder_group if pid in people else UNKNOWN

    def site_of(pid: str | None) -> str:
        return (people[pid].site or "no site") if pid in people else UNKNOWN

    by_group, by_site = _Tally(), _Tally()
    voices: dict[str, set[str]] = defaultdict(set)
    for item_id, person in creators.items():
        kind = "factors" if items[item_id][0] == "factor" else "links"
        by_group.add(kind, group_of(person))
        by_site.add(kind, site_of(person))
        voices[item_id].add(group_of(person))
    for (item_id, _field), person in note_authors.items():
        by_group.add("notes", group_of(person))
        by_site.add("notes", site_of(person))
        voices[item_id].add(group_of(person))
    for mark in marks:
        by_group.add("marks", group_of(mark.participant))
        by_site.add("marks", site_of(mark.participant))
        voices[mark.target].add(group_of(mark.participant))

    attendees = _attendees(project, maps if map_id else None, session)
    groups = _rows(
        by_group,
        Counter(group_of(p) for p in attendees),
        _group_order(by_group, attendees, group_of),
        lambda g: GROUP_LABELS.get(g, g.capitalize()),
        "group",
    )
    sites = _rows(
        by_site,
        Counter(site_of(p) for p in attendees),
        sorted({*_keys(by_site), *(site_of(p) for p in attendees)}),
        lambda s: s,
        "site",
    )
    single = [
        {"kind": items[i][0], "id": i, "label": items[i][1], "group": next(iter(g))}
        for i, g in voices.items()
        if len(g) == 1 and i in items
    ]
    single.sort(key=lambda row: (row["group"], row["label"]))
    return {
        "scope": {
            "map": maps[0].name if map_id else None,
            "session": session.title if session else None,
        },
        "totals": {k: sum(by_group.counts[k].values()) for k in KINDS}
        | {"contributions": sum(sum(c.values()) for c in by_group.counts.values())}
        | {"attendees": len(attendees)},
        "groups": groups,
        "sites": sites,
        "single_group_items": single,
        "warnings": _warnings(groups, attendees, bool(project.sessions)),
    }


def _authorship(
    project: Project, wanted: set[str], session_id: str | None
) -> tuple[dict[str, str | None], dict[tuple[str, str], str | None]]:
    """Who proposed each item, and who last wrote each of its notes, from the audit log."""
    creators: dict[str, str | None] = {}
    authors: dict[tuple[str, str], str | None] = {}
    for event in project.history():
        in_scope = session_id is None or event.session_id == session_id
        for one in event.ops:
            table, key = one.get("table"), one.get("key")
            if table not in NOTE_FIELDS or key not in wanted:
                continue
            after = one.get("after") or {}
            if one.get("op") == "insert":
                person = after.get("created_by") or event.actor
                if in_scope:
                    creators[key] = person
                for name in NOTE_FIELDS[table]:
                    if after.get(name):
                        authors[(key, name)] = person
                    if not in_scope:
                        authors.pop((key, name), None)
            elif one.get("op") == "update":
                for name in NOTE_FIELDS[table]:
                    if name not in after:
                        continue
                    if after[name] and in_scope:
                        authors[(key, name)] = event.actor
                    else:
                        authors.pop((key, name), None)
            elif one.get("op") == "delete":
                creators.pop(key, None)
                for name in NOTE_FIELDS[table]:
                    authors.pop((key, name), None)
    return creators, authors


def _attendees(project: Project, maps: list[Any] | None, session: Any) -> list[str]:
    if session is not None:
        return [p for p in session.attendees if p in project.participants]
    sessions = list(project.sessions.values())
    if maps:
        sites = {m.site for m in maps if m.site}
        at_site = [s for s in sessions if s.site in sites]
        sessions = at_site or ([] if sites and _any_site(sessions) else sessions)
    return sorted({p for s in sessions for p in s.attendees if p in project.participants})


def _any_site(sessions: list[Any]) -> bool:
    return any(s.site for s in sessions)


def _keys(tally: _Tally) -> set[str]:
    return {key for counter in tally.counts.values() for key in counter}


def _group_order(tally: _Tally, attendees: list[str], group_of: Any) -> list[str]:
    present = _keys(tally) | {group_of(p) for p in attendees}
    order = [g for g in STAKEHOLDER_GROUPS if g in present or g != "facilitator"]
    return order + sorted(present - set(order))


def _rows(
    tally: _Tally, attendance: Counter[str], keys: list[str], label: Any, name: str
) -> list[dict[str, Any]]:
    totals = {k: sum(tally.counts[k].values()) for k in KINDS}
    all_contributions = sum(totals.values())
    all_attendees = sum(attendance.values())
    rows = []
    for key in keys:
        row: dict[str, Any] = {name: key, "label": label(key)}
        for kind in KINDS:
            row[kind] = tally.counts[kind][key]
            row[f"{kind}_share"] = _share(row[kind], totals[kind])
        row["contributions"] = sum(row[k] for k in KINDS)
        row["contributions_share"] = _share(row["contributions"], all_contributions)
        row["attendees"] = attendance[key]
        row["attendees_share"] = _share(attendance[key], all_attendees)
        rows.append(row)
    return rows


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _warnings(groups: list[dict[str, Any]], attendees: list[str], has_sessions: bool) -> list[str]:
    if not has_sessions:
        return [
            "No workshop sessions are recorded, so contributions cannot be set against attendance."
        ]
    if not attendees:
        return ["No attendees are recorded for this scope's sessions."]
    warnings = []
    for row in groups:
        if not row["attendees"]:
            continue
        who = row["label"]
        if row["contributions"] == 0:
            warnings.append(
                f"{who}: {row['attendees']} of {len(attendees)} attendees, but none of the "
                "factors, links, notes or marks here are theirs."
            )
        elif row["attendees_share"] - row["contributions_share"] >= UNDER_REPRESENTED_GAP:
            warnings.append(
                f"{who}: {row['attendees_share']:.0%} of attendees but only "
                f"{row['contributions_share']:.0%} of contributions."
            )
    return warnings
