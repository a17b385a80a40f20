"""Shared helpers for the Qt tests: a canvas without a window, and real mouse and keyboard input.

The window fixtures are in ``conftest.py``; a test that needs only the canvas (a panel, an
overlay, a dialog) builds one here with ``open_canvas`` instead of wiring its own scene,
view and editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from ipsmap.model.document import MapDocument
from ipsmap.model.entities import Style
from ipsmap.model.project import Project
from ipsmap.ui.canvas.items import FactorItem, LinkItem
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.hallway import Hallway


@dataclass
class Canvas:
    """A map on a canvas, as the window wires it: hallway, scene, view and editor."""

    project: Project
    doc: MapDocument
    hallway: Hallway
    scene: MapScene
    view: MapView
    editor: MapEditor
    ids: dict[str, str] = field(default_factory=dict)  # the test's names -> record ids

    def style(self, kind: str, name: str) -> Style:
        style = self.doc.state.style_named(kind, name)
        assert style is not None, name
        return style

    def style_id(self, kind: str, name: str) -> str:
        return self.style(kind, name).id

    def close(self) -> None:
        """Empty the scene first (a scene destroyed with items selected would signal the
        editor), then let go of the project."""
        self.scene.clearSelection()
        self.hallway.show(None)
        self.project.close()


def open_canvas(
    qtbot, doc: MapDocument, host: QWidget | None = None, size: tuple[int, int] = (900, 600)
) -> Canvas:
    """Show ``doc`` on a new canvas; the view is shown on its own unless it goes in ``host``."""
    hallway = Hallway()
    scene = MapScene(hallway)
    view = MapView(scene, host)
    editor = MapEditor(hallway, scene, view)
    hallway.set_project(doc.project)
    hallway.show(doc)
    if host is None:
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
    return Canvas(doc.project, doc, hallway, scene, view, editor)


# -- pointing and typing ------------------------------------------------------------------


def viewport_point(view: MapView, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def factor_point(view: MapView, factor_id: str) -> QPoint:
    """Where a factor is drawn, in viewport coordinates."""
    scene = view.scene()
    assert isinstance(scene, MapScene)
    return viewport_point(view, scene.factor_items[factor_id].pos())


def drag(viewport, start: QPoint, end: QPoint, button=Qt.MouseButton.LeftButton, modifiers=None):
    """Press, move in steps, release: a drag as a hand makes it."""
    modifiers = modifiers or Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, button, modifiers, start)
    steps = 6
    for i in range(1, steps + 1):
        point = start + (end - start) * i / steps
        QTest.mouseMove(viewport, QPoint(int(point.x()), int(point.y())))
    QTest.mouseRelease(viewport, button, modifiers, end)


def empty_spot(view: MapView) -> QPoint:
    """A viewport point with no item under it."""
    viewport = view.viewport()
    for y in range(40, viewport.height() - 40, 25):
        for x in range(40, viewport.width() - 40, 25):
            under = view.items(QPoint(x, y))
            if not any(isinstance(i, (FactorItem, LinkItem)) for i in under):
                return QPoint(x, y)
    raise AssertionError("no empty spot on the canvas")


def add_factor_by_typing(qtbot, view: MapView, label: str, where: QPoint | None = None) -> str:
    """Double-click the background, type a label, press Return; the new factor's id."""
    scene = view.scene()
    assert isinstance(scene, MapScene) and scene.document is not None
    viewport = view.viewport()
    where = where or empty_spot(view)
    before = set(scene.document.factors)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)
    editor = view.label_editor()
    assert editor is not None and editor.isVisible()
    qtbot.keyClicks(editor, label)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    (new,) = set(scene.document.factors) - before
    return new


def type_into(qtbot, widget, text: str) -> None:
    """Focus a field, select what it holds and type over it."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    widget.selectAll()
    QTest.keyClicks(widget, text)


def select_factors(scene: MapScene, *factor_ids: str) -> None:
    """Select exactly these factors on the canvas (as Ctrl+clicks would)."""
    scene.clearSelection()
    for factor_id in factor_ids:
        scene.factor_items[factor_id].setSelected(True)


def factor_named(doc: MapDocument, label: str) -> str:
    return next(f for f, v in doc.factors.items() if v.label == label)
