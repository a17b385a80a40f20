"""Marks drawn on the canvas: a badge on each marked factor, and optional sizing by votes.

Badges are child items of the factor items, so they move and scale with them and need no
change to the factor painter. When both options are off nothing is created and nothing is
computed: the canvas costs the same as without marks.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from ipsmap.model.mark_summary import FactorMarks, summarise_marks

MAX_DOTS = 8
# Sizing by votes: the most-voted factor is drawn this much larger.
MAX_EXTRA_SCALE = 0.6


def badge_text(entry: FactorMarks) -> str:
    """ "★3 ⚒2 ●●●●" (stars: important, hands: controllable, dots: votes)."""
    t = entry.total
    parts = []
    if t.important:
        parts.append(f"★{t.important}")
    if t.controllable:
        parts.append(f"⚒{t.controllable}")
    if t.vulnerable:
        parts.append(f"⚡{t.vulnerable}")
    votes = int(t.votes)
    if votes:
        parts.append("●" * min(votes, MAX_DOTS) + ("+" if votes > MAX_DOTS else ""))
    return " ".join(parts)


class BadgeItem(QGraphicsItem):
    """A small rounded label hanging from a factor's top-right corner."""

    def __init__(self, parent: QGraphicsItem, text: str, tip: str, font: QFont) -> None:
        super().__init__(parent)
        self.setZValue(1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.font = font
        self.set_text(text, tip)

    def set_text(self, text: str, tip: str) -> None:
        self.prepareGeometryChange()
        self.text = text
        self.setToolTip(tip)
        size = QFontMetricsF(self.font).boundingRect(text)
        self._rect = QRectF(0, 0, size.width() + 10, size.height() + 4)
        corner = self.parentItem().outline_rect().topRight()
        self.setPos(corner + QPointF(-self._rect.width() + 8, -self._rect.height() + 6))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#333333"), 1))
        painter.setBrush(QBrush(QColor("#fff8d6")))
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setPen(QColor("#000000"))
        painter.setFont(self.font)
        painter.drawText(self._rect, int(Qt.AlignmentFlag.AlignCenter), self.text)


class MarkBadges:
    """Keeps the badges and sizes of one scene in step with the marks of its map."""

    def __init__(self, scene, project=None) -> None:
        self.scene = scene
        self.project = project
        self.show_badges = False
        self.size_by_votes = False
        self.badges: dict[str, BadgeItem] = {}
        self.font = QFont()
        self.font.setPointSizeF(9)

    @property
    def active(self) -> bool:
        return self.show_badges or self.size_by_votes

    def set_project(self, project) -> None:
        self.project = project
        self.badges = {}

    def set_options(self, badges: bool | None = None, sizing: bool | None = None) -> None:
        was_sizing = self.size_by_votes
        if badges is not None:
            self.show_badges = badges
        if sizing is not None:
            self.size_by_votes = sizing
        if was_sizing and not self.size_by_votes:
            for item in self.scene.factor_items.values():
                item.set_emphasis(1.0)
        self.refresh()

    def scene_rebuilt(self) -> None:
        """The scene dropped its items (another map): the old badges went with them."""
        self.badges = {}
        self.refresh()

    def refresh(self) -> None:
        document = self.scene.document
        if not self.active or document is None or self.project is None:
            self._clear_badges()
            return
        summary = summarise_marks(self.project, document.id)
        top_votes = max((e.total.votes for e in summary.factors.values()), default=0)
        for factor_id, item in self.scene.factor_items.items():
            entry = summary.factors.get(factor_id)
            if self.size_by_votes:
                share = entry.total.votes / top_votes if entry and top_votes else 0.0
                item.set_emphasis(1.0 + MAX_EXTRA_SCALE * share)
            text = badge_text(entry) if entry and self.show_badges else ""
            badge = self.badges.get(factor_id)
            if badge is not None and badge.scene() is None:
                badge = None
            if not text:
                if badge is not None:
                    self.scene.removeItem(badge)
                    self.badges.pop(factor_id, None)
                continue
            tip = (
                f"★ important to {entry.total.important} · ⚒ controllable for "
                f"{entry.total.controllable} · ⚡ vulnerable for {entry.total.vulnerable} · "
                f"● {entry.total.votes:g} votes"
            )
            if badge is None:
                self.badges[factor_id] = BadgeItem(item, text, tip, self.font)
            else:
                badge.set_text(text, tip)
        for factor_id in [f for f in self.badges if f not in self.scene.factor_items]:
            self.badges.pop(factor_id)

    def _clear_badges(self) -> None:
        for badge in self.badges.values():
            if badge.scene() is not None:
                self.scene.removeItem(badge)
        self.badges = {}
