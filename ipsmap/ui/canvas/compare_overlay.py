"""Draws a comparison over the map on the canvas: added, changed, removed, unchanged.

Side B is the map on the canvas. Its added records get a green halo, changed ones amber,
unchanged ones are faded; what side A had and B lacks is drawn as red, dashed, see-through
ghosts. All of it is extra graphics items plus the scene's fade set: the model and the map's
own items are never changed, and :meth:`CompareOverlay.clear` takes it all away.
"""

from __future__ import annotations

import math
from typing import Any

import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF, QTextOption
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from ipsmap.ui.canvas.items import LABEL_WIDTH, PADDING
from ipsmap.ui.canvas.scene import MapScene

ADDED = QColor("#2e7d32")
CHANGED = QColor("#ef8f00")
REMOVED = QColor("#c62828")
HALO_WIDTH = 7.0


def _translucent(color: QColor, alpha: int) -> QColor:
    result = QColor(color)
    result.setAlpha(alpha)
    return result


class GhostFactorItem(QGraphicsItem):
    """A factor side A had and side B lacks: a red, dashed, see-through box with its label."""

    def __init__(self, a_id: str, label: str, theme) -> None:
        super().__init__()
        self.a_id = a_id
        self.label = label
        self.theme = theme
        text = theme.metrics.boundingRect(
            QRectF(0, 0, LABEL_WIDTH, 10_000),
            int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
            label or " ",
        )
        width = max(text.width(), 40.0) + 2 * PADDING
        height = max(text.height(), theme.metrics.height()) + 2 * PADDING
        self._rect = QRectF(-width / 2, -height / 2, width, height)
        self.setZValue(9)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(f"Removed: {label}")

    def outline_rect(self) -> QRectF:
        return self._rect

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-4, -4, 4, 4)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(REMOVED, 3.0 if self.isSelected() else 2.0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(_translucent(REMOVED, 28)))
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setPen(_translucent(REMOVED.darker(130), 210))
        painter.setFont(self.theme.font)
        text_option = QTextOption(Qt.AlignmentFlag.AlignCenter)
        text_option.setWrapMode(QTextOption.WrapMode.WordWrap)
        painter.drawText(
            self._rect.adjusted(PADDING, PADDING, -PADDING, -PADDING), self.label, text_option
        )


class CompareOverlay:
    """The comparison drawn on one scene (side B is the scene's document)."""

    def __init__(self, scene: MapScene) -> None:
        self.scene = scene
        self.items: list[QGraphicsItem] = []
        self.ghosts: dict[str, GhostFactorItem] = {}
        self.ghost_links: dict[str, QGraphicsPathItem] = {}
        self.status: dict[str, str] = {}  # b id → 'added' | 'changed' | 'unchanged'
        self.halos: dict[str, QGraphicsPathItem] = {}

    # -- drawing --------------------------------------------------------------------------

    def show(self, result: dict[str, Any], a_doc: dict[str, Any]) -> None:
        """Draw ``result`` (compare_documents from ``a_doc`` to the scene's map)."""
        self.clear()
        scene = self.scene
        status: dict[str, str] = {}
        for kind in ("factors", "links"):
            for entry in result[kind]["added"]:
                status[entry["b_id"]] = "added"
            for entry in result[kind]["changed"]:
                status[entry["b_id"]] = "changed"
        shown = set(scene.factor_items) | set(scene.link_items)
        for item_id in shown - set(status):
            status[item_id] = "unchanged"
        self.status = status
        scene.set_faded({i for i, s in status.items() if s == "unchanged"})
        for factor_id, factor_item in scene.factor_items.items():
            if status.get(factor_id) in ("added", "changed"):
                # In the factor's own coordinates and parented to it, so the ring moves
                # with the factor while it is dragged (the overlay is rebuilt on release).
                path = QPainterPath()
                path.addRoundedRect(factor_item.outline_rect().adjusted(-5, -5, 5, 5), 10, 10)
                self._halo(factor_id, path, status[factor_id], z=8, parent=factor_item)
        for link_id, link_item in scene.link_items.items():
            if status.get(link_id) in ("added", "changed"):
                self._halo(link_id, link_item.shape(), status[link_id], z=4)
        self._draw_removed(result, a_doc)

    def _halo(
        self,
        item_id: str,
        path: QPainterPath,
        state: str,
        z: float,
        parent: QGraphicsItem | None = None,
    ) -> None:
        color = ADDED if state == "added" else CHANGED
        halo = QGraphicsPathItem(path)
        if z >= 8:  # a factor: a bold ring around it
            halo.setPen(QPen(_translucent(color, 200), HALO_WIDTH))
            halo.setBrush(QBrush(_translucent(color, 45)))
        else:  # a link: a light tint along it, so crossing links stay readable
            halo.setPen(QPen(_translucent(color, 140), 1.5))
            halo.setBrush(QBrush(_translucent(color, 90)))
        halo.setZValue(z)
        halo.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        halo.setToolTip("Added" if state == "added" else "Changed")
        if parent is not None:
            halo.setParentItem(parent)
            halo.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        else:
            self.scene.addItem(halo)
        self.items.append(halo)
        self.halos[item_id] = halo

    def _draw_removed(self, result: dict[str, Any], a_doc: dict[str, Any]) -> None:
        scene = self.scene
        factors_a = {f["id"]: f for f in a_doc["factors"]}
        links_a = {x["id"]: x for x in a_doc["links"]}
        # Where each side-A factor is on this canvas: itself (by id) or its label match.
        place: dict[str, Any] = {}
        by_id = result["matched_by"] == "id"
        for a_id, b_id in result["factor_pairs"].items():
            place.setdefault(a_id, scene.factor_items.get(b_id))
        removed = [e for e in result["factors"]["removed"] if e["a_id"] in factors_a]
        spots = self._ghost_positions(removed, factors_a, links_a, place, by_id)
        for entry in removed:
            factor = factors_a[entry["a_id"]]
            ghost = GhostFactorItem(entry["a_id"], factor["label"], scene.theme)
            ghost.setPos(spots[entry["a_id"]])
            scene.addItem(ghost)
            self.items.append(ghost)
            self.ghosts[entry["a_id"]] = ghost
            place[entry["a_id"]] = ghost
        for entry in result["links"]["removed"]:
            link = links_a.get(entry["a_id"])
            if link is None:
                continue
            source, target = place.get(link["source"]), place.get(link["target"])
            if source is None or target is None:
                continue
            item = self._ghost_link(source, target, entry["name"])
            self.ghost_links[entry["a_id"]] = item

    def _ghost_positions(self, removed, factors_a, links_a, place, by_id) -> dict[str, QPointF]:
        """Where to draw each removed factor.

        Matched by id (the same map earlier), a removed factor goes where it was. Across
        maps its old position means nothing here, so it goes beside the factors it was
        linked to, or failing that in a column to the right of the map.
        """
        spots: dict[str, QPointF] = {}
        taken: list[QPointF] = []
        bounds = self.scene.map_bounds()
        column = QPointF(bounds.right() + 140, bounds.top() + 40)
        for entry in removed:
            factor = factors_a[entry["a_id"]]
            if by_id:
                spots[entry["a_id"]] = QPointF(factor["x"], factor["y"])
                continue
            neighbours = []
            for link in links_a.values():
                other = (
                    link["target"] if link["source"] == factor["id"] else
                    link["source"] if link["target"] == factor["id"] else None
                )  # fmt: skip
                item = place.get(other) if other else None
                if item is not None and not isinstance(item, GhostFactorItem):
                    neighbours.append(item.pos())
            if neighbours:
                x = sum(p.x() for p in neighbours) / len(neighbours)
                y = sum(p.y() for p in neighbours) / len(neighbours)
                spot = QPointF(x + 90, y + 70)
                # Step around until clear of other ghosts (several may share neighbours).
                for step in range(12):
                    if all(QLineF(spot, t).length() > 90 for t in taken):
                        break
                    angle = step * 0.9
                    spot = QPointF(x + math.cos(angle) * 130, y + math.sin(angle) * 110)
            else:
                spot = QPointF(column)
                column = column + QPointF(0, 80)
            taken.append(spot)
            spots[entry["a_id"]] = spot
        return spots

    def _ghost_link(self, source, target, name: str) -> QGraphicsPathItem:
        line = QLineF(source.pos(), target.pos())
        start = _edge(source, line.p2())
        end = _edge(target, line.p1())
        path = QPainterPath(start)
        path.lineTo(end)
        tangent = QLineF(start, end)
        if tangent.length() > 0:
            ux, uy = tangent.dx() / tangent.length(), tangent.dy() / tangent.length()
            base = QPointF(end.x() - ux * 11, end.y() - uy * 11)
            head = QPolygonF(
                [
                    end,
                    QPointF(base.x() - uy * 6, base.y() + ux * 6),
                    QPointF(base.x() + uy * 6, base.y() - ux * 6),
                    end,
                ]
            )
            path.addPolygon(head)
        item = QGraphicsPathItem(path)
        item.setPen(QPen(_translucent(REMOVED, 200), 2.0, Qt.PenStyle.DashLine))
        item.setZValue(6)
        item.setToolTip(f"Removed: {name}")
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.scene.addItem(item)
        self.items.append(item)
        return item

    # -- finding and clearing -------------------------------------------------------------

    def item_for(self, kind: str, a_id: str | None, b_id: str | None) -> QGraphicsItem | None:
        """The canvas item that shows one difference (the map's own item, or a ghost)."""
        scene = self.scene
        if b_id is not None:
            found = (scene.factor_items if kind == "factor" else scene.link_items).get(b_id)
            if found is not None:
                return found
        if a_id is not None:
            return (self.ghosts if kind == "factor" else self.ghost_links).get(a_id)
        return None

    def clear(self) -> None:
        for item in self.items:
            # A document switch clears the scene first; those items are already gone.
            if shiboken6.isValid(item) and item.scene() is self.scene:
                self.scene.removeItem(item)
        self.items.clear()
        self.ghosts.clear()
        self.ghost_links.clear()
        self.halos.clear()
        self.status.clear()
        if shiboken6.isValid(self.scene):
            self.scene.set_faded(set())


def _edge(item, toward: QPointF) -> QPointF:
    rect = item.outline_rect().translated(item.pos())
    centre = rect.center()
    dx, dy = toward.x() - centre.x(), toward.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    half_w, half_h = rect.width() / 2 + 2, rect.height() / 2 + 2
    scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)
