"""The in-memory state of one map, kept in step with the database by applying ops."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from ipsmap.model.entities import GROUP_MEMBERS_TABLE, Factor, Group, Link, MapInfo, Style
from ipsmap.model.mapdata import MapData
from ipsmap.model.ops import Op

MAP_TABLES = ("maps", "styles", "factors", "links", "groups", GROUP_MEMBERS_TABLE)


class MapState:
    """Everything in one map: its info, styles, factors, links and groups.

    Dicts keep creation order (``seq``) so that lists and drawing order are stable, also
    after a delete is undone.
    """

    def __init__(self, info: MapInfo) -> None:
        self.info = info
        self.styles: dict[str, Style] = {}
        self.factors: dict[str, Factor] = {}
        self.links: dict[str, Link] = {}
        self.groups: dict[str, Group] = {}
        self.group_members: dict[str, set[str]] = {}
        # Links touching each factor, for deletes and drawing.
        self._links_of: dict[str, set[str]] = {}
        self._max_seq = {"factors": 0, "links": 0}
        self._unsorted: set[str] = set()
        self._batching = False

    def copy(self) -> MapState:
        """A scratch copy to try edits on (records are immutable, so they are shared)."""
        other = MapState(self.info)
        other.styles = dict(self.styles)
        other.factors = dict(self.factors)
        other.links = dict(self.links)
        other.groups = dict(self.groups)
        other.group_members = {g: set(members) for g, members in self.group_members.items()}
        other._links_of = {f: set(links) for f, links in self._links_of.items()}
        other._max_seq = dict(self._max_seq)
        other._unsorted = set(self._unsorted)
        return other

    # -- to and from a detached map ---------------------------------------------------

    @classmethod
    def from_data(cls, data: MapData) -> MapState:
        """The state of a detached map (its records are shared, not copied)."""
        state = cls(data.info)
        state.load(data.styles, data.factors, data.links, data.groups, data.members)
        return state

    def to_data(self) -> MapData:
        """This map as a detached MapData (no participants: the project knows those)."""
        return MapData(
            info=self.info,
            styles=list(self.styles.values()),
            factors=list(self.factors.values()),
            links=list(self.links.values()),
            groups=list(self.groups.values()),
            members=[(g, f) for g, fs in self.group_members.items() for f in sorted(fs)],
        )

    # -- queries ------------------------------------------------------------------

    def links_of(self, factor_id: str) -> set[str]:
        """Ids of links that start or end at a factor."""
        return set(self._links_of.get(factor_id, ()))

    def groups_of(self, factor_id: str) -> list[str]:
        """Ids of the groups a factor belongs to."""
        return [gid for gid, members in self.group_members.items() if factor_id in members]

    def factor_styles(self) -> list[Style]:
        return sorted(
            (s for s in self.styles.values() if s.kind == "factor"), key=lambda s: s.position
        )

    def link_styles(self) -> list[Style]:
        return sorted(
            (s for s in self.styles.values() if s.kind == "link"), key=lambda s: s.position
        )

    def default_style(self, kind: str) -> Style | None:
        styles = self.factor_styles() if kind == "factor" else self.link_styles()
        return styles[0] if styles else None

    def style_named(self, kind: str, name: str) -> Style | None:
        wanted = name.strip().casefold()
        for style in self.styles.values():
            if style.kind == kind and style.name.casefold() == wanted:
                return style
        return None

    def link_between(self, source: str, target: str) -> Link | None:
        for link_id in self._links_of.get(source, ()):
            link = self.links[link_id]
            if link.source == source and link.target == target:
                return link
        return None

    def next_seq(self, table: str) -> int:
        """A creation number above every one used in this map so far."""
        return self._max_seq[table] + 1

    # -- applying ops -------------------------------------------------------------

    def load(
        self,
        styles: Iterable[Style],
        factors: Iterable[Factor],
        links: Iterable[Link],
        groups: Iterable[Group],
        members: Iterable[tuple[str, str]],
    ) -> None:
        """Fill the state from stored records (factors and links in ``seq`` order)."""
        self.styles = {s.id: s for s in styles}
        self.factors = {f.id: f for f in factors}
        self.links = {}
        self._links_of = {}
        for link in links:
            self._add_link(link)
        self._max_seq = {
            "factors": max((f.seq for f in self.factors.values()), default=0),
            "links": max((link.seq for link in self.links.values()), default=0),
        }
        self.groups = {g.id: g for g in groups}
        self.group_members = {gid: set() for gid in self.groups}
        for group_id, factor_id in members:
            self.group_members.setdefault(group_id, set()).add(factor_id)

    def apply_all(self, ops: Iterable[Op]) -> None:
        # Records restored out of creation order are re-sorted once per batch, not per op.
        self._batching = True
        try:
            for op in ops:
                self.apply(op)
        finally:
            self._batching = False
            self._sort_if_needed()

    def apply(self, op: Op) -> None:
        table = op.table
        if table == "maps":
            if op.kind == "update" and op.after:
                self.info = dataclasses.replace(self.info, **op.after)
            return
        if table == GROUP_MEMBERS_TABLE:
            group_id, factor_id = op.key.split("/", 1)
            members = self.group_members.setdefault(group_id, set())
            if op.kind == "insert":
                members.add(factor_id)
            else:
                members.discard(factor_id)
            return
        store = self._store(table)
        if store is None:
            return
        if op.kind == "insert":
            assert op.after is not None
            record = _RECORDS[table].from_row(op.after)
            if table == "links":
                self._add_link(record)  # type: ignore[arg-type]
            else:
                store[op.key] = record
                if table == "groups":
                    self.group_members.setdefault(op.key, set())
            if table in ("factors", "links"):
                self._restore_order(table, record)
        elif op.kind == "delete":
            if table == "links":
                self._remove_link(op.key)
            else:
                store.pop(op.key, None)
                if table == "groups":
                    self.group_members.pop(op.key, None)
        else:
            assert op.after is not None
            store[op.key] = dataclasses.replace(store[op.key], **op.after)

    def _store(self, table: str) -> dict[str, Any] | None:
        stores: dict[str, dict[str, Any]] = {
            "styles": self.styles,
            "factors": self.factors,
            "links": self.links,
            "groups": self.groups,
        }
        return stores.get(table)

    def _add_link(self, link: Link) -> None:
        self.links[link.id] = link
        self._links_of.setdefault(link.source, set()).add(link.id)
        self._links_of.setdefault(link.target, set()).add(link.id)

    def _remove_link(self, link_id: str) -> None:
        link = self.links.pop(link_id, None)
        if link is None:
            return
        for end in (link.source, link.target):
            ids = self._links_of.get(end)
            if ids is not None:
                ids.discard(link_id)

    def _restore_order(self, table: str, record: Any) -> None:
        # New records come last; one brought back by undo keeps its old seq and its place.
        if record.seq >= self._max_seq[table]:
            self._max_seq[table] = record.seq
            return
        self._unsorted.add(table)
        if not self._batching:
            self._sort_if_needed()

    def _sort_if_needed(self) -> None:
        for table in self._unsorted:
            store: dict[str, Any] = self.factors if table == "factors" else self.links
            ordered = sorted(store.values(), key=lambda r: r.seq)
            store.clear()
            store.update((r.id, r) for r in ordered)
        self._unsorted.clear()


_RECORDS: dict[str, Any] = {"styles": Style, "factors": Factor, "links": Link, "groups": Group}
