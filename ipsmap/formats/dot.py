"""Graphviz DOT: write-only drawing of a map for ``dot``/``neato``.

Every id and label is a quoted DOT string with ``\\`` and ``"`` escaped and line breaks as
``\\n``, so no label can break the file (PRSM's export breaks on ``&``). Factors are filled
with their type's colours, links carry their polarity as a label and dashed links are
uncertain ones; theory-of-change maps are laid out left to right.
"""

from __future__ import annotations

from pathlib import Path

from ipsmap.formats.base import MapFormat
from ipsmap.formats.graph_formats import write_text
from ipsmap.model.mapdata import MapData

__all__ = ["FORMATS", "dot_string", "dumps", "write"]

_SHAPES = {"box": "box", "ellipse": "ellipse", "hexagon": "hexagon", "star": "star"}
_SHAPES |= {"note": "note", "circle": "circle", "diamond": "diamond"}


def dot_string(value: str) -> str:
    """A double-quoted DOT string holding ``value`` exactly (as Graphviz reads it)."""
    out = []
    for ch in value:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            continue
        elif (ord(ch) < 32 and ch != "\t") or ord(ch) == 127:
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _attrs(pairs: dict[str, str]) -> str:
    return "[" + ", ".join(f"{key}={dot_string(value)}" for key, value in pairs.items()) + "]"


def dumps(data: MapData) -> str:
    """The map as DOT text."""
    styles = {s.id: s for s in data.styles}
    lines = [f"digraph {dot_string(data.info.name or 'map')} {{"]
    if data.info.kind == "toc":
        lines.append('  rankdir="LR";')
    lines.append('  node [style="filled"];')
    for factor in data.factors:
        pairs = {"label": factor.label}
        style = styles.get(factor.type or "")
        if style is not None:
            pairs |= {
                "fillcolor": style.color,
                "color": style.border_color,
                "shape": _SHAPES.get(style.shape, "box"),
                "tooltip": style.name,
            }
        else:
            pairs |= {"fillcolor": "#ffffff", "shape": "box"}
        lines.append(f"  {dot_string(factor.id)} {_attrs(pairs)};")
    for link in data.links:
        pairs = {"label": link.polarity}
        style = styles.get(link.type or "")
        if style is not None:
            pairs["color"] = style.color
            if style.dashes:
                pairs["style"] = "dashed"
        if link.polarity == "?":
            pairs["style"] = "dashed"
        pairs["penwidth"] = f"{0.5 + 2.5 * link.strength:g}"
        lines.append(f"  {dot_string(link.source)} -> {dot_string(link.target)} {_attrs(pairs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write(data: MapData, path: str | Path) -> None:
    write_text(Path(path), dumps(data))


FORMATS = [
    MapFormat(
        name="dot",
        label="Graphviz DOT",
        suffixes=(".dot", ".gv"),
        read=None,
        write=write,
    )
]
