"""The map key drawn over the canvas: the factor types and link styles in use, and what the
link marks mean. Also holds the swatch painters the styles dialog reuses, so a type looks
the same in the key, in the dialog and on the canvas."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QWidget

from ipsmap.model.changes import Change
from ipsmap.model.entities import Style
from ipsmap.ui.canvas.items import POLARITY_TEXT, draw_shape
from ipsmap.ui.canvas.link_pens import POLARITY_COLORS
from ipsmap.ui.canvas.polarity_mark import draw_polarity_mark
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.hallway import Hallway

# Gap between an overlay and the edges of the canvas, in pixels.
OVERLAY_MARGIN = 10

POLARITY_KEY = (
    ("+", "same direction"),
    ("-", "opposite direction"),
    ("?", "unknown or complex"),
)
WEIGHT_KEY = "thicker = stronger, dashed = less sure"


def affects_styles(change: Change) -> bool:
    """Whether a change can alter the styles a map shows, their look or their use."""
    if change.touches("styles"):
        return True
    for table in ("factors", "links"):
        if change.added.get(table) or change.removed.get(table):
            return True
        if any("type" in fields for fields in change.changed.get(table, {}).values()):
            return True
    return False


def corner_point(viewport: QWidget, size: QSize, corner: Qt.Corner) -> QPoint:
    """Top-left point that puts a widget of ``size`` in a bottom corner of ``viewport``."""
    y = viewport.height() - size.height() - OVERLAY_MARGIN
    if corner == Qt.Corner.BottomRightCorner:
        return QPoint(viewport.width() - size.width() - OVERLAY_MARGIN, y)
    return QPoint(OVERLAY_MARGIN, y)


# -- swatches -------------------------------------------------------------------------------


def paint_factor_swatch(
    painter: QPainter, style: Style, rect: QRectF, high_contrast: bool = False
) -> None:
    """A factor type's shape in its fill and border, as the canvas draws it."""
    pen = QPen(QColor("#000000") if high_contrast else QColor(style.border_color))
    pen.setWidthF(2.5 if high_contrast else 1.5)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(pen)
    painter.setBrush(QColor(style.color))
    draw_shape(painter, style.shape, rect)
    painter.restore()


def paint_link_swatch(
    painter: QPainter, style: Style, rect: QRectF, high_contrast: bool = False
) -> None:
    """A short arrow in a link style's colour, dashed when the style is."""
    color = QColor("#000000") if high_contrast else QColor(style.color)
    # Line and head grow with the swatch, which grows with the key's font (projectors).
    pen = QPen(color, max(2.0, rect.height() / 10))
    if style.dashes:
        pen.setStyle(Qt.PenStyle.DashLine)
    head = min(rect.height() * 0.4, rect.width() / 5)
    y = rect.center().y()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(pen)
    painter.drawLine(QPointF(rect.left() + 1, y), QPointF(rect.right() - head, y))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(
        QPolygonF(
            [
                QPointF(rect.right(), y),
                QPointF(rect.right() - head * 1.6, y - head * 0.8),
                QPointF(rect.right() - head * 1.6, y + head * 0.8),
            ]
        )
    )
    painter.restore()


def paint_style_swatch(
    painter: QPainter, style: Style, rect: QRectF, high_contrast: bool = False
) -> None:
    if style.kind == "link":
        paint_link_swatch(painter, style, rect, high_contrast)
    else:
        paint_factor_swatch(painter, style, rect, high_contrast)


def style_icon(style: Style, size: QSize, pixel_ratio: float = 1.0) -> QIcon:
    """An icon of the style's swatch (list rows, combo entries)."""
    pixmap = QPixmap(size * pixel_ratio)
    pixmap.setDevicePixelRatio(pixel_ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    # Inset so a 1.5 px border is not cut at the pixmap's edge.
    paint_style_swatch(painter, style, QRectF(2, 2, size.width() - 4, size.height() - 4))
    painter.end()
    icon = QIcon(pixmap)
    # The same picture when selected: a tinted swatch would misreport the colour.
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def paint_polarity_mark(painter: QPainter, polarity: str, rect: QRectF, font: QFont) -> None:
    """The mark links carry at their middle, as the canvas draws it."""
    radius = min(rect.width(), rect.height()) / 2 - 1
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    bold = QFont(font)
    bold.setBold(True)
    draw_polarity_mark(
        painter,
        polarity,
        rect.center(),
        radius,
        QPen(POLARITY_COLORS[polarity], 1.5),
        QColor("#ffffff"),
        bold,
    )
    painter.restore()


# -- the overlay ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendRow:
    """One line of the key: a heading, a style, a polarity sign or the weight note."""

    kind: str  # "heading", "style", "polarity" or "weight"
    text: str
    style: Style | None = None
    polarity: str = ""


class LegendOverlay(QWidget):
    """The key in the canvas's bottom-left corner; it ignores the mouse so the map stays
    usable underneath it."""

    def __init__(self, hallway: Hallway, view: MapView, scene: MapScene) -> None:
        super().__init__(view.viewport())
        self.setObjectName("legend")
        self.setAccessibleName("Map key")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._view = view
        self._scene = scene
        self._wanted = True
        self._rows: list[LegendRow] = []
        # What the current layout was computed for; a difference means the theme or the
        # document changed behind our back (the scene has no signal for either).
        self._laid_out_for: tuple = ()
        hallway.document_changed.connect(lambda _document: self.refresh())
        hallway.model_changed.connect(self._on_model_changed)
        view.viewport().installEventFilter(self)
        self.refresh()

    # -- public ---------------------------------------------------------------------------

    def set_shown(self, shown: bool) -> None:
        self._wanted = shown
        self._update_visibility()

    def is_shown(self) -> bool:
        return self._wanted

    def entries(self) -> list[str]:
        """The key's text, line by line (for tests and screen readers)."""
        return [row.text for row in self._rows]

    def refresh(self) -> None:
        """Rebuild the key from the current document and theme."""
        self._rows = self._build_rows()
        self._laid_out_for = self._theme_key()
        self.setAccessibleDescription("; ".join(self.entries()))
        self.resize(self._layout_size())
        self._place()
        self._update_visibility()
        self.update()

    # -- contents -------------------------------------------------------------------------

    def _build_rows(self) -> list[LegendRow]:
        document = self._scene.document
        if document is None:
            return []
        state = document.state
        used_factor = {f.type for f in state.factors.values()}
        used_link = {ln.type for ln in state.links.values()}
        factor_types = state.factor_styles()
        link_styles = state.link_styles()
        # An empty map shows every type, so a workshop sees its palette before starting.
        if state.factors:
            factor_types = [s for s in factor_types if s.id in used_factor]
            link_styles = [s for s in link_styles if s.id in used_link]
        rows: list[LegendRow] = []
        if factor_types:
            rows.append(LegendRow("heading", "Factor types"))
            rows += [LegendRow("style", s.name, s) for s in factor_types]
        rows.append(LegendRow("heading", "Links"))
        rows += [LegendRow("style", s.name, s) for s in link_styles]
        rows += [
            LegendRow("polarity", f"{POLARITY_TEXT[sign]} {text}", polarity=sign)
            for sign, text in POLARITY_KEY
        ]
        rows.append(LegendRow("weight", WEIGHT_KEY))
        return rows

    # -- geometry ---------------------------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFont]:
        font = QFont(self._scene.theme.font)
        # A key, not content: a little smaller than the labels so it hides less of the map.
        font.setPointSizeF(font.pointSizeF() * 0.85)
        heading = QFont(font)
        heading.setBold(True)
        return font, heading

    def _metrics(self) -> _Metrics:
        return _Metrics(QFontMetricsF(self._fonts()[0]))

    def _columns(self) -> list[list[LegendRow]]:
        """Factor types in one column, links and the polarity key in the next: half the
        height of a single list, so the key hides less of the map."""
        split = next(
            (i for i, row in enumerate(self._rows) if row.kind == "heading" and i > 0), None
        )
        if split is None:
            return [self._rows] if self._rows else []
        return [self._rows[:split], self._rows[split:]]

    def _column_widths(self) -> list[float]:
        font, heading = self._fonts()
        m = self._metrics()
        widths = []
        for column in self._columns():
            text_width = 0.0
            for row in column:
                if row.kind == "heading":
                    advance = QFontMetricsF(heading).horizontalAdvance(row.text)
                    text_width = max(text_width, advance)
                else:
                    advance = QFontMetricsF(font).horizontalAdvance(self._row_text(row))
                    text_width = max(text_width, m.swatch_width + m.gap + advance)
            widths.append(text_width)
        return widths

    def _layout_size(self) -> QSize:
        m = self._metrics()
        widths = self._column_widths()
        width = 2 * m.padding + sum(widths) + 2 * m.gap * max(len(widths) - 1, 0)
        tallest = max((len(c) for c in self._columns()), default=0)
        height = 2 * m.padding + tallest * m.row_height
        return QSize(math.ceil(width) + 1, math.ceil(height) + 1)

    def _row_text(self, row: LegendRow) -> str:
        # The sign is drawn as the canvas mark, so only the words follow it.
        return row.text.split(" ", 1)[1] if row.kind == "polarity" else row.text

    def _place(self) -> None:
        self.move(corner_point(self.parentWidget(), self.size(), Qt.Corner.BottomLeftCorner))

    def _update_visibility(self) -> None:
        self.setVisible(self._wanted and bool(self._rows))
        if self.isVisible():
            self.raise_()

    def _theme_key(self) -> tuple:
        theme = self._scene.theme
        return (theme.font.toString(), theme.high_contrast, id(self._scene.document))

    # -- events -----------------------------------------------------------------------------

    def _on_model_changed(self, change: Change) -> None:
        # Most edits leave the key as it is; redrawing it would also repaint the canvas
        # beneath (the key is translucent), so only a changed key is redrawn.
        if affects_styles(change) and self._build_rows() != self._rows:
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget():
            if event.type() == QEvent.Type.Resize:
                self._place()
            elif event.type() == QEvent.Type.Paint and self._theme_key() != self._laid_out_for:
                # Resizing inside the canvas's paint is unsafe; do it right after.
                self._laid_out_for = self._theme_key()
                QTimer.singleShot(0, self, self.refresh)
        return False

    def moveEvent(self, event) -> None:
        # Scrolling the canvas moves its child widgets along; the key stays in its corner.
        super().moveEvent(event)
        wanted = corner_point(self.parentWidget(), self.size(), Qt.Corner.BottomLeftCorner)
        if self.pos() != wanted:
            self.move(wanted)

    def paintEvent(self, event: QPaintEvent) -> None:
        high_contrast = self._scene.theme.high_contrast
        font, heading = self._fonts()
        m = self._metrics()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        border = QPen(QColor("#000000") if high_contrast else QColor("#9e9e9e"))
        border.setWidthF(2.0 if high_contrast else 1.0)
        painter.setPen(border)
        painter.setBrush(QColor(255, 255, 255, 255 if high_contrast else 225))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
        text_color = QColor("#000000") if high_contrast else QColor("#212121")
        x = float(m.padding)
        for column, width in zip(self._columns(), self._column_widths(), strict=True):
            y = m.padding
            for row in column:
                line = QRectF(x, y, width, m.row_height)
                if row.kind == "heading":
                    painter.setFont(heading)
                    painter.setPen(text_color)
                    painter.drawText(line, int(Qt.AlignmentFlag.AlignVCenter), row.text)
                else:
                    swatch = QRectF(0, 0, m.swatch_width, m.swatch_height)
                    centre = QPointF(line.left() + m.swatch_width / 2, line.center().y())
                    swatch.moveCenter(centre)
                    self._paint_swatch(painter, row, swatch, font, high_contrast)
                    painter.setFont(font)
                    painter.setPen(text_color)
                    text_rect = line.adjusted(m.swatch_width + m.gap, 0, 0, 0)
                    painter.drawText(
                        text_rect, int(Qt.AlignmentFlag.AlignVCenter), self._row_text(row)
                    )
                y += m.row_height
            x += width + 2 * m.gap
        painter.end()

    def _paint_swatch(
        self, painter: QPainter, row: LegendRow, rect: QRectF, font: QFont, high_contrast: bool
    ) -> None:
        if row.kind == "style" and row.style is not None:
            paint_style_swatch(painter, row.style, rect, high_contrast)
        elif row.kind == "polarity":
            paint_polarity_mark(painter, row.polarity, rect, font)
        elif row.kind == "weight":
            _paint_weight_sample(painter, rect, high_contrast)


class _Metrics:
    """Row and swatch sizes derived from the key's font, so it scales for projectors."""

    def __init__(self, metrics: QFontMetricsF) -> None:
        line = metrics.height()
        self.row_height = math.ceil(line * 1.25)
        self.swatch_width = math.ceil(line * 2.0)
        self.swatch_height = math.ceil(line * 1.0)
        self.padding = math.ceil(line * 0.5)
        self.gap = math.ceil(line * 0.5)


def _paint_weight_sample(painter: QPainter, rect: QRectF, high_contrast: bool) -> None:
    """A thick solid line over a thin dashed one."""
    color = QColor("#000000") if high_contrast else QColor("#4a4a4a")
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    top = rect.top() + rect.height() * 0.3
    bottom = rect.top() + rect.height() * 0.75
    thick = max(4.0, rect.height() / 5)
    painter.setPen(QPen(color, thick, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    painter.drawLine(QPointF(rect.left() + 1, top), QPointF(rect.right() - 1, top))
    painter.setPen(QPen(color, thick / 2.5, Qt.PenStyle.DashLine, Qt.PenCapStyle.FlatCap))
    painter.drawLine(QPointF(rect.left() + 1, bottom), QPointF(rect.right() - 1, bottom))
    painter.restore()
