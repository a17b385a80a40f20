"""An overview of the whole map, in the strip below the canvas beside the key, drawn only
when the map does not fit the view; clicking or dragging in it moves the main view there."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGraphicsView

from ipsmap.model.changes import Change
from ipsmap.ui.canvas import bottom_strip
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.hallway import Hallway

VIEW_RECT_COLOR = "#1565c0"


class Minimap(QGraphicsView):
    """A second, non-interactive view of the map scene scaled to fit the whole map."""

    def __init__(self, hallway: Hallway, view: MapView, scene: MapScene) -> None:
        super().__init__(scene, view)
        self.setObjectName("minimap")
        self.setAccessibleName("Map overview")
        self.setToolTip("Overview of the whole map: click or drag to move the view")
        self._view = view
        self._scene = scene
        self._enabled = True
        self._document = None
        # The map's extent (scene coordinates), measured on model changes only.
        self._bounds = QRectF()
        # The main view's visible area as last drawn here.
        self._view_rect = QRectF()
        self._configure()
        view.viewport().installEventFilter(self)
        for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
            bar.valueChanged.connect(self.sync)
            # Zooming always changes the scroll ranges, so this also follows zoom.
            bar.rangeChanged.connect(self.sync)
        hallway.model_changed.connect(self._on_model_changed)
        self.refit()

    def _configure(self) -> None:
        self.setFrameShape(QFrame.Shape.Box)
        self.setLineWidth(1)
        self.setInteractive(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Scene edits repaint one bounding rect; our own moving rectangle repaints only
        # the area it left and entered (see _update_view_rect).
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setBackgroundBrush(QColor("#ffffff"))
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)

    # -- public ---------------------------------------------------------------------------

    def set_enabled(self, enabled: bool) -> None:
        """Let the user hide the overview even when the map overflows."""
        self._enabled = enabled
        bottom_strip.arrange(self._view)  # its slot in the strip comes and goes with it
        self.sync()

    def is_enabled(self) -> bool:
        return self._enabled

    def aspect(self) -> float:
        """Width over height of the map (its slot in the strip has the same shape)."""
        if self._bounds.isEmpty():
            return 1.6
        return self._bounds.width() / max(self._bounds.height(), 1.0)

    def place(self, rect: QRect) -> None:
        """Take ``rect`` of the view (the strip's arrangement decides it)."""
        if self.geometry() != rect:
            self.setGeometry(rect)

    def shown_area(self) -> QRectF:
        """The main view's visible area, as the rectangle drawn here (scene coordinates)."""
        return QRectF(self._view_rect)

    def overflows(self) -> bool:
        """Whether part of the map lies outside the main view."""
        return not self._bounds.isEmpty() and not self._visible_area().contains(self._bounds)

    def refit(self) -> None:
        """Measure the map again and scale the overview to it."""
        same_map = self._document is self._scene.document
        self._document = self._scene.document
        bounds = self._scene.map_bounds() if self._document is not None else QRectF()
        unchanged = same_map and bounds == self._bounds
        self._bounds = bounds
        # Most edits leave the map's extent alone: then the overview keeps its scale.
        if not bounds.isEmpty() and not unchanged:
            margin = max(bounds.width(), bounds.height()) * 0.04
            self.setSceneRect(bounds.adjusted(-margin, -margin, margin, margin))
            bottom_strip.arrange(self._view)  # the slot follows the map's shape
            self._fit()
        self.sync()

    def sync(self, *_: object) -> None:
        """Follow the main view's scroll and zoom: show or hide, and move the rectangle."""
        if self._scene.document is not self._document:
            self.refit()
            return
        shown = self._enabled and self.overflows()
        if shown != (not self.isHidden()):
            self.setVisible(shown)
            bottom_strip.arrange(self._view)
        if shown:
            self._update_view_rect()

    # -- drawing ----------------------------------------------------------------------------

    def _fit(self) -> None:
        if not self.sceneRect().isEmpty():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _visible_area(self) -> QRectF:
        viewport = self._view.viewport()
        return self._view.mapToScene(viewport.rect()).boundingRect()

    def _update_view_rect(self) -> None:
        area = self._visible_area()
        if area == self._view_rect:
            return
        dirty = self._to_viewport(self._view_rect).united(self._to_viewport(area))
        self._view_rect = area
        self.viewport().update(dirty.adjusted(-3, -3, 3, 3))

    def _to_viewport(self, rect: QRectF) -> QRect:
        return self.mapFromScene(rect).boundingRect() if not rect.isEmpty() else QRect()

    def paintEvent(self, event) -> None:
        # Drawn on top after the scene, in viewport pixels. (Overriding drawForeground
        # instead crashed PySide6 6.12 at interpreter exit with a refcount error.)
        QGraphicsView.paintEvent(self, event)
        if self._view_rect.isEmpty():
            return
        painter = QPainter(self.viewport())
        pen = QPen(QColor(VIEW_RECT_COLOR), 1.5)
        fill = QColor(VIEW_RECT_COLOR)
        fill.setAlpha(40)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawPolygon(self.mapFromScene(self._view_rect))
        painter.end()

    # -- events -----------------------------------------------------------------------------

    def _on_model_changed(self, change: Change) -> None:
        self.refit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            bottom_strip.arrange(self._view)
            self.sync()
        return False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        # The viewport gets its real size only when first shown.
        super().showEvent(event)
        self._fit()

    def _centre_main_view(self, position: QPointF) -> None:
        self._view.go_to(self.mapToScene(position.toPoint()))

    # The overview swallows every mouse event: passed on, they would reach the canvas
    # underneath (a double click there adds a factor).
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._centre_main_view(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._centre_main_view(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()

    def wheelEvent(self, event) -> None:
        event.accept()

    def contextMenuEvent(self, event) -> None:
        event.accept()
