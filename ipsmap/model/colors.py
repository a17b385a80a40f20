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

# The CSS/SVG colour names (the set Qt accepts too, so the canvas and the exports agree),
# as name=rrggbb pairs; "transparent" is a colour too, but draws nothing.
_NAMED_PAIRS = (
    "aliceblue=f0f8ff antiquewhite=faebd7 aqua=00ffff aquamarine=7fffd4 azure=f0ffff "
    "beige=f5f5dc bisque=ffe4c4 black=000000 blanchedalmond=ffebcd blue=0000ff "
    "blueviolet=8a2be2 brown=a52a2a burlywood=deb887 cadetblue=5f9ea0 chartreuse=7fff00 "
    "chocolate=d2691e coral=ff7f50 cornflowerblue=6495ed cornsilk=fff8dc crimson=dc143c "
    "cyan=00ffff darkblue=00008b darkcyan=008b8b darkgoldenrod=b8860b darkgray=a9a9a9 "
    "darkgreen=006400 darkgrey=a9a9a9 darkkhaki=bdb76b darkmagenta=8b008b "
    "darkolivegreen=556b2f darkorange=ff8c00 darkorchid=9932cc darkred=8b0000 "
    "darksalmon=e9967a darkseagreen=8fbc8f darkslateblue=483d8b darkslategray=2f4f4f "
    "darkslategrey=2f4f4f darkturquoise=00ced1 darkviolet=9400d3 deeppink=ff1493 "
    "deepskyblue=00bfff dimgray=696969 dimgrey=696969 dodgerblue=1e90ff firebrick=b22222 "
    "floralwhite=fffaf0 forestgreen=228b22 fuchsia=ff00ff gainsboro=dcdcdc ghostwhite=f8f8ff "
    "gold=ffd700 goldenrod=daa520 gray=808080 green=008000 greenyellow=adff2f grey=808080 "
    "honeydew=f0fff0 hotpink=ff69b4 indianred=cd5c5c indigo=4b0082 ivory=fffff0 khaki=f0e68c "
    "lavender=e6e6fa lavenderblush=fff0f5 lawngreen=7cfc00 lemonchiffon=fffacd "
    "lightblue=add8e6 lightcoral=f08080 lightcyan=e0ffff lightgoldenrodyellow=fafad2 "
    "lightgray=d3d3d3 lightgreen=90ee90 lightgrey=d3d3d3 lightpink=ffb6c1 lightsalmon=ffa07a "
    "lightseagreen=20b2aa lightskyblue=87cefa lightslategray=778899 lightslategrey=778899 "
    "lightsteelblue=b0c4de lightyellow=ffffe0 lime=00ff00 limegreen=32cd32 linen=faf0e6 "
    "magenta=ff00ff maroon=800000 mediumaquamarine=66cdaa mediumblue=0000cd "
    "mediumorchid=ba55d3 mediumpurple=9370db mediumseagreen=3cb371 mediumslateblue=7b68ee "
    "mediumspringgreen=00fa9a mediumturquoise=48d1cc mediumvioletred=c71585 "
    "midnightblue=191970 mintcream=f5fffa mistyrose=ffe4e1 moccasin=ffe4b5 "
    "navajowhite=ffdead navy=000080 oldlace=fdf5e6 olive=808000 olivedrab=6b8e23 "
    "orange=ffa500 orangered=ff4500 orchid=da70d6 palegoldenrod=eee8aa palegreen=98fb98 "
    "paleturquoise=afeeee palevioletred=db7093 papayawhip=ffefd5 peachpuff=ffdab9 "
    "peru=cd853f pink=ffc0cb plum=dda0dd powderblue=b0e0e6 purple=800080 red=ff0000 "
    "rosybrown=bc8f8f royalblue=4169e1 saddlebrown=8b4513 salmon=fa8072 sandybrown=f4a460 "
    "seagreen=2e8b57 seashell=fff5ee sienna=a0522d silver=c0c0c0 skyblue=87ceeb "
    "slateblue=6a5acd slategray=708090 slategrey=708090 snow=fffafa springgreen=00ff7f "
    "steelblue=4682b4 tan=d2b48c teal=008080 thistle=d8bfd8 tomato=ff6347 turquoise=40e0d0 "
    "violet=ee82ee wheat=f5deb3 white=ffffff whitesmoke=f5f5f5 yellow=ffff00 "
    "yellowgreen=9acd32 rebeccapurple=663399"
)
NAMED_HEX = dict(pair.split("=") for pair in _NAMED_PAIRS.split())
NAMED_COLORS = frozenset(NAMED_HEX) | {"transparent"}

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


def as_hex(value: Any) -> str | None:
    """``value`` as #rrggbb if it is a colour (#rgb, #rrggbb, #rrggbbaa without its alpha,
    or a name), else None: what drawing code (reportlab, Qt) is handed."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if _HEX.fullmatch(text):
        if len(text) == 4:
            return "#" + "".join(c * 2 for c in text[1:])
        return text[:7]
    named = NAMED_HEX.get(text)
    return f"#{named}" if named else None


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
