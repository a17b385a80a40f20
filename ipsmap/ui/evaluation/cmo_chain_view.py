"""The chain of the chosen CMO drawn left to right: each box a CMO, each arrow outcome → context.

A painter over ``chain_graph`` (Qt-free): boxes coloured by status as in the table, the
chosen one outlined; clicking a box chooses that CMO. Keyboard users choose in the table;
the chains are also given as text (accessible description, and the detail form's "Chain").
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ipsmap.model.cmo_queries import ChainGraph, chain_graph, chain_text
from ipsmap.model.project import Project
from ipsmap.ui.evaluation.cmo_model import STATUS_COLORS

BOX_W, BOX_H = 176.0, 62.0
GAP_X, GAP_Y = 44.0, 12.0
MARGIN = 8.0
# Room under the boxes for arrows that go back (closing a cycle) or stay in a column.
RETURN_ROOM = 22.0


class CmoChainView(QWidget):
    """Draws the chains through one CMO; ``cmo_clicked`` names a box that was clicked."""

    cmo_clicked = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("cmo-chain-view")
        self.setAccessibleName("Chain of the chosen CMO")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.project: Project | None = None
        self.cmo_id: str | None = None
        self.graph = ChainGraph([], [], 0)
        self.boxes: dict[str, QRectF] = {}
        self.returns = False  # some arrow goes back under the boxes

    def show_chain(self, project: Project | None, cmo_id: str | None) -> None:
        """Draw the chains through ``cmo_id`` (None: a hint to choose one)."""
        self.project, self.cmo_id = project, cmo_id
        self.graph = ChainGraph([], [], 0)
        description = ""
        if project is not None and cmo_id is not None and cmo_id in project.cmos:
            self.graph = chain_graph(project, cmo_id)
            description = chain_text(project, cmo_id)
        self.boxes = {}
        for col, ids in enumerate(self.graph.columns):
            for row, other in enumerate(ids):
                x = MARGIN + col * (BOX_W + GAP_X)
                y = MARGIN + row * (BOX_H + GAP_Y)
                self.boxes[other] = QRectF(x, y, BOX_W, BOX_H)
        columns = {c: i for i, ids in enumerate(self.graph.columns) for c in ids}
        self.returns = any(columns[b] <= columns[a] for a, b in self.graph.edges)
        self.setAccessibleDescription(description)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        if not self.boxes:
            return QSize(200, 40)
        right = max(r.right() for r in self.boxes.values()) + MARGIN
        bottom = max(r.bottom() for r in self.boxes.values()) + MARGIN
        bottom += RETURN_ROOM if self.returns else 0
        return QSize(int(right), int(bottom))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def box_at(self, pos: QPointF) -> str | None:
        """The CMO whose box is under ``pos`` (widget coordinates), if any."""
        return next((c for c, rect in self.boxes.items() if rect.contains(pos)), None)

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_color = self.palette().windowText().color()
        project = self.project
        if project is None or not self.boxes:
            painter.setPen(text_color)
            painter.drawText(
                self.rect().adjusted(6, 0, 0, 0),
                Qt.AlignmentFlag.AlignVCenter,
                "Choose a CMO to see its chain",
            )
            return
        for source, target in self.graph.edges:
            self._draw_arrow(painter, self.boxes[source], self.boxes[target], text_color)
        for cmo_id, rect in self.boxes.items():
            self._draw_box(painter, cmo_id, rect)
        if len(self.boxes) == 1:
            painter.setPen(text_color)
            hint = QRectF(rect.right() + 12, rect.top(), 260, rect.height())
            painter.drawText(
                hint,
                Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                "Not chained yet: use “Leads to” to chain it to a CMO its outcome is "
                "the context of.",
            )

    def _draw_box(self, painter: QPainter, cmo_id: str, rect: QRectF) -> None:
        assert self.project is not None
        cmo = self.project.cmos[cmo_id]
        chosen = cmo_id == self.cmo_id
        fill = QColor(STATUS_COLORS.get(cmo.status, "#ffffff"))
        pen = QPen(
            self.palette().highlight().color() if chosen else QColor("#546e7a"), 3 if chosen else 1
        )
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 6, 6)
        # Status fills are light: black text stays readable in every theme.
        painter.setPen(QColor("#000000"))
        inner = rect.adjusted(7, 4, -7, -4)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        head = QFontMetrics(bold)
        painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, cmo.code)
        status = cmo.status
        painter.setFont(self.font())
        plain = QFontMetrics(self.font())
        painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, status)
        outcome = (cmo.outcome or cmo.context or "no outcome yet").replace("\n", " ")
        body = inner.adjusted(0, head.height() + 1, 0, 0)
        lines = _wrap(outcome, plain, body.width(), max(1, int(body.height() // plain.height())))
        painter.drawText(body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, lines)
        painter.setFont(self.font())

    def _draw_arrow(self, painter: QPainter, a: QRectF, b: QRectF, color: QColor) -> None:
        painter.setPen(QPen(color, 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath()
        if b.left() > a.right():
            start = QPointF(a.right(), a.center().y())
            end = QPointF(b.left(), b.center().y())
            bend = (end.x() - start.x()) / 2
            path.moveTo(start)
            path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end)
            direction = QPointF(1, 0)
        else:
            # Back to an earlier column (a cycle closing) or within one: under the boxes.
            low = max(a.bottom(), b.bottom()) + RETURN_ROOM - 6
            start = QPointF(a.center().x(), a.bottom())
            end = QPointF(b.center().x() + 10, b.bottom())
            path.moveTo(start)
            path.cubicTo(QPointF(start.x(), low), QPointF(end.x(), low), end)
            direction = QPointF(0, -1)
        painter.drawPath(path)
        _arrow_head(painter, end, direction, color)

    # -- mouse ----------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        cmo_id = self.box_at(event.position())
        if cmo_id is not None and event.button() == Qt.MouseButton.LeftButton:
            self.cmo_clicked.emit(cmo_id)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        over = self.box_at(event.position()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and self.project is not None:
            cmo_id = self.box_at(QPointF(event.pos()))
            if cmo_id is None:
                QToolTip.hideText()
            else:
                cmo = self.project.cmos[cmo_id]
                QToolTip.showText(
                    event.globalPos(),
                    f"{cmo.code} ({cmo.status})\nContext: {cmo.context or '—'}\n"
                    f"Outcome: {cmo.outcome or '—'}\nClick to choose it",
                    self,
                )
            return True
        return super().event(event)


def _wrap(text: str, metrics: QFontMetrics, width: float, max_lines: int) -> str:
    """Word-wrap ``text`` into at most ``max_lines`` lines, the last elided with "…"."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words or (lines and metrics.horizontalAdvance(lines[-1]) > width):
        rest = " ".join([lines.pop(), *words]) if lines else " ".join(words)
        lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, int(width)))
    return "\n".join(lines)


def _arrow_head(painter: QPainter, tip: QPointF, direction: QPointF, color: QColor) -> None:
    back = QPointF(-direction.x() * 8, -direction.y() * 8)
    side = QPointF(-direction.y() * 4, direction.x() * 4)
    painter.setBrush(color)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawPolygon(QPolygonF([tip, tip + back + side, tip + back - side]))
