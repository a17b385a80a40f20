"""Polarity marks on the canvas are told apart by shape and stroke, not by colour alone."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from ipsmap.ui.canvas.polarity_mark import draw_polarity_mark, mark_outline


def _curved(path: QPainterPath) -> bool:
    return any(path.elementAt(i).type.name == "CurveToElement" for i in range(path.elementCount()))


def _render(polarity: str) -> QImage:
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    # One colour for every polarity: what tells them apart must be the drawing itself.
    draw_polarity_mark(
        painter, polarity, QPointF(20, 20), 12, QPen(QColor("#000000"), 1.5), QColor("#ffffff"),
        QFont(),
    )  # fmt: skip
    painter.end()
    return image


def _dark(image: QImage, x: int, y: int) -> bool:
    return QColor(image.pixel(x, y)).lightness() < 128


def test_plus_minus_and_unknown_have_different_outlines(qtbot):
    centre = QPointF(0, 0)
    plus, minus, unknown = (mark_outline(p, centre, 8) for p in "+-?")
    assert _curved(plus) and not _curved(minus) and not _curved(unknown)
    # The square's corners are where the diamond has none, and the reverse.
    assert minus.contains(QPointF(6, 6)) and not unknown.contains(QPointF(6, 6))
    assert unknown.contains(QPointF(0, 9.5)) and not minus.contains(QPointF(0, 9.5))


def test_plus_has_a_vertical_stroke_and_minus_does_not(qtbot):
    plus, minus = _render("+"), _render("-")
    assert _dark(plus, 20, 20) and _dark(minus, 20, 20)  # both have the horizontal bar
    assert _dark(plus, 20, 16) and not _dark(minus, 20, 16)  # only + crosses it


def test_a_type_with_its_own_font_colour_draws_its_labels_in_it(qtbot):
    from ipsmap.model.entities import Factor, Style
    from ipsmap.ui.canvas.items import CanvasTheme, FactorItem

    alarm = Style(id="s1", map_id="m", name="Alarm", color="#b71c1c", font_color="#ffffff")
    plain = Style(id="s2", map_id="m", name="Plain", color="#ffffff")
    item = FactorItem("f1", CanvasTheme())
    item.set_factor(Factor(id="f1", map_id="m", label="Cuts", type="s1"), alarm)
    assert item.text_color().name() == "#ffffff"  # white on the red box, as PRSM had it
    item.set_factor(Factor(id="f1", map_id="m", label="Cuts", type="s2"), plain)
    assert item.text_color().name() == "#000000"
    assert item.text_color(faded=True).alpha() == 90
