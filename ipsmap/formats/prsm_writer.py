"""Writing a map as a PRSM .prsm file (plain or compressed JSON).

See ``ipsmap.formats.prsm`` for the mapping.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipsmap.formats.lzstring_utf16 import compress_to_utf16
from ipsmap.formats.prsm_common import (
    _LINK_EXTRAS,
    DEFAULT_STYLE_NAME,
    GROUP_ATTRIBUTE,
    GROUP_SEPARATOR,
    LABEL_ATTRIBUTE,
    STYLE_SLOTS,
    _epoch_ms,
    style_polarity,
    wrap_label,
)
from ipsmap.formats.target_files import write_text_atomically
from ipsmap.model.entities import Style
from ipsmap.model.mapdata import MapData

WRITE_VERSION = "3.2.4"
_WRITE_SHAPES = {"box": "box", "ellipse": "ellipse", "hexagon": "hexagon", "star": "star",
                 "note": "text"}  # fmt: skip


# -- writing -------------------------------------------------------------------------------


def _node_look(style: Style | None) -> dict[str, Any]:
    fill = style.color if style else "#ffffff"
    border = style.border_color if style else "#333333"
    return {
        "shape": _WRITE_SHAPES.get(style.shape, "box") if style else "box",
        "color": {
            "border": border,
            "background": fill,
            "highlight": {"border": border, "background": fill},
            "hover": {"border": border, "background": fill},
        },
        "font": {
            "face": "Oxygen",
            "color": style.font_color if style and style.font_color else "rgb(0, 0, 0)",
            "size": 14,
        },
        "borderWidth": 1,
        "shapeProperties": {"borderDashes": bool(style.dashes) if style else False},
        "margin": 20,
    }


def _edge_look(style: Style | None) -> dict[str, Any]:
    line = style.color if style else "#000000"
    return {
        "color": {
            "color": line,
            "highlight": line,
            "hover": line,
            "inherit": False,
            "opacity": 1,
        },
        "dashes": [10, 10] if style and style.dashes else False,
        "width": 1,
        "arrows": {
            "to": {"enabled": True, "type": "vee"},
            "middle": {"enabled": False},
            "from": {"enabled": False},
        },
        "font": {"size": 14, "align": "top"},
    }


def _note(text: str) -> dict[str, Any]:
    return {"ops": [{"insert": text + "\n"}]}


def _stamp(iso: str) -> dict[str, Any] | None:
    time = _epoch_ms(iso)
    return {"time": time, "user": "ipsmap"} if time is not None else None


def _fit(keys: list[Any], used: Iterable[Any]) -> list[Any]:
    """At most STYLE_SLOTS keys: all of them if they fit, else the used ones first."""
    if len(keys) <= STYLE_SLOTS:
        return keys
    wanted = set(used)
    return ([k for k in keys if k in wanted] + [k for k in keys if k not in wanted])[:STYLE_SLOTS]


def to_dict(data: MapData) -> dict[str, Any]:
    """The PRSM document for a map."""
    by_id = {s.id: s for s in data.styles}
    factor_styles = sorted((s for s in data.styles if s.kind == "factor"), key=lambda s: s.position)
    link_styles = sorted((s for s in data.styles if s.kind == "link"), key=lambda s: s.position)
    default_factor = factor_styles[0] if factor_styles else None
    default_link = link_styles[0] if link_styles else None

    # Factor styles: one PRSM group per factor type.
    used_types = {f.type or (default_factor.id if default_factor else None) for f in data.factors}
    f_keys = _fit([s.id for s in factor_styles], used_types)
    node_grp = {sid: f"group{i}" for i, sid in enumerate(f_keys)}
    node_styles: dict[str, Any] = {"base": {"groupLabel": DEFAULT_STYLE_NAME, **_node_look(None)}}
    for i in range(STYLE_SLOTS):
        style = by_id[f_keys[i]] if i < len(f_keys) else None
        label = style.name if style else DEFAULT_STYLE_NAME
        node_styles[f"group{i}"] = {"groupLabel": label, **_node_look(style)}
    node_styles["cluster"] = {"groupLabel": "Cluster", **_node_look(None), "shape": "database"}

    # Link styles: one PRSM style per (link style, polarity) pair, named so PRSM's legend
    # shows the polarity and our reader can infer it back.
    order = {"+": 0, "-": 1, "?": 2}
    pairs: list[tuple[str | None, str]] = []
    for s in link_styles:
        pairs.append((s.id, "+"))
    for ln in data.links:
        pair = (ln.type or (default_link.id if default_link else None), ln.polarity)
        if pair not in pairs:
            pairs.append(pair)
    used_pairs = {(ln.type or (default_link.id if default_link else None), ln.polarity)
                  for ln in data.links}  # fmt: skip
    rank = {s.id: s.position for s in link_styles}
    pairs.sort(key=lambda p: (rank.get(p[0] or "", -1), order[p[1]]))
    pairs = [p for p in pairs if p in used_pairs or p[1] == "+"]
    e_keys = _fit(pairs, used_pairs)
    edge_grp = {pair: f"edge{i}" for i, pair in enumerate(e_keys)}
    edge_styles: dict[str, Any] = {"base": {"groupLabel": DEFAULT_STYLE_NAME, **_edge_look(None)}}
    for i in range(STYLE_SLOTS):
        if i < len(e_keys):
            sid, polarity = e_keys[i]
            style = by_id.get(sid) if sid else None
            name = style.name if style else ""
            implied = style_polarity(name) if name else None
            if implied != polarity and not (implied is None and polarity == "+"):
                name = f"{name or 'Link'} ({polarity})"
            edge_styles[f"edge{i}"] = {"groupLabel": name, **_edge_look(style)}
        else:
            edge_styles[f"edge{i}"] = {"groupLabel": DEFAULT_STYLE_NAME, **_edge_look(None)}
    edge_styles["cluster"] = {"groupLabel": "Cluster", **_edge_look(None), "width": 3}

    # Attributes (factors and links share one title table) and groups.
    group_names = {g.id: g.name for g in sorted(data.groups, key=lambda g: g.position)}
    member_of: dict[str, list[str]] = {}
    for group_id, factor_id in data.members:
        if group_id in group_names:
            member_of.setdefault(factor_id, []).append(group_names[group_id])
    titles: dict[str, str] = {}
    att_of: dict[str, str] = {}
    for attributes in [*(f.attributes for f in data.factors), *(k.attributes for k in data.links)]:
        for key in attributes:
            if key not in att_of:
                att_of[key] = f"att{len(att_of) + 1}"
                titles[att_of[key]] = key
    if member_of:
        att_of[GROUP_ATTRIBUTE] = f"att{len(att_of) + 1}"
        titles[att_of[GROUP_ATTRIBUTE]] = GROUP_ATTRIBUTE

    nodes = []
    for f in data.factors:
        style = by_id.get(f.type) if f.type else default_factor
        grp = node_grp.get(style.id if style else "", f"group{STYLE_SLOTS - 1}")
        node: dict[str, Any] = {
            "id": f.id,
            "label": wrap_label(f.label),
            "grp": grp,
            "x": f.x,
            "y": f.y,
            **_node_look(style),
        }
        if f.notes:
            node["note"] = _note(f.notes)
        for key, field in (("created", f.created_at), ("modified", f.modified_at)):
            stamp = _stamp(field)
            if stamp:
                node[key] = stamp
        for key, value in f.attributes.items():
            if key != GROUP_ATTRIBUTE or f.id not in member_of:
                node[att_of[key]] = value
        if f.id in member_of:
            node[att_of[GROUP_ATTRIBUTE]] = GROUP_SEPARATOR.join(member_of[f.id])
        nodes.append(node)

    edges = []
    for ln in data.links:
        pair = (ln.type or (default_link.id if default_link else None), ln.polarity)
        style = by_id.get(pair[0]) if pair[0] else None
        look = _edge_look(style)
        if ln.strength >= 0.75:
            look["width"] = 4
        attributes = dict(ln.attributes)
        label = attributes.pop(LABEL_ATTRIBUTE, "")
        edge: dict[str, Any] = {
            "id": ln.id,
            "from": ln.source,
            "to": ln.target,
            "grp": edge_grp.get(pair, f"edge{STYLE_SLOTS - 1}"),
            "label": label if isinstance(label, str) else str(label),
            **look,
        }
        if ln.strength != 0.5:
            edge["strength"] = ln.strength  # ignored by PRSM, kept for ipsmap
        if ln.confidence is not None:
            edge["confidence"] = ln.confidence
        for key in _LINK_EXTRAS:
            if getattr(ln, key):
                edge[key] = getattr(ln, key)
        if ln.notes:
            edge["note"] = _note(ln.notes)
        for key, field in (("created", ln.created_at), ("modified", ln.modified_at)):
            stamp = _stamp(field)
            if stamp:
                edge[key] = stamp
        for key, value in attributes.items():
            edge[att_of[key]] = value
        edges.append(edge)

    room = "-".join(
        "".join(random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3)) for _ in range(4)
    )
    document: dict[str, Any] = {
        "saved": datetime.now(UTC).isoformat(timespec="seconds"),
        "version": WRITE_VERSION,
        "room": room,
        "mapTitle": data.info.name or "Untitled map",
        "lastNodeSample": "group0",
        "lastLinkSample": "edge0",
        "buttons": {
            "snapToGrid": False,
            "curve": "Curved",
            "background": "rgb(255, 255, 255)",
            "legend": True,
            "sizing": "Off",
        },
        "attributeTitles": titles,
        "styles": {"nodes": node_styles, "edges": edge_styles},
        "nodes": nodes,
        "edges": edges,
        "background": {},
        "history": [],
        "description": {"text": _note(data.info.description) if data.info.description else ""},
    }
    return document


def dumps(data: MapData) -> str:
    return json.dumps(to_dict(data), ensure_ascii=False, indent="\t")


def write(data: MapData, path: str | Path, compressed: bool = False) -> None:
    """Write ``data`` as a .prsm file (plain JSON unless ``compressed``), atomically."""
    path = Path(path)
    text = dumps(data)
    if compressed:
        text = compress_to_utf16(text)
    write_text_atomically(path, text, newline="")
