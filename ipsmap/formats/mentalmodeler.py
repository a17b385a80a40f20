"""Mental Modeler: the ``.mmp`` XML files and the JSON the web version saves.

Concepts become factors (name, notes, x, y; units, group and preferred state kept as
attributes, with the concept's own id as ``mentalmodeler_id``); each concept's
relationships become links from it. Weights are qualitative letters (``H+ M+ L+ H- M- L-``,
which Mental Modeler reads as ±1, ±0.62, ±0.25) or numbers from −1 to 1: the strength is
the size, the polarity the sign. A weight of 0 means no link and is skipped. Stored
scenarios have no place in a map: they are kept whole in the map attribute
``mentalmodeler_scenarios`` (with a warning) and written back.

Writing makes XML for ``.mmp`` and JSON for ``.json`` (weights as the nearest letter in
XML, as numbers in JSON). Mental Modeler has no "unknown" polarity: ``?`` links are
written as positive.
"""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions, looks_like_xml, parse_json
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import ExportWarning, FormatError
from ipsmap.formats.graph_formats import number, parse_xml, read_text, write_text, xml_safe
from ipsmap.model.entities import new_id
from ipsmap.model.mapdata import MapData

__all__ = ["FORMATS", "LETTERS", "dumps_json", "dumps_xml", "loads", "read", "write"]

LETTERS = {"H": 1.0, "M": 0.62, "L": 0.25}
SCENARIOS = "mentalmodeler_scenarios"
ID_ATTRIBUTE = "mentalmodeler_id"
_CONCEPT_EXTRAS = ("units", "group", "preferredState")


def weight_from(value: Any) -> float | None:
    """A Mental Modeler weight as a number (−1…1); None if it is not one."""
    text = str(value).strip().upper().replace("−", "-") if value is not None else ""
    match = re.fullmatch(r"([HML])\s*([+-])", text)
    if match:
        size = LETTERS[match.group(1)]
        return size if match.group(2) == "+" else -size
    return number(text)


def letter_for(polarity: str, strength: float) -> str:
    """The nearest qualitative weight to a link's strength and polarity."""
    letter = min(LETTERS, key=lambda k: abs(LETTERS[k] - strength))
    return letter + ("-" if polarity == "-" else "+")


# -- reading ------------------------------------------------------------------------------


def read(path: str | Path) -> MapData:
    path = Path(path)
    return loads(read_text(path), path)


def loads(text: str, path: Path | None = None) -> MapData:
    """A map from Mental Modeler XML or JSON text (``path`` names it in errors)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return _read_json(parse_json(stripped, path), path)
    root = parse_xml(stripped, path)
    if root.tag != "mentalModeler":
        raise FormatError(path, root.tag, "not a Mental Modeler file (no <mentalModeler>)")
    return _read_xml(root, path)


def _child_text(element: ET.Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None:
        return None
    return "".join(child.itertext()).strip()


def _read_xml(root: ET.Element, path: Path | None) -> MapData:
    info = root.find("info")
    name = (_child_text(info, "name") if info is not None else None) or (
        path.stem if path else "Mental Modeler map"
    )
    concepts = []
    for i, concept in enumerate(root.findall("concepts/concept")):
        raw: dict[str, Any] = {
            key: _child_text(concept, key)
            for key in ("id", "name", "notes", "x", "y", *_CONCEPT_EXTRAS)
        }
        raw["relationships"] = [
            {key: _child_text(rel, key) for key in ("id", "name", "notes", "confidence")}
            | {"influence": _child_text(rel, "influence")}
            for rel in concept.findall("relationships/relationship")
        ]
        raw["_place"] = f"concepts/concept[{i + 1}]"
        concepts.append(raw)
    scenarios = []
    for scenario in root.findall("scenarios/scenario"):
        scenarios.append(
            {
                "name": _child_text(scenario, "name") or "",
                "concepts": [
                    {
                        key: value
                        for key in ("id", "name", "selected", "influence")
                        if (value := _child_text(c, key)) is not None
                    }
                    for c in scenario.findall("concepts/concept")
                ],
            }
        )
    info_fields = {}
    if info is not None:
        info_fields = {child.tag: "".join(child.itertext()).strip() for child in info}
    return _build(path, name, info_fields, concepts, scenarios)


def _read_json(document: Any, path: Path | None) -> MapData:
    if not isinstance(document, dict) or not isinstance(document.get("concepts"), list):
        raise FormatError(path, "concepts", "not a Mental Modeler file (no list of concepts)")
    raw_info = document.get("info")
    info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    name = info.get("name") or document.get("filename") or (path.stem if path else "")
    concepts = []
    for i, concept in enumerate(document["concepts"]):
        place = f"concepts[{i}]"
        if not isinstance(concept, dict):
            raise FormatError(path, place, "must be a JSON object")
        relationships = concept.get("relationships") or []
        if not isinstance(relationships, list) or not all(
            isinstance(r, dict) for r in relationships
        ):
            raise FormatError(path, f"{place}.relationships", "must be a list of objects")
        concepts.append(dict(concept) | {"relationships": relationships, "_place": place})
    scenarios = document.get("scenarios")
    scenarios = scenarios if isinstance(scenarios, list) else []
    extra = {k: v for k, v in info.items() if isinstance(v, str | int | float)}
    return _build(path, str(name), extra, concepts, scenarios)


def _build(
    path: Path | None,
    name: str,
    info: dict[str, Any],
    concepts: list[dict[str, Any]],
    scenarios: list[Any],
) -> MapData:
    builder = MapBuilder(path, name or "Mental Modeler map")
    if info:
        builder.info.attributes["mentalmodeler_info"] = {k: v for k, v in info.items() if v}
        builder.info.description = str(info.get("description") or "")
    for concept in concepts:
        place = concept["_place"]
        ref = concept.get("id")
        fields: dict[str, Any] = {"notes": str(concept.get("notes") or "")}
        for axis in ("x", "y"):
            value = concept.get(axis)
            if value is None or value == "":
                continue
            found = number(value)
            if found is None:
                raise FormatError(path, f"{place}.{axis}", f"must be a number, not {value!r}")
            fields[axis] = found
        attributes: dict[str, Any] = {ID_ATTRIBUTE: str(ref)}
        for key in _CONCEPT_EXTRAS:
            value = concept.get(key)
            if value not in (None, ""):
                attributes[key] = value if isinstance(value, str | int | float) else str(value)
        fields["attributes"] = attributes
        builder.factor(ref, concept.get("name"), place, **fields)
    for concept in concepts:
        for j, rel in enumerate(concept["relationships"]):
            place = f"{concept['_place']}.relationships[{j}]"
            weight = weight_from(rel.get("influence"))
            if weight is None:
                raise FormatError(
                    path, f"{place}.influence", f"unknown weight {rel.get('influence')!r}"
                )
            target = rel.get("id")
            if weight == 0:
                builder.warn(f"{place}: a relationship of weight 0 was not imported")
                if not builder.has_factor(target):
                    raise FormatError(path, f"{place}.id", f"{target!r} is not a concept")
                continue
            fields = {
                "polarity": "+" if weight > 0 else "-",
                "strength": min(abs(weight), 1.0),
                "attributes": {"mentalmodeler_influence": rel.get("influence")},
            }
            if abs(weight) > 1:
                builder.warn(f"{place}: weight {weight} is outside −1…1; kept as ±1")
            confidence = number(rel.get("confidence"))
            if confidence:
                # Mental Modeler rates confidence on its own scale; a fraction is kept as one.
                if 0 < confidence <= 1:
                    fields["confidence"] = confidence
                else:
                    fields["attributes"]["mentalmodeler_confidence"] = confidence
            if rel.get("notes"):
                fields["notes"] = str(rel["notes"])
            builder.link(concept.get("id"), target, place, **fields)
    if any(isinstance(s, dict) and s.get("concepts") for s in scenarios):
        builder.info.attributes[SCENARIOS] = scenarios
        builder.warn(
            f"{len(scenarios)} stored scenario(s) have no place in an ipsmap map; they are "
            f"kept as the map attribute {SCENARIOS!r} and written back on export"
        )
    return builder.build()


# -- writing ------------------------------------------------------------------------------


def _concept_ids(data: MapData) -> dict[str, str]:
    """Each factor's Mental Modeler id: its original one when all are unique, else 1…n."""
    found = [str(f.attributes.get(ID_ATTRIBUTE) or "") for f in data.factors]
    if all(found) and len(set(found)) == len(found):
        return {f.id: ref for f, ref in zip(data.factors, found, strict=True)}
    return {f.id: str(i + 1) for i, f in enumerate(data.factors)}


def _outgoing(data: MapData) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {f.id: [] for f in data.factors}
    for link in data.links:
        result[link.source].append(link)
    return result


def _number_text(value: float) -> str:
    return f"{value:.4g}"


def dumps_xml(data: MapData) -> str:
    ids = _concept_ids(data)
    labels = {f.id: f.label for f in data.factors}
    root = ET.Element("mentalModeler")
    info = ET.SubElement(root, "info")
    original = data.info.attributes.get("mentalmodeler_info")
    ET.SubElement(info, "id").text = (
        str(original.get("id")) if isinstance(original, dict) and original.get("id") else new_id()
    )
    ET.SubElement(info, "name").text = xml_safe(data.info.name)
    ET.SubElement(info, "version").text = "1.0"
    concepts = ET.SubElement(root, "concepts")
    outgoing = _outgoing(data)
    for factor in data.factors:
        concept = ET.SubElement(concepts, "concept")
        ET.SubElement(concept, "id").text = ids[factor.id]
        ET.SubElement(concept, "name").text = xml_safe(factor.label)
        if factor.notes:
            ET.SubElement(concept, "notes").text = xml_safe(factor.notes)
        ET.SubElement(concept, "x").text = _number_text(factor.x)
        ET.SubElement(concept, "y").text = _number_text(factor.y)
        relationships = ET.SubElement(concept, "relationships")
        for link in outgoing[factor.id]:
            rel = ET.SubElement(relationships, "relationship")
            ET.SubElement(rel, "id").text = ids[link.target]
            ET.SubElement(rel, "name").text = xml_safe(labels[link.target])
            ET.SubElement(rel, "confidence").text = _number_text(link.confidence or 0)
            ET.SubElement(rel, "influence").text = letter_for(link.polarity, link.strength)
    scenarios = data.info.attributes.get(SCENARIOS)
    if isinstance(scenarios, list) and scenarios:
        holder = ET.SubElement(root, "scenarios")
        for scenario in scenarios:
            if not isinstance(scenario, dict):
                continue
            element = ET.SubElement(holder, "scenario")
            ET.SubElement(element, "name").text = xml_safe(str(scenario.get("name", "")))
            listed = ET.SubElement(element, "concepts")
            for item in scenario.get("concepts") or []:
                if not isinstance(item, dict):
                    continue
                concept = ET.SubElement(listed, "concept")
                for key in ("selected", "name", "id", "influence"):
                    if item.get(key) is not None:
                        ET.SubElement(concept, key).text = xml_safe(str(item[key]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def dumps_json(data: MapData) -> str:
    ids = _concept_ids(data)
    labels = {f.id: f.label for f in data.factors}
    outgoing = _outgoing(data)
    original = data.info.attributes.get("mentalmodeler_info")
    info = dict(original) if isinstance(original, dict) else {}
    info |= {"name": data.info.name, "description": data.info.description}
    info.setdefault("version", "1.1")
    info.setdefault("id", new_id())
    concepts = []
    for factor in data.factors:
        concept: dict[str, Any] = {
            "id": ids[factor.id],
            "name": factor.label,
            "notes": factor.notes,
        }
        for key in _CONCEPT_EXTRAS:
            concept[key] = str(factor.attributes.get(key, "0" if key != "units" else ""))
        concept |= {"x": _number_text(factor.x), "y": _number_text(factor.y)}
        concept["relationships"] = [
            {
                "id": ids[link.target],
                "name": labels[link.target],
                "notes": link.notes,
                "confidence": _number_text(link.confidence or 0),
                "influence": _number_text(
                    -link.strength if link.polarity == "-" else link.strength
                ),
            }
            for link in outgoing[factor.id]
        ]
        concepts.append(concept)
    scenarios = data.info.attributes.get(SCENARIOS)
    document = {
        "filename": data.info.name,
        "info": info,
        "groupNames": {},
        "concepts": concepts,
        "scenarios": scenarios if isinstance(scenarios, list) else [],
    }
    return json.dumps(document, ensure_ascii=False, indent=4) + "\n"


def write(data: MapData, path: str | Path) -> None:
    """Write JSON when ``path`` ends in ``.json``, else ``.mmp`` XML."""
    path = Path(path)
    as_json = path.name.lower().endswith(".json")
    text = dumps_json(data) if as_json else dumps_xml(data)
    write_text(path, text)
    unknown = sum(1 for ln in data.links if ln.polarity == "?")
    if unknown:
        _warn(f"{unknown} link(s) of unknown polarity (?) were written as positive")
    if not as_json:
        off = sum(1 for ln in data.links if round(ln.strength, 2) not in LETTERS.values())
        if off:
            _warn(f"{off} link strength(s) were rounded to the nearest of H, M, L")


def _warn(message: str) -> None:
    warnings.warn(f"Mental Modeler: {message}", ExportWarning, stacklevel=4)


def _sniff(head: bytes) -> bool:
    if looks_like_xml(head) and b"<mentalModeler" in head:
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{") and b'"concepts"' in head and b'"relationships"' in head


def _read_all(path: Path, options: ReadOptions) -> list[MapData]:
    return [read(path)]


FORMATS = [
    MapFormat(
        name="mentalmodeler",
        label="Mental Modeler",
        suffixes=(".mmp",),
        read=_read_all,
        write=write,
        sniff=_sniff,
    )
]
