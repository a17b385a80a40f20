"""Where a new factor goes: the nearest spot to the one asked for that no factor covers."""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import QPointF, QRectF

from ipsmap.ui.canvas.items import FactorItem
from ipsmap.ui.canvas.scene import MapScene

# Clear space kept around a new factor (scene units), and how far the search goes.
MARGIN = 12.0
STEP = 20.0
RINGS = 60


def new_factor_rect(scene: MapScene, label: str) -> QRectF:
    """The box a factor with ``label`` would be drawn in, centred on (0, 0)."""
    probe = FactorItem("", scene.theme)
    probe.set_label(label or "New factor")
    # Rounded shapes (ellipse, hexagon, star) are a little wider than the plain box.
    return probe.boundingRect().adjusted(-8, -3, 8, 3)


def is_free(scene: MapScene, rect: QRectF) -> bool:
    """True when no factor's drawn box meets ``rect`` (scene coordinates)."""
    return not any(
        isinstance(item, FactorItem) and item.sceneBoundingRect().intersects(rect)
        for item in scene.items(rect)
    )


def free_spot(
    scene: MapScene,
    wanted: QPointF,
    box: QRectF,
    step: float = STEP,
    visible: QRectF | None = None,
    covered: tuple[QRectF, ...] = (),
) -> QPointF:
    """The point nearest ``wanted`` where ``box`` (centred there) covers no factor.

    Points are tried on a grid of ``step`` outwards, nearest first: first those where the
    box is inside ``visible`` (the part of the map on screen) and clear of ``covered``
    (what overlays such as the legend hide), then anywhere. Past the search's reach the
    factor goes just right of the map, where nothing can be.
    """
    padded = box.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    for on_screen in (True, False) if visible is not None else (False,):
        for dx, dy in _offsets_nearest_first():
            point = QPointF(wanted.x() + dx * step, wanted.y() + dy * step)
            rect = padded.translated(point)
            if on_screen and (
                not visible.contains(rect) or any(rect.intersects(c) for c in covered)
            ):
                continue
            if is_free(scene, rect):
                return point
    bounds = scene.map_bounds()
    return QPointF(bounds.right() + padded.width(), wanted.y())


@cache
def _offsets_nearest_first() -> tuple[tuple[int, int], ...]:
    offsets = [(dx, dy) for dx in range(-RINGS, RINGS + 1) for dy in range(-RINGS, RINGS + 1)]
    # Ties broken the same way each time: right before left, below before above.
    return tuple(sorted(offsets, key=lambda o: (math.hypot(*o), -o[0], -o[1])))
