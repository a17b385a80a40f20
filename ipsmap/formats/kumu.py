"""Kumu JSON blueprints (format ``kumu``): ``elements``, ``connections`` and ``loops``.

Reading accepts Kumu's exported blueprint (records with ``_id`` and an ``attributes``
object) and the flat import form (fields on the record itself):

* element: ``_id``/``id`` (else the label), ``label``/``name``, ``element type``/``type``
  (the factor type, by name), ``description`` (notes), other attributes kept (``tags``
  included, as a list). Positions come from the first entry of ``maps`` if present.
* connection: ``from``/``to`` (element ids or labels), ``direction`` (``directed``;
  ``mutual`` adds the reverse link too, ``undirected`` is read as from → to; both warn),
  ``connection type``/``type`` (the link style, or the polarity when it is a +/- word),
  ``sign``/``polarity``/``effect``, ``strength``/``weight`` (a number; scaled into 0–1 by
  the largest size, keeping the sign as polarity when there is no sign), ``confidence``,
  ``description`` (rationale), ``evidence``, ``notes``; the rest are attributes.
* loops: kept in the map attribute ``kumu_loops`` as ``[{"label", "elements": [factor
  labels]}]`` with a warning (ipsmap finds loops itself).

Writing produces the blueprint form (``elements``, ``connections``, ``loops`` from
``kumu_loops``, and one entry in ``maps`` holding positions). Kept on a round trip:
labels, types by name, notes, positions, attributes, link polarity, strength,
confidence, type, rationale, evidence, notes; lost: colours, groups, ids, provenance.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions, parse_json, read_text
from ipsmap.formats.builder import MapBuilder, polarity_from
from ipsmap.formats.errors import FormatError
from ipsmap.formats.tables import replace_atomically
from ipsmap.model.entities import CONFIDENCE_LEVELS, STRENGTH_LEVELS
from ipsmap.model.mapdata import MapData

SUFFIXES = (".json",)
LOOPS_ATTRIBUTE = "kumu_loops"

_ELEMENT_FIELDS = ("_id", "id", "label", "name", "element type", "type", "description")
_CONNECTION_FIELDS = (
    "_id", "id", "from", "to", "direction", "connection type", "type", "sign", "polarity",
    "effect", "strength", "weight", "confidence", "description", "evidence", "notes",
)  # fmt: skip


def sniff(head: bytes) -> bool:
    """A JSON object with an ``elements`` list and ``connections`` (or, when the head is
    cut short before ``connections``, elements that look like Kumu's)."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("{") or re.search(r'"elements"\s*:\s*\[', text) is None:
        return False
    if re.search(r'"connections"\s*:', text) is not None:
        return True
    kumu_like = r'"elements"\s*:\s*\[\s*\{\s*"(_id|attributes|label)"\s*:'
    return len(head) >= 8192 and re.search(kumu_like, text) is not None


def _merged(raw: dict[str, Any]) -> dict[str, Any]:
    """A record's fields and its ``attributes`` in one dict (attributes win)."""
    merged = {k: v for k, v in raw.items() if k != "attributes"}
    attributes = raw.get("attributes")
    if isinstance(attributes, dict):
        merged.update(attributes)
    return merged


def _first(record: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _free_text(value: Any) -> str:
    """Notes and descriptions: kept as written (only non-text is converted)."""
    return value if isinstance(value, str) else _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.builder = MapBuilder(path, _name(path))
        self.by_id: dict[str, str] = {}
        self.by_label: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def fail(self, place: str, problem: str) -> FormatError:
        return FormatError(self.path, place, problem)

    def items(self, doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = doc.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{i}]", "must be a JSON object")
        return value

    def read(self, doc: Any) -> MapData:
        if not isinstance(doc, dict) or "elements" not in doc:
            raise self.fail("", "not a Kumu blueprint (no 'elements' list)")
        b = self.builder
        if isinstance(doc.get("name"), str) and doc["name"].strip():
            b.info.name = doc["name"].strip()
        elements = self.items(doc, "elements")
        connections = self.items(doc, "connections")
        if not elements:
            raise self.fail("elements", "the blueprint has no elements")
        positions = self.positions(doc)
        for i, raw in enumerate(elements):
            self.element(_merged(raw), f"elements[{i}]", positions)
        self.connections(connections)
        loops = self.items(doc, "loops")
        if loops:
            b.info.attributes[LOOPS_ATTRIBUTE] = [
                self.loop(_merged(raw), f"loops[{i}]") for i, raw in enumerate(loops)
            ]
            b.warn(
                f"{len(loops)} Kumu loop(s) are kept as the map attribute {LOOPS_ATTRIBUTE!r}; "
                "ipsmap finds feedback loops itself"
            )
        return b.build()

    def positions(self, doc: dict[str, Any]) -> dict[str, tuple[float, float]]:
        maps = doc.get("maps")
        found: dict[str, tuple[float, float]] = {}
        if not isinstance(maps, list) or not maps or not isinstance(maps[0], dict):
            return found
        entries = maps[0].get("elements")
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            position = entry.get("position")
            if not isinstance(position, dict):
                continue
            x: Any = position.get("x")
            y: Any = position.get("y")
            if _finite(x) and _finite(y):
                found[_text(entry.get("element"))] = (float(x), float(y))
        return found

    def element(
        self, record: dict[str, Any], place: str, positions: dict[str, tuple[float, float]]
    ) -> None:
        b = self.builder
        label = _text(_first(record, "label", "name"))
        ref = _text(_first(record, "_id", "id")) or label
        if not ref:
            raise self.fail(place, "the element has no id and no label")
        label = label or ref
        if ref in self.by_id:
            raise self.fail(f"{place}._id", f"duplicate element id {ref!r}")
        type_name = _text(_first(record, "element type", "type")) or None
        x, y = positions.get(ref, (0.0, 0.0))
        b.factor(
            ref,
            label,
            place,
            type=b.style("factor", type_name),
            x=x,
            y=y,
            notes=_free_text(record.get("description")),
            attributes={k: v for k, v in record.items() if k not in _ELEMENT_FIELDS},
        )
        self.by_id[ref] = ref
        self.labels[ref] = label
        self.by_label.setdefault(label, ref)
        self.by_label.setdefault(label.casefold(), ref)

    def resolve(self, value: Any, place: str) -> str:
        text = _text(value)
        if not text:
            raise self.fail(place, "the element is missing")
        found = (
            self.by_id.get(text) or self.by_label.get(text) or self.by_label.get(text.casefold())
        )
        if found is None:
            raise self.fail(place, f"{text!r} is not the id or label of an element")
        return found

    def number(self, value: Any, place: str, levels: dict[str, float]) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().casefold() in levels:
            return levels[value.strip().casefold()]
        try:
            number = float(value) if not isinstance(value, (bool, dict, list)) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise self.fail(place, f"must be a number, not {value!r}")
        return number

    def connections(self, connections: list[dict[str, Any]]) -> None:
        b = self.builder
        records = [_merged(raw) for raw in connections]
        weights = [
            self.number(
                _first(r, "strength", "weight"), f"connections[{i}].strength", STRENGTH_LEVELS
            )
            for i, r in enumerate(records)
        ]
        largest = max((abs(w) for w in weights if w is not None), default=0.0)
        if largest > 1:
            b.warn(f"connection strengths go up to {largest:g}; divided by {largest:g} to fit 0–1")
        scale = largest if largest > 1 else 1.0
        for i, (record, weight) in enumerate(zip(records, weights, strict=True)):
            place = f"connections[{i}]"
            source = self.resolve(record.get("from"), f"{place}.from")
            target = self.resolve(record.get("to"), f"{place}.to")
            type_name = _text(_first(record, "connection type", "type")) or None
            sign = _first(record, "sign", "polarity", "effect")
            if sign is None and type_name is not None and polarity_from(type_name) is not None:
                sign, type_name = type_name, None
            fields: dict[str, Any] = {}
            if sign is not None:
                polarity = polarity_from(sign if isinstance(sign, (int, float)) else _text(sign))
                if polarity is None:
                    raise self.fail(f"{place}.sign", f"unknown polarity {sign!r}")
                fields["polarity"] = polarity
            elif weight is not None and weight < 0:
                fields["polarity"] = "-"
            if weight is not None:
                fields["strength"] = abs(weight) / scale
            confidence = self.number(
                record.get("confidence"), f"{place}.confidence", CONFIDENCE_LEVELS
            )
            if confidence is not None:
                fields["confidence"] = confidence
            fields["type"] = b.style("link", type_name)
            fields["rationale"] = _free_text(record.get("description"))
            fields["evidence"] = _free_text(record.get("evidence"))
            fields["notes"] = _free_text(record.get("notes"))
            attributes = {k: v for k, v in record.items() if k not in _CONNECTION_FIELDS}
            direction = _text(record.get("direction")).casefold() or "directed"
            b.link(source, target, place, attributes=dict(attributes), **fields)
            if direction == "mutual":
                b.warn(f"{place}: a mutual connection was imported as two links")
                b.link(target, source, place, attributes=dict(attributes), **fields)
            elif direction != "directed":
                b.warn(f"{place}: an {direction} connection was imported as a link from → to")

    def loop(self, record: dict[str, Any], place: str) -> dict[str, Any]:
        members = _first(record, "elements", "members", "loop") or []
        if not isinstance(members, list):
            raise self.fail(f"{place}.elements", "must be a list of element ids or labels")
        labels = []
        for j, member in enumerate(members):
            ref = member.get("element") if isinstance(member, dict) else member
            key = self.resolve(ref, f"{place}.elements[{j}]")
            labels.append(self.label_of(key))
        return {"label": _text(_first(record, "label", "name")), "elements": labels}

    def label_of(self, key: str) -> str:
        return self.labels.get(key, key)


def _name(path: Path) -> str:
    name = path.name
    for suffix in (".kumu.json", ".json"):
        if name.casefold().endswith(suffix):
            return name[: -len(suffix)] or name
    return path.stem


def read(path: Path, options: ReadOptions) -> list[MapData]:
    """Read a Kumu blueprint as one map."""
    text = read_text(path)
    return [_Reader(path).read(parse_json(text, path))]


def to_dict(data: MapData) -> dict[str, Any]:
    """The Kumu blueprint of a map."""
    names = {s.id: s.name for s in data.styles}
    elements = []
    for f in data.factors:
        attributes: dict[str, Any] = dict(f.attributes)
        attributes["label"] = f.label
        if f.type in names:
            attributes["element type"] = names[f.type]
        if f.notes:
            attributes["description"] = f.notes
        elements.append({"_id": f.id, "attributes": attributes})
    connections = []
    for ln in data.links:
        attributes = dict(ln.attributes)
        if ln.type in names:
            attributes["connection type"] = names[ln.type]
        attributes["sign"] = ln.polarity
        attributes["strength"] = ln.strength
        if ln.confidence is not None:
            attributes["confidence"] = ln.confidence
        for key, value in (
            ("description", ln.rationale),
            ("evidence", ln.evidence),
            ("notes", ln.notes),
        ):
            if value:
                attributes[key] = value
        connections.append(
            {
                "_id": ln.id,
                "from": ln.source,
                "to": ln.target,
                "direction": "directed",
                "attributes": attributes,
            }
        )
    by_label: dict[str, str] = {}
    for f in data.factors:
        by_label.setdefault(f.label, f.id)
    loops = []
    for loop in data.info.attributes.get(LOOPS_ATTRIBUTE) or []:
        if isinstance(loop, dict):
            members = [by_label.get(str(m), str(m)) for m in loop.get("elements") or []]
            loops.append({"attributes": {"label": loop.get("label", "")}, "elements": members})
    return {
        "name": data.info.name,
        "elements": elements,
        "connections": connections,
        "loops": loops,
        "maps": [
            {
                "name": data.info.name,
                "elements": [
                    {"element": f.id, "position": {"x": f.x, "y": f.y}} for f in data.factors
                ],
            }
        ],
    }


def write(data: MapData, path: str | Path) -> None:
    """Write a Kumu blueprint (atomically)."""
    path = Path(path)
    text = json.dumps(to_dict(data), ensure_ascii=False, indent=2) + "\n"
    replace_atomically([(path, lambda p: p.write_text(text, encoding="utf-8"))])


FORMATS = [
    MapFormat(
        name="kumu",
        label="Kumu blueprint (JSON)",
        suffixes=SUFFIXES,
        read=read,
        write=write,
        sniff=sniff,
    )
]
