"""Guards against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 drops one reference to ``None`` on every call of a Python-overridden virtual
(``paint``, ``boundingRect``…) and of many void methods. On Python 3.11, where ``None`` is not
immortal, a long workshop session then aborts the program ("deallocating None"). The pin
in pyproject.toml avoids it; this test fails if a binding with that bug comes back.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene


class _Painted(QGraphicsItem):
    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 10, 10)

    def paint(self, painter, option, widget=None) -> None:
        painter.setPen(QPen(QColor("#333333"), 1))
        painter.drawRect(QRectF(0, 0, 5, 5))


def test_painting_items_keeps_none_alive(qapp):
    scene = QGraphicsScene()
    for i in range(200):
        item = _Painted()
        item.setPos(i * 12, 0)
        scene.addItem(item)

    def render() -> None:
        image = QImage(2400, 20, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        scene.render(painter)
        painter.end()

    render()
    before = sys.getrefcount(None)
    for _ in range(5):
        render()
    lost = before - sys.getrefcount(None)
    # 1,000 paint calls: a leaking binding loses at least 1,000 references.
    assert lost < 100, f"{lost} references to None lost while painting"
