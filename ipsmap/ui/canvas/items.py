"""Graphics items: painters for factors, links and groups. They hold no data of their own
beyond what they draw; the scene sets them from the model."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QTextOption,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ipsmap.model.colors import as_hex
from ipsmap.model.entities import Factor, Link, Style
from ipsmap.model.toc_notes import toc_badge, toc_tooltip
from ipsmap.ui.canvas.polarity_mark import draw_polarity_mark

LABEL_WIDTH = 150.0
# A label drawn on a factor is cut past this many characters (the full text is in the
# tooltip and the inspector), and a run of this many characters without a space may
# wrap: a pasted 100,000-character label must not make a box (or a picture) miles long.
SHOWN_LABEL_CHARACTERS = 300
UNBROKEN_RUN = 24
_LONG_RUN = re.compile(rf"\S{{{UNBROKEN_RUN}}}(?=\S)")
PADDING = 10.0


def shown_label(label: str) -> str:
    """The label as drawn: cut past SHOWN_LABEL_CHARACTERS, long words breakable."""
    if len(label) > SHOWN_LABEL_CHARACTERS:
        label = label[:SHOWN_LABEL_CHARACTERS].rstrip() + "\u2026"
    # A zero-width space is a line-break opportunity for Qt's word wrap.
    return _LONG_RUN.sub(lambda m: m.group(0) + "\u200b", label)


SELECTION_COLOR = QColor("#1565c0")
POLARITY_COLORS = {"+": QColor("#1b5e20"), "-": QColor("#b71c1c"), "?": QColor("#616161")}
POLARITY_TEXT = {"+": "+", "-": "−", "?": "?"}
# Below this zoom level labels are not drawn: they would be unreadable anyway.
LABEL_MIN_LOD = 0.35
GROUP_PADDING = 16.0


class CanvasTheme:
    """Sizes and colours shared by all items (changed for projectors / presentation).

    Fonts and metrics are made once here, not per item or per paint: on a 2,000-factor
    map those constructions were a visible share of opening and repainting.
    """

    def __init__(self) -> None:
        self.font = QFont("DejaVu Sans", 10)
        self.high_contrast = False
        self.faded: set[str] = set()
        # Bumped on every change, so items know their cached pens are stale.
        self.generation = 0
        self._derive()

    def set_label_size(self, points: float) -> None:
        self.font.setPointSizeF(points)
        self._derive()

    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = on
        self.generation += 1

    def set_faded(self, ids: set[str]) -> None:
        self.faded = set(ids)
        self.generation += 1

    def _derive(self) -> None:
        self.bold_font = QFont(self.font)
        self.bold_font.setBold(True)
        # Theory-of-change badges ("A2 · I1"): smaller than labels.
        self.badge_font = QFont(self.font)
        self.badge_font.setPointSizeF(max(6.0, self.font.pointSizeF() * 0.75))
        self.badge_metrics = QFontMetricsF(self.badge_font)
        self.metrics = QFontMetricsF(self.font)
        # Polarity marks at least as tall as a line of label text, so a sign reads as well
        # as the words it sits between (presentation mode, fitted labels).
        self.mark_radius = max(8.0, 0.55 * self.metrics.height())
        self.generation += 1


class FactorItem(QGraphicsItem):
    """One factor: a shape by its type, with its label wrapped inside."""

    def __init__(self, factor_id: str, theme: CanvasTheme) -> None:
        super().__init__()
        self.factor_id = factor_id
        self.theme = theme
        self.label = ""
        self.shown_label = ""
        self.style: Style | None = None
        self.links: set[LinkItem] = set()
        self._notes = ""
        self._rect = QRectF(-40, -20, 80, 40)
        # Assumptions/indicators count and their text (empty: no badge).
        self._badge = ""
        self._badge_tip = ""
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
        )
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(10)
        self.setAcceptHoverEvents(True)

    # -- setters the scene calls ------------------------------------------------------

    def set_factor(self, factor: Factor, style: Style | None) -> None:
        self.set_label(factor.label)
        self.set_style(style)
        if self.pos().x() != factor.x or self.pos().y() != factor.y:
            self.setPos(factor.x, factor.y)
            self.moved()
        # The tooltip is built when the pointer arrives (hoverEnterEvent), not for every item.
        self._notes = factor.notes
        badge = toc_badge(factor.attributes)
        if badge != self._badge:
            self.prepareGeometryChange()
            self._badge = badge
            self.update()
        self._badge_tip = toc_tooltip(factor.attributes) if badge else ""

    def set_emphasis(self, scale: float) -> None:
        """Draw the factor larger or smaller (sizing by a metric); links follow."""
        if scale != self.scale():
            self.setScale(scale)
            self.moved()

    def moved(self) -> None:
        """Redraw what hangs on this factor's position (its links)."""
        for link in self.links:
            link.update_path()

    def hoverEnterEvent(self, event) -> None:
        tip = self.label + (f"\n\n{self._notes}" if self._notes else "")
        self.setToolTip(tip + (f"\n\n{self._badge_tip}" if self._badge_tip else ""))
        super().hoverEnterEvent(event)

    def set_label(self, label: str) -> None:
        if label != self.label:
            self.label = label
            self.shown_label = shown_label(label)
            self.relayout()

    def set_style(self, style: Style | None) -> None:
        self.style = style
        self.update()

    def relayout(self) -> None:
        self.prepareGeometryChange()
        self._rect = factor_box(self.shown_label, self.style, self.theme.metrics)
        for link in self.links:
            link.update_path()
        self.update()

    # -- painting -------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        rect = self._rect.adjusted(-3, -3, 3, 3)
        return rect.united(self.badge_rect()) if self._badge else rect

    def badge_rect(self) -> QRectF:
        """Where the assumptions/indicators badge hangs: across the bottom-left corner."""
        size = self.theme.badge_metrics.boundingRect(self._badge)
        width, height = size.width() + 8, size.height() + 2
        return QRectF(self._rect.left() - 4, self._rect.bottom() - height / 2, width, height)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self._rect)
        return path

    def outline_rect(self) -> QRectF:
        """The drawn shape's rectangle in item coordinates (links end at its edge)."""
        return self._rect

    def text_color(self, faded: bool = False) -> QColor:
        """The label's colour: the type's own (white on a dark box, as PRSM styles set it),
        else black."""
        font_color = self.style.font_color if self.style is not None else None
        # The exports' rule, so the canvas, the PDF and the HTML page agree on what counts.
        color = QColor(as_hex(font_color) or "#000000")
        if faded:
            color.setAlpha(90)
        return color

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        style = self.style
        fill = QColor(style.color if style else "#ffffff")
        border = QColor(style.border_color if style else "#333333")
        faded = self.factor_id in self.theme.faded
        if faded:
            fill.setAlpha(60)
            border.setAlpha(60)
        selected = self.isSelected()
        pen = QPen(SELECTION_COLOR if selected else border, 3.0 if selected else 1.5)
        if self.theme.high_contrast:
            pen.setWidthF(pen.widthF() + 1.0)
            pen.setColor(SELECTION_COLOR if selected else QColor("#000000"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        draw_shape(painter, style.shape if style else "box", self._rect)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < LABEL_MIN_LOD:
            return
        painter.setPen(self.text_color(faded))
        painter.setFont(self.theme.font)
        option_text = QTextOption(Qt.AlignmentFlag.AlignCenter)
        option_text.setWrapMode(QTextOption.WrapMode.WordWrap)
        painter.drawText(
            self._rect.adjusted(PADDING, PADDING, -PADDING, -PADDING),
            self.shown_label,
            option_text,
        )
        if self._badge:
            draw_badge(painter, self.badge_rect(), self._badge, self.theme.badge_font, faded)


def factor_box(label: str, style: Style | None, metrics: QFontMetricsF) -> QRectF:
    """The box of a factor with ``label`` in text of ``metrics``, centred on (0, 0)."""
    text = metrics.boundingRect(
        QRectF(0, 0, LABEL_WIDTH, 10_000),
        int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
        label or " ",
    )
    width = max(text.width(), 40.0) + 2 * PADDING
    height = max(text.height(), metrics.height()) + 2 * PADDING
    if style is not None and style.shape in ("ellipse", "hexagon", "star"):
        width += 16
        height += 6
    return QRectF(-width / 2, -height / 2, width, height)


def draw_badge(painter: QPainter, rect: QRectF, text: str, font: QFont, faded: bool) -> None:
    """A small grey label with a count of assumptions and indicators."""
    alpha = 90 if faded else 255
    painter.setPen(QPen(QColor(97, 97, 97, alpha), 1))
    painter.setBrush(QColor(245, 245, 245, alpha))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setPen(QColor(33, 33, 33, alpha))
    painter.setFont(font)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)


def draw_shape(painter: QPainter, shape: str, rect: QRectF) -> None:
    if shape == "ellipse":
        painter.drawEllipse(rect)
    elif shape == "hexagon":
        d = min(14.0, rect.width() / 4)
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(rect.left() + d, rect.top()),
                    QPointF(rect.right() - d, rect.top()),
                    QPointF(rect.right(), rect.center().y()),
                    QPointF(rect.right() - d, rect.bottom()),
                    QPointF(rect.left() + d, rect.bottom()),
                    QPointF(rect.left(), rect.center().y()),
                ]
            )
        )
    elif shape == "star":
        # A focal factor: a double border reads as "the centre of attention" at any size.
        painter.drawRoundedRect(rect, 12, 12)
        inner = rect.adjusted(4, 4, -4, -4)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(inner, 9, 9)
    elif shape == "note":
        fold = 10.0
        painter.drawPolygon(
            QPolygonF(
                [
                    rect.topLeft(),
                    QPointF(rect.right() - fold, rect.top()),
                    QPointF(rect.right(), rect.top() + fold),
                    rect.bottomRight(),
                    rect.bottomLeft(),
                ]
            )
        )
    else:
        painter.drawRoundedRect(rect, 6, 6)


class LinkItem(QGraphicsItem):
    """One causal link: an arrow from source to target with its polarity marked.

    Painting is the hot path of the canvas (thousands of links per repaint), so the path,
    bounds, pens and colours are computed when the link or the theme changes, not per paint;
    below label zoom a link is a thin line without arrowhead or mark.
    """

    def __init__(
        self, link_id: str, source: FactorItem, target: FactorItem, theme: CanvasTheme
    ) -> None:
        super().__init__()
        self.link_id = link_id
        self.source = source
        self.target = target
        self.theme = theme
        self.polarity = "+"
        self.strength = 0.5
        self.confidence: float | None = None
        self.style: Style | None = None
        self.curved = False
        self._rationale = ""
        self._badge = ""
        self._badge_tip = ""
        self._path = QPainterPath()
        self._line = QLineF()
        self._arrow = QPolygonF()
        self._mark = QPointF()
        self._bounds = QRectF()
        self._paint_key: tuple = ()
        self._pens: tuple = ()
        source.links.add(self)
        target.links.add(self)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(5)

    def set_link(self, link: Link, style: Style | None) -> None:
        self.polarity = link.polarity
        self.strength = link.strength
        self.confidence = link.confidence
        self.style = style
        self._rationale = link.rationale
        self._badge = toc_badge(link.attributes)
        self._badge_tip = toc_tooltip(link.attributes) if self._badge else ""
        self._paint_key = ()
        self.update_path()

    def hoverEnterEvent(self, event) -> None:
        tip = f"{self.source.label} → {self.target.label} ({POLARITY_TEXT[self.polarity]})"
        tip += f"\n\n{self._rationale}" if self._rationale else ""
        self.setToolTip(tip + (f"\n\n{self._badge_tip}" if self._badge_tip else ""))
        super().hoverEnterEvent(event)

    def set_curved(self, curved: bool) -> None:
        if curved != self.curved:
            self.curved = curved
            self.update_path()

    def detach(self) -> None:
        self.source.links.discard(self)
        self.target.links.discard(self)

    def update_path(self) -> None:
        start_centre = self.source.pos()
        end_centre = self.target.pos()
        line = QLineF(start_centre, end_centre)
        self.prepareGeometryChange()
        if line.length() < 1:
            self._path = QPainterPath()
            self._line = QLineF()
            self._arrow = QPolygonF()
            self._bounds = QRectF()
            return
        normal = QPointF(-line.dy() / line.length(), line.dx() / line.length())
        control = line.center() + normal * 60.0
        start = _edge_point(self.source, control if self.curved else end_centre)
        end = _edge_point(self.target, control if self.curved else start_centre)
        path = QPainterPath(start)
        if self.curved:
            path.quadTo(control, end)
            tangent = QLineF(control, end)
        else:
            path.lineTo(end)
            tangent = QLineF(start, end)
        self._path = path
        self._line = QLineF(start, end)
        self._mark = path.pointAtPercent(0.5)
        self._arrow = _arrow_head(tangent, 8.0 + 4.0 * self.strength)
        edge = self.theme.mark_radius * 1.3 + 2  # room for the largest mark (the diamond)
        self._bounds = (
            path.boundingRect()
            .united(self._arrow.boundingRect())
            .adjusted(-edge, -edge, edge, edge)
        )
        if self._badge:
            self._bounds = self._bounds.united(self.badge_rect())
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def badge_rect(self) -> QRectF:
        """The assumptions/indicators badge, just below the polarity mark."""
        size = self.theme.badge_metrics.boundingRect(self._badge)
        width, height = size.width() + 8, size.height() + 2
        below = self.theme.mark_radius + 2
        return QRectF(self._mark.x() - width / 2, self._mark.y() + below, width, height)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        path = stroker.createStroke(self._path)
        path.addPolygon(self._arrow)
        reach = self.theme.mark_radius + 1
        path.addEllipse(self._mark, reach, reach)
        return path

    def _resources(self) -> tuple:
        """(pen, thin pen, arrow colour, mark pen, mark fill), rebuilt only when stale."""
        theme = self.theme
        faded = self.link_id in theme.faded
        key = (theme.generation, self.isSelected(), faded)
        if key == self._paint_key:
            return self._pens
        color = QColor(self.style.color if self.style else "#4a4a4a")
        if theme.high_contrast:
            color = QColor("#000000")
        if faded:
            color.setAlpha(50)
        if self.isSelected():
            color = QColor(SELECTION_COLOR)
        pen = QPen(color, 1.0 + 3.0 * self.strength)
        dashed = (self.style is not None and self.style.dashes) or (
            self.confidence is not None and self.confidence < 0.5
        )
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        thin = QPen(color, 0)  # cosmetic: one pixel at any zoom
        if dashed:
            thin.setStyle(Qt.PenStyle.DashLine)
        mark_color = QColor(POLARITY_COLORS[self.polarity])
        if faded:
            mark_color.setAlpha(60)
        self._pens = (
            pen,
            thin,
            color,
            QPen(mark_color, 1.5),
            QColor(255, 255, 255, 90 if faded else 255),
        )
        self._paint_key = key
        return self._pens

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._path.isEmpty():
            return
        pen, thin, color, mark_pen, mark_fill = self._resources()
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < LABEL_MIN_LOD and not self.isSelected():
            # Zoomed far out: direction and polarity can't be read anyway; draw it cheap.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(thin)
            if self.curved:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(self._path)
            else:
                painter.drawLine(self._line)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(pen)
        if self.curved:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._path)
        else:
            painter.drawLine(self._line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(self._arrow)
        if lod < LABEL_MIN_LOD:
            return
        draw_polarity_mark(
            painter,
            self.polarity,
            self._mark,
            self.theme.mark_radius,
            mark_pen,
            mark_fill,
            self.theme.bold_font,
        )
        if self._badge:
            faded = self.link_id in self.theme.faded
            draw_badge(painter, self.badge_rect(), self._badge, self.theme.badge_font, faded)


def _edge_point(item: FactorItem, toward: QPointF) -> QPointF:
    """Where the line from the item's centre toward ``toward`` leaves its rectangle."""
    rect = item.outline_rect()
    scale = item.scale()
    if scale != 1.0:
        rect = QRectF(rect.topLeft() * scale, rect.size() * scale)
    rect = rect.translated(item.pos())
    centre = rect.center()
    dx, dy = toward.x() - centre.x(), toward.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    half_w, half_h = rect.width() / 2 + 2, rect.height() / 2 + 2
    scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)


def _arrow_head(line: QLineF, size: float) -> QPolygonF:
    length = line.length()
    if length == 0:
        return QPolygonF()
    ux, uy = line.dx() / length, line.dy() / length
    tip = line.p2()
    base = QPointF(tip.x() - ux * size, tip.y() - uy * size)
    half = size * 0.55
    return QPolygonF(
        [
            tip,
            QPointF(base.x() - uy * half, base.y() + ux * half),
            QPointF(base.x() + uy * half, base.y() - ux * half),
        ]
    )


class GroupItem(QGraphicsItem):
    """A labelled, coloured box drawn behind the factors of one group."""

    def __init__(self, group_id: str, theme: CanvasTheme) -> None:
        super().__init__()
        self.group_id = group_id
        self.theme = theme
        self.name = ""
        self.color = QColor("#dddddd")
        self.members: list[FactorItem] = []
        self._rect = QRectF()
        self._path = QPainterPath()
        self._label_at = QPointF()
        self.setZValue(0)

    def set_group(self, name: str, color: str, members: list[FactorItem]) -> None:
        self.name = name
        self.color = QColor(color)
        self.members = members
        self.update_shape()

    def update_shape(self) -> None:
        # A padded convex hull hugs the members far better than their bounding box, so
        # groups spread across the map overlap less.
        points: list[QPointF] = []
        for member in self.members:
            rect = member.outline_rect().translated(member.pos())
            points += [rect.topLeft(), rect.topRight(), rect.bottomLeft(), rect.bottomRight()]
        self.prepareGeometryChange()
        self._path = QPainterPath()
        if points:
            hull = QPainterPath()
            hull.addPolygon(QPolygonF(_convex_hull(points)))
            hull.closeSubpath()
            stroker = QPainterPathStroker()
            stroker.setWidth(2 * GROUP_PADDING)
            stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            self._path = stroker.createStroke(hull).united(hull).simplified()
        self._rect = self._path.boundingRect()
        tops = [m.outline_rect().translated(m.pos()) for m in self.members]
        # Topmost member, and of those in one row the leftmost: the same place every run
        # (members are a set, so "the first topmost" moved with Python's hash order).
        top = min(tops, key=lambda r: (r.top(), r.left())) if tops else QRectF()
        self._label_at = QPointF(top.left(), top.top() - 5)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -24, 2, 2)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self._rect.isNull():
            return
        fill = QColor(self.color)
        fill.setAlpha(55)
        border = QColor(self.color).darker(130)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(fill)
        painter.drawPath(self._path)
        painter.setPen(border.darker(150))
        painter.setFont(self.theme.bold_font)
        painter.drawText(self._label_at, self.name)


def _convex_hull(points: list[QPointF]) -> list[QPointF]:
    """Andrew's monotone chain: the hull of the points, counter-clockwise."""
    pts = sorted({(p.x(), p.y()) for p in points})
    if len(pts) <= 2:
        return [QPointF(x, y) for x, y in pts]

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return [QPointF(x, y) for x, y in lower[:-1] + upper[:-1]]
