"""The map scene: builds items from a document once, then applies each change event.

It draws what the hallway shows and reports the user's selection back to it; panels listen
to the hallway, not to the scene.
"""

from __future__ import annotations

import gc
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneHelpEvent, QGraphicsView

from ipsmap.model.changes import Change
from ipsmap.model.document import MapDocument
from ipsmap.ui.canvas.items import CanvasTheme, FactorItem, GroupItem, LinkItem

if TYPE_CHECKING:
    from ipsmap.ui.hallway import Hallway


class MapScene(QGraphicsScene):
    """Draws one map document and keeps the drawing in step with it.

    With a hallway, the scene follows the document it shows and its changes (connect the
    scene to the hallway before any panel, so panels see the canvas redrawn); without one
    (an image export), ``set_document`` draws a document once.
    """

    # (points) labels are now drawn at this size (badges and keys follow)
    labels_resized = Signal(float)

    def __init__(self, hallway: Hallway | None = None, parent=None) -> None:
        super().__init__(parent)
        self.theme = CanvasTheme()
        self.chosen_label_points = self.theme.font.pointSizeF()
        self.document: MapDocument | None = None
        self.factor_items: dict[str, FactorItem] = {}
        self.link_items: dict[str, LinkItem] = {}
        self.group_items: dict[str, GroupItem] = {}
        self._hallway = hallway
        # The map's extent, kept up to date cheaply (None: measure again when asked).
        self._bounds: QRectF | None = None
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBackgroundBrush(QColor("#fbfbf8"))
        if hallway is not None:
            hallway.document_changed.connect(self.set_document)
            hallway.model_changed.connect(self.apply_change)
            self.selectionChanged.connect(self._report_selection)

    def _report_selection(self) -> None:
        if self._hallway is not None:
            self._hallway.set_selection(self.selected_factor_ids(), self.selected_link_ids())

    # -- building ---------------------------------------------------------------------

    def set_document(self, document: MapDocument | None) -> None:
        self.clear()
        self.factor_items.clear()
        self.link_items.clear()
        self.group_items.clear()
        self.document = document
        if document is None:
            return
        # Building thousands of items allocates far more objects than the cyclic garbage
        # collector's thresholds: it would walk the whole open project several times over
        # while nothing it could free exists yet; it runs as usual again afterwards.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(document)
        finally:
            if collecting:
                gc.enable()

    def _build(self, document: MapDocument) -> None:
        for factor_id in document.factors:
            self._add_factor(factor_id)
        # Which links are one of a pair joining two factors both ways (drawn as curves),
        # known before each link is drawn so none works out its geometry twice.
        ends = {(link.source, link.target) for link in document.links.values()}
        for link_id, link in document.links.items():
            pair = link.source != link.target and (link.target, link.source) in ends
            self._add_link(link_id, curved=pair)
        self._refresh_curves(
            {i for i, link in document.links.items() if link.source == link.target}
        )
        for group_id in document.state.groups:
            self._add_group(group_id)
        self._bounds = self._measure_built_map()
        self._fit_scene_rect()

    def _add_factor(self, factor_id: str) -> FactorItem:
        assert self.document is not None
        factor = self.document.factors[factor_id]
        item = FactorItem(factor_id, self.theme)
        item.set_factor(factor, self.document.styles.get(factor.type or ""))
        self.addItem(item)
        self.factor_items[factor_id] = item
        return item

    def _add_link(self, link_id: str, curved: bool = False) -> LinkItem:
        assert self.document is not None
        link = self.document.links[link_id]
        item = LinkItem(
            link_id, self.factor_items[link.source], self.factor_items[link.target], self.theme
        )
        item.curved = curved
        item.set_link(link, self.document.styles.get(link.type or ""))
        self.addItem(item)
        self.link_items[link_id] = item
        return item

    def _add_group(self, group_id: str) -> None:
        item = GroupItem(group_id, self.theme)
        self.addItem(item)
        self.group_items[group_id] = item
        self._update_group(group_id)

    def _update_group(self, group_id: str) -> None:
        assert self.document is not None
        group = self.document.state.groups[group_id]
        members = [
            self.factor_items[f]
            for f in self.document.state.group_members.get(group_id, ())
            if f in self.factor_items
        ]
        self.group_items[group_id].set_group(group.name, group.color, members)

    # -- applying changes ---------------------------------------------------------------

    def apply_change(self, change: Change) -> None:
        """Redraw exactly what the change touched."""
        doc = self.document
        if doc is None:
            return
        curves: set[str] = set()
        if change.removed:
            self._bounds = None  # the map may have shrunk: measure again when asked
        for link_id in change.removed.get("links", ()):
            item = self.link_items.pop(link_id, None)
            if item is not None:
                curves.update(self._reciprocal_ids(item))
                item.detach()
                self.removeItem(item)
        for group_id in change.removed.get("groups", ()):
            group_item = self.group_items.pop(group_id, None)
            if group_item is not None:
                self.removeItem(group_item)
        for factor_id in change.removed.get("factors", ()):
            factor_item = self.factor_items.pop(factor_id, None)
            if factor_item is not None:
                self.removeItem(factor_item)
        for factor_id in change.added.get("factors", ()):
            self._add_factor(factor_id)
        for factor_id, fields in change.changed.get("factors", {}).items():
            factor_item = self.factor_items.get(factor_id)
            if factor_item is None:
                continue
            factor = doc.factors[factor_id]
            factor_item.set_factor(factor, doc.styles.get(factor.type or ""))
            if "label" in fields:
                for link_item in factor_item.links:
                    link_item.set_link(doc.links[link_item.link_id], link_item.style)
        for link_id in change.added.get("links", ()):
            curves.add(link_id)
            curves.update(self._reciprocal_ids(self._add_link(link_id)))
        for link_id in change.changed.get("links", {}):
            link = doc.links[link_id]
            self.link_items[link_id].set_link(link, doc.styles.get(link.type or ""))
        if change.touches("styles"):
            self._restyle()
        for group_id in change.added.get("groups", ()):
            self._add_group(group_id)
        touched_groups = set(change.changed.get("groups", {}))
        touched_groups.update(k.split("/")[0] for k in change.added.get("group_members", ()))
        touched_groups.update(k.split("/")[0] for k in change.removed.get("group_members", ()))
        moved = set(change.changed.get("factors", {})) | set(change.added.get("factors", ()))
        for group_id, members in doc.state.group_members.items():
            if group_id in self.group_items and (group_id in touched_groups or members & moved):
                self._update_group(group_id)
        self._refresh_curves(curves)
        self._fit_scene_rect([self.factor_items[f] for f in moved if f in self.factor_items])
        # Removed items leave the selection: the panels that follow read it from the hallway.
        self._report_selection()

    def refresh_groups_for(self, factor_ids: set[str]) -> None:
        """Re-fit group boxes around factors being dragged (before the move is committed)."""
        if self.document is None:
            return
        for group_id, members in self.document.state.group_members.items():
            if members & factor_ids and group_id in self.group_items:
                self.group_items[group_id].update_shape()

    def _restyle(self) -> None:
        doc = self.document
        assert doc is not None
        for factor_id, item in self.factor_items.items():
            item.set_style(doc.styles.get(doc.factors[factor_id].type or ""))
            item.relayout()
        for link_id, link_item in self.link_items.items():
            link_item.set_link(doc.links[link_id], doc.styles.get(doc.links[link_id].type or ""))

    def _reciprocal_ids(self, item: LinkItem) -> set[str]:
        return {
            other.link_id
            for other in item.source.links
            if other.source is item.target and other is not item
        }

    def _refresh_curves(self, link_ids: set[str]) -> None:
        # Two links joining the same factors both ways are drawn as two curves.
        for link_id in link_ids:
            item = self.link_items.get(link_id)
            if item is not None:
                item.set_curved(bool(self._reciprocal_ids(item)))

    def map_bounds(self) -> QRectF:
        """The bounding rectangle of everything drawn (measured only when it may shrink)."""
        if self._bounds is None:
            self._bounds = self.itemsBoundingRect()
        return QRectF(self._bounds)

    def _measure_built_map(self) -> QRectF:
        """What ``itemsBoundingRect`` gives right after a build (only the map's own items
        exist then), from the links' stored bounds: asking every item through Qt cost a
        Python call per item."""
        left = top = math.inf
        right = bottom = -math.inf
        boxes = [link.bounds_box() for link in self.link_items.values()]
        for item in (*self.factor_items.values(), *self.group_items.values()):
            rect = item.sceneBoundingRect()
            boxes.append((rect.left(), rect.top(), rect.right(), rect.bottom()))
        for box in boxes:
            if box is not None:
                left, top = min(left, box[0]), min(top, box[1])
                right, bottom = max(right, box[2]), max(bottom, box[3])
        if left == math.inf:
            return QRectF()
        return QRectF(left, top, right - left, bottom - top)

    def _fit_scene_rect(self, items=None) -> None:
        """Room to scroll around the map; after an edit it only grows (cheap per edit)."""
        if items is None:
            bounds = self.map_bounds()
            if bounds.isNull():
                bounds = QRectF(-400, -300, 800, 600)
            self.setSceneRect(bounds.adjusted(-2000, -2000, 2000, 2000))
            return
        rect = self.sceneRect()
        for item in items:
            if self._bounds is not None:
                self._bounds = self._bounds.united(item.sceneBoundingRect())
            needed = item.sceneBoundingRect().adjusted(-2000, -2000, 2000, 2000)
            if not rect.contains(needed):
                rect = rect.united(needed)
        if rect != self.sceneRect():
            self.setSceneRect(rect)

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:
        """Tooltips are written when one is asked for, for the items under the pointer:
        writing them for every item of a big map, or on every hover, cost more than all
        the tooltips anyone reads."""
        view = event.widget().parentWidget() if event.widget() is not None else None
        transform = view.transform() if isinstance(view, QGraphicsView) else QTransform()
        for item in self.items(
            event.scenePos(),
            Qt.ItemSelectionMode.IntersectsItemShape,
            Qt.SortOrder.DescendingOrder,
            transform,
        ):
            if isinstance(item, (FactorItem, LinkItem)):
                item.setToolTip(item.tooltip_text())
        super().helpEvent(event)

    # -- highlighting ---------------------------------------------------------------------

    def set_faded(self, ids: set[str]) -> None:
        """Fade the factors and links whose ids are given (an analysis answer shows the rest).

        Only items whose fading changes are repainted: panels clear the fade after many
        edits, and repainting every item of a 2,000-factor map each time cost ~0.1 s.
        """
        changed = self.theme.faded.symmetric_difference(ids)
        if not changed:
            return
        self.theme.set_faded(ids)
        for item_id in changed:
            item = self.factor_items.get(item_id) or self.link_items.get(item_id)
            if item is not None:
                item.update()

    def set_label_size(self, points: float) -> None:
        """The size the user (or a theme) chose: the smallest labels are drawn at."""
        self.chosen_label_points = points
        self.draw_labels_at(points)

    def draw_labels_at(self, points: float) -> None:
        """Draw labels at ``points`` (fitting enlarges them; see canvas/readable.py)."""
        if points == self.theme.font.pointSizeF():
            return
        self.theme.set_label_size(points)
        for item in self.factor_items.values():
            item.relayout()
        for group in self.group_items.values():
            group.update_shape()
        self._fit_scene_rect()
        self.labels_resized.emit(points)

    def set_high_contrast(self, on: bool) -> None:
        self.theme.set_high_contrast(on)
        self.setBackgroundBrush(QColor("#ffffff" if on else "#fbfbf8"))
        for item in (*self.factor_items.values(), *self.link_items.values()):
            item.update()

    def selected_factor_ids(self) -> list[str]:
        return [i.factor_id for i in self.selectedItems() if isinstance(i, FactorItem)]

    def selected_link_ids(self) -> list[str]:
        return [i.link_id for i in self.selectedItems() if isinstance(i, LinkItem)]
