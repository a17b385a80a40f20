"""PNG and SVG pictures of a map: the real canvas scene, with the key beneath it.

The ``png`` and ``svg`` formats (declared Qt-free in ``ipsmap.export.images``) are given
:func:`render` by the window and the command line. From the command line there is no
application yet: one is made, offscreen unless a platform is already chosen.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsItem

from ipsmap.export.map_key import map_key
from ipsmap.model.frozen import frozen_document
from ipsmap.model.mapdata import MapData
from ipsmap.ui.canvas.items import POLARITY_TEXT
from ipsmap.ui.canvas.legend import (
    POLARITY_KEY,
    paint_factor_swatch,
    paint_link_swatch,
    paint_polarity_mark,
)
from ipsmap.ui.canvas.scene import MapScene

# Pixels per map unit in PNGs (sharp on high-density screens and in print)...
PNG_SCALE = 2.0
# ...unless the picture would be wider or taller than this (a 2,000-factor map).
MAX_PNG_PIXELS = 12_000
MARGIN = 24.0
KEY_ROW = 20.0
_app: Any = None


def ensure_application() -> QApplication:
    """The running QApplication, or a new offscreen one (command-line exports)."""
    global _app
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QApplication([])
        app = _app
    assert isinstance(app, QApplication)
    return app


def map_scene(data: MapData) -> MapScene:
    """A canvas scene drawing ``data`` on white (no project: nothing can be edited)."""
    ensure_application()
    document = frozen_document(data, data.participants, "A picture of a map cannot be edited")
    scene = MapScene()
    scene.set_document(document)
    scene.setBackgroundBrush(QColor("#ffffff"))
    # The canvas caches factors as device pixmaps (fast redraws); a picture wants vectors
    # (shapes and real text in the SVG, sharp at any PNG scale).
    for item in scene.items():
        item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
    return scene


def _key_rows(data: MapData) -> list[tuple[str, Any]]:
    """The key's entries: ("factor"|"link", style) for the styles used, then the polarities
    used (``export.map_key``: the rule the canvas, PDF and HTML keys share)."""
    key = map_key(data)
    rows: list[tuple[str, Any]] = [("factor", s) for s in key.factor_styles]
    rows += [("link", s) for s in key.link_styles]
    rows += [("polarity", (sign, POLARITY_KEY[sign])) for sign in key.polarities]
    return rows


def _key_size(rows: list[tuple[str, Any]], font: QFont, width: float) -> tuple[int, float]:
    """(columns, height) of the key laid out in rows across ``width``."""
    if not rows:
        return 1, 0.0
    metrics = QFontMetricsF(font)
    cell = max(metrics.horizontalAdvance(_row_text(r)) for r in rows) + 56
    columns = max(1, int(width // cell))
    lines = -(-len(rows) // columns)
    return columns, 16 + lines * KEY_ROW


def _row_text(row: tuple[str, Any]) -> str:
    kind, value = row
    if kind == "polarity":
        return f"{POLARITY_TEXT[value[0]]} {value[1]}"
    return str(value.name)


def _paint(painter: QPainter, scene: MapScene, data: MapData, source: QRectF, key_h: float) -> None:
    """The map (``source`` of the scene) at the top, then the key, in map units."""
    width = source.width()
    painter.fillRect(QRectF(0, 0, width, source.height() + key_h), QColor("#ffffff"))
    scene.render(painter, QRectF(0, 0, width, source.height()), source)
    rows = _key_rows(data)
    if not rows:
        return
    font = QFont(scene.theme.font)
    columns, _ = _key_size(rows, font, width - 2 * MARGIN)
    cell = (width - 2 * MARGIN) / columns
    top = source.height() + 8
    painter.setPen(QColor("#cccccc"))
    painter.drawLine(QPointF(MARGIN, top), QPointF(width - MARGIN, top))
    painter.setFont(font)
    for i, row in enumerate(rows):
        x = MARGIN + (i % columns) * cell
        y = top + 8 + (i // columns) * KEY_ROW
        swatch = QRectF(x, y + 3, 34, KEY_ROW - 6)
        kind, value = row
        if kind == "factor":
            paint_factor_swatch(painter, value, swatch)
        elif kind == "link":
            paint_link_swatch(painter, value, swatch)
        else:
            mark = QRectF(0, 0, KEY_ROW - 4, KEY_ROW - 4)
            mark.moveCenter(swatch.center())
            paint_polarity_mark(painter, value[0], mark, font)
        painter.setPen(QColor("#222222"))
        label = value[1] if kind == "polarity" else value.name
        painter.drawText(
            QRectF(x + 42, y, cell - 46, KEY_ROW),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            label,
        )


def _layout(data: MapData) -> tuple[MapScene, QRectF, float]:
    scene = map_scene(data)
    source = scene.itemsBoundingRect()
    if source.isNull():
        source = QRectF(0, 0, 400, 120)
    source = source.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    _, key_h = _key_size(_key_rows(data), QFont(scene.theme.font), source.width() - 2 * MARGIN)
    return scene, source, key_h


def png_bytes(data: MapData, scale: float = PNG_SCALE) -> bytes:
    """The map as a PNG: ``scale`` pixels per map unit (less for huge maps), white ground."""
    scene, source, key_h = _layout(data)
    height = source.height() + key_h
    scale = min(scale, MAX_PNG_PIXELS / max(source.width(), height))
    image = QImage(
        QSize(max(1, round(source.width() * scale)), max(1, round(height * scale))),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.scale(scale, scale)
    _paint(painter, scene, data, source, key_h)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def svg_bytes(data: MapData) -> bytes:
    """The map as an SVG (vector shapes and real text), one map unit per SVG unit."""
    from PySide6.QtSvg import QSvgGenerator

    scene, source, key_h = _layout(data)
    size = QSize(round(source.width()), round(source.height() + key_h))
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(data.info.name or "Map")
    generator.setDescription("A map exported by ipsmap")
    painter = QPainter(generator)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    _paint(painter, scene, data, source, key_h)
    painter.end()
    buffer.close()
    return bytes(array.data())


def render(data: MapData, kind: str) -> bytes:
    """The renderer the ``png`` and ``svg`` formats are given: ``kind`` is "png" or "svg"."""
    return png_bytes(data) if kind == "png" else svg_bytes(data)
