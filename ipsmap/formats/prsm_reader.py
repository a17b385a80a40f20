"""Reading PRSM .prsm files (plain or compressed JSON) into a map.

See ``ipsmap.formats.prsm`` for the mapping.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from ipsmap.formats import boundary
from ipsmap.formats.base import ReadOptions, parse_json, read_bytes
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import FormatError
from ipsmap.formats.lzstring_utf16 import LZStringError, LZStringTooLong, decompress_from_utf16
from ipsmap.formats.prsm_common import (
    _LINK_EXTRAS,
    _SUFFIX,
    DEFAULT_STYLE_NAME,
    GROUP_ATTRIBUTE,
    GROUP_SEPARATOR,
    LABEL_ATTRIBUTE,
    _iso,
    css_colour,
    delta_text,
    style_polarity,
    unwrap_label,
)
from ipsmap.model.entities import Group, Style, new_id
from ipsmap.model.mapdata import MapData

_ATT = re.compile(r"^att\d+$")
_READ_SHAPES = {"box": "box", "ellipse": "ellipse", "circle": "ellipse", "dot": "ellipse",
                "database": "ellipse", "hexagon": "hexagon", "star": "star", "text": "note",
                "diamond": "hexagon", "triangle": "hexagon", "square": "box"}  # fmt: skip


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
    budget = boundary.active_limits().expansion_budget(len(raw))
    try:
        return decompress_from_utf16(text.rstrip("\r\n\t"), max_chars=budget)
    except LZStringTooLong:
        raise boundary.expansion_error(path, "the compressed PRSM file", budget) from None
    except LZStringError as exc:
        raise FormatError(
            path,
            f"character {exc.position}",
            f"neither PRSM JSON nor a compressed PRSM file ({exc.problem})",
        ) from None


def read(path: str | Path, options: ReadOptions | None = None) -> list[MapData]:
    """Read a .prsm file as one map; raise FormatError naming the problem."""
    path = Path(path)
    raw = read_bytes(path)
    return [loads(decode_text(raw, path), path)]


def loads(text: str, path: str | Path | None = None) -> MapData:
    """Parse PRSM JSON text (``path`` is only used in messages)."""
    if not text.strip():
        raise FormatError(path, "", "the file is empty (or decompresses to nothing)")
    return _Reader(path).read(parse_json(text, path))


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
            style = _style(kind, name, colours, our_shape, dashed, position)
            style.font_color = _font_colour(look.get("font"))
            return style
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


def _font_colour(font: Any) -> str | None:
    """A PRSM style's label colour; None for PRSM's default black (the theme's text)."""
    colour = css_colour(font.get("color")) if isinstance(font, dict) else None
    return None if colour in (None, "#000000", "black") else colour


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
