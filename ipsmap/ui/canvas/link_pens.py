"""The pens and colours a link is painted with, made once per look and shared.

A map's links come in a handful of looks (style colour, dashes, strength, polarity, mark
size, faded, selected, high contrast); building a ``QColor`` from a name and four pens for each of
thousands of links on the first paint cost ~15 µs a link. Every input is part of the key,
so a changed style or theme simply asks for another entry; nothing needs invalidating.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from ipsmap.ui.canvas.polarity_mark import sign_pen

SELECTION_COLOR = QColor("#1565c0")
POLARITY_COLORS = {"+": QColor("#1b5e20"), "-": QColor("#b71c1c"), "?": QColor("#616161")}
DEFAULT_LINK_COLOR = "#4a4a4a"
# Looks kept at most; a map has far fewer, so this only bounds a pathological session.
_MAX_LOOKS = 1024


@dataclass(frozen=True, slots=True)
class LinkPens:
    """What one look of link is painted with."""

    line: QPen  # the line, its width by strength
    thin: QPen  # cosmetic one-pixel line for far zoom
    arrow: QColor  # the arrowhead's fill
    mark: QPen  # the polarity mark's outline
    mark_fill: QColor
    sign: QPen  # the + and − strokes inside the mark


_LOOKS: dict[tuple, LinkPens] = {}


def link_pens(
    color: str | None,
    dashed: bool,
    strength: float,
    polarity: str,
    mark_radius: float,
    *,
    high_contrast: bool,
    faded: bool,
    selected: bool,
) -> LinkPens:
    """The shared pens for this look (made on first use)."""
    key = (color, dashed, strength, polarity, mark_radius, high_contrast, faded, selected)
    pens = _LOOKS.get(key)
    if pens is None:
        if len(_LOOKS) >= _MAX_LOOKS:
            _LOOKS.clear()
        pens = _LOOKS[key] = _make(*key)
    return pens


def _make(
    color_name: str | None,
    dashed: bool,
    strength: float,
    polarity: str,
    mark_radius: float,
    high_contrast: bool,
    faded: bool,
    selected: bool,
) -> LinkPens:
    color = QColor(DEFAULT_LINK_COLOR if color_name is None else color_name)
    if high_contrast:
        color = QColor("#000000")
    if faded:
        color.setAlpha(50)
    if selected:
        color = QColor(SELECTION_COLOR)
    line = QPen(color, 1.0 + 3.0 * strength)
    thin = QPen(color, 0)  # cosmetic: one pixel at any zoom
    if dashed:
        line.setStyle(Qt.PenStyle.DashLine)
        thin.setStyle(Qt.PenStyle.DashLine)
    mark_color = QColor(POLARITY_COLORS[polarity])
    if faded:
        mark_color.setAlpha(60)
    mark = QPen(mark_color, 1.5)
    fill = QColor(255, 255, 255, 90 if faded else 255)
    return LinkPens(line, thin, color, mark, fill, sign_pen(mark, mark_radius))
