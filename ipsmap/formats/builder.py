"""Build a validated MapData from what a reader found, with clear errors and warnings.

Every reader collects factors and links in the file's own terms (its ids, type names,
polarity words) and hands them to a MapBuilder, which checks them all (duplicate ids,
links to missing factors, self links, duplicate links) and only then returns a MapData.
Nothing here touches a project.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ipsmap.formats import boundary
from ipsmap.formats.errors import FormatError
from ipsmap.model.colors import with_checked_looks
from ipsmap.model.defaults import default_styles
from ipsmap.model.entities import POLARITIES, Factor, Group, Link, MapInfo, Style, new_id
from ipsmap.model.mapdata import MapData

POLARITY_WORDS = {
    "+": "+",
    "plus": "+",
    "positive": "+",
    "pos": "+",
    "same": "+",
    "1": "+",
    "+1": "+",
    "1.0": "+",
    "-": "-",
    "−": "-",
    "minus": "-",
    "negative": "-",
    "neg": "-",
    "opposite": "-",
    "-1": "-",
    "-1.0": "-",
    "?": "?",
    "unknown": "?",
    "complex": "?",
    "0": "?",
    "": "+",
}


def polarity_from(value: Any) -> str | None:
    """Our polarity for a value a file uses (+, -, positive, 1, -1, …); None if unknown."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return None
        return "+" if value > 0 else "-" if value < 0 else "?"
    return POLARITY_WORDS.get(str(value).strip().casefold())


class MapBuilder:
    """Collects one map's records in the file's own ids, then validates and builds."""

    def __init__(self, path: str | Path | None, name: str, kind: str = "system") -> None:
        self.path = path
        self.info = MapInfo(id=new_id(), name=name or "Imported map", kind=kind)
        self.styles: list[Style] = default_styles(self.info.id, kind)
        self.warnings: list[str] = []
        self._factors: dict[str, Factor] = {}
        self._links: list[tuple[str, Link]] = []
        self._pairs: set[tuple[str, str]] = set()
        self._groups: dict[str, Group] = {}
        self._members: list[tuple[str, str]] = []
        # Counted as records arrive, so a file with a million links stops at the limit.
        self.limits = boundary.active_limits()

    def fail(self, place: str, problem: str) -> FormatError:
        return FormatError(self.path, place, problem)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # -- styles ---------------------------------------------------------------------------

    def style(self, kind: str, name: str | None, **look: Any) -> str | None:
        """The id of the style called ``name`` (made if new, with ``look``); None: default."""
        if name is None or not str(name).strip():
            return None
        wanted = str(name).strip()
        for style in self.styles:
            if style.kind == kind and style.name.casefold() == wanted.casefold():
                return style.id
        position = sum(1 for s in self.styles if s.kind == kind)
        style = Style(
            id=new_id(), map_id=self.info.id, kind=kind, name=wanted, position=position, **look
        )
        self.styles.append(style)
        return style.id

    def replace_styles(self, styles: list[Style]) -> None:
        """Use the file's own styles instead of the defaults (map_id is set here)."""
        for style in styles:
            style.map_id = self.info.id
        kinds = {s.kind for s in styles}
        self.styles = styles + [s for s in self.styles if s.kind not in kinds]

    # -- records ----------------------------------------------------------------------------

    def factor(self, ref: Any, label: Any, place: str, **fields: Any) -> Factor:
        """Add a factor known in the file as ``ref``; raises on a duplicate or empty label."""
        key = self._key(ref, place)
        if key in self._factors:
            raise self.fail(place, f"duplicate factor id {key!r}")
        if len(self._factors) >= self.limits.max_factors:
            raise boundary.count_error(
                self.path, "factors", self.limits.max_factors, "--max-factors"
            )
        # Control characters are removed here (not only in build) so that a label made of
        # nothing else counts as no label.
        text = "" if label is None else boundary.without_controls(str(label)).strip()
        if not text:
            raise self.fail(place, f"factor {key!r} has no label")
        for name in ("x", "y"):
            value = fields.get(name, 0.0)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise self.fail(place, f"position {name} must be a finite number, not {value!r}")
            fields[name] = float(value)
        factor = Factor(id=new_id(), map_id=self.info.id, label=text, **fields)
        self._factors[key] = factor
        return factor

    def has_factor(self, ref: Any) -> bool:
        return str(ref) in self._factors

    def factor_id(self, ref: Any) -> str | None:
        found = self._factors.get(str(ref))
        return found.id if found is not None else None

    def link(self, source: Any, target: Any, place: str, **fields: Any) -> Link | None:
        """Add a link between two factors given by file ids; raises if an end is missing.

        A self link or a second link in the same direction can't be held by a map: they are
        skipped with a warning rather than refusing the whole file.
        """
        if len(self._links) >= self.limits.max_links:
            raise boundary.count_error(self.path, "links", self.limits.max_links, "--max-links")
        ends = []
        for end, ref in (("source", source), ("target", target)):
            factor = self._factors.get(str(ref))
            if factor is None:
                raise self.fail(f"{place}.{end}", f"{ref!r} is not a factor of this map")
            ends.append(factor)
        start, finish = ends
        if start.id == finish.id:
            self.warn(f"{place}: a link from {start.label!r} to itself was not imported")
            return None
        if (start.id, finish.id) in self._pairs:
            self.warn(
                f"{place}: a second link from {start.label!r} to {finish.label!r} was not "
                "imported (a map holds one link per direction)"
            )
            return None
        polarity = fields.pop("polarity", "+")
        if polarity not in POLARITIES:
            raise self.fail(f"{place}.polarity", f"unknown polarity {polarity!r}")
        for name in ("strength", "confidence"):
            value = fields.get(name)
            if value is None:
                continue
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise self.fail(f"{place}.{name}", f"must be a number, not {value!r}")
            if not 0 <= value <= 1:
                clipped = min(max(float(value), 0.0), 1.0)
                self.warn(f"{place}: {name} {value} is outside 0–1; kept as {clipped}")
                fields[name] = clipped
        if fields.get("strength") is None:
            fields.pop("strength", None)
        link = Link(
            id=new_id(),
            map_id=self.info.id,
            source=start.id,
            target=finish.id,
            polarity=polarity,
            **fields,
        )
        self._pairs.add((start.id, finish.id))
        self._links.append((place, link))
        return link

    def group(self, ref: Any, name: str, place: str, **fields: Any) -> Group:
        key = self._key(ref, place)
        if key in self._groups:
            return self._groups[key]
        group = Group(
            id=new_id(), map_id=self.info.id, name=name, position=len(self._groups), **fields
        )
        self._groups[key] = group
        return group

    def member(self, group: Group, factor_ref: Any, place: str) -> None:
        factor = self._factors.get(str(factor_ref))
        if factor is None:
            raise self.fail(place, f"{factor_ref!r} is not a factor of this map")
        pair = (group.id, factor.id)
        if pair not in self._members:
            self._members.append(pair)

    def build(self) -> MapData:
        """The finished, validated map (its text and values checked at the boundary)."""
        data = MapData(
            info=self.info,
            styles=self.styles,
            factors=list(self._factors.values()),
            links=[link for _, link in self._links],
            groups=list(self._groups.values()),
            members=self._members,
            warnings=self.warnings,
        )
        # A colour is a colour (never url(…) or CSS that reaches an export): others are
        # dropped for the default, with a warning. Then text and values at the boundary.
        data = with_checked_looks(data, self.warn)
        return boundary.check_map(data, self.path)

    def _key(self, ref: Any, place: str) -> str:
        if ref is None or (isinstance(ref, str) and not ref.strip()):
            raise self.fail(place, "an id is required")
        if isinstance(ref, float) and ref.is_integer():
            ref = int(ref)
        return str(ref).strip()
