"""What a drawn map's key shows, and how a polarity mark looks, for every export that draws.

One home for both questions, so the PDF figure and the HTML page agree: a polarity mark is
a small white shape on the link with a sign drawn inside (as on the canvas), and the shape
itself differs by polarity, so + and − are told apart without colour and never look like a
dash of a "low confidence" line. The key lists only what the map uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ipsmap.model.entities import Factor, Link, Style
from ipsmap.model.mapdata import MapData

POLARITIES = ("+", "-", "?")
POLARITY_COLORS = {"+": "#1b5e20", "-": "#b71c1c", "?": "#616161"}
POLARITY_SYMBOLS = {"+": "+", "-": "\u2212", "?": "?"}
POLARITY_WORDS = {
    "+": "same direction (more leads to more)",
    "-": "opposite direction (more leads to less)",
    "?": "unclear or mixed effect",
}
# The outline of each mark: the canvas's circle for +, a square for −, a diamond for ?.
MARK_SHAPES = {"+": "circle", "-": "square", "?": "diamond"}


def polarity_of(value: str | None) -> str:
    """A link's polarity as one of ``POLARITIES`` (anything else reads as unclear)."""
    return value if value in POLARITY_COLORS else "?"


def is_dashed(style: Style | None, confidence: float | None) -> bool:
    """Whether a link is drawn dashed: its style says so, or the evidence for it is weak."""
    return bool(style.dashes if style else False) or (confidence is not None and confidence < 0.5)


@dataclass(frozen=True)
class MapKey:
    """The rows of a map's key: only the types, styles and marks the map uses."""

    factor_styles: tuple[Style, ...]
    link_styles: tuple[Style, ...]
    polarities: tuple[str, ...]
    dashed: bool  # some link is drawn dashed (style or low confidence)


def map_key(data: MapData) -> MapKey:
    """The key of ``data``: factor types and link styles in use, in the project's order."""
    return key_of(data.styles, data.factors, data.links)


def key_of(styles: Iterable[Style], factors: Iterable[Factor], links: Iterable[Link]) -> MapKey:
    """The key of a map given as its parts (the canvas holds a live map, not a MapData)."""
    all_styles = list(styles)
    by_id = {s.id: s for s in all_styles}
    all_factors = list(factors)
    ids = {f.id for f in all_factors}
    drawn = [ln for ln in links if ln.source in ids and ln.target in ids]
    factor_types = {f.type for f in all_factors}
    link_types = {ln.type for ln in drawn}

    def used(kind: str, wanted: set[str | None]) -> tuple[Style, ...]:
        chosen = (s for s in all_styles if s.kind == kind and s.id in wanted)
        return tuple(sorted(chosen, key=lambda s: (s.position, s.name)))

    signs = {polarity_of(ln.polarity) for ln in drawn}
    return MapKey(
        factor_styles=used("factor", factor_types),
        link_styles=used("link", link_types),
        polarities=tuple(p for p in POLARITIES if p in signs),
        dashed=any(is_dashed(by_id.get(ln.type or ""), ln.confidence) for ln in drawn),
    )
