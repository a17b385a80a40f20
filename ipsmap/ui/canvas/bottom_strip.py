"""The strip below the map: the key on the left, the overview on the right.

Both used to float over the canvas's corners and hid the factors beneath them as soon as
the map filled the view. They now sit in a strip the view keeps free (its viewport
margins), so they never cover the map; the strip is only as tall as the key needs (the
overview takes that height, at least ``OVERVIEW_MIN_HEIGHT``) and disappears when neither
is wanted. The overview takes its slot only while the map overflows the view; the key
wraps into the room left (a line more, so the strip grows a little while zoomed in).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

GAP = 6
OVERVIEW_MIN_HEIGHT = 72
OVERVIEW_MAX_WIDTH = 240


def _child(view: QAbstractScrollArea, name: str) -> QWidget | None:
    return view.findChild(QWidget, name, Qt.FindChildOption.FindDirectChildrenOnly)


def _overview_shown(overview: QWidget | None) -> bool:
    # Only while the map overflows the view (zoomed in): at "fit" the key has the width.
    # (Its own visibility, which it sets as the map comes to overflow or fit, and then
    # re-arranges the strip: asking whether the map overflows now could disagree with it.)
    return overview is not None and overview.is_enabled() and not overview.isHidden()


def overview_slot_width(view: QAbstractScrollArea, height: int) -> int:
    """Width the overview takes beside the key (0 when it is not shown)."""
    overview = _child(view, "minimap")
    if not _overview_shown(overview):
        return 0
    return min(OVERVIEW_MAX_WIDTH, max(height, round(height * overview.aspect())))


def key_room(view: QAbstractScrollArea) -> int:
    """How wide the key may be: the map's width less the overview's slot and the gaps."""
    overview = _child(view, "minimap")
    reserved = OVERVIEW_MAX_WIDTH + GAP if _overview_shown(overview) else 0
    return max(view.viewport().width() - 2 * GAP - reserved, 120)


_arranging: set[int] = set()
_asked_again: set[int] = set()


def arrange(view: QAbstractScrollArea) -> None:
    """Size the strip to its contents and put the key and the overview in it.

    Arranging changes the viewport's size, which can make the overview appear or go (the
    map now fits, or no longer does), which asks for another arrangement: such a request
    made during one is run right after it, not dropped.
    """
    key = id(view)
    if key in _arranging:
        _asked_again.add(key)
        return
    _arranging.add(key)
    try:
        for _ in range(4):
            _asked_again.discard(key)
            _arrange_once(view)
            if key not in _asked_again:
                break
    finally:
        _arranging.discard(key)
        _asked_again.discard(key)


def _arrange_once(view: QAbstractScrollArea) -> None:
    legend = _child(view, "legend")
    overview = _child(view, "minimap")
    legend_on = legend is not None and legend.wants_to_show()
    overview_on = _overview_shown(overview)
    if legend_on:
        legend.resize(legend.size_for_room())  # the overview's coming or going changes its room
    height = legend.height() if legend_on else 0
    if overview_on:
        height = max(height, OVERVIEW_MIN_HEIGHT)
    strip = height + 2 * GAP if height else 0
    if view.viewportMargins().bottom() != strip:
        view.setViewportMargins(0, 0, 0, strip)
    area = view.viewport().geometry()
    top = area.bottom() + 1 + GAP
    if legend_on:
        legend.move(area.left() + GAP, top)
    if overview_on:
        width = overview_slot_width(view, height)
        overview.place(QRect(area.right() - GAP - width + 1, top, width, height))
