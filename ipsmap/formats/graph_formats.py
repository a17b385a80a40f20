"""GraphML, GEXF and GML: general graph files, read and written through networkx.

A map becomes a directed graph whose nodes are factors (attributes label, type, x, y,
notes, color and the factor's own attributes) and whose edges are links (id, polarity,
weight = ±strength, strength, confidence, type, rationale, evidence, notes, provenance and
the link's own attributes). GEXF keeps positions and colours in its ``viz`` elements and the
link type as ``link_type`` (GEXF's own edge ``type`` means directed/undirected). GML is
written here (networkx would replace the ``label`` of each node with its key) and read by
networkx.

Reading maps attributes back: ``label`` (or the node id) is the label, ``type`` the factor
type, ``polarity`` / ``sign`` / the sign of ``weight`` the polarity; anything else is kept
in the record's ``attributes``. XML with a DTD or entities is refused before parsing.

The small helpers here (``read_text``, ``parse_xml``, ``write_text``, ``xml_safe``…) are
shared by the other XML and text formats in this package.
"""

from __future__ import annotations

import io
import json
import math
import re
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipsmap.formats import boundary
from ipsmap.formats.base import MapFormat, looks_like_xml, read_text
from ipsmap.formats.builder import MapBuilder, polarity_from
from ipsmap.formats.errors import ExportWarning, FormatError
from ipsmap.formats.target_files import write_text_atomically
from ipsmap.model.entities import MAP_KINDS, Style
from ipsmap.model.mapdata import MapData
from ipsmap.model.safe_text import without_controls

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "FORMATS",
    "from_graph",
    "parse_xml",
    "read_gexf",
    "read_gml",
    "read_graphml",
    "read_text",
    "to_graph",
    "write_gexf",
    "write_gml",
    "write_graphml",
    "write_text",
    "xml_safe",
]

_FACTOR_FIELDS = ("label", "type", "x", "y", "notes", "color")
_LINK_FIELDS = (
    "id", "polarity", "weight", "strength", "confidence", "type", "link_type", "rationale",
    "evidence", "notes", "provenance",
)  # fmt: skip
# Node and edge keys a reader interprets (or drops) rather than keeping as attributes.
_NODE_KNOWN = {*_FACTOR_FIELDS, "id", "viz"}
_EDGE_KNOWN = {*_LINK_FIELDS, "sign", "key", "viz"}
_GRAPH_KNOWN = {"name", "kind", "description", "site"}

_XML_DECLARED_ENCODING = re.compile(r"""(\A\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")

# Characters XML 1.0 cannot hold at all, even escaped.


# -- shared helpers ----------------------------------------------------------------------


def check_no_dtd(text: str, path: Path | None) -> None:
    """Refuse XML that declares a DTD or entities (billion-laughs, external entities).

    ``text`` is decoded (``read_text`` reads UTF-16 and UTF-32 as such); zero characters
    are refused too, so markup spelled with NULs between its letters cannot slip past.
    """
    if "\x00" in text:
        raise FormatError(path, "", "XML holding NUL characters is not accepted")
    for marker in ("<!DOCTYPE", "<!ENTITY"):
        at = text.find(marker)
        if at < 0:
            at = text.upper().find(marker)
        if at >= 0:
            line = text.count("\n", 0, at) + 1
            raise FormatError(
                path, f"line {line}", "XML with a DTD or entity declarations is not accepted"
            )


def xml_place(exc: ET.ParseError) -> str:
    line, column = getattr(exc, "position", (0, 0))
    return f"line {line}, column {column + 1}" if line else ""


def parse_xml(text: str, path: Path | None) -> ET.Element:
    """The root element of XML text, refusing DTDs; FormatError with line and column."""
    check_no_dtd(text, path)
    try:
        return ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as exc:
        raise FormatError(path, xml_place(exc), f"invalid XML ({exc.msg})") from exc


def xml_safe(value: str) -> str:
    """Text with the characters XML 1.0 cannot hold replaced by U+FFFD (model.safe_text)."""
    return without_controls(value)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 atomically: a complete file or none."""
    write_text_atomically(path, text)


def style_names(data: MapData) -> dict[str, Style]:
    """Styles by id."""
    return {s.id: s for s in data.styles}


def number(value: Any) -> float | None:
    """A finite float from a number or numeric text; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


# -- map → graph --------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A value a graph file can hold: str/int/float/bool as is, anything else as JSON."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, bool | int | float):
        return value
    return xml_safe(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _put_attributes(target: dict[str, Any], attributes: dict[str, Any], known: set[str]) -> None:
    for key, value in attributes.items():
        if value is None:
            continue
        name = f"attr_{key}" if key in known else str(key)
        target[xml_safe(name)] = _scalar(value)


def to_graph(data: MapData, *, gexf: bool = False) -> nx.DiGraph:
    """The map as a networkx DiGraph (node keys are factor ids, edge ``id`` the link id)."""
    import networkx as nx  # loaded on first use, not at start-up

    styles = style_names(data)
    graph = nx.DiGraph()
    for key in ("name", "kind", "description", "site"):
        value = getattr(data.info, key)
        if value:
            graph.graph[key] = xml_safe(value)
    for factor in data.factors:
        style = styles.get(factor.type or "")
        attrs: dict[str, Any] = {"label": xml_safe(factor.label)}
        if style is not None:
            attrs["type"] = xml_safe(style.name)
        if gexf:
            attrs["viz"] = {"position": {"x": factor.x, "y": factor.y, "z": 0.0}}
            rgb = _rgb(style.color) if style is not None else None
            if rgb is not None:
                attrs["viz"]["color"] = {"r": rgb[0], "g": rgb[1], "b": rgb[2], "a": 1.0}
        else:
            attrs["x"] = factor.x
            attrs["y"] = factor.y
            if style is not None:
                attrs["color"] = style.color
        if factor.notes:
            attrs["notes"] = xml_safe(factor.notes)
        _put_attributes(attrs, factor.attributes, _NODE_KNOWN)
        graph.add_node(factor.id, **attrs)
    for link in data.links:
        style = styles.get(link.type or "")
        sign = -1.0 if link.polarity == "-" else 1.0
        edge: dict[str, Any] = {
            "id": link.id,
            "polarity": link.polarity,
            "weight": sign * link.strength,
            "strength": link.strength,
        }
        if link.confidence is not None:
            edge["confidence"] = link.confidence
        if style is not None:
            edge["link_type" if gexf else "type"] = xml_safe(style.name)
        for key in ("rationale", "evidence", "notes", "provenance"):
            value = getattr(link, key)
            if value:
                edge[key] = xml_safe(value)
        _put_attributes(edge, link.attributes, _EDGE_KNOWN)
        graph.add_edge(link.source, link.target, **edge)
    return graph


def _rgb(color: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", color.strip())
    if not match:
        return None
    value = match.group(1)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(viz_color: Any) -> str | None:
    if not isinstance(viz_color, dict):
        return None
    try:
        r, g, b = (int(viz_color[c]) for c in "rgb")
    except (KeyError, TypeError, ValueError):
        return None
    if not all(0 <= v <= 255 for v in (r, g, b)):
        return None
    return f"#{r:02x}{g:02x}{b:02x}"


# -- graph → map --------------------------------------------------------------------------


def from_graph(
    graph: nx.Graph, path: Path | None, default_name: str, parse_notes: Sequence[str] = ()
) -> MapData:
    """Build a map from a networkx graph read from a file (any directed or not, multi).

    ``parse_notes`` are warnings the parsing found (such as merged duplicate nodes).
    """
    kind = graph.graph.get("kind")
    builder = MapBuilder(
        path,
        str(graph.graph.get("name") or default_name),
        kind if kind in MAP_KINDS else "system",
    )
    for key in ("description", "site"):
        value = graph.graph.get(key)
        if isinstance(value, str):
            setattr(builder.info, key, value)
    extra = {
        str(k): v
        for k, v in graph.graph.items()
        if k not in _GRAPH_KNOWN and isinstance(v, str | int | float | bool)
    }
    if extra:
        builder.info.attributes["graph"] = extra
    for note in parse_notes:
        builder.warn(note)
    if not graph.is_directed():
        builder.warn("the graph is undirected: each link points from its first to second end")
    for index, (node, raw) in enumerate(graph.nodes(data=True)):
        place = f"node {node!r}"
        attrs = dict(raw)
        label = attrs.get("label")
        if label is None or not str(label).strip():
            label = node
        fields: dict[str, Any] = {}
        viz = _dict(attrs.get("viz"))
        position = _dict(viz.get("position"))
        for axis in ("x", "y"):
            value = attrs.get(axis, position.get(axis))
            if value is None:
                continue
            found = number(value)
            if found is None:
                builder.warn(f"{place}: position {axis} {value!r} is not a number; kept as 0")
            else:
                fields[axis] = found
        notes = attrs.get("notes")
        if notes is not None:
            fields["notes"] = str(notes)
        type_name = attrs.get("type")
        if type_name is not None and str(type_name).strip():
            color = attrs.get("color") or _hex(viz.get("color"))
            look = {"color": str(color)} if color else {}
            fields["type"] = builder.style("factor", str(type_name), **look)
        fields["attributes"] = _unknown(attrs, _NODE_KNOWN)
        builder.factor(node, label, place or f"node {index}", **fields)
    for index, edge in enumerate(graph.edges(data=True)):
        source, target, raw = edge
        place = f"edge {index + 1} ({source!r} → {target!r})"
        builder.link(source, target, place, **_link_fields(builder, dict(raw), place))
    return builder.build()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _unknown(attrs: dict[str, Any], known: set[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in attrs.items():
        if key in known:
            continue
        name = key[5:] if key.startswith("attr_") and key[5:] in known else key
        if key.startswith(_ENCODED):
            try:
                name = bytes.fromhex(key[len(_ENCODED) :]).decode("utf-8")
            except ValueError:
                name = key
        if isinstance(value, str | int | float | bool) and not (
            isinstance(value, float) and not math.isfinite(value)
        ):
            result[str(name)] = value
        else:
            result[str(name)] = str(value)
    return result


def _link_fields(builder: MapBuilder, attrs: dict[str, Any], place: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    weight = number(attrs.get("weight"))
    polarity = None
    for key in ("polarity", "sign"):
        if attrs.get(key) is not None:
            polarity = polarity_from(attrs[key])
            if polarity is None:
                builder.warn(f"{place}: unknown {key} {attrs[key]!r}; read as '?'")
                polarity = "?"
            break
    if polarity is None:
        polarity = polarity_from(weight) if weight is not None else "+"
        if weight == 0:
            polarity = "?"
    fields["polarity"] = polarity
    for key in ("strength", "confidence"):
        if attrs.get(key) is None:
            continue
        value = number(attrs[key])
        if value is None:
            builder.warn(f"{place}: {key} {attrs[key]!r} is not a number; not imported")
        else:
            fields[key] = value
    if "strength" not in fields and weight is not None and 0 < abs(weight) <= 1:
        fields["strength"] = abs(weight)
    type_name = attrs.get("link_type", attrs.get("type"))
    if type_name is not None and str(type_name).strip():
        fields["type"] = builder.style("link", str(type_name))
    for key in ("rationale", "evidence", "notes", "provenance"):
        if attrs.get(key) is not None:
            fields[key] = str(attrs[key])
    fields["attributes"] = _unknown(attrs, _EDGE_KNOWN)
    return fields


# -- GraphML ------------------------------------------------------------------------------


def _xml_graph(
    path: Path, parse: Callable[[str], nx.Graph], what: str, notes: list[str]
) -> nx.Graph:
    """The graph in an XML file; ``notes`` gets what networkx merged without a word."""
    text = read_text(path)
    check_no_dtd(text, path)
    # Decoded already (perhaps from UTF-16): the declaration must not say otherwise.
    text = _XML_DECLARED_ENCODING.sub(r"\1UTF-8\2", text.lstrip("\ufeff"), count=1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # networkx warns of keys without a type
            graph = parse(text)
    except ET.ParseError as exc:
        raise FormatError(path, xml_place(exc), f"invalid XML ({exc.msg})") from exc
    except Exception as exc:  # networkx's parsers fail on bad input in many ways
        raise FormatError(path, "", f"not a valid {what} file ({exc})") from exc
    # networkx adds a node for an edge end that was never declared: refuse such links.
    # It also merges nodes declared twice under one id: say so.
    ids = [
        element.get("id")
        for element in parse_xml(text, path).iter()
        if element.tag.rsplit("}", 1)[-1] == "node"
    ]
    declared = set(ids)
    for ref, times in Counter(ids).items():
        if times > 1:
            notes.append(
                f"node id {ref!r} is declared {times} times; "
                "its declarations were merged into one factor"
            )
    for index, (source, target) in enumerate(graph.edges()):
        for end, ref in (("source", source), ("target", target)):
            if str(ref) not in declared:
                raise FormatError(
                    path, f"edge {index + 1}.{end}", f"{str(ref)!r} is not a node of this graph"
                )
    return graph


def read_graphml(path: str | Path) -> MapData:
    import networkx as nx  # loaded on first use, not at start-up

    path = Path(path)
    notes: list[str] = []
    graph = _xml_graph(path, nx.parse_graphml, "GraphML", notes)
    return from_graph(graph, path, path.stem, notes)


def write_graphml(data: MapData, path: str | Path) -> None:
    import networkx as nx  # loaded on first use, not at start-up

    buffer = io.BytesIO()
    nx.write_graphml(to_graph(data), buffer, encoding="utf-8")
    write_text(Path(path), buffer.getvalue().decode("utf-8"))


# -- GEXF ---------------------------------------------------------------------------------


def _parse_gexf(text: str) -> nx.Graph:
    import networkx as nx  # loaded on first use, not at start-up

    return nx.read_gexf(io.BytesIO(text.encode("utf-8")), node_type=None)


def read_gexf(path: str | Path) -> MapData:
    path = Path(path)
    notes: list[str] = []
    graph = _xml_graph(path, _parse_gexf, "GEXF", notes)
    return from_graph(graph, path, path.stem, notes)


def write_gexf(data: MapData, path: str | Path) -> None:
    import networkx as nx  # loaded on first use, not at start-up

    graph = to_graph(data, gexf=True)
    graph.graph.pop("kind", None)
    graph.graph.pop("description", None)
    graph.graph.pop("site", None)
    if data.info.kind != "system" or data.info.description or data.info.site:
        warnings.warn(
            "GEXF: the map's kind, description and site have no place in GEXF and were not written",
            ExportWarning,
            stacklevel=3,
        )
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8")
    write_text(Path(path), buffer.getvalue().decode("utf-8"))


# -- GML ----------------------------------------------------------------------------------


def _gml_string(value: str) -> str:
    """A GML string literal: ASCII only, with ``"``, ``&`` and the rest as ``&#N;``."""
    out = []
    for ch in value:
        if ch in '"&' or not (32 <= ord(ch) < 127):
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_GML_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENCODED = "attrx_"


def _gml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else _gml_string(repr(value))
    return _gml_string(str(value))


def _gml_attrs(attrs: dict[str, Any], indent: str, reserved: tuple[str, ...]) -> list[str]:
    lines = []
    for key, value in attrs.items():
        if not _GML_KEY.fullmatch(key) or key in reserved:
            # GML keys are plain words: others are written hex-encoded and decoded on read.
            key = _ENCODED + key.encode("utf-8").hex()
        lines.append(f"{indent}{key} {_gml_value(value)}")
    return lines


def gml_text(data: MapData) -> str:
    graph = to_graph(data)
    numbers = {node: i for i, node in enumerate(graph.nodes)}
    lines = ["graph [", "  directed 1"]
    for key, value in graph.graph.items():
        lines.append(f"  {key} {_gml_string(value)}")
    for node, attrs in graph.nodes(data=True):
        lines += ["  node [", f"    id {numbers[node]}"]
        lines += _gml_attrs(dict(attrs), "    ", ("id",))
        lines.append("  ]")
    for source, target, attrs in graph.edges(data=True):
        lines += ["  edge [", f"    source {numbers[source]}", f"    target {numbers[target]}"]
        lines += _gml_attrs(dict(attrs), "    ", ("source", "target"))
        lines.append("  ]")
    lines.append("]")
    return "\n".join(lines) + "\n"


def read_gml(path: str | Path) -> MapData:
    import networkx as nx  # loaded on first use, not at start-up

    path = Path(path)
    text = read_text(path)
    # A number no map needs, checked before networkx turns it into an int or a float.
    most = boundary.active_limits().max_digits
    unquoted = re.sub(r'"[^"]*"', '""', text)
    long_number = re.search(rf"\d{{{most + 1},}}", unquoted)
    if long_number is not None:
        line = unquoted.count("\n", 0, long_number.start()) + 1
        digits = len(long_number.group())
        raise FormatError(path, f"line {line}", f"invalid GML (a number with {digits} digits)")
    try:
        graph = nx.parse_gml(text, label=None)
    except nx.NetworkXError as exc:
        message = str(exc)
        match = re.search(r"\((\d+), (\d+)\)", message)
        place = f"line {match.group(1)}, column {match.group(2)}" if match else ""
        raise FormatError(path, place, f"invalid GML ({message})") from exc
    except Exception as exc:  # networkx's parser fails on bad input in many ways
        raise FormatError(path, "", f"invalid GML ({exc})") from exc
    return from_graph(graph, path, path.stem)


def write_gml(data: MapData, path: str | Path) -> None:
    write_text(Path(path), gml_text(data))


# -- registration -------------------------------------------------------------------------


def _sniff_graphml(head: bytes) -> bool:
    return looks_like_xml(head) and b"<graphml" in head


def _sniff_gexf(head: bytes) -> bool:
    return looks_like_xml(head) and b"<gexf" in head


def _sniff_gml(head: bytes) -> bool:
    return re.match(rb"\s*(#[^\n]*\n\s*)*(Creator\s+\"[^\"]*\"\s*)?graph\s*\[", head) is not None


FORMATS = [
    MapFormat(
        name="graphml",
        label="GraphML",
        suffixes=(".graphml",),
        read=lambda path, options: [read_graphml(path)],
        write=write_graphml,
        sniff=_sniff_graphml,
    ),
    MapFormat(
        name="gexf",
        label="GEXF (Gephi)",
        suffixes=(".gexf",),
        read=lambda path, options: [read_gexf(path)],
        write=write_gexf,
        sniff=_sniff_gexf,
    ),
    MapFormat(
        name="gml",
        label="GML",
        suffixes=(".gml",),
        read=lambda path, options: [read_gml(path)],
        write=write_gml,
        sniff=_sniff_gml,
    ),
]
