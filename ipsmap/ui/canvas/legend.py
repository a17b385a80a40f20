"""The map key drawn over the canvas: the factor types and link styles in use, and what the
link marks mean. Also holds the swatch painters the styles dialog reuses, so a type looks
the same in the key, in the dialog and on the canvas."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, QTimer
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

from ipsmap.export.map_key import key_of
from ipsmap.model.changes import Change
from ipsmap.model.entities import Style
from ipsmap.ui.canvas import bottom_strip
from ipsmap.ui.canvas.items import POLARITY_TEXT, draw_shape
from ipsmap.ui.canvas.link_pens import POLARITY_COLORS
from ipsmap.ui.canvas.polarity_mark import draw_polarity_mark
from ipsmap.ui.canvas.readable import READABLE_PX
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.hallway import Hallway

# The key's words for each polarity the map uses (short: the key is a strip below the map).
POLARITY_KEY = {
    "+": "same direction",
    "-": "opposite direction",
    "?": "unknown or complex",
}
WEIGHT_KEY = "thicker = stronger, dashed = less sure"
WEIGHT_KEY_SOLID = "thicker = stronger"


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
    """The key, in the strip below the map (canvas/bottom_strip.py), never over it."""

    def __init__(self, hallway: Hallway, view: MapView, scene: MapScene) -> None:
        super().__init__(view)
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
        # The canvas's resizes re-wrap the key (its own geometry is settled by then, unlike
        # the view's); its paints reveal theme changes.
        view.viewport().installEventFilter(self)
        self.refresh()

    # -- public ---------------------------------------------------------------------------

    def set_shown(self, shown: bool) -> None:
        self._wanted = shown
        self._update_visibility()

    def is_shown(self) -> bool:
        return self._wanted

    def size_for_room(self) -> QSize:
        """The key's size wrapped to the room the strip gives it now."""
        return self._layout_size()

    def wants_to_show(self) -> bool:
        """Switched on and with something to say (an empty document has no key)."""
        return self._wanted and bool(self._rows)

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
        if not state.factors:
            # An empty map shows every type, so a workshop sees its palette before starting.
            return self._palette_rows(state.factor_styles(), state.link_styles())
        # What the map uses, by the rule the PDF and HTML keys follow.
        key = key_of(state.styles.values(), state.factors.values(), state.links.values())
        rows: list[LegendRow] = []
        if key.factor_styles:
            rows.append(LegendRow("heading", "Factor types"))
            rows += [LegendRow("style", s.name, s) for s in key.factor_styles]
        if key.link_styles or key.polarities:
            rows.append(LegendRow("heading", "Links"))
            rows += [LegendRow("style", s.name, s) for s in key.link_styles]
            rows += [
                LegendRow("polarity", f"{POLARITY_TEXT[sign]} {POLARITY_KEY[sign]}", polarity=sign)
                for sign in key.polarities
            ]
            rows.append(LegendRow("weight", WEIGHT_KEY if key.dashed else WEIGHT_KEY_SOLID))
        return rows

    @staticmethod
    def _palette_rows(factor_styles: list[Style], link_styles: list[Style]) -> list[LegendRow]:
        rows = [LegendRow("heading", "Factor types")] if factor_styles else []
        rows += [LegendRow("style", s.name, s) for s in factor_styles]
        if link_styles:
            rows.append(LegendRow("heading", "Links"))
            rows += [LegendRow("style", s.name, s) for s in link_styles]
        return rows

    # -- geometry ---------------------------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFont]:
        font = QFont(self._scene.theme.font)
        # A key, not content: a little smaller than the chosen label size (not the size
        # fitting enlarged them to) so it hides less of the map.
        # Presentation mode asks labels to read larger; the key grows in step.
        font.setPointSizeF(self._scene.chosen_label_points * 0.85 * self._presenting_scale())
        heading = QFont(font)
        heading.setBold(True)
        return font, heading

    def _metrics(self) -> _Metrics:
        return _Metrics(QFontMetricsF(self._fonts()[0]))

    def _entry_width(self, row: LegendRow) -> float:
        font, heading = self._fonts()
        m = self._metrics()
        if row.kind == "heading":
            return QFontMetricsF(heading).horizontalAdvance(row.text + ":")
        return m.swatch_width + m.gap + QFontMetricsF(font).horizontalAdvance(self._row_text(row))

    def _lines(self) -> list[list[tuple[LegendRow, float]]]:
        """The key as a strip along the canvas's bottom edge: entries side by side, wrapped
        to the canvas's width, a group's heading starting a new line. A strip takes a
        sliver of the map's height where a block took a corner the map had to avoid."""
        m = self._metrics()
        room = bottom_strip.key_room(self._view) - 2 * m.padding
        lines: list[list[tuple[LegendRow, float]]] = []
        width = 0.0
        for row in self._rows:
            entry = self._entry_width(row)
            if not lines or row.kind == "heading" or width + 2 * m.gap + entry > room:
                lines.append([])
                width = -2 * m.gap
            lines[-1].append((row, entry))
            width += 2 * m.gap + entry
        return lines

    def _layout_size(self) -> QSize:
        m = self._metrics()
        lines = self._lines()
        widths = [sum(w for _row, w in line) + 2 * m.gap * (len(line) - 1) for line in lines]
        width = 2 * m.padding + max(widths, default=0)
        height = 2 * m.padding + len(lines) * m.row_height
        return QSize(math.ceil(width) + 1, math.ceil(height) + 1)

    def _row_text(self, row: LegendRow) -> str:
        # The sign is drawn as the canvas mark, so only the words follow it.
        return row.text.split(" ", 1)[1] if row.kind == "polarity" else row.text

    def _place(self) -> None:
        bottom_strip.arrange(self._view)

    def _update_visibility(self) -> None:
        self.setVisible(self.wants_to_show())
        self._place()

    def _theme_key(self) -> tuple:
        theme = self._scene.theme
        return (
            self._scene.chosen_label_points,
            self._presenting_scale(),
            theme.high_contrast,
            id(self._scene.document),
        )

    def _presenting_scale(self) -> float:
        return self._view.readable_px / READABLE_PX

    # -- events -----------------------------------------------------------------------------

    def _on_model_changed(self, change: Change) -> None:
        # Most edits leave the key as it is; redrawing it would also repaint the canvas
        # beneath (the key is translucent), so only a changed key is redrawn.
        if affects_styles(change) and self._build_rows() != self._rows:
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The event's type is looked at first: while the window is torn down, the view
        # may already be half gone, and asking it for anything would raise.
        kind = event.type()
        if kind == QEvent.Type.Resize:
            # The strip wraps to the canvas's width.
            self.resize(self._layout_size())
            self._place()
        elif kind == QEvent.Type.Paint and self._theme_key() != self._laid_out_for:
            # Resizing inside the canvas's paint is unsafe; do it right after.
            self._laid_out_for = self._theme_key()
            QTimer.singleShot(0, self, self.refresh)
        return False

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
        y = float(m.padding)
        for entries in self._lines():
            x = float(m.padding)
            for row, width in entries:
                line = QRectF(x, y, width, m.row_height)
                if row.kind == "heading":
                    painter.setFont(heading)
                    painter.setPen(text_color)
                    painter.drawText(line, int(Qt.AlignmentFlag.AlignVCenter), row.text + ":")
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
                x += width + 2 * m.gap
            y += m.row_height
        painter.end()

    def _paint_swatch(
        self, painter: QPainter, row: LegendRow, rect: QRectF, font: QFont, high_contrast: bool
    ) -> None:
        if row.kind == "style" and row.style is not None:
            paint_style_swatch(painter, row.style, rect, high_contrast)
        elif row.kind == "polarity":
            paint_polarity_mark(painter, row.polarity, rect, font)
        elif row.kind == "weight":
            _paint_weight_sample(painter, rect, high_contrast, dashed=row.text == WEIGHT_KEY)


class _Metrics:
    """Row and swatch sizes derived from the key's font, so it scales for projectors."""

    def __init__(self, metrics: QFontMetricsF) -> None:
        line = metrics.height()
        self.row_height = math.ceil(line * 1.25)
        self.swatch_width = math.ceil(line * 2.0)
        self.swatch_height = math.ceil(line * 1.0)
        self.padding = math.ceil(line * 0.5)
        self.gap = math.ceil(line * 0.5)


def _paint_weight_sample(
    painter: QPainter, rect: QRectF, high_contrast: bool, dashed: bool = True
) -> None:
    """A thick solid line over a thin one, dashed when the map has dashed lines."""
    color = QColor("#000000") if high_contrast else QColor("#4a4a4a")
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    top = rect.top() + rect.height() * 0.3
    bottom = rect.top() + rect.height() * 0.75
    thick = max(4.0, rect.height() / 5)
    painter.setPen(QPen(color, thick, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
    painter.drawLine(QPointF(rect.left() + 1, top), QPointF(rect.right() - 1, top))
    thin = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
    painter.setPen(QPen(color, thick / 2.5, thin, Qt.PenCapStyle.FlatCap))
    painter.drawLine(QPointF(rect.left() + 1, bottom), QPointF(rect.right() - 1, bottom))
    painter.restore()
