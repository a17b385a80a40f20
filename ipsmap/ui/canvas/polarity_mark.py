"""The polarity mark on a link: a white shape with its sign, told apart by shape, not hue.

The shapes are the exports' (export/map_key.py): a circle for +, a square for −, a diamond
for ?; + and − are drawn as strokes, not font glyphs, so a minus never reads as a hyphen or
as the dash of a "less sure" line, and the canvas, its key, the PDF and the web page agree.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF

from ipsmap.export.map_key import MARK_SHAPES


def mark_outline(polarity: str, centre: QPointF, radius: float) -> QPainterPath:
    """The outline of a mark of ``polarity`` centred on ``centre``."""
    path = QPainterPath()
    shape = MARK_SHAPES.get(polarity, "diamond")
    if shape == "circle":
        path.addEllipse(centre, radius, radius)
    elif shape == "square":
        side = radius * 1.7  # about the circle's area, so no mark looks more important
        path.addRect(QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side))
    else:
        r = radius * 1.25
        path.addPolygon(
            QPolygonF(
                [
                    QPointF(centre.x(), centre.y() - r),
                    QPointF(centre.x() + r, centre.y()),
                    QPointF(centre.x(), centre.y() + r),
                    QPointF(centre.x() - r, centre.y()),
                    QPointF(centre.x(), centre.y() - r),
                ]
            )
        )
    return path


def sign_pen(outline_pen: QPen, radius: float) -> QPen:
    """The pen of the + and − strokes: the outline's colour, at least radius / 4.5 wide."""
    sign = QPen(outline_pen.color(), max(outline_pen.widthF(), radius / 4.5))
    sign.setCapStyle(Qt.PenCapStyle.FlatCap)
    return sign


def draw_polarity_mark(
    painter: QPainter,
    polarity: str,
    centre: QPointF,
    radius: float,
    pen: QPen,
    fill: QColor | QBrush,
    font: QFont,
    outline: QPainterPath | None = None,
    sign: QPen | None = None,
) -> None:
    """Draw the mark: its outline in ``pen`` over ``fill``, and its sign.

    A caller that paints the same mark often (a link on the canvas) passes the outline and
    the sign's pen it made once; they must be what ``mark_outline`` and ``sign_pen`` give.
    """
    painter.setPen(pen)
    painter.setBrush(fill)
    painter.drawPath(outline if outline is not None else mark_outline(polarity, centre, radius))
    arm = radius * 0.5
    if sign is None:
        sign = sign_pen(pen, radius)
    if polarity in ("+", "-"):
        painter.setPen(sign)
        painter.drawLine(QLineF(centre.x() - arm, centre.y(), centre.x() + arm, centre.y()))
        if polarity == "+":
            painter.drawLine(QLineF(centre.x(), centre.y() - arm, centre.x(), centre.y() + arm))
        return
    painter.setFont(font)
    painter.drawText(
        QRectF(centre.x() - radius, centre.y() - radius - 1, 2 * radius, 2 * radius),
        Qt.AlignmentFlag.AlignCenter,
        "?",
    )
