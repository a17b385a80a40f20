"""Graphics items: painters for factors, links and groups. They hold no data of their own
beyond what they draw; the scene sets them from the model."""

from __future__ import annotations

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
from ipsmap.ui.canvas.link_geometry import (
    EDGE_GAP,
    Arrow,
    Box,
    StraightLink,
    arrow_head,
    edge_point,
    straight_link,
)
from ipsmap.ui.canvas.link_pens import (
    SELECTION_COLOR,
    LinkPens,
    link_pens,
)
from ipsmap.ui.canvas.polarity_mark import draw_polarity_mark, mark_outline

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


POLARITY_TEXT = {"+": "+", "-": "−", "?": "?"}
# Below this zoom level labels are not drawn: they would be unreadable anyway.
LABEL_MIN_LOD = 0.35
# Labels whose line of text would be shorter than this on screen are not drawn (about the
# 0.35 zoom of 10-point text).
MIN_LABEL_SCREEN_PX = 5.3
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


# Item flags combined once: combining Qt enums in Python costs about a microsecond each
# time, for thousands of items per map.
_FACTOR_FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
    | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
    | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
)
_LINK_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
_ANTIALIASING = QPainter.RenderHint.Antialiasing
# Where a label is wrapped and measured (centred, wrapped at the label width).
_LABEL_AREA = QRectF(0, 0, LABEL_WIDTH, 10_000)
_LABEL_FLAGS = int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)


class FactorItem(QGraphicsItem):
    """One factor: a shape by its type, with its label wrapped inside."""

    # What a new factor starts with, as class attributes (replaced, never changed in place;
    # setting them per item was felt when a map of thousands opens).
    label = ""
    shown_label = ""  # the label as drawn (see shown_label())
    style: Style | None = None
    _notes = ""
    _rect = QRectF(-40, -20, 80, 40)
    _bounding = QRectF(-43, -23, 86, 46)  # _rect and 3 px around
    # The outline as links see it, relative to pos (see edge_box); kept with _rect.
    _edge: Box = (0.0, 0.0, 40.0 + EDGE_GAP, 20.0 + EDGE_GAP)
    # Assumptions/indicators count and their text (empty: no badge).
    _badge = ""
    _badge_tip = ""

    def __init__(self, factor_id: str, theme: CanvasTheme) -> None:
        super().__init__()
        self.factor_id = factor_id
        self.theme = theme
        self.links: set[LinkItem] = set()
        self.setFlags(_FACTOR_FLAGS)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(10)

    # -- setters the scene calls ------------------------------------------------------

    def set_factor(self, factor: Factor, style: Style | None) -> None:
        self.set_label(factor.label)
        self.set_style(style)
        pos = self.pos()
        if pos.x() != factor.x or pos.y() != factor.y:
            self.setPos(factor.x, factor.y)
            self.moved()
        # The tooltip is built when it is asked for (MapScene.helpEvent), not for every item.
        self._notes = factor.notes
        # Most factors have no attributes: skip the look-ups (thousands per map).
        badge = toc_badge(factor.attributes) if factor.attributes else ""
        if badge != self._badge:
            self.prepareGeometryChange()
            self._badge = badge
            self._rebound()
            self.update()
        self._badge_tip = toc_tooltip(factor.attributes) if badge else ""

    def set_emphasis(self, scale: float) -> None:
        """Draw the factor larger or smaller (sizing by a metric); links follow."""
        if scale != self.scale():
            self.setScale(scale)
            self._edge = self._edge_offsets()
            self.moved()

    def moved(self) -> None:
        """Redraw what hangs on this factor's position (its links)."""
        for link in self.links:
            link.update_path()

    def tooltip_text(self) -> str:
        """What the tooltip says: the label, the notes, the assumptions and indicators."""
        tip = self.label + (f"\n\n{self._notes}" if self._notes else "")
        return tip + (f"\n\n{self._badge_tip}" if self._badge_tip else "")

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
        scale = self.scale()
        self._edge = (
            0.0,
            0.0,
            self._rect.width() * scale / 2 + EDGE_GAP,
            self._rect.height() * scale / 2 + EDGE_GAP,
        )
        self._rebound()
        for link in self.links:
            link.update_path()
        self.update()

    # -- painting -------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        # Asked for on every paint and index look-up: kept, not rebuilt per call.
        return self._bounding

    def _rebound(self) -> None:
        """Measure the bounds again (after the box or the badge changed)."""
        rect = self._rect.adjusted(-3, -3, 3, 3)
        self._bounding = rect.united(self.badge_rect()) if self._badge else rect

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

    def edge_box(self) -> Box:
        """Where links end, in scene coordinates: the outline's centre and half sizes (as
        drawn, at the item's scale) plus the gap left before the box."""
        pos = self.pos()
        dx, dy, half_w, half_h = self._edge
        return (pos.x() + dx, pos.y() + dy, half_w, half_h)

    def _edge_offsets(self) -> Box:
        rect, scale = self._rect, self.scale()
        centre = rect.center()
        return (
            centre.x() * scale,
            centre.y() * scale,
            rect.width() * scale / 2 + EDGE_GAP,
            rect.height() * scale / 2 + EDGE_GAP,
        )

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
        # Text too small to read is left out (a box of grey smudge reads worse than none);
        # judged by its size on screen, so labels that fitting enlarged still show.
        if lod * self.theme.metrics.height() < MIN_LABEL_SCREEN_PX:
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
    text = metrics.boundingRect(_LABEL_AREA, _LABEL_FLAGS, label or " ")
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

    Painting is the hot path of the canvas (thousands of links per repaint), so the line,
    bounds and pens are worked out when the link, its ends or the theme change, not per
    paint; what only a close zoom draws (arrowhead polygon, mark outline) is built on its
    first paint there. Below label zoom a link is a thin line without arrowhead or mark.
    """

    # What a new link starts with, as class attributes: each is replaced, never changed in
    # place, and not setting ~20 of them per link is felt when a map of thousands opens.
    polarity = "+"
    strength = 0.5
    confidence: float | None = None
    style: Style | None = None
    curved = False
    _rationale = ""
    _badge = ""
    _badge_tip = ""
    # The geometry: straight links keep plain floats (link_geometry), curved ones a path.
    _straight: StraightLink | None = None
    _curve: QPainterPath | None = None
    _curve_arrow = QPolygonF()
    _curve_mark = QPointF()
    _line = QLineF()
    _bounds = QRectF()
    # The ends' boxes the geometry was worked out from (moving one end redraws).
    _ends: tuple = ()
    # Made on first paint at a close zoom, dropped when the geometry changes.
    _arrow: QPolygonF | None = None
    _mark_outline: QPainterPath | None = None
    _paint_key: tuple = ()
    _pens: LinkPens | None = None

    def __init__(
        self, link_id: str, source: FactorItem, target: FactorItem, theme: CanvasTheme
    ) -> None:
        super().__init__()
        self.link_id = link_id
        self.source = source
        self.target = target
        self.theme = theme
        source.links.add(self)
        target.links.add(self)
        self.setFlags(_LINK_FLAGS)
        self.setZValue(5)

    def set_link(self, link: Link, style: Style | None) -> None:
        self.polarity = link.polarity
        self.strength = link.strength
        self.confidence = link.confidence
        self.style = style
        self._rationale = link.rationale
        self._badge = toc_badge(link.attributes) if link.attributes else ""
        self._badge_tip = toc_tooltip(link.attributes) if self._badge else ""
        self._paint_key = ()
        self._ends = ()  # the arrow's size or the badge may have changed: redo the geometry
        self.update_path()

    def tooltip_text(self) -> str:
        """What the tooltip says: the ends, the polarity, the rationale, the notes."""
        tip = f"{self.source.label} → {self.target.label} ({POLARITY_TEXT[self.polarity]})"
        tip += f"\n\n{self._rationale}" if self._rationale else ""
        return tip + (f"\n\n{self._badge_tip}" if self._badge_tip else "")

    def set_curved(self, curved: bool) -> None:
        if curved != self.curved:
            self.curved = curved
            self._ends = ()
            self.update_path()

    def detach(self) -> None:
        self.source.links.discard(self)
        self.target.links.discard(self)

    def update_path(self) -> None:
        """Follow the ends: work the geometry out again if either factor's box moved or
        changed size (a factor's label edit or a drag of one end leaves the rest alone)."""
        # The mark's size (it follows the label size) sets how far the bounds reach.
        radius = self.theme.mark_radius
        ends = (self.source.edge_box(), self.target.edge_box(), radius)
        if ends == self._ends:
            return
        self._ends = ends
        self.prepareGeometryChange()
        self._arrow = None
        self._mark_outline = None
        source, target = ends[0], ends[1]
        if self.curved:
            self._curve_path(source, target)
        else:
            self._curve = None
            self._straight = straight_link(
                source, target, 8.0 + 4.0 * self.strength, _bounds_margin(radius)
            )
            if self._straight is None:
                self._bounds = QRectF()
            else:
                s = self._straight
                self._line = QLineF(s.x1, s.y1, s.x2, s.y2)
                left, top, right, bottom = s.bounds
                self._bounds = QRectF(left, top, right - left, bottom - top)
        if self._badge and not self._bounds.isNull():
            self._bounds = self._bounds.united(self.badge_rect())
        self.update()

    def _curve_path(self, source: Box, target: Box) -> None:
        """One of two links joining the same factors both ways: a curve bowing to its left."""
        start_centre = QPointF(source[0], source[1])
        end_centre = QPointF(target[0], target[1])
        line = QLineF(start_centre, end_centre)
        self._straight = None
        if line.length() < 1:
            self._curve = None
            self._bounds = QRectF()
            return
        normal = QPointF(-line.dy() / line.length(), line.dx() / line.length())
        control = line.center() + normal * 60.0
        start = QPointF(*edge_point(source, control.x(), control.y()))
        end = QPointF(*edge_point(target, control.x(), control.y()))
        path = QPainterPath(start)
        path.quadTo(control, end)
        self._curve = path
        self._line = QLineF(start, end)
        self._curve_mark = path.pointAtPercent(0.5)
        self._curve_arrow = _polygon(
            arrow_head(control.x(), control.y(), end.x(), end.y(), 8.0 + 4.0 * self.strength)
        )
        edge = _bounds_margin(self.theme.mark_radius)
        self._bounds = (
            path.boundingRect()
            .united(self._curve_arrow.boundingRect())
            .adjusted(-edge, -edge, edge, edge)
        )

    def _mark_centre(self) -> QPointF:
        if self._straight is not None:
            return QPointF(*self._straight.midpoint())
        return QPointF(self._curve_mark)

    def _arrow_polygon(self) -> QPolygonF:
        if self._arrow is None:
            if self._straight is not None:
                self._arrow = _polygon(self._straight.arrow)
            else:
                self._arrow = QPolygonF(self._curve_arrow)
        return self._arrow

    def _drawn_path(self) -> QPainterPath:
        if self._curve is not None:
            return self._curve
        path = QPainterPath()
        if self._straight is not None:
            path.moveTo(self._line.p1())
            path.lineTo(self._line.p2())
        return path

    def boundingRect(self) -> QRectF:
        return self._bounds

    def bounds_box(self) -> tuple[float, float, float, float] | None:
        """The bounds as (left, top, right, bottom) in scene coordinates (a link sits at the
        scene's origin); None when there is nothing to draw."""
        if self._straight is not None and not self._badge:
            return self._straight.bounds
        if self._bounds.isNull():
            return None
        b = self._bounds
        return (b.left(), b.top(), b.right(), b.bottom())

    def badge_rect(self) -> QRectF:
        """The assumptions/indicators badge, just below the polarity mark."""
        mark = self._mark_centre()
        size = self.theme.badge_metrics.boundingRect(self._badge)
        width, height = size.width() + 8, size.height() + 2
        below = self.theme.mark_radius + 2
        return QRectF(mark.x() - width / 2, mark.y() + below, width, height)

    def shape(self) -> QPainterPath:
        if self._straight is None and self._curve is None:
            return QPainterPath()
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        path = stroker.createStroke(self._drawn_path())
        path.addPolygon(self._arrow_polygon())
        reach = self.theme.mark_radius + 1
        path.addEllipse(self._mark_centre(), reach, reach)
        return path

    def _resources(self, selected: bool) -> LinkPens:
        """The shared pens of this link's look; looked up again only when stale."""
        theme = self.theme
        faded = self.link_id in theme.faded
        key = (theme.generation, selected, faded)
        if key == self._paint_key and self._pens is not None:
            return self._pens
        style = self.style
        dashed = (style is not None and style.dashes) or (
            self.confidence is not None and self.confidence < 0.5
        )
        self._pens = link_pens(
            style.color if style is not None else None,
            bool(dashed),
            self.strength,
            self.polarity,
            theme.mark_radius,
            high_contrast=theme.high_contrast,
            faded=faded,
            selected=selected,
        )
        self._paint_key = key
        return self._pens

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        # Called for every link in the repainted area (thousands at the opening zoom): keep
        # the work per call to what this link's look and the zoom need.
        if self._straight is None and self._curve is None:
            return
        selected = self.isSelected()
        pens = self._resources(selected)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < LABEL_MIN_LOD and not selected:
            # Zoomed far out: direction and polarity can't be read anyway; draw it cheap.
            painter.setRenderHint(_ANTIALIASING, False)
            painter.setPen(pens.thin)
            if self._curve is not None:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(self._curve)
            else:
                painter.drawLine(self._line)
            return
        painter.setRenderHint(_ANTIALIASING, True)
        painter.setPen(pens.line)
        if self._curve is not None:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._curve)
        else:
            painter.drawLine(self._line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pens.arrow)
        painter.drawPolygon(self._arrow_polygon())
        if lod < LABEL_MIN_LOD:
            return
        centre = self._mark_centre()
        radius = self.theme.mark_radius
        if self._mark_outline is None:
            self._mark_outline = mark_outline(self.polarity, centre, radius)
        draw_polarity_mark(
            painter,
            self.polarity,
            centre,
            radius,
            pens.mark,
            pens.mark_fill,
            self.theme.bold_font,
            outline=self._mark_outline,
            sign=pens.sign,
        )
        if self._badge:
            faded = self.link_id in self.theme.faded
            draw_badge(painter, self.badge_rect(), self._badge, self.theme.badge_font, faded)


def _bounds_margin(mark_radius: float) -> float:
    """How far a link's bounds reach past its line: room for the largest mark (the
    diamond) at its midpoint."""
    return mark_radius * 1.3 + 2


def _polygon(arrow: Arrow | None) -> QPolygonF:
    if arrow is None:
        return QPolygonF()
    x0, y0, x1, y1, x2, y2 = arrow
    return QPolygonF([QPointF(x0, y0), QPointF(x1, y1), QPointF(x2, y2)])


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
