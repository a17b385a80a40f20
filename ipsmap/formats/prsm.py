"""PRSM (Participatory System Mapper) .prsm files: read and write.

A .prsm file is JSON, either plain or compressed with lz-string ``compressToUTF16`` and
saved as UTF-8 (possibly with a BOM). See /work/shared/data/prsm/FORMAT.md for the layout.

Mapping:

* nodes → factors (label, x, y, note → notes, attNN → attributes by their titles);
* the PRSM factor style (``grp``, or a numeric ``group`` in old files) → factor type named
  by the style's legend name (``groupLabel``), with its colours and shape;
* edges → links; the link style → link style by legend name. PRSM has no polarity: it is
  inferred from the style name ("+ve", "Negative influence", a trailing "(-)" that our
  writer adds …), else from a "+"/"-" link label or a Polarity/Sign attribute, else "+";
* a width above 1 → a strong link; the link label → the link attribute "Label";
* a factor attribute titled "Group" → group membership (names separated by " | "); this is
  also how the writer saves groups, as PRSM has none.

Drawing layer, history, votes and per-factor appearance are not imported; the reader warns.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import textwrap
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import FormatError
from ipsmap.formats.lzstring_utf16 import LZStringError, compress_to_utf16, decompress_from_utf16
from ipsmap.model.entities import Group, Style, new_id
from ipsmap.model.mapdata import MapData

SUFFIXES = (".prsm",)
WRITE_VERSION = "3.2.4"
STYLE_SLOTS = 15  # group0…group14, edge0…edge14
GROUP_ATTRIBUTE = "Group"
GROUP_SEPARATOR = " | "
LABEL_ATTRIBUTE = "Label"
DEFAULT_STYLE_NAME = "Sample"

_POSITIVE = {"+", "+ve", "positive", "positive influence", "positive link", "plus", "same",
             "increases", "reinforcing"}  # fmt: skip
_NEGATIVE = {"-", "-ve", "−", "negative", "negative influence", "negative link", "minus",
             "opposite", "decreases", "balancing"}  # fmt: skip
_UNKNOWN = {"?", "unknown", "uncertain", "unclear", "complex", "unknown influence"}
_SUFFIX = re.compile(r"^(.*\S)\s+\(([+\-?])\)$")
_RGB = re.compile(r"^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\d.]+\s*)?\)$")
_LINK_EXTRAS = ("rationale", "evidence", "provenance")
_LIST_ITEM = re.compile(r"^(?:[-*•–]\s|\d+[.)]\s)")
_ATT = re.compile(r"^att\d+$")
_READ_SHAPES = {"box": "box", "ellipse": "ellipse", "circle": "ellipse", "dot": "ellipse",
                "database": "ellipse", "hexagon": "hexagon", "star": "star", "text": "note",
                "diamond": "hexagon", "triangle": "hexagon", "square": "box"}  # fmt: skip
_WRITE_SHAPES = {"box": "box", "ellipse": "ellipse", "hexagon": "hexagon", "star": "star",
                 "note": "text"}  # fmt: skip


# -- shared helpers ------------------------------------------------------------------------


def style_polarity(name: str) -> str | None:
    """The polarity a PRSM link style name implies, or None."""
    words = " ".join(name.split()).casefold()
    if words in _POSITIVE:
        return "+"
    if words in _NEGATIVE:
        return "-"
    if words in _UNKNOWN:
        return "?"
    match = _SUFFIX.match(name.strip())
    return match.group(2) if match else None


def css_colour(value: Any) -> str | None:
    """A colour as #rrggbb (rgb()/rgba() converted, #hex and names kept); None if absent."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _RGB.match(text)
    if match:
        r, g, b = (min(int(v), 255) for v in match.groups())
        return f"#{r:02x}{g:02x}{b:02x}"
    return text.lower() if text.startswith("#") else text


def delta_text(value: Any) -> tuple[str, bool]:
    """Plain text of a note (a string or a Quill Delta); True if something was dropped."""
    if value is None or value == "":
        return "", False
    if isinstance(value, str):
        return _html_text(value), False
    ops = value.get("ops") if isinstance(value, dict) else value
    if not isinstance(ops, list):
        return "", True
    parts: list[str] = []
    dropped = False
    for op in ops:
        insert = op.get("insert") if isinstance(op, dict) else None
        if isinstance(insert, str):
            parts.append(insert)
        elif insert is not None:
            dropped = True  # an embedded image or formula
    text = "".join(parts)
    if text.endswith("\n"):
        text = text[:-1]
    return text, dropped


def _html_text(text: str) -> str:
    if "<" not in text:
        return text
    text = re.sub(r"(?i)<br\s*/?>|</p>\s*<p[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", " ")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&").strip("\n")


def _iso(stamp: Any) -> str:
    if not isinstance(stamp, dict):
        return ""
    time = stamp.get("time")
    if not isinstance(time, (int, float)) or isinstance(time, bool) or not math.isfinite(time):
        return ""
    try:
        moment = datetime.fromtimestamp(time / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _epoch_ms(iso: str) -> int | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


# -- reading -------------------------------------------------------------------------------


def decode_text(raw: bytes, path: str | Path | None = None) -> str:
    """The JSON text of a .prsm file's bytes (decompressed if need be)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"byte {exc.start}", "the file is not UTF-8 text") from exc
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise FormatError(path, "", "the file is empty")
    if text.lstrip()[:1] in ("{", "["):
        return text
    try:
        return decompress_from_utf16(text.rstrip("\r\n\t"))
    except LZStringError as exc:
        raise FormatError(
            path,
            f"character {exc.position}",
            f"neither PRSM JSON nor a compressed PRSM file ({exc.problem})",
        ) from None


def read(path: str | Path, options: ReadOptions | None = None) -> list[MapData]:
    """Read a .prsm file as one map; raise FormatError naming the problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise FormatError(path, "", f"cannot read the file ({exc.strerror})") from exc
    return [loads(decode_text(raw, path), path)]


def loads(text: str, path: str | Path | None = None) -> MapData:
    """Parse PRSM JSON text (``path`` is only used in messages)."""
    if not text.strip():
        raise FormatError(path, "", "the file is empty (or decompresses to nothing)")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            path, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise FormatError(path, "", "the JSON is nested too deeply") from None
    return _Reader(path).read(document)


class _Reader:
    def __init__(self, path: str | Path | None) -> None:
        self.path = path
        self.builder: MapBuilder | None = None

    def fail(self, place: str, problem: str) -> FormatError:
        return FormatError(self.path, place, problem)

    def read(self, doc: Any) -> MapData:
        if not isinstance(doc, dict):
            raise self.fail("", "not a PRSM map (expected a JSON object)")
        if doc.get("format") == "ipsmap-map":
            raise self.fail("format", "this is an ipsmap map file, not a PRSM map")
        nodes = self.items(doc, "nodes")
        edges = self.items(doc, "edges")
        title = doc.get("mapTitle")
        name = title.strip() if isinstance(title, str) and title.strip() else ""
        # PRSM's default title says nothing; the file name says more.
        if name.casefold() == "untitled map":
            name = ""
        if not name and self.path is not None:
            name = Path(self.path).stem
        builder = self.builder = MapBuilder(self.path, name or "PRSM map")
        description = doc.get("description")
        if isinstance(description, dict):
            builder.info.description, _ = delta_text(description.get("text"))
        version = doc.get("version")
        if isinstance(version, str):
            builder.info.attributes["PRSM version"] = version
        styles_key = "styles" if "styles" in doc else "samples"
        styles = doc.get(styles_key)
        styles = {} if styles is None else styles
        if not isinstance(styles, dict):
            raise self.fail(styles_key, "must be a JSON object")
        node_styles = self.style_table(styles, "nodes", styles_key)
        edge_styles = self.style_table(styles, "edges", styles_key)
        titles = self.titles(doc.get("attributeTitles"))

        node_grps = [self.grp(n, "group", i, "nodes") for i, n in enumerate(nodes)]
        edge_grps = [self.grp(e, "edge", i, "edges") for i, e in enumerate(edges)]
        factor_types = self.make_styles("factor", node_styles, node_grps)
        link_types = self.make_styles("link", edge_styles, edge_grps)
        self.factors(nodes, node_grps, node_styles, factor_types, titles)
        self.links(edges, edge_grps, link_types, titles)
        self.leftovers(doc)
        return builder.build()

    # -- structure ----------------------------------------------------------------------

    def items(self, doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = doc.get(key)
        if value is None:
            raise self.fail(key, "missing: not a PRSM map")
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{i}]", "must be a JSON object")
        return value

    def style_table(self, styles: dict[str, Any], kind: str, key: str) -> dict[str, dict]:
        table = styles.get(kind)
        table = {} if table is None else table
        if not isinstance(table, dict):
            raise self.fail(f"{key}.{kind}", "must be a JSON object")
        found = table.get("base")
        base: dict[str, Any] = found if isinstance(found, dict) else {}
        result: dict[str, dict] = {}
        for grp, style in table.items():
            if not isinstance(style, dict):
                raise self.fail(f"{key}.{kind}.{grp}", "must be a JSON object")
            result[grp] = _merge(base, style)
        return result

    def titles(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            return {}
        return {k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}

    def grp(self, item: dict[str, Any], prefix: str, i: int, key: str) -> str:
        value = item.get("grp")
        if isinstance(value, str) and value:
            return value
        number = item.get("group")
        if (
            isinstance(number, (int, float))
            and not isinstance(number, bool)
            and math.isfinite(number)
        ):
            return f"{prefix}{int(number) % 9}"
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{key}[{i}].grp", f"must be a style name, not {value!r}")
        return f"{prefix}0"

    def make_styles(self, kind: str, table: dict[str, dict], used: list[str]) -> dict[str, str]:
        """Our style name for each PRSM style used (legend names made unique)."""
        assert self.builder is not None
        prefix = "group" if kind == "factor" else "edge"
        keys = [k for k in table if re.fullmatch(rf"{prefix}\d+", k)]
        named = [
            k for k in keys if str(table[k].get("groupLabel", "")).strip() not in ("", "Sample")
        ]
        wanted = sorted(set(used) | set(named), key=lambda k: (_slot(k), k))
        labels = {k: str(table.get(k, {}).get("groupLabel") or "").strip() for k in wanted}
        counts: dict[str, int] = {}
        for label in labels.values():
            counts[label.casefold()] = counts.get(label.casefold(), 0) + 1
        names: dict[str, str] = {}
        own: list[Style] = []
        for k in wanted:
            label = labels[k]
            if kind == "link" and not label:
                names[k] = ""  # the default link style
                continue
            base = label or DEFAULT_STYLE_NAME
            name = base if counts[label.casefold()] == 1 and label else f"{base} ({k})"
            names[k] = name
            if kind == "link":
                match = _SUFFIX.match(name)
                if match:
                    name = match.group(1)
                if any(s.name.casefold() == name.casefold() for s in own):
                    continue
            own.append(self.style_record(kind, name, table.get(k, {}), len(own)))
        if own:
            self.builder.replace_styles(own)
        return names

    def style_record(self, kind: str, name: str, look: dict[str, Any], position: int) -> Style:
        colour = look.get("color")
        if kind == "factor":
            shape = look.get("shape", "box")
            our_shape = _READ_SHAPES.get(shape, "box") if isinstance(shape, str) else "box"
            if our_shape != shape and shape not in _READ_SHAPES:
                assert self.builder is not None
                self.builder.warn(f"PRSM factor shape {shape!r} shown as a box")
            props = look.get("shapeProperties")
            dashed = bool(props.get("borderDashes")) if isinstance(props, dict) else False
            colours = colour if isinstance(colour, dict) else {"background": colour}
            return _style(kind, name, colours, our_shape, dashed, position)
        line = colour.get("color") if isinstance(colour, dict) else colour
        dashes = bool(look.get("dashes"))
        return _style(kind, name, {"background": line, "border": line}, "arrow", dashes, position)

    # -- records ------------------------------------------------------------------------

    def factors(
        self,
        nodes: list[dict[str, Any]],
        grps: list[str],
        table: dict[str, dict],
        names: dict[str, str],
        titles: dict[str, str],
    ) -> None:
        builder = self.builder
        assert builder is not None
        seen: set[str] = set()
        memberships: list[tuple[str, str, str]] = []
        for i, node in enumerate(nodes):
            place = f"nodes[{i}]"
            ref = self.ident(node.get("id"), f"{place}.id")
            if ref in seen:
                raise self.fail(f"{place}.id", f"duplicate factor id {ref!r}")
            seen.add(ref)
            label = self.label(node, place, ref)
            notes, dropped = self.note(node, place)
            if dropped:
                builder.warn("images and other embedded objects in PRSM notes not imported")
            attributes: dict[str, Any] = {}
            for key, value in node.items():
                if _ATT.match(key) and value not in (None, ""):
                    if titles.get(key) == "*deleted*":
                        continue
                    attributes[titles.get(key) or key] = value
            groups = attributes.pop(GROUP_ATTRIBUTE, None)
            if isinstance(groups, str):
                for group_name in groups.split(GROUP_SEPARATOR):
                    if group_name.strip():
                        memberships.append((group_name.strip(), ref, f"{place}.{key}"))
            elif groups is not None:
                attributes[GROUP_ATTRIBUTE] = groups
            builder.factor(
                ref,
                label,
                place,
                type=builder.style("factor", names.get(grps[i])),
                x=self.coordinate(node, "x", place),
                y=self.coordinate(node, "y", place),
                notes=notes,
                attributes=attributes,
                created_at=_iso(node.get("created")),
                modified_at=_iso(node.get("modified")),
            )
            self.appearance(node, table.get(grps[i], {}))
            if node.get("thumbUp") or node.get("thumbDown"):
                builder.warn("PRSM votes (thumbs up/down) not imported")
        for group_name, ref, place in memberships:
            group: Group = builder.group(group_name.casefold(), group_name, place)
            builder.member(group, ref, place)

    def links(
        self,
        edges: list[dict[str, Any]],
        grps: list[str],
        names: dict[str, str],
        titles: dict[str, str],
    ) -> None:
        builder = self.builder
        assert builder is not None
        seen: set[str] = set()
        for i, edge in enumerate(edges):
            place = f"edges[{i}]"
            ref = self.ident(edge.get("id"), f"{place}.id")
            if ref in seen:
                raise self.fail(f"{place}.id", f"duplicate link id {ref!r}")
            seen.add(ref)
            for end in ("from", "to"):
                target = edge.get(end)
                if isinstance(target, float) and target.is_integer():
                    target = int(target)
                if target is None or not builder.has_factor(target):
                    raise self.fail(f"{place}.{end}", f"{target!r} is not a factor of this map")
            name = names.get(grps[i], "")
            polarity = style_polarity(name) if name else None
            match = _SUFFIX.match(name)
            if match:
                name = match.group(1)
            attributes: dict[str, Any] = {}
            for key, value in edge.items():
                if _ATT.match(key) and value not in (None, ""):
                    if titles.get(key) == "*deleted*":
                        continue
                    attributes[titles.get(key) or key] = value
            label = edge.get("label")
            label = label.strip() if isinstance(label, str) else ""
            if polarity is None and label in ("+", "-", "−", "?", "+ve", "-ve"):
                polarity = style_polarity(label)
                label = ""
            if polarity is None:
                for key in ("Polarity", "polarity", "Sign", "sign"):
                    if key in attributes:
                        found = _attribute_polarity(attributes[key])
                        if found is not None:
                            polarity = found
                            del attributes[key]
                            break
            if label:
                attributes[LABEL_ATTRIBUTE] = label
            notes, dropped = self.note(edge, place)
            if dropped:
                builder.warn("images and other embedded objects in PRSM notes not imported")
            width = edge.get("width")
            strength = edge.get("strength")
            if not isinstance(strength, (int, float)) or isinstance(strength, bool):
                strength = None
            if strength is None and isinstance(width, (int, float)) and width > 1:
                strength = 1.0
            builder.link(
                edge.get("from"),
                edge.get("to"),
                place,
                polarity=polarity or "+",
                strength=strength,
                type=builder.style("link", name) if name else None,
                notes=notes,
                attributes=attributes,
                created_at=_iso(edge.get("created")),
                modified_at=_iso(edge.get("modified")),
                **self.extras(edge),
            )

    def extras(self, edge: dict[str, Any]) -> dict[str, Any]:
        """Link fields only ipsmap writes (PRSM ignores them, and drops them when it saves)."""
        found: dict[str, Any] = {}
        for key in _LINK_EXTRAS:
            value = edge.get(key)
            if isinstance(value, str) and value:
                found[key] = value
        confidence = edge.get("confidence")
        if (
            isinstance(confidence, (int, float))
            and not isinstance(confidence, bool)
            and math.isfinite(confidence)
        ):
            found["confidence"] = float(confidence)
        return found

    def leftovers(self, doc: dict[str, Any]) -> None:
        builder = self.builder
        assert builder is not None
        background = doc.get("background")
        if isinstance(background, str):
            try:
                background = json.loads(background) if background.strip() else {}
            except (json.JSONDecodeError, RecursionError):
                background = {"?": background}
        if isinstance(background, dict):
            background = {
                k: v for k, v in background.items() if k not in ("undos", "redos", "sequence")
            }
        if background:
            builder.warn("PRSM drawing layer not imported")
        if doc.get("underlay"):
            builder.warn("PRSM drawing layer (version 1 underlay) not imported")
        history = doc.get("history")
        if isinstance(history, list) and history:
            builder.warn(f"PRSM history ({len(history)} entries) not imported")

    # -- values -------------------------------------------------------------------------

    def ident(self, value: Any, place: str) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
            raise self.fail(place, f"an id (text) is required, not {value!r}")
        return str(value).strip()

    def label(self, node: dict[str, Any], place: str, ref: str) -> str:
        value = node.get("label")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{place}.label", f"must be text, not {value!r}")
        text = unwrap_label(value or "")
        if not text:
            assert self.builder is not None
            self.builder.warn("factors without a label were given their PRSM id as label")
            text = ref
        return text

    def note(self, item: dict[str, Any], place: str) -> tuple[str, bool]:
        value = item.get("note")
        if value is None:
            value = item.get("title")
            if value is not None and not isinstance(value, str):
                value = None
        if value is not None and not isinstance(value, (str, dict, list)):
            raise self.fail(f"{place}.note", f"must be text or a Quill Delta, not {value!r}")
        return delta_text(value)

    def coordinate(self, node: dict[str, Any], key: str, place: str) -> float:
        value = node.get(key)
        if value is None:
            return 0.0
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise self.fail(f"{place}.{key}", f"must be a number, not {value!r}")
        return float(value)

    def appearance(self, node: dict[str, Any], style: dict[str, Any]) -> None:
        assert self.builder is not None
        for key in ("color", "shape"):
            mine, theirs = node.get(key), style.get(key)
            if mine is None:
                continue
            if key == "color":
                mine = _colours(mine)
                theirs = _colours(theirs)
            if theirs is not None and mine != theirs:
                self.builder.warn(
                    "factor colours or shapes that differ from their PRSM style not imported"
                )


def _style(
    kind: str, name: str, colour: dict[str, Any], shape: str, dashes: bool, position: int
) -> Style:
    fill = css_colour(colour.get("background"))
    border = css_colour(colour.get("border"))
    return Style(
        id=new_id(),
        kind=kind,
        name=name,
        color=fill or ("#ffffff" if kind == "factor" else "#4a4a4a"),
        border_color=border or fill or "#333333",
        shape=shape,
        dashes=dashes,
        position=position,
    )


def _colours(value: Any) -> tuple[str | None, str | None] | None:
    if isinstance(value, str):
        return css_colour(value), None
    if isinstance(value, dict):
        return css_colour(value.get("background")), css_colour(value.get("border"))
    return None


def _attribute_polarity(value: Any) -> str | None:
    if isinstance(value, str):
        return style_polarity(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return "+" if value > 0 else "-" if value < 0 else "?"
    return None


def _slot(key: str) -> int:
    digits = re.sub(r"\D", "", key)
    return int(digits) if digits else 0


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


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
        "font": {"face": "Oxygen", "color": "rgb(0, 0, 0)", "size": 14},
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


def wrap_label(label: str) -> str:
    """Break a label into lines as PRSM does (about 10 characters, more for long labels)."""
    width = max(10, round(math.sqrt(len(label))))
    lines = []
    for line in label.split("\n"):
        marker = _LIST_ITEM.match(line)
        head = marker.group(0) if marker else ""
        wrapped = textwrap.wrap(
            line[len(head) :], width, break_long_words=False, break_on_hyphens=False
        )
        if wrapped:
            wrapped[0] = head + wrapped[0]
        lines.append("\n".join(wrapped) if wrapped else line)
    return "\n".join(lines)


def unwrap_label(label: str) -> str:
    """Undo PRSM's automatic line wrapping; keep breaks before list items ("- …", "• …")."""
    lines = [" ".join(line.split()) for line in label.splitlines()]
    result: list[str] = []
    for line in lines:
        if not line:
            continue
        if result and not _LIST_ITEM.match(line):
            result[-1] += " " + line
        else:
            result.append(line)
    return "\n".join(result)


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
    tmp = path.with_name(f".{path.name}.writing")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# -- detection -----------------------------------------------------------------------------

_PRSM_KEYS = (b'"mapTitle"', b'"lastNodeSample"', b'"lastLinkSample"')


def sniff(head: bytes) -> bool:
    """True for the first bytes of a .prsm file, plain or compressed."""
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        if b'"ipsmap-map"' in body:
            return False
        return any(key in body for key in _PRSM_KEYS) and b'"nodes"' in body
    # Compressed JSON: the first 15-bit character encodes "literal 8-bit '{'" in its top
    # ten bits, so it is one of U+1BE0…U+1BFF (UTF-8 E1 AF A0…E1 AF BF).
    return len(body) >= 3 and body[0] == 0xE1 and body[1] == 0xAF and 0xA0 <= body[2] <= 0xBF


def _read_all(path: Path, options: ReadOptions) -> list[MapData]:
    return read(path, options)


def _write(data: MapData, path: Path) -> None:
    write(data, path)


FORMATS = [
    MapFormat(
        name="prsm",
        label="PRSM map",
        suffixes=SUFFIXES,
        read=_read_all,
        write=_write,
        sniff=sniff,
    )
]


__all__ = [
    "FORMATS",
    "decode_text",
    "dumps",
    "loads",
    "read",
    "sniff",
    "to_dict",
    "write",
]
