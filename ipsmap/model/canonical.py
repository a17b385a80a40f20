"""The canonical document form of a map: what JSON export writes and snapshots freeze.

One definition of "a map as data", so an exported file and a snapshot of the same map are
the same document, and a snapshot's sha256 identifies its content exactly.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ipsmap.model.entities import Factor, Group, Link, MapInfo, Participant, Style
from ipsmap.model.mapdata import MapData

FORMAT_NAME = "ipsmap-map"
FORMAT_VERSION = 1

_FACTOR_KEYS = (
    "id", "label", "type", "x", "y", "notes", "attributes",
    "created_at", "created_by", "modified_at", "modified_by",
)  # fmt: skip
_LINK_KEYS = (
    "id", "source", "target", "polarity", "strength", "confidence", "type", "rationale",
    "evidence", "notes", "provenance", "attributes",
    "created_at", "created_by", "modified_at", "modified_by",
)  # fmt: skip
_STYLE_KEYS = ("id", "kind", "name", "color", "border_color", "shape", "dashes", "level")
_MAP_KEYS = ("id", "name", "kind", "site", "description", "attributes", "created_at", "created_by")


# -- writing ---------------------------------------------------------------------------


def map_document(data: MapData) -> dict[str, Any]:
    """The JSON-ready form of a map (pseudonyms only; no participant notes or consent)."""
    styles = sorted(data.styles, key=lambda s: (s.kind, s.position))
    members: dict[str, list[str]] = {}
    for group_id, factor_id in data.members:
        members.setdefault(group_id, []).append(factor_id)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "map": _pick(data.info.to_row(), _MAP_KEYS),
        "styles": [_style_entry(s) for s in styles],
        "factors": [_pick(f.to_row(), _FACTOR_KEYS) for f in data.factors],
        "links": [_pick(ln.to_row(), _LINK_KEYS) for ln in data.links],
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "color": g.color,
                "notes": g.notes,
                "members": sorted(members.get(g.id, [])),
            }
            for g in sorted(data.groups, key=lambda g: g.position)
        ],
        "participants": [
            {
                "id": p.id,
                # Someone who did not consent to attribution appears as their group only.
                "pseudonym": p.pseudonym if p.consent else p.stakeholder_group,
                "stakeholder_group": p.stakeholder_group,
                "site": p.site,
            }
            for p in data.participants
        ],
    }


def _style_entry(style: Style) -> dict[str, Any]:
    # A font colour is written only when a style has one, so the document (and the hash
    # of a snapshot) of a map without one is the same as before styles could hold it.
    entry = _pick(style.to_row(), _STYLE_KEYS)
    if style.font_color is not None:
        entry["font_color"] = style.font_color
    return entry


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in keys}


def canonical_json(data: MapData) -> str:
    """The map document as compact JSON with sorted keys: the same map, the same bytes."""
    return json.dumps(map_document(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def from_document(document: dict[str, Any]) -> MapData:
    """Rebuild a map from a document this module made (snapshots); trusts its content."""
    info = MapInfo.from_row(document["map"])
    styles = [
        Style.from_row({**row, "map_id": info.id, "position": i})
        for i, row in enumerate(document["styles"])
    ]
    # Positions restart per kind, as in a live map.
    for kind in ("factor", "link"):
        for position, style in enumerate(s for s in styles if s.kind == kind):
            style.position = position
    factors = [Factor.from_row({**row, "map_id": info.id}) for row in document["factors"]]
    links = [Link.from_row({**row, "map_id": info.id}) for row in document["links"]]
    groups = [
        Group.from_row({**row, "map_id": info.id, "position": i})
        for i, row in enumerate(document["groups"])
    ]
    members = [(g["id"], f) for g in document["groups"] for f in g["members"]]
    people = [Participant.from_row(row) for row in document.get("participants", [])]
    return MapData(info, styles, factors, links, groups, members, people)
