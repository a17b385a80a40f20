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
    return overview is not None and overview.is_enabled() and overview.wanted()


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


def arrange(view: QAbstractScrollArea) -> None:
    """Size the strip to its contents and put the key and the overview in it."""
    if id(view) in _arranging:
        return
    _arranging.add(id(view))
    try:
        key = _child(view, "legend")
        overview = _child(view, "minimap")
        key_on = key is not None and key.wants_to_show()
        overview_on = _overview_shown(overview)
        height = key.height() if key_on else 0
        if overview_on:
            height = max(height, OVERVIEW_MIN_HEIGHT)
        strip = height + 2 * GAP if height else 0
        if view.viewportMargins().bottom() != strip:
            view.setViewportMargins(0, 0, 0, strip)
        area = view.viewport().geometry()
        top = area.bottom() + 1 + GAP
        if key_on:
            key.move(area.left() + GAP, top)
        if overview_on:
            width = overview_slot_width(view, height)
            overview.place(QRect(area.right() - GAP - width + 1, top, width, height))
    finally:
        _arranging.discard(id(view))
