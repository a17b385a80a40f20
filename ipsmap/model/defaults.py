"""Default factor types and link styles for each kind of map."""

from __future__ import annotations

from ipsmap.model.entities import Style, new_id

# (name, fill colour, border colour, shape, level). The first entry is the default type.
# Colours are distinguishable for common colour-vision differences and print in grey.
_SYSTEM_FACTOR_TYPES = [
    ("Factor", "#ffffff", "#4a4a4a", "box", None),
    ("Context", "#e8eef7", "#4f6d8f", "box", None),
    ("Intervention", "#d9f0d3", "#2f7d32", "hexagon", None),
    ("Mechanism", "#fdebd0", "#b9770e", "ellipse", None),
    ("Outcome", "#f5d5e0", "#a23b72", "box", None),
    ("Focal", "#fff3b0", "#8a6d00", "star", None),
]
_SYSTEM_LINK_STYLES = [
    ("Causal", "#4a4a4a", False),
    ("Uncertain", "#8a8a8a", True),
]
_TOC_FACTOR_TYPES = [
    ("Input", "#e8eef7", "#4f6d8f", "box", 0),
    ("Activity", "#d9f0d3", "#2f7d32", "box", 1),
    ("Output", "#e0f2f1", "#00796b", "box", 2),
    ("Mechanism", "#fdebd0", "#b9770e", "ellipse", 3),
    ("Short-term outcome", "#f3e5f5", "#7b1fa2", "box", 4),
    ("Medium-term outcome", "#ede7f6", "#512da8", "box", 5),
    ("Long-term outcome", "#e8eaf6", "#303f9f", "box", 6),
    ("Impact", "#fff3b0", "#8a6d00", "star", 7),
    ("Assumption", "#f5f5f5", "#757575", "note", None),
]
_TOC_LINK_STYLES = [
    ("Leads to", "#4a4a4a", False),
    ("Enables", "#8a8a8a", True),
]


def default_styles(map_id: str, kind: str) -> list[Style]:
    """Fresh style records (new ids) for a new map of ``kind``."""
    factor_types = _TOC_FACTOR_TYPES if kind == "toc" else _SYSTEM_FACTOR_TYPES
    link_styles = _TOC_LINK_STYLES if kind == "toc" else _SYSTEM_LINK_STYLES
    styles = [
        Style(
            id=new_id(),
            map_id=map_id,
            kind="factor",
            name=name,
            color=fill,
            border_color=border,
            shape=shape,
            level=level,
            position=i,
        )
        for i, (name, fill, border, shape, level) in enumerate(factor_types)
    ]
    styles += [
        Style(
            id=new_id(),
            map_id=map_id,
            kind="link",
            name=name,
            color=colour,
            border_color=colour,
            shape="arrow",
            dashes=dashes,
            position=i,
        )
        for i, (name, colour, dashes) in enumerate(link_styles)
    ]
    return styles
