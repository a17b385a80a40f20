"""LOOPY (ncase.me/loopy v1.1): a map shared as a link whose ``?data=`` holds the model.

The payload is JSON ``[nodes, edges, labels, next_uid]`` with
node ``[id, x, y, init, label, hue]``, edge ``[from, to, arc, strength (±1), …]`` and
label ``[x, y, text]``. In a link the JSON's quotes are URL-encoded and each label is
URL-encoded once more (LOOPY encodes labels twice), so the text is decoded twice.

Reading takes a file holding the link, the raw ``data=`` value, the decoded JSON payload,
or a JSON object with the payload under ``loopy_data_param_raw``/``data``. Nodes become
factors (label, x, y; ``init`` and ``hue`` kept as attributes ``loopy_init`` and
``loopy_hue``), edges links (sign → polarity, ``arc`` kept as ``loopy_arc``); text labels
have no place in a map and are kept as the map attribute ``loopy_labels`` with a warning.

Writing makes a file holding the full link ``https://ncase.me/loopy/v1.1/?data=…``.
LOOPY links have one strength and no unknown sign: ``?`` links are written as positive.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, unquote_plus

from ipsmap.formats import boundary
from ipsmap.formats.base import MapFormat, ReadOptions, parse_json
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import ExportWarning, FormatError
from ipsmap.formats.graph_formats import number, read_text, write_text
from ipsmap.model.mapdata import MapData

__all__ = ["BASE_URL", "FORMATS", "loads", "payload", "read", "url", "write"]

BASE_URL = "https://ncase.me/loopy/v1.1/?data="
HUES = ("#ea3e3e", "#ea9d51", "#feee43", "#bfee3f", "#7fd4ff", "#a97fff")
_URL_DATA = re.compile(r"[?&#]data=([^&#\s]+)")
_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves alone


# -- reading ------------------------------------------------------------------------------


def read(path: str | Path) -> MapData:
    path = Path(path)
    return loads(read_text(path), path)


def loads(text: str, path: Path | None = None) -> MapData:
    """A map from a LOOPY link, raw ``data=`` value or payload (``path`` for errors)."""
    text = text.strip().lstrip("\ufeff")
    name = path.stem if path is not None else "LOOPY map"
    if text.startswith("{"):
        wrapper = parse_json(text, path)
        found = None
        if isinstance(wrapper, dict):
            found = next(
                (
                    wrapper[key]
                    for key in ("loopy_data_param_raw", "data", "url")
                    if isinstance(wrapper.get(key), str)
                ),
                None,
            )
            source = wrapper.get("_source")
            if isinstance(source, dict) and isinstance(source.get("title"), str):
                name = source["title"]
        if found is None:
            raise FormatError(path, "", "no LOOPY data in this JSON object")
        text = found.strip()
    match = _URL_DATA.search(text)
    if match:
        text = match.group(1)
    if '"' not in text:
        # LOOPY reads the parameter with decodeURIComponent after turning + into spaces.
        try:
            text = unquote_plus(text, errors="strict")
        except UnicodeDecodeError as exc:
            raise FormatError(path, "data", "the link's data is not valid UTF-8") from exc
    try:
        document = json.loads(
            text,
            parse_int=boundary.json_int,
            parse_float=boundary.json_float,
            parse_constant=boundary.json_constant,
        )
    except json.JSONDecodeError as exc:
        raise FormatError(
            path, f"data, character {exc.pos + 1}", f"not LOOPY data (invalid JSON: {exc.msg})"
        ) from exc
    except boundary.BAD_NUMBER as exc:
        raise FormatError(path, "data", f"not LOOPY data ({exc})") from None
    except RecursionError:
        raise FormatError(path, "data", "not LOOPY data (nested too deeply)") from None
    return _build(document, path, name)


def _list(value: Any, path: Path | None, place: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError(path, place, "must be a list")
    return value


def _label(value: Any) -> str:
    try:
        return unquote(str(value), errors="strict")
    except UnicodeDecodeError:
        return str(value)


def _build(document: Any, path: Path | None, name: str) -> MapData:
    parts = _list(document, path, "data")
    if len(parts) < 2:
        raise FormatError(path, "data", "LOOPY data holds a list of nodes and a list of edges")
    nodes = _list(parts[0], path, "nodes")
    edges = _list(parts[1], path, "edges")
    labels = _list(parts[2], path, "labels") if len(parts) > 2 else []
    builder = MapBuilder(path, name)
    for i, node in enumerate(nodes):
        place = f"nodes[{i}]"
        node = _list(node, path, place)
        if len(node) < 5:
            raise FormatError(path, place, "a node is [id, x, y, init, label, hue]")
        fields: dict[str, Any] = {}
        for axis, value in (("x", node[1]), ("y", node[2])):
            found = number(value)
            if found is None:
                raise FormatError(path, f"{place}.{axis}", f"must be a number, not {value!r}")
            fields[axis] = found
        attributes: dict[str, Any] = {}
        init = number(node[3])
        if init is not None:
            attributes["loopy_init"] = init
        hue = number(node[5]) if len(node) > 5 else None
        if hue is not None:
            attributes["loopy_hue"] = int(hue) if hue.is_integer() else hue
        builder.factor(node[0], _label(node[4]), place, attributes=attributes, **fields)
    for i, edge in enumerate(edges):
        place = f"edges[{i}]"
        edge = _list(edge, path, place)
        if len(edge) < 4:
            raise FormatError(path, place, "an edge is [from, to, arc, strength]")
        strength = number(edge[3])
        if strength is None:
            raise FormatError(path, f"{place}.strength", f"must be ±1, not {edge[3]!r}")
        polarity = "+" if strength > 0 else "-" if strength < 0 else "?"
        attributes = {}
        arc = number(edge[2])
        if arc is not None:
            attributes["loopy_arc"] = arc
        builder.link(edge[0], edge[1], place, polarity=polarity, attributes=attributes)
    kept = []
    for i, label in enumerate(labels):
        place = f"labels[{i}]"
        label = _list(label, path, place)
        if len(label) < 3 or number(label[0]) is None or number(label[1]) is None:
            raise FormatError(path, place, "a text label is [x, y, text]")
        kept.append({"x": number(label[0]), "y": number(label[1]), "text": _label(label[2])})
    if kept:
        builder.info.attributes["loopy_labels"] = kept
        builder.warn(
            f"{len(kept)} text label(s) have no place in an ipsmap map; they are kept as the "
            "map attribute 'loopy_labels' and written back on export"
        )
    return builder.build()


# -- writing ------------------------------------------------------------------------------


def _compact(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _encode(text: str) -> str:
    return quote(text, safe=_SAFE)


def payload(data: MapData) -> str:
    """The raw ``data=`` value for the map (exactly as it appears in a LOOPY link)."""
    numbers = {f.id: i + 1 for i, f in enumerate(data.factors)}
    factor_types = [s.id for s in data.styles if s.kind == "factor"]
    nodes = []
    for factor in data.factors:
        hue = factor.attributes.get("loopy_hue")
        if not isinstance(hue, int) or isinstance(hue, bool) or not 0 <= hue < len(HUES):
            index = factor_types.index(factor.type) if factor.type in factor_types else 0
            hue = index % len(HUES)
        init = number(factor.attributes.get("loopy_init"))
        nodes.append(
            [
                numbers[factor.id],
                round(factor.x),
                round(factor.y),
                _compact(init) if init is not None else 0,
                _encode(factor.label),
                hue,
            ]
        )
    pairs = {(ln.source, ln.target) for ln in data.links}
    edges = []
    for link in data.links:
        arc = number(link.attributes.get("loopy_arc"))
        if arc is None:
            arc = 60 if (link.target, link.source) in pairs else 0
        sign = -1 if link.polarity == "-" else 1
        edges.append([numbers[link.source], numbers[link.target], _compact(arc), sign, 0])
    labels = []
    kept = data.info.attributes.get("loopy_labels")
    for label in kept if isinstance(kept, list) else []:
        if isinstance(label, dict) and isinstance(label.get("text"), str):
            x, y = number(label.get("x")) or 0.0, number(label.get("y")) or 0.0
            labels.append([_compact(x), _compact(y), _encode(label["text"])])
    text = json.dumps([nodes, edges, labels, len(nodes)], separators=(",", ":"))
    return text.replace("%", "%25").replace('"', "%22")


def url(data: MapData) -> str:
    """The full LOOPY link that opens the map."""
    return BASE_URL + payload(data)


def write(data: MapData, path: str | Path) -> None:
    write_text(Path(path), url(data) + "\n")
    unknown = sum(1 for ln in data.links if ln.polarity == "?")
    if unknown:
        _warn(f"{unknown} link(s) of unknown polarity (?) were written as positive")
    if len({ln.strength for ln in data.links}) > 1:
        _warn("LOOPY links have no strength; link strengths were not written")


def _warn(message: str) -> None:
    warnings.warn(f"LOOPY: {message}", ExportWarning, stacklevel=4)


def _sniff(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        b"ncase.me/loopy" in head
        or b'"loopy_data_param_raw"' in head
        or start.startswith((b"[[[", b"%5B%5B%5B"))
    )


def _read_all(path: Path, options: ReadOptions) -> list[MapData]:
    return [read(path)]


FORMATS = [
    MapFormat(
        name="loopy",
        label="LOOPY link",
        suffixes=(".loopy",),
        read=_read_all,
        write=write,
        sniff=_sniff,
    )
]
