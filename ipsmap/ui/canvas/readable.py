"""Labels readable from the back of a room: how large "Fit map" draws them.

The rule: after fitting the map to the view, labels on a map of up to ``READABLE_FACTORS``
factors are drawn at least ``view.readable_px`` high on screen (12 px; presentation mode
asks for more) by enlarging the label text — and with it the boxes — never the zoom.
Growth stops short of making two boxes overlap that did not overlap before, and at
``MAX_GROWTH`` times the size the user chose. The Label size box still sets the smallest
size; it never shrinks what fitting enlarged until the next fit.

Boxes grow with their text while positions stay put, so only a map whose factors have room
around them can reach the target; ipsmap's own layouts (auto layout, imports without
positions, the demo) leave that room.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QRectF

READABLE_PX = 12.0
READABLE_FACTORS = 60
MAX_GROWTH = 2.5
# Boxes closer than this count as touching (scene px per point of label size, about half a
# line): the links between neighbours, their arrowheads and signs must stay in view.
GAP_PER_POINT = 0.7


def label_px(points: float, zoom: float, dpi: float) -> float:
    """The on-screen height (em size, px) of ``points``-point text at ``zoom``."""
    return points * dpi / 72.0 * zoom


def overlapping_pairs(boxes: dict[str, QRectF], gap: float = 0.0) -> set[tuple[str, str]]:
    """Pairs of ids whose boxes, grown by ``gap / 2`` each way, overlap; a sweep along x."""
    spans = sorted(
        (
            rect.left() - gap / 2,
            rect.right() + gap / 2,
            rect.top() - gap / 2,
            rect.bottom() + gap / 2,
            key,
        )
        for key, rect in boxes.items()
    )
    pairs: set[tuple[str, str]] = set()
    for index, (_left, right, top, bottom, key) in enumerate(spans):
        for other_left, _r, other_top, other_bottom, other in spans[index + 1 :]:
            if other_left >= right:
                break
            if other_top < bottom and top < other_bottom:
                pairs.add((key, other) if key < other else (other, key))
    return pairs


def largest_clear_size(
    chosen: float,
    wanted: float,
    boxes_at: Callable[[float], dict[str, QRectF]],
    step: float = 0.5,
) -> float:
    """The largest size in [chosen, wanted] (by ``step``) at which no new pair of boxes
    comes closer than the gap for that size.

    ``boxes_at(points)`` lays the labels out at ``points`` and returns the boxes. Overlaps
    the map already has at ``chosen`` are the map's own and do not stop the growth. Sizes
    are tried from the largest down, not halved: word wrapping makes a box narrower at some
    larger sizes, so "clear" is not monotonic in the size.
    """
    if wanted <= chosen:
        return chosen
    allowed = overlapping_pairs(boxes_at(chosen), chosen * GAP_PER_POINT)
    points = wanted
    while points > chosen:
        if overlapping_pairs(boxes_at(points), points * GAP_PER_POINT) <= allowed:
            return points
        points -= step
    return chosen


def wanted_points(chosen: float, now_px: float, target_px: float) -> float:
    """The size that would put labels at ``target_px``, within MAX_GROWTH of ``chosen``."""
    if now_px <= 0:
        return chosen
    return max(chosen, min(chosen * target_px / now_px, chosen * MAX_GROWTH))


def all_boxes(items: Iterable) -> dict[str, QRectF]:
    """Scene rectangles of factor items (anything with ``factor_id`` and ``outline_rect``)."""
    return {item.factor_id: item.mapRectToScene(item.outline_rect()) for item in items}
