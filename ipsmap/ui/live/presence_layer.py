"""Other people's presence on the canvas: a dashed outline in their colour around each item
they selected, their name on a tag by the first one, and "Rowan is editing 'Housing'" over
the map.

An outline is a child item of the factor or link it surrounds, so it moves with the factor
(a drag here, a move from another laptop) without being told. It draws a light halo under a
dark-edged dash in the person's colour, so it reads on the light canvas, in high contrast,
and over a dark factor; the name tag makes it more than a colour. The layer is rebuilt from
the people's presence whenever they or the map change (at most a few hundred items).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QLabel, QStyleOptionGraphicsItem, QWidget

from ipsmap.ui.canvas.items import FactorItem

if TYPE_CHECKING:
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway

# Pens are cosmetic (screen pixels at any zoom): 3 px dashes on a 7 px light halo.
OUTLINE_PX = 3.0
HALO_PX = 7.0
GAP = 6.0  # (map units) between an item and the first outline; each further ring one more
RING = 8.0
DASH = [3.0, 2.0]  # in pen widths
# How far the bounds reach past the path, in map units: the halo at a zoom down to 1/4.
REACH = 4 * HALO_PX
TAG_Z = 1000.0  # name tags above every factor and link


def text_colour_on(colour: QColor) -> QColor:
    """Black or white, whichever reads better on ``colour`` (relative luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour.getRgbF()[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return QColor("#000000") if luminance > 0.18 else QColor("#ffffff")


class SelectionOutline(QGraphicsItem):
    """A dashed ring around its parent (a factor's box, or a link's line and mark), drawn
    ``ring`` steps out so two people's outlines on one item both show."""

    def __init__(self, parent: QGraphicsItem, colour: str, ring: int, key: str) -> None:
        super().__init__(parent)
        self.colour = QColor(colour)
        self.key = key
        self._ring = ring
        # Never in the way: clicks, drags and rubber bands reach the items beneath.
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent, False)
        self._path = self._outline()
        self._bounds = self._path.boundingRect().adjusted(-REACH, -REACH, REACH, REACH)

    def _outline(self) -> QPainterPath:
        parent = self.parentItem()
        reach = GAP + self._ring * RING
        path = QPainterPath()
        if isinstance(parent, FactorItem):
            path.addRoundedRect(
                parent.outline_rect().adjusted(-reach, -reach, reach, reach), reach, reach
            )
        elif parent is not None:
            # A link: the outline of its hit area (line, arrow and mark), then further out.
            stroker = QPainterPathStroker()
            stroker.setWidth(2 * (reach - GAP) + 2)
            shape = parent.shape().simplified()
            path = shape.united(stroker.createStroke(shape)).simplified() if self._ring else shape
        return path

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()  # nothing to hit: itemAt() finds the factor, not this

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        # A light halo, then dark-edged dashes in the colour: the gaps show the halo, so
        # the line reads as dashed on a light canvas, over a dark factor and in contrast.
        for colour, width, dashed in (
            (QColor(255, 255, 255, 235), HALO_PX, False),
            (self.colour.darker(180), OUTLINE_PX + 2, True),
            (self.colour, OUTLINE_PX, True),
        ):
            pen = QPen(colour, width)
            pen.setCosmetic(True)
            if dashed:
                pen.setDashPattern([d * OUTLINE_PX / width for d in DASH])
            painter.setPen(pen)
            painter.drawPath(self._path)

    def tag_anchor(self) -> QPointF:
        """Where the name tag hangs from (scene coordinates): the outline's top-left."""
        return self.mapToScene(self._path.boundingRect().topLeft())


class NameTag(QGraphicsItem):
    """The person's name on a small flag in their colour, above an outline's corner, over
    every factor and link (in the labels' font, so it zooms with the map)."""

    def __init__(self, outline: SelectionOutline, text: str, font: QFont) -> None:
        super().__init__()
        self.text = text
        self.outline = outline
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(TAG_Z)
        self._font = QFont(font)
        self._font.setBold(True)
        metrics = QFontMetricsF(self._font)
        width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 4
        self._rect = QRectF(0, -height, width, height)
        self._colour = outline.colour
        self.setPos(outline.tag_anchor())

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self._colour.darker(170), 1.5))
        painter.setBrush(self._colour)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setPen(text_colour_on(self._colour))
        painter.setFont(self._font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


class EditingHint(QLabel):
    """ "Rowan is editing 'Housing'", one line a person, in the canvas's top-left corner;
    clicks go through to the map."""

    def __init__(self, view: MapView) -> None:
        super().__init__(view)  # the view, not its viewport: it stays put when the map scrolls
        self.setObjectName("presence-hint")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setTextFormat(Qt.TextFormat.RichText)
        # Its own colours, whatever the theme: black on white with a frame reads everywhere.
        self.setStyleSheet(
            "QLabel#presence-hint { color: #000000; background: #ffffff;"
            " border: 2px solid #000000; border-radius: 4px; padding: 4px 8px; }"
        )
        self.lines: list[str] = []
        self.hide()

    def show_lines(self, lines: list[tuple[str, str]]) -> None:
        """``lines``: (colour, sentence) pairs."""
        self.lines = [sentence for _, sentence in lines]
        if not lines:
            self.hide()
            return
        self.setText(
            "<br>".join(
                f'<span style="color:{colour}">&#9632;</span> {_escape(sentence)}'
                for colour, sentence in lines
            )
        )
        self.adjustSize()
        self.move(12, 12)
        self.show()
        self.raise_()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PresenceLayer(QObject):
    """Draws everyone else's presence (``show_people``) over one canvas."""

    def __init__(self, hallway: Hallway, scene: MapScene, view: MapView) -> None:
        super().__init__(view)
        self.hallway = hallway
        self.scene = scene
        self.hint = EditingHint(view)
        self.people: dict[str, Any] = {}  # key → presence.Presence
        self._items: list[QGraphicsItem] = []
        # Connected after the scene, so the scene has rebuilt its items when these run.
        hallway.document_changed.connect(self._redraw)
        hallway.model_changed.connect(self._redraw)

    def show_people(self, people: Mapping[str, Any]) -> None:
        self.people = dict(people)
        self.refresh()

    def _redraw(self, _change: object = None) -> None:
        if self.people:
            self.refresh()

    def refresh(self) -> None:
        self._clear()
        document = self.hallway.document
        if document is None or self.hallway.snapshot is not None:
            self.hint.show_lines([])
            return
        rings: dict[str, int] = {}
        for key, person in sorted(self.people.items(), key=lambda kv: kv[1].name.casefold()):
            if person.map_id != document.id:
                continue
            first = True
            for item_id in person.selected:
                target = self._item_for(item_id)
                if target is None:
                    continue
                ring = rings.get(item_id, 0)
                rings[item_id] = ring + 1
                outline = SelectionOutline(target, person.colour, ring, key)
                self._items.append(outline)
                if first:
                    tag = NameTag(outline, person.name, self.scene.theme.font)
                    self.scene.addItem(tag)
                    self._items.append(tag)
                    first = False
        self.hint.show_lines(self.editing_lines())

    def editing_lines(self) -> list[tuple[str, str]]:
        """(colour, "Rowan is editing 'Housing'") for everyone editing on the map shown."""
        document = self.hallway.document
        lines = []
        if document is None:
            return lines
        for person in sorted(self.people.values(), key=lambda p: p.name.casefold()):
            if person.map_id != document.id or person.editing is None:
                continue
            what = _item_name(document, person.editing)
            if what is not None:
                lines.append((person.colour, f"{person.name} is editing {what}"))
        return lines

    def tags(self) -> list[NameTag]:
        return [i for i in self._items if shiboken6.isValid(i) and isinstance(i, NameTag)]

    def outlines(self) -> list[SelectionOutline]:
        """The outlines drawn now (for tests and the screenshot)."""
        return [i for i in self._items if shiboken6.isValid(i) and isinstance(i, SelectionOutline)]

    def _item_for(self, item_id: str) -> QGraphicsItem | None:
        return self.scene.factor_items.get(item_id) or self.scene.link_items.get(item_id)

    def _clear(self) -> None:
        # An item the scene deleted (its factor went, or another map was drawn) took our
        # outline with it: only the ones still alive are removed.
        for item in self._items:
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self._items.clear()

    def close(self) -> None:
        self.people = {}
        self._clear()
        self.hint.show_lines([])
        self.hint.deleteLater()
        self.hallway.document_changed.disconnect(self._redraw)
        self.hallway.model_changed.disconnect(self._redraw)


def _item_name(document: Any, item_id: str) -> str | None:
    factor = document.factors.get(item_id)
    if factor is not None:
        return f"'{factor.label}'"
    link = document.links.get(item_id)
    if link is None:
        return None
    source, target = document.factors.get(link.source), document.factors.get(link.target)
    if source is None or target is None:
        return "a link"
    return f"the link '{source.label}' → '{target.label}'"
