"""The map view: zoom and pan, and the mouse gestures that end in one model command."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsView, QLineEdit, QWidget

from ipsmap.ui.canvas import readable
from ipsmap.ui.canvas.items import FactorItem, LinkItem, factor_box
from ipsmap.ui.canvas.scene import MapScene

ZOOM_STEP = 1.2
MIN_SCALE, MAX_SCALE = 0.05, 6.0


class MapView(QGraphicsView):
    """Shows a MapScene. Emits requests; the editor turns them into commands."""

    # (scene point) the user asks for a new factor here (double-click on the background):
    # the editor opens the label field, or says why not (no map, read-only)
    new_factor_wanted = Signal(QPointF)
    # (scene point, label) a new factor is wanted here; (factor id, label) edit its label
    add_factor_requested = Signal(QPointF, str)
    label_edited = Signal(str, str)
    link_requested = Signal(str, str)
    move_finished = Signal(dict)

    def __init__(self, scene: MapScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("map-view")
        self.setAccessibleName("Map canvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # (Resizes keep the top-left corner still, Qt's default: when the key's strip below
        # the map grows or shrinks, nothing on the map moves.)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.snap_to_grid = False
        self.grid_size = 20.0
        self._press_positions: dict[str, QPointF] = {}
        self._link_source: FactorItem | None = None
        self._link_line: QGraphicsLineItem | None = None
        self._panning = False
        self._pan_start = QPointF()
        self._space_held = False
        self._editor: QLineEdit | None = None
        # How tall labels should read on screen after "Fit map" (presentation asks more).
        self.readable_px = readable.READABLE_PX
        self.readable_factors = readable.READABLE_FACTORS
        # Whether the view still shows the map as "Fit map" left it (no zoom or pan since):
        # then a change of the view's size (the window, a dock, the key's strip) fits again.
        self._fitted = False
        self._refit_queued = False
        # Scrolling by the scroll bars (the user's actions only, not Qt's own adjustments).
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.actionTriggered.connect(self._user_scrolled)

    def map_scene(self) -> MapScene:
        scene = self.scene()
        assert isinstance(scene, MapScene)
        return scene

    # -- zoom ---------------------------------------------------------------------------

    def zoom_by(self, factor: float) -> None:
        self._fitted = False
        current = self.transform().m11()
        factor = max(MIN_SCALE / current, min(MAX_SCALE / current, factor))
        self.scale(factor, factor)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self._fitted = False
        self.resetTransform()

    def fit_map(self) -> None:
        """The whole map in view, its labels readable (the rule: canvas/readable.py)."""
        self._fit_map()
        self._fitted = True

    def _user_scrolled(self, _action: int) -> None:
        self._fitted = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted and not self._refit_queued:
            self._refit_queued = True
            QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        self._refit_queued = False
        if self._fitted and self.isVisible():  # not once the window has closed
            self.fit_map()

    def _fit_map(self) -> None:
        scene = self.map_scene()
        if scene.map_bounds().isNull():
            # An empty map: natural size around the origin, not the last map's zoom (new
            # factors typed there would be drawn too small to read).
            scene.draw_labels_at(scene.chosen_label_points)
            self.resetTransform()
            self.centerOn(0, 0)
            return
        if not 0 < len(scene.factor_items) <= self.readable_factors:
            scene.draw_labels_at(scene.chosen_label_points)
            self._fit(scene.map_bounds())
            return
        # The size is worked out on paper (boxes measured, nothing redrawn), then the map is
        # drawn at it and fitted. What the map draws beyond its boxes (hulls, badges) is
        # estimated from the drawing as it stands, so a second look, from the enlarged
        # drawing, corrects the rare case where that estimate fell short.
        tried: set[float] = set()
        for _ in range(3):
            points = self._readable_points()
            scene.draw_labels_at(points)
            self._fit(scene.map_bounds())
            if self.label_px() >= self.readable_px or points in tried:
                break
            tried.add(points)

    def label_px(self) -> float:
        """How tall label text is on screen now (px)."""
        points = self.map_scene().theme.font.pointSizeF()
        return readable.label_px(points, self.transform().m11(), self.logicalDpiY())

    def _readable_points(self) -> float:
        """The label size at which the fitted map reads at ``readable_px``, as far as boxes
        allow. Enlarging labels enlarges the map a little and so lowers the fit's zoom: a few
        rounds settle it (each closes most of what is left)."""
        scene = self.map_scene()
        chosen, drawn = scene.chosen_label_points, scene.theme.font.pointSizeF()
        items = list(scene.factor_items.values())
        font = QFont(scene.theme.font)
        measured: dict[float, dict[str, QRectF]] = {}

        def boxes_at(points: float) -> dict[str, QRectF]:
            if points not in measured:
                font.setPointSizeF(points)
                metrics = QFontMetricsF(font)
                measured[points] = {
                    item.factor_id: item.mapRectToScene(
                        factor_box(item.shown_label, item.style, metrics)
                    )
                    for item in items
                }
            return measured[points]

        # What the map draws beyond its factor boxes (group hulls and their names, curved
        # links), kept as it is while the boxes grow.
        bounds, boxes_now = scene.map_bounds(), _union(boxes_at(drawn).values())
        beyond = (
            max(boxes_now.left() - bounds.left(), 0.0),
            max(boxes_now.top() - bounds.top(), 0.0),
            max(bounds.right() - boxes_now.right(), 0.0),
            max(bounds.bottom() - boxes_now.bottom(), 0.0),
        )

        def px_at(points: float) -> float:
            extent = _union(boxes_at(points).values()).adjusted(
                -beyond[0], -beyond[1], beyond[2], beyond[3]
            )
            return readable.label_px(points, self._fit_scale(extent), self.logicalDpiY())

        points = chosen
        for _ in range(6):
            now_px = px_at(points)
            if now_px >= self.readable_px:
                break
            # A hair above the target, so the final fit's small shrink never leaves it under.
            wanted = readable.wanted_points(
                chosen, now_px * chosen / points, self.readable_px * 1.02
            )
            grown = readable.largest_clear_size(chosen, wanted, boxes_at)
            if grown <= points:
                break
            points = grown
        return points

    def fit_selection(self) -> None:
        rect = QRectF()
        for item in self.map_scene().selectedItems():
            rect = rect.united(item.sceneBoundingRect())
        if not rect.isNull():
            self._fit(rect)
            self._fitted = False  # the selection, not the map: a resize keeps this view

    def go_to(self, point: QPointF) -> None:
        """Centre the view on ``point`` (the overview's clicks): the user's own view now."""
        self._fitted = False
        self.centerOn(point)

    def _fit(self, rect: QRectF) -> None:
        # The key and the overview sit in a strip below the viewport (bottom_strip.py), so
        # the whole viewport is the map's.
        if rect.isNull():
            return
        scale = self._fit_scale(rect)
        self.resetTransform()
        self.scale(scale, scale)
        self.centerOn(rect.center())

    def _fit_scale(self, rect: QRectF) -> float:
        """The zoom at which ``rect`` (and a margin round it) fills the viewport."""
        rect = rect.adjusted(-40, -40, 40, 40)
        viewport = self.viewport().rect()
        return min(viewport.width() / rect.width(), viewport.height() / rect.height(), 2.0)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.angleDelta().y() == 0:
            return super().wheelEvent(event)
        self.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
        event.accept()

    # -- mouse ----------------------------------------------------------------------------

    def factor_at(self, view_pos) -> FactorItem | None:
        for item in self.items(view_pos):
            if isinstance(item, FactorItem):
                return item
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._close_editor(commit=True)
        factor = self.factor_at(event.position().toPoint())
        button = event.button()
        link_gesture = button == Qt.MouseButton.RightButton or (
            button == Qt.MouseButton.LeftButton
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if factor is not None and link_gesture:
            self._start_link(factor, event)
            return
        on_background = factor is None and not any(
            isinstance(item, LinkItem) for item in self.items(event.position().toPoint())
        )
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        left = button == Qt.MouseButton.LeftButton
        if button == Qt.MouseButton.MiddleButton or (
            left and (self._space_held or (on_background and not shift))
        ):
            self._panning = True
            self._fitted = False
            self._pan_start = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            plain_drag = not self._space_held and button != Qt.MouseButton.MiddleButton
            if plain_drag and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.map_scene().clearSelection()
            event.accept()
            return
        if left and on_background:
            # Shift+drag on the background: rubber-band selection.
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        super().mousePressEvent(event)
        self._press_positions = {
            item.factor_id: item.pos()
            for item in self.map_scene().selectedItems()
            if isinstance(item, FactorItem)
        }

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning:
            delta = event.position() - self._pan_start
            self._pan_start = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        if self._link_line is not None and self._link_source is not None:
            line = QLineF(self._link_source.pos(), self.mapToScene(event.position().toPoint()))
            self._link_line.setLine(line)
            event.accept()
            return
        super().mouseMoveEvent(event)
        if self._press_positions and event.buttons() & Qt.MouseButton.LeftButton:
            # Qt moved the items; links and group outlines follow live (the command that
            # records the move comes on release).
            scene = self.map_scene()
            for factor_id in self._press_positions:
                item = scene.factor_items.get(factor_id)
                if item is not None:
                    item.moved()
            scene.refresh_groups_for(set(self._press_positions))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._panning:
            self._panning = False
            self.viewport().unsetCursor()
            event.accept()
            return
        if self._link_line is not None:
            self._finish_link(event)
            return
        super().mouseReleaseEvent(event)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self._finish_move()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mouseDoubleClickEvent(event)
        factor = self.factor_at(event.position().toPoint())
        if factor is not None:
            self.edit_label(factor.factor_id)
        elif not any(isinstance(i, LinkItem) for i in self.items(event.position().toPoint())):
            self.new_factor_wanted.emit(self.mapToScene(event.position().toPoint()))
        event.accept()

    def _finish_move(self) -> None:
        scene = self.map_scene()
        moved: dict[str, tuple[float, float]] = {}
        for factor_id, start in self._press_positions.items():
            item = scene.factor_items.get(factor_id)
            if item is None:
                continue
            pos = item.pos()
            if self.snap_to_grid:
                pos = self.snapped(pos)
            if pos != start:
                moved[factor_id] = (pos.x(), pos.y())
        self._press_positions = {}
        if moved:
            self.move_finished.emit(moved)

    def snapped(self, pos: QPointF) -> QPointF:
        g = self.grid_size
        return QPointF(round(pos.x() / g) * g, round(pos.y() / g) * g)

    # -- drawing a link -------------------------------------------------------------------

    def _start_link(self, factor: FactorItem, event: QMouseEvent) -> None:
        self._link_source = factor
        self._link_line = QGraphicsLineItem(QLineF(factor.pos(), factor.pos()))
        self._link_line.setPen(QPen(QColor("#1565c0"), 2, Qt.PenStyle.DashLine))
        self._link_line.setZValue(100)
        self.map_scene().addItem(self._link_line)
        event.accept()

    def _finish_link(self, event: QMouseEvent) -> None:
        assert self._link_line is not None
        self.map_scene().removeItem(self._link_line)
        self._link_line = None
        source, self._link_source = self._link_source, None
        target = self.factor_at(event.position().toPoint())
        event.accept()
        if source is not None and target is not None and target is not source:
            self.link_requested.emit(source.factor_id, target.factor_id)

    # -- keyboard -------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
        if event.key() == Qt.Key.Key_Escape and self._link_line is not None:
            self.map_scene().removeItem(self._link_line)
            self._link_line = None
            self._link_source = None
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
        super().keyReleaseEvent(event)

    # -- in-place label editing ----------------------------------------------------------

    def ask_new_factor(self, scene_pos: QPointF) -> None:
        """Open a label editor at ``scene_pos``; Enter adds the factor, Esc cancels."""
        if self.snap_to_grid:
            scene_pos = self.snapped(scene_pos)
        self._open_editor(
            scene_pos, "", lambda text: self.add_factor_requested.emit(scene_pos, text)
        )

    def edit_label(self, factor_id: str) -> None:
        item = self.map_scene().factor_items.get(factor_id)
        if item is None:
            return
        self._open_editor(
            item.pos(), item.label, lambda text: self.label_edited.emit(factor_id, text)
        )
        if self._editor is not None:  # which factor is being edited (live presence asks)
            self._editor.setProperty("factor_id", factor_id)

    def _open_editor(self, scene_pos: QPointF, text: str, on_done: Callable[[str], None]) -> None:
        self._close_editor(commit=False)
        editor = QLineEdit(self.viewport())
        editor.setObjectName("label-editor")
        editor.setAccessibleName("Factor label")
        editor.setPlaceholderText("Type a label, Enter to confirm, Esc to cancel")
        editor.setText(text)
        editor.selectAll()
        font = editor.font()
        font.setPointSizeF(max(11.0, self.map_scene().theme.font.pointSizeF()))
        editor.setFont(font)
        width = 260
        point = self.mapFromScene(scene_pos)
        editor.setGeometry(point.x() - width // 2, point.y() - 16, width, 32)
        editor.returnPressed.connect(lambda: self._close_editor(commit=True))
        editor.installEventFilter(self)
        editor._on_done = on_done  # type: ignore[attr-defined]
        self._editor = editor
        editor.show()
        editor.setFocus()

    def _close_editor(self, commit: bool) -> None:
        editor, self._editor = self._editor, None
        if editor is None:
            return
        text = editor.text().strip()
        on_done = editor._on_done  # type: ignore[attr-defined]
        editor.removeEventFilter(self)
        editor.hide()
        editor.deleteLater()
        self.setFocus()
        if commit and text:
            on_done(text)

    def label_editor(self) -> QLineEdit | None:
        return self._editor

    def eventFilter(self, watched, event) -> bool:
        is_key = watched is self._editor and event.type() == event.Type.KeyPress
        if is_key and event.key() == Qt.Key.Key_Escape:
            self._close_editor(commit=False)
            return True
        if watched is self._editor and event.type() == event.Type.FocusOut:
            # Clicking elsewhere confirms, as in a spreadsheet.
            self._close_editor(commit=True)
            return False
        return super().eventFilter(watched, event)


def _union(rects) -> QRectF:
    total = QRectF()
    for rect in rects:
        total = total.united(rect)
    return total
