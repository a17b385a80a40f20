"""ipsmap's own interchange format: one map as versioned JSON ("ipsmap-map").

Documented in docs/ipsmap-map-format.md. Reading validates the whole file before anything
is returned; writing goes to a temporary file that replaces the target only when complete.
"""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

from ipsmap.formats import boundary
from ipsmap.formats.base import MapFormat, ReadOptions, parse_json, read_text
from ipsmap.formats.errors import FormatError
from ipsmap.formats.target_files import write_text_atomically
from ipsmap.model.canonical import FORMAT_NAME, FORMAT_VERSION, map_document
from ipsmap.model.colors import with_checked_looks
from ipsmap.model.defaults import default_styles
from ipsmap.model.entities import (
    MAP_KINDS,
    POLARITIES,
    STAKEHOLDER_GROUPS,
    STYLE_KINDS,
    Factor,
    Group,
    Link,
    MapInfo,
    Participant,
    Style,
    new_id,
)
from ipsmap.model.mapdata import MapData

SUFFIXES = (".json", ".ipsmap.json")


def to_dict(data: MapData) -> dict[str, Any]:
    """The JSON-ready form of a map (pseudonyms only; no participant notes or consent)."""
    return map_document(data)


def dumps(data: MapData) -> str:
    return json.dumps(to_dict(data), ensure_ascii=False, indent=2) + "\n"


def write(data: MapData, path: str | Path) -> None:
    """Write one map to ``path`` (atomically: a complete file or none)."""
    write_text_atomically(path, dumps(data), newline="")


# -- reading ---------------------------------------------------------------------------


def read(path: str | Path) -> MapData:
    """Read and validate a whole ipsmap-map file; raise FormatError naming the problem."""
    path = Path(path)
    return loads(read_text(path), path)


def loads(text: str, path: str | Path | None = None) -> MapData:
    """Parse ipsmap-map JSON text (``path`` is only used in error messages)."""
    if not text.strip():
        raise FormatError(path, "", "the file is empty")
    return _Reader(path).read(parse_json(text, path))


class _Reader:
    def __init__(self, path: str | Path | None) -> None:
        self.path = path
        self.warnings: list[str] = []

    def warn_once(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def fail(self, place: str, problem: str) -> FormatError:
        return FormatError(self.path, place, problem)

    def read(self, doc: Any) -> MapData:
        if not isinstance(doc, dict):
            raise self.fail("", "not an ipsmap map file (expected a JSON object)")
        if doc.get("format") != FORMAT_NAME:
            raise self.fail("format", f"not an ipsmap map file (format is {doc.get('format')!r})")
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("version", f"invalid version {version!r}")
        if version > FORMAT_VERSION:
            raise self.fail(
                "version",
                f"written by a newer ipsmap (map format {version}; this version reads up to "
                f"{FORMAT_VERSION})",
            )
        limits = boundary.active_limits()
        for key, most, option in (
            ("factors", limits.max_factors, "--max-factors"),
            ("links", limits.max_links, "--max-links"),
        ):
            if len(self.items(doc, key)) > most:
                raise boundary.count_error(self.path, key, most, option)
        info = self.map_info(self.obj(doc.get("map"), "map"))
        participants = self.participants(self.items(doc, "participants"))
        styles = self.styles(self.items(doc, "styles"), info)
        factors = self.factors(self.items(doc, "factors"), info.id, styles)
        links = self.links(self.items(doc, "links"), info.id, styles, factors)
        groups, members = self.groups(self.items(doc, "groups"), info.id, factors)
        data = MapData(info, styles, factors, links, groups, members, participants, self.warnings)
        data = with_checked_looks(data, self.warn_once)
        boundary.check_map(data, self.path, keep_controls=True)
        if not all(_is_uuid(i) for i in data.all_ids()):
            # Hand-written files may use short ids; records in a project always have UUIDs.
            data = data.with_fresh_ids()
        return data

    # -- sections -------------------------------------------------------------------

    def map_info(self, raw: dict[str, Any]) -> MapInfo:
        name = self.text(raw, "name", "map", required=True)
        kind = raw.get("kind", "system")
        if kind not in MAP_KINDS:
            raise self.fail("map.kind", f"a map is of kind 'system' or 'toc', not {kind!r}")
        return MapInfo(
            id=self.ident(raw.get("id") or new_id(), "map.id"),
            name=name,
            kind=kind,
            site=self.text(raw, "site", "map"),
            description=self.text(raw, "description", "map"),
            attributes=self.attributes(raw, "map"),
            created_at=self.text(raw, "created_at", "map"),
            created_by=raw.get("created_by") if isinstance(raw.get("created_by"), str) else None,
        )

    def participants(self, items: list[Any]) -> list[Participant]:
        result, seen = [], set()
        for i, raw in enumerate(items):
            place = f"participants[{i}]"
            raw = self.obj(raw, place)
            pid = self.ident(raw.get("id"), f"{place}.id")
            if pid in seen:
                raise self.fail(f"{place}.id", f"duplicate participant id {pid!r}")
            seen.add(pid)
            group = raw.get("stakeholder_group", "other")
            if group not in STAKEHOLDER_GROUPS:
                self.warnings.append(
                    f"{place}: unknown stakeholder group {group!r}, kept as 'other'"
                )
                group = "other"
            result.append(
                Participant(
                    id=pid,
                    pseudonym=self.text(raw, "pseudonym", place, required=True),
                    stakeholder_group=group,
                    site=self.text(raw, "site", place),
                )
            )
        return result

    def styles(self, items: list[Any], info: MapInfo) -> list[Style]:
        if not items:
            return default_styles(info.id, info.kind)
        result: list[Style] = []
        seen: set[str] = set()
        positions = {"factor": 0, "link": 0}
        for i, raw in enumerate(items):
            place = f"styles[{i}]"
            raw = self.obj(raw, place)
            sid = self.ident(raw.get("id"), f"{place}.id")
            if sid in seen:
                raise self.fail(f"{place}.id", f"duplicate style id {sid!r}")
            seen.add(sid)
            kind = raw.get("kind")
            if kind not in STYLE_KINDS:
                raise self.fail(f"{place}.kind", f"must be 'factor' or 'link', not {kind!r}")
            level = raw.get("level")
            if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
                raise self.fail(f"{place}.level", f"must be a whole number, not {level!r}")
            result.append(
                Style(
                    id=sid,
                    map_id=info.id,
                    kind=kind,
                    name=self.text(raw, "name", place, required=True),
                    color=self.text(raw, "color", place) or "#ffffff",
                    border_color=self.text(raw, "border_color", place) or "#333333",
                    shape=self.text(raw, "shape", place) or "box",
                    dashes=bool(raw.get("dashes", False)),
                    level=level,
                    position=positions[kind],
                    font_color=self.text(raw, "font_color", place) or None,
                )
            )
            positions[kind] += 1
        for kind in STYLE_KINDS:
            if positions[kind] == 0:
                result += [s for s in default_styles(info.id, info.kind) if s.kind == kind]
        return result

    def factors(self, items: list[Any], map_id: str, styles: list[Style]) -> list[Factor]:
        result: list[Factor] = []
        seen: set[str] = set()
        for i, raw in enumerate(items):
            place = f"factors[{i}]"
            raw = self.obj(raw, place)
            fid = self.ident(raw.get("id"), f"{place}.id")
            if fid in seen:
                raise self.fail(f"{place}.id", f"duplicate factor id {fid!r}")
            seen.add(fid)
            result.append(
                Factor(
                    id=fid,
                    map_id=map_id,
                    label=self.text(raw, "label", place, required=True),
                    type=self.style_ref(raw.get("type"), "factor", styles, f"{place}.type"),
                    x=self.number(raw, "x", place, 0.0),
                    y=self.number(raw, "y", place, 0.0),
                    notes=self.text(raw, "notes", place),
                    attributes=self.attributes(raw, place),
                    **self.provenance(raw, place),
                )
            )
        return result

    def links(
        self, items: list[Any], map_id: str, styles: list[Style], factors: list[Factor]
    ) -> list[Link]:
        labels = {f.id: f.label for f in factors}
        result: list[Link] = []
        seen: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for i, raw in enumerate(items):
            place = f"links[{i}]"
            raw = self.obj(raw, place)
            lid = self.ident(raw.get("id"), f"{place}.id")
            if lid in seen:
                raise self.fail(f"{place}.id", f"duplicate link id {lid!r}")
            seen.add(lid)
            ends = []
            for end in ("source", "target"):
                ref = raw.get(end)
                if ref not in labels:
                    raise self.fail(f"{place}.{end}", f"{ref!r} is not a factor of this map")
                ends.append(ref)
            source, target = ends
            if source == target:
                raise self.fail(place, f"a link from {labels[source]!r} to itself")
            if (source, target) in pairs:
                raise self.fail(
                    place, f"a second link from {labels[source]!r} to {labels[target]!r}"
                )
            pairs.add((source, target))
            polarity = raw.get("polarity", "+")
            if polarity not in POLARITIES:
                raise self.fail(f"{place}.polarity", f"must be '+', '-' or '?', not {polarity!r}")
            result.append(
                Link(
                    id=lid,
                    map_id=map_id,
                    source=source,
                    target=target,
                    polarity=polarity,
                    strength=self.fraction(raw, "strength", place, 0.5),
                    confidence=self.fraction(raw, "confidence", place, None),
                    type=self.style_ref(raw.get("type"), "link", styles, f"{place}.type"),
                    rationale=self.text(raw, "rationale", place),
                    evidence=self.text(raw, "evidence", place),
                    notes=self.text(raw, "notes", place),
                    provenance=self.text(raw, "provenance", place),
                    attributes=self.attributes(raw, place),
                    **self.provenance(raw, place),
                )
            )
        return result

    def groups(
        self, items: list[Any], map_id: str, factors: list[Factor]
    ) -> tuple[list[Group], list[tuple[str, str]]]:
        factor_ids = {f.id for f in factors}
        groups: list[Group] = []
        members: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, raw in enumerate(items):
            place = f"groups[{i}]"
            raw = self.obj(raw, place)
            gid = self.ident(raw.get("id"), f"{place}.id")
            if gid in seen:
                raise self.fail(f"{place}.id", f"duplicate group id {gid!r}")
            seen.add(gid)
            groups.append(
                Group(
                    id=gid,
                    map_id=map_id,
                    name=self.text(raw, "name", place, required=True),
                    color=self.text(raw, "color", place) or "#dddddd",
                    notes=self.text(raw, "notes", place),
                    position=i,
                )
            )
            raw_members = raw.get("members", [])
            if not isinstance(raw_members, list):
                raise self.fail(f"{place}.members", "must be a list of factor ids")
            for member in dict.fromkeys(raw_members):
                if member not in factor_ids:
                    raise self.fail(f"{place}.members", f"{member!r} is not a factor of this map")
                members.append((gid, member))
        return groups, members

    # -- values ---------------------------------------------------------------------

    def items(self, doc: dict[str, Any], key: str) -> list[Any]:
        value = doc.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def obj(self, value: Any, place: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(place, "must be a JSON object")
        return value

    def ident(self, value: Any, place: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(place, "an id (non-empty text) is required")
        return value

    def text(self, raw: dict[str, Any], key: str, place: str, required: bool = False) -> str:
        value = raw.get(key)
        if value is None:
            if required:
                raise self.fail(f"{place}.{key}", "is required")
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{place}.{key}", f"must be text, not {value!r}")
        if required and not value.strip():
            raise self.fail(f"{place}.{key}", "must not be empty")
        return value

    def number(self, raw: dict[str, Any], key: str, place: str, default: float) -> float:
        value = raw.get(key, default)
        if value is None:
            return default
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise self.fail(f"{place}.{key}", f"must be a number, not {value!r}")
        return float(value)

    def fraction(self, raw: dict[str, Any], key: str, place: str, default: Any) -> Any:
        value = raw.get(key, default)
        if value is None:
            return default
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise self.fail(f"{place}.{key}", f"must be a number from 0 to 1, not {value!r}")
        return float(value)

    def attributes(self, raw: dict[str, Any], place: str) -> dict[str, Any]:
        value = raw.get("attributes") or {}
        if not isinstance(value, dict):
            raise self.fail(f"{place}.attributes", "must be a JSON object")
        return value

    def provenance(self, raw: dict[str, Any], place: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key in ("created_at", "modified_at"):
            result[key] = self.text(raw, key, place)
        for key in ("created_by", "modified_by"):
            value = raw.get(key)
            result[key] = value if isinstance(value, str) and value else None
        return result

    def style_ref(self, ref: Any, kind: str, styles: list[Style], place: str) -> str | None:
        """Resolve a type given as a style id or a style name (adding unknown names)."""
        if ref is None or ref == "":
            return None
        if not isinstance(ref, str):
            raise self.fail(place, f"must be a style id or name, not {ref!r}")
        for style in styles:
            if style.kind == kind and style.id == ref:
                return style.id
        for style in styles:
            if style.kind == kind and style.name.casefold() == ref.strip().casefold():
                return style.id
        added = Style(
            id=new_id(),
            map_id=styles[0].map_id if styles else "",
            kind=kind,
            name=ref.strip(),
            position=sum(1 for s in styles if s.kind == kind),
        )
        styles.append(added)
        self.warnings.append(
            f"{place}: {kind} type {ref!r} was not defined; added it as a new type"
        )
        return added.id


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _sniff(head: bytes) -> bool:
    return b'"ipsmap-map"' in head


def _read_all(path: Path, options: ReadOptions) -> list[MapData]:
    return [read(path)]


FORMATS = [
    MapFormat(
        name="json",
        label="ipsmap map (JSON)",
        suffixes=SUFFIXES,
        read=_read_all,
        write=write,
        sniff=_sniff,
    )
]
