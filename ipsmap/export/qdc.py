"""A REFI-QDA codebook (``.qdc``) of the programme theory and the map, for coding transcripts.

NVivo, ATLAS.ti, MAXQDA and QualCoder import it (REFI-QDA 1.5, namespace
``urn:QDA-XML:codebook:1.0``). The tree:

* one code per programme-theory area (CMOs without an area under "Programme theory"),
  each holding its CMO configurations (description: the whole CMO in words), each with
  the codes "Context: …", "Mechanism (resource): …", "Mechanism (reasoning): …" and
  "Outcome: …" that an evaluator codes interview passages with;
* "Map factors": one code per factor type, one code per factor (description: its notes).

GUIDs are uuid5 of the record ids, so exporting again gives the same codes and the
coding done in the QDA program stays attached after a re-import.
"""

from __future__ import annotations

import os
import re
import uuid
from xml.etree import ElementTree as ET

from ipsmap.export.context import ExportContext, cmo_text
from ipsmap.export.files import write_bytes_atomically
from ipsmap.export.progress import report
from ipsmap.formats.base import MapFormat
from ipsmap.model.entities import CMO
from ipsmap.model.mapdata import MapData
from ipsmap.model.safe_text import without_controls

NAMESPACE = "urn:QDA-XML:codebook:1.0"
# Our own namespace for uuid5: GUIDs are stable across exports and machines.
GUID_NAMESPACE = uuid.UUID("6f1f8f5e-2b1c-4b7e-9c55-1d2a3c4e5f60")
AREA_COLOR = "#455A64"
CMO_COLOR = "#1565C0"
ELEMENT_COLORS = {
    "context": "#6A1B9A",
    "mechanism_resource": "#EF6C00",
    "mechanism_reasoning": "#F9A825",
    "outcome": "#2E7D32",
}
ELEMENT_NAMES = {
    "context": "Context",
    "mechanism_resource": "Mechanism (resource)",
    "mechanism_reasoning": "Mechanism (reasoning)",
    "outcome": "Outcome",
}
# A code's name is what a coder sees in a tree: long texts are cut, the whole is in its
# description.
NAME_LIMIT = 80
_HEX = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")


def guid(*parts: str) -> str:
    """A stable GUID for the code named by ``parts`` (record ids and a role)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "/".join(parts)))


def _clean(text: str) -> str:
    # write_map has cleaned the map and context already; this is for direct callers.
    return without_controls(text)


def _short(text: str) -> str:
    text = " ".join(_clean(text).split())
    return text if len(text) <= NAME_LIMIT else text[: NAME_LIMIT - 1] + "\u2026"


def _code(
    parent: ET.Element,
    code_guid: str,
    name: str,
    codable: bool,
    color: str | None = None,
    description: str = "",
) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}Code")
    element.set("guid", code_guid)
    element.set("name", _short(name) or "(unnamed)")
    element.set("isCodable", "true" if codable else "false")
    if color and _HEX.match(color):
        element.set("color", color.upper())
    # The schema wants Description before any child Code: callers add children after.
    if description.strip():
        ET.SubElement(element, f"{{{NAMESPACE}}}Description").text = _clean(description)
    return element


def codebook_tree(data: MapData, context: ExportContext | None = None) -> ET.Element:
    """The CodeBook element for ``data`` and the CMOs of ``context`` (none without one)."""
    root = ET.Element(f"{{{NAMESPACE}}}CodeBook", {"origin": "ipsmap"})
    codes = ET.SubElement(root, f"{{{NAMESPACE}}}Codes")
    cmos = context.cmos if context is not None else []
    _theory_codes(codes, cmos)
    _factor_codes(codes, data)
    return root


def _theory_codes(codes: ET.Element, cmos: list[CMO]) -> None:
    areas: dict[str, list[CMO]] = {}
    for cmo in cmos:
        areas.setdefault(cmo.area.strip() or "Programme theory", []).append(cmo)
    for area, members in areas.items():
        area_code = _code(
            codes,
            guid("area", area.casefold()),
            area,
            False,
            AREA_COLOR,
            f"Programme-theory area: {area} (CMO configurations: {len(members)}).",
        )
        for cmo in members:
            headline = cmo.outcome or cmo.context or cmo.mechanism_reasoning
            name = f"{cmo.code}: {headline}" if headline else cmo.code
            description = cmo_text(cmo)
            if cmo.status:
                description += f"\nStatus: {cmo.status}"
            cmo_code = _code(area_code, guid("cmo", cmo.id), name, True, CMO_COLOR, description)
            for key, label in ELEMENT_NAMES.items():
                text = getattr(cmo, key)
                if not text.strip():
                    continue
                _code(
                    cmo_code,
                    guid("cmo", cmo.id, key),
                    f"{label}: {text}",
                    True,
                    ELEMENT_COLORS[key],
                    f"{cmo.code} \u2014 {label}: {text}",
                )


def _factor_codes(codes: ET.Element, data: MapData) -> None:
    # Always present, even empty: the schema wants at least one code.
    styles = {s.id: s for s in data.styles}
    top = _code(
        codes,
        guid("map", data.info.id, "factors"),
        "Map factors",
        False,
        None,
        f"The factors of the map \u201c{data.info.name}\u201d, by type.",
    )
    by_type: dict[str, list[str]] = {}
    for factor in sorted(data.factors, key=lambda f: f.label.casefold()):
        by_type.setdefault(factor.type or "", []).append(factor.id)
    factors = {f.id: f for f in data.factors}
    ordered = sorted(
        by_type,
        key=lambda t: (styles[t].position if t in styles else 10_000, t),
    )
    for type_id in ordered:
        style = styles.get(type_id)
        type_name = style.name if style is not None else "No type"
        type_code = _code(
            top,
            guid("map", data.info.id, "type", type_name.casefold()),
            type_name,
            False,
            style.border_color if style is not None else None,
        )
        for factor_id in by_type[type_id]:
            factor = factors[factor_id]
            _code(
                type_code,
                guid("factor", factor.id),
                factor.label,
                True,
                style.color if style is not None and style.color != "#ffffff" else None,
                factor.notes,
            )


def codebook_xml(data: MapData, context: ExportContext | None = None) -> bytes:
    """The .qdc document as UTF-8 bytes (with an XML declaration)."""
    ET.register_namespace("", NAMESPACE)
    root = codebook_tree(data, context)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_qdc(
    data: MapData, path: str | os.PathLike[str], context: ExportContext | None = None
) -> None:
    """Write the codebook atomically. Without a context, the map's factors only."""
    report(context, 0.0, "Building the codebook")
    content = codebook_xml(data, context)
    report(context, 0.9, "Saving the codebook")
    write_bytes_atomically(path, content)


FORMATS = [
    MapFormat(
        name="qdc",
        label="REFI-QDA codebook (NVivo, ATLAS.ti, MAXQDA)",
        suffixes=(".qdc",),
        read=None,
        write=write_qdc,
        takes_context=True,
    )
]
