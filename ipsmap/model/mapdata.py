"""A whole map as plain records in memory: what readers produce and writers consume."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ipsmap.model.entities import Factor, Group, Link, MapInfo, Participant, Style, new_id


@dataclass
class MapData:
    """One map with everything it holds, detached from any project."""

    info: MapInfo
    styles: list[Style] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    # (group_id, factor_id) pairs.
    members: list[tuple[str, str]] = field(default_factory=list)
    # The people the records are attributed to (pseudonyms only).
    participants: list[Participant] = field(default_factory=list)
    # What a reader found but could not represent, in plain words.
    warnings: list[str] = field(default_factory=list)

    def all_ids(self) -> set[str]:
        """Every record id the map would add to a project (participants excluded)."""
        ids = {self.info.id}
        for records in (self.styles, self.factors, self.links, self.groups):
            ids.update(r.id for r in records)
        return ids

    def with_fresh_ids(self) -> MapData:
        """A copy in which the map and all its records have new ids (references follow)."""
        fresh: dict[str, str] = {old: new_id() for old in self.all_ids()}

        def remap(value: str | None) -> str | None:
            return fresh.get(value, value) if value is not None else None

        map_id = fresh[self.info.id]
        return MapData(
            info=dataclasses.replace(self.info, id=map_id),
            styles=[dataclasses.replace(s, id=fresh[s.id], map_id=map_id) for s in self.styles],
            factors=[
                dataclasses.replace(f, id=fresh[f.id], map_id=map_id, type=remap(f.type))
                for f in self.factors
            ],
            links=[
                dataclasses.replace(
                    ln,
                    id=fresh[ln.id],
                    map_id=map_id,
                    source=fresh[ln.source],
                    target=fresh[ln.target],
                    type=remap(ln.type),
                )
                for ln in self.links
            ],
            groups=[dataclasses.replace(g, id=fresh[g.id], map_id=map_id) for g in self.groups],
            members=[(fresh[g], fresh[f]) for g, f in self.members],
            participants=list(self.participants),
            warnings=list(self.warnings),
        )
