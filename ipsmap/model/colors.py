"""What a colour (and a style's other looks) may be: the one check, at import and at write.

A style's colour reaches inline CSS, SVG attributes and scripts in the exports. A value
such as ``url(http://…)`` there makes an "offline" page fetch an address chosen by whoever
wrote the imported file. So a colour is only ever ``#rgb``, ``#rrggbb``, ``#rrggbbaa`` or a
CSS/SVG colour name; anything else is replaced by the default (with a warning). Shapes
come from a fixed list and ``dashes`` is a true boolean.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ipsmap.model.entities import Group, Style

if TYPE_CHECKING:
    from ipsmap.model.mapdata import MapData

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")

# The CSS Color Module level 4 named colours (the same names SVG knows).
NAMED_COLORS = frozenset(
    """
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue
    blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk
    crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki
    darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
    darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue
    dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite
    gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
    lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen
    lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen
    magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen
    mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream
    mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid
    palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum
    powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
    seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen
    steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow
    yellowgreen transparent
    """.split()  # noqa: SIM905 - a paragraph of names reads better than a list
)

# Factor shapes (as the window draws them) and "arrow", which link styles carry.
SHAPES = ("box", "ellipse", "hexagon", "star", "note", "arrow")

DEFAULT_LINK_COLOR = "#4a4a4a"

Warn = Callable[[str], None]


def is_color(value: Any) -> bool:
    """Whether ``value`` is a colour ipsmap writes: #rgb, #rrggbb, #rrggbbaa or a name."""
    if not isinstance(value, str):
        return False
    return bool(_HEX.fullmatch(value)) or value.lower() in NAMED_COLORS


def checked_color(value: Any, default: str) -> str:
    """``value`` if it is a colour (names in lower case), else ``default``."""
    if not is_color(value):
        return default
    return value if value.startswith("#") else value.lower()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "\u2026"


def checked_style(style: Style, warn: Warn | None = None) -> Style:
    """``style`` with each colour, the shape and ``dashes`` checked (defaults if not)."""
    defaults = {f.name: f.default for f in dataclasses.fields(Style)}
    if style.kind == "link":
        # A white line would vanish: links default to the grey of the default link style.
        defaults.update(color=DEFAULT_LINK_COLOR, border_color=DEFAULT_LINK_COLOR)
    changes: dict[str, Any] = {}
    for name in ("color", "border_color", "font_color"):
        value = getattr(style, name)
        if value is None and name == "font_color":
            continue
        if not is_color(value):
            changes[name] = defaults[name]
            if warn is not None:
                warn(f"style {style.name!r}: {_short(value)} is not a colour; the default is used")
        elif not value.startswith("#") and value != value.lower():
            changes[name] = value.lower()
    if style.shape not in SHAPES:
        changes["shape"] = "box"
        if warn is not None:
            warn(f"style {style.name!r}: shape {_short(style.shape)} is not known; a box is used")
    if not isinstance(style.dashes, bool):
        changes["dashes"] = style.dashes is True
    return dataclasses.replace(style, **changes) if changes else style


def checked_group(group: Group, warn: Warn | None = None) -> Group:
    """``group`` with its colour checked (the default if not a colour)."""
    if is_color(group.color):
        return group
    if warn is not None:
        warn(f"group {group.name!r}: {_short(group.color)} is not a colour; the default is used")
    return dataclasses.replace(group, color=Group.color)


def with_checked_looks(data: MapData, warn: Warn | None = None) -> MapData:
    """``data`` with every style's and group's looks checked (see ``checked_style``)."""
    styles = [checked_style(s, warn) for s in data.styles]
    groups = [checked_group(g, warn) for g in data.groups]
    return dataclasses.replace(data, styles=styles, groups=groups)
