"""Marks drawn on the canvas: a badge on each marked factor, and optional sizing by votes.

Badges are child items of the factor items, so they move and scale with them and need no
change to the factor painter. When both options are off nothing is created and nothing is
computed: the canvas costs the same as without marks.

Badge text follows the canvas label size (which the Large text and High contrast themes
raise), and high contrast draws them black on white. Sizing by votes and the analysis
panel's sizing by a metric both set a factor's size: turning votes sizing on keeps the sizes
it replaced and turning it off puts them back (``Workshop`` makes the two take turns).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem
from shiboken6 import isValid

from ipsmap.model.mark_summary import FactorMarks, summarise_marks

MAX_DOTS = 8
# Sizing by votes: the most-voted factor is drawn this much larger.
MAX_EXTRA_SCALE = 0.6
# Badge text is this share of the canvas label size (9 pt beside the standard 10 pt labels).
BADGE_TEXT_SHARE = 0.9
MIN_BADGE_POINTS = 7.0


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


def badge_tip(entry: FactorMarks) -> str:
    """What the badge says, in words (one line per kind of mark)."""
    t = entry.total
    return "\n".join(
        (
            f"★ {_people(t.important)} said this matters a lot (important)",
            f"⚒ {_people(t.controllable)} said we can do something about it (controllable)",
            f"⚡ {_people(t.vulnerable)} said it could easily change soon (vulnerable)",
            f"● {t.votes:g} {'vote' if t.votes == 1 else 'votes'} placed here",
        )
    )


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


class BadgeItem(QGraphicsItem):
    """A small rounded label hanging from a factor's top-right corner."""

    def __init__(
        self, parent: QGraphicsItem, text: str, tip: str, font: QFont, high_contrast: bool = False
    ) -> None:
        super().__init__(parent)
        self.setZValue(1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.font = font
        self.high_contrast = high_contrast
        self.set_text(text, tip)

    def set_look(self, font: QFont, high_contrast: bool) -> None:
        """Another text size or contrast (a theme change): lay the badge out again."""
        self.font = font
        self.high_contrast = high_contrast
        self.set_text(self.text, self.toolTip())

    def set_text(self, text: str, tip: str) -> None:
        self.prepareGeometryChange()
        self.text = text
        self.setToolTip(tip)
        size = QFontMetricsF(self.font).boundingRect(text)
        pad = self.font.pointSizeF() * 0.6
        self._rect = QRectF(0, 0, size.width() + 2 * pad, size.height() + pad / 2)
        corner = self.parentItem().outline_rect().topRight()
        self.setPos(corner + QPointF(-self._rect.width() + 8, -self._rect.height() + 6))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.high_contrast:
            painter.setPen(QPen(QColor("#000000"), 2))
            painter.setBrush(QBrush(QColor("#ffffff")))
        else:
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
        self.high_contrast = False
        # Each factor's size before sizing by votes took over (the analysis panel's sizes).
        self._sizes_before: dict[str, float] = {}

    def set_look(self, label_points: float, high_contrast: bool) -> None:
        """Badge text in step with the canvas labels (the theme), and its contrast."""
        points = max(label_points * BADGE_TEXT_SHARE, MIN_BADGE_POINTS)
        if points == self.font.pointSizeF() and high_contrast == self.high_contrast:
            return
        self.font = QFont(self.font)
        self.font.setPointSizeF(points)
        self.high_contrast = high_contrast
        # A badge goes with its factor when the scene is cleared (a closed window, another
        # map) before this hears of it: those are forgotten, not touched.
        self.badges = {key: badge for key, badge in self.badges.items() if isValid(badge)}
        for badge in self.badges.values():
            if badge.scene() is not None:
                badge.set_look(self.font, high_contrast)

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
        if self.size_by_votes and not was_sizing:
            self._sizes_before = {f: i.scale() for f, i in self.scene.factor_items.items()}
        if was_sizing and not self.size_by_votes:
            for factor_id, item in self.scene.factor_items.items():
                item.set_emphasis(self._sizes_before.get(factor_id, 1.0))
            self._sizes_before = {}
        self.refresh()

    def forget_sizes(self) -> None:
        """Someone else sized the factors since: turning votes sizing off leaves them be."""
        self._sizes_before = {f: i.scale() for f, i in self.scene.factor_items.items()}

    def scene_rebuilt(self) -> None:
        """The scene dropped its items (another map): the old badges went with them."""
        self.badges = {}
        self._sizes_before = {}
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
            tip = badge_tip(entry)
            if badge is None:
                self.badges[factor_id] = BadgeItem(item, text, tip, self.font, self.high_contrast)
            else:
                badge.set_text(text, tip)
        for factor_id in [f for f in self.badges if f not in self.scene.factor_items]:
            self.badges.pop(factor_id)

    def _clear_badges(self) -> None:
        for badge in self.badges.values():
            if badge.scene() is not None:
                self.scene.removeItem(badge)
        self.badges = {}
