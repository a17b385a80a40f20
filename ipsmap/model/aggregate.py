"""Combine several maps of the same concepts (one per participant or site) into one map.

Factors are merged by normalised label, links by the merged factors at their ends and
their polarity (or by their ends only, recording how the maps disagree on polarity). Each
merged record says in its attributes how many of the maps hold it and which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING, Any

from ipsmap.model.compare import near_matches, normalise_label
from ipsmap.model.entities import Factor, Group, Link, MapInfo, Participant, Style, new_id
from ipsmap.model.errors import CommandError
from ipsmap.model.mapdata import MapData

if TYPE_CHECKING:
    from ipsmap.model.project import Project


@dataclass(frozen=True)
class MergeProposal:
    """Two labels from the maps being combined that probably name the same factor."""

    a: str
    b: str
    score: float
    reason: str


def propose_merges(maps: Sequence[MapData]) -> list[MergeProposal]:
    """Labels that differ after normalising but look alike (as comparison proposes them),
    for a person to accept or not before combining; best first."""
    spelled: dict[str, str] = {}
    for data in maps:
        for factor in data.factors:
            spelled.setdefault(normalise_label(factor.label), factor.label)
    keys = sorted(spelled)
    norm = {k: k for k in keys}
    seen: set[frozenset[str]] = set()
    proposals = []
    for score, x, y, reason in near_matches(keys, keys, norm, norm):
        pair = frozenset((x, y))
        if x == y or pair in seen:
            continue
        seen.add(pair)
        first, second = sorted((x, y))
        proposals.append(MergeProposal(spelled[first], spelled[second], round(score, 3), reason))
    return proposals


def aggregate_maps(
    maps: Sequence[MapData],
    name: str,
    split_polarity: bool = True,
    merge: Iterable[tuple[str, str]] = (),
) -> MapData:
    """One new map (fresh ids) holding what the given maps hold, merged.

    Factors merge by normalised label, and also where ``merge`` names two labels as the
    same factor (accepted proposals of :func:`propose_merges`). With ``split_polarity`` a
    + and a − link between the same factors stay two links; without it they become one
    link whose polarity is the one all maps agree on, or '?' with the counts in
    ``attributes["polarities"]``.
    """
    if len(maps) < 2:
        raise CommandError("Choose at least two maps to combine")
    if not name.strip():
        raise CommandError("The combined map needs a name")
    names = [m.info.name for m in maps]
    map_id = new_id()
    styles, style_of = _merge_styles(maps, map_id)

    # -- factors ---------------------------------------------------------------------
    same = _label_classes(merge)
    factor_groups: dict[str, list[tuple[int, Factor]]] = {}
    for index, data in enumerate(maps):
        for f in data.factors:
            label_key = normalise_label(f.label)
            factor_groups.setdefault(same.get(label_key, label_key), []).append((index, f))
    factors: list[Factor] = []
    merged_of: dict[tuple[int, str], str] = {}  # (map index, factor id) → merged id
    for members in factor_groups.values():
        ids = new_id()
        records = [f for _, f in members]
        in_maps = sorted({i for i, _ in members})
        attributes: dict[str, Any] = {}
        for record in records:
            for k, v in record.attributes.items():
                attributes.setdefault(k, v)
        attributes["maps_count"] = len(in_maps)
        attributes["maps"] = [names[i] for i in in_maps]
        types = Counter(style_of[(i, f.type)] for i, f in members if f.type is not None)
        factors.append(
            Factor(
                id=ids,
                map_id=map_id,
                label=_most_common(f.label for f in records),
                type=_first_most_common(types),
                x=fmean(f.x for f in records),
                y=fmean(f.y for f in records),
                notes=_joined(f.notes for f in records),
                attributes=attributes,
            )
        )
        for i, f in members:
            merged_of[(i, f.id)] = ids

    # -- links -----------------------------------------------------------------------
    link_groups: dict[tuple[str, ...], list[tuple[int, Link]]] = {}
    warnings: list[str] = []
    for index, data in enumerate(maps):
        for ln in data.links:
            source, target = merged_of[(index, ln.source)], merged_of[(index, ln.target)]
            if source == target:
                warnings.append(
                    f"{data.info.name}: a link between two factors with the same label was "
                    "left out (it would join a factor to itself)"
                )
                continue
            key: tuple[str, ...] = (source, target)
            if split_polarity:
                key += (ln.polarity,)
            link_groups.setdefault(key, []).append((index, ln))
    links: list[Link] = []
    for ends, link_members in link_groups.items():
        link_records = [ln for _, ln in link_members]
        in_maps = sorted({i for i, _ in link_members})
        strengths = [ln.strength for ln in link_records]
        confidences = [ln.confidence for ln in link_records if ln.confidence is not None]
        attributes = {}
        for link_record in link_records:
            for k, v in link_record.attributes.items():
                attributes.setdefault(k, v)
        attributes.update(
            maps_count=len(in_maps),
            maps=[names[i] for i in in_maps],
            strength_mean=fmean(strengths),
            strength_min=min(strengths),
            strength_max=max(strengths),
        )
        polarities = Counter(ln.polarity for ln in link_records)
        polarity = link_records[0].polarity
        if len(polarities) > 1:
            polarity = "?"
            attributes["polarities"] = dict(sorted(polarities.items()))
        types = Counter(style_of[(i, ln.type)] for i, ln in link_members if ln.type is not None)
        links.append(
            Link(
                id=new_id(),
                map_id=map_id,
                source=ends[0],
                target=ends[1],
                polarity=polarity,
                strength=fmean(strengths),
                confidence=fmean(confidences) if confidences else None,
                type=_first_most_common(types),
                rationale=_joined(ln.rationale for ln in link_records),
                evidence=_joined(ln.evidence for ln in link_records),
                notes=_joined(ln.notes for ln in link_records),
                provenance=f"combined from {len(in_maps)} of {len(maps)} maps",
                attributes=attributes,
            )
        )

    groups, members_out = _merge_groups(maps, map_id, merged_of)
    people: dict[str, Participant] = {}
    for data in maps:
        for person in data.participants:
            people.setdefault(person.id, person)
    sites = list(dict.fromkeys(m.info.site for m in maps if m.info.site))
    info = MapInfo(
        id=map_id,
        name=name.strip(),
        kind=maps[0].info.kind,
        site=", ".join(sites),
        description="Combined from: " + "; ".join(names),
        attributes={"combined_from": names},
    )
    return MapData(
        info, styles, factors, links, groups, members_out, list(people.values()), warnings
    )


def _label_classes(merge: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Normalised label → the one key its class of merged labels is filed under."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for a, b in merge:
        ra, rb = root(normalise_label(a)), root(normalise_label(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {key: root(key) for key in parent}


def _merge_styles(
    maps: Sequence[MapData], map_id: str
) -> tuple[list[Style], dict[tuple[int, str | None], str | None]]:
    """Styles merged by kind and name (the first map's look wins), and where each went."""
    merged: dict[tuple[str, str], Style] = {}
    style_of: dict[tuple[int, str | None], str | None] = {}
    for index, data in enumerate(maps):
        for style in sorted(data.styles, key=lambda s: (s.kind, s.position)):
            key = (style.kind, style.name.strip().casefold())
            if key not in merged:
                position = sum(1 for k in merged if k[0] == style.kind)
                merged[key] = Style(
                    id=new_id(),
                    map_id=map_id,
                    kind=style.kind,
                    name=style.name,
                    color=style.color,
                    border_color=style.border_color,
                    shape=style.shape,
                    dashes=style.dashes,
                    level=style.level,
                    position=position,
                    font_color=style.font_color,
                )
            style_of[(index, style.id)] = merged[key].id
    return list(merged.values()), style_of


def _merge_groups(
    maps: Sequence[MapData], map_id: str, merged_of: dict[tuple[int, str], str]
) -> tuple[list[Group], list[tuple[str, str]]]:
    groups: dict[str, Group] = {}
    members: dict[tuple[str, str], None] = {}
    for index, data in enumerate(maps):
        group_of: dict[str, str] = {}
        for group in data.groups:
            key = group.name.strip().casefold()
            if key not in groups:
                groups[key] = Group(
                    id=new_id(),
                    map_id=map_id,
                    name=group.name,
                    color=group.color,
                    notes=group.notes,
                    position=len(groups),
                )
            group_of[group.id] = groups[key].id
        for group_id, factor_id in data.members:
            if group_id in group_of and (index, factor_id) in merged_of:
                members[(group_of[group_id], merged_of[(index, factor_id)])] = None
    return list(groups.values()), list(members)


def _most_common(values) -> str:
    """The most frequent value; on a tie, the one seen first."""
    counts = Counter(values)
    return max(counts, key=lambda v: counts[v]) if counts else ""


def _first_most_common(counts: Counter) -> Any:
    return max(counts, key=lambda v: counts[v]) if counts else None


def _joined(texts) -> str:
    """Distinct non-empty texts, in the order first seen, one paragraph each."""
    return "\n\n".join(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


def combine_maps(
    project: Project,
    map_ids: Sequence[str],
    name: str,
    split_polarity: bool = True,
    merge: Iterable[tuple[str, str]] = (),
) -> str:
    """Add the combination of the given maps to the project (one undoable step); its id."""
    if len(set(map_ids)) != len(map_ids):
        raise CommandError("Each map can be combined only once")
    data = aggregate_maps([project.map_data(m) for m in map_ids], name, split_polarity, merge)
    return project.import_map(data, name.strip())
