"""The legend overlay and the overview minimap on the canvas."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QMouseEvent
from PySide6.QtWidgets import QApplication

from ipsmap.model.commands import AddFactor, AddLink, DeleteLinks, EditFactors, EditStyle
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.ui.canvas.bottom_strip import GAP
from ipsmap.ui.canvas.legend import LegendOverlay
from ipsmap.ui.canvas.minimap import Minimap
from ipsmap.ui.canvas.view import MapView
from tests.ui.support import Canvas

POLARITY_LINES = ["+ same direction", "− opposite direction", "? unknown or complex"]
WEIGHT_LINE = "thicker = stronger, dashed = less sure"


def _canvas(make_canvas, path: Path, factors: list[tuple[str, float, float, str]]) -> Canvas:
    project = Project.create(path, "Canvas test")
    command = AddMap("Bristol workshop", "system")
    project.execute(command)
    doc = project.document(command.id)
    ids: dict[str, str] = {}
    for label, x, y, type_name in factors:
        style = doc.state.style_named("factor", type_name)
        add = AddFactor(label, x, y, type=style.id if style else None)
        doc.execute(add)
        ids[label] = add.id
    opened = make_canvas(doc)
    opened.ids = ids
    return opened


@pytest.fixture
def canvas(make_canvas, tmp_path: Path):
    opened = _canvas(
        make_canvas,
        tmp_path / "small.ipsmap",
        [
            ("Parental stress", 0, 0, "Factor"),
            ("Family support", -200, 120, "Intervention"),
            ("Child sleep", 220, 0, "Mechanism"),
        ],
    )
    doc, ids = opened.doc, opened.ids
    doc.execute(AddLink(ids["Parental stress"], ids["Child sleep"], "-"))
    uncertain = opened.style_id("link", "Uncertain")
    doc.execute(AddLink(ids["Family support"], ids["Parental stress"], "-", type=uncertain))
    opened.view.centerOn(0, 0)
    return opened


@pytest.fixture
def empty_canvas(make_canvas, tmp_path: Path):
    opened = _canvas(make_canvas, tmp_path / "empty.ipsmap", [])
    return opened


@pytest.fixture
def wide_canvas(make_canvas, tmp_path: Path):
    """Factors spread over 3000 x 2000: the map overflows the view at 1:1."""
    opened = _canvas(
        make_canvas,
        tmp_path / "wide.ipsmap",
        [
            ("West", -1500, 0, "Factor"),
            ("East", 1500, 0, "Factor"),
            ("North", 0, -1000, "Outcome"),
            ("South", 0, 1000, "Context"),
        ],
    )
    return opened


def _view_centre(view: MapView) -> QPointF:
    return view.mapToScene(view.viewport().rect().center())


# -- legend ------------------------------------------------------------------------------


def test_legend_lists_used_types_and_the_polarity_key(canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    assert legend.objectName() == "legend"
    assert legend.parentWidget() is canvas.view
    assert legend.isVisible()
    entries = legend.entries()
    for used in ("Factor", "Intervention", "Mechanism", "Causal", "Uncertain"):
        assert used in entries
    for unused in ("Context", "Outcome", "Focal"):
        assert unused not in entries
    # Both links are "−" (one of them dashed): only that sign is explained.
    for line in ["− opposite direction", WEIGHT_LINE]:
        assert line in entries
    for unused in ("+ same direction", "? unknown or complex"):
        assert unused not in entries
    assert "Mechanism" in legend.accessibleDescription()


def test_legend_lists_only_the_polarities_and_line_styles_used(canvas):
    doc, ids = canvas.doc, canvas.ids
    # Start from a map whose only link is a solid "+".
    for link_id in list(doc.state.links):
        assert canvas.editor.run(DeleteLinks([link_id]))
    assert canvas.editor.run(AddLink(ids["Parental stress"], ids["Child sleep"], "+"))
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    entries = legend.entries()
    assert "+ same direction" in entries
    assert "− opposite direction" not in entries
    assert "? unknown or complex" not in entries
    assert "Causal" in entries and "Uncertain" not in entries
    # No line is dashed, so the key does not explain dashes.
    assert "thicker = stronger" in entries and WEIGHT_LINE not in entries
    polarity_rows = [row for row in legend._rows if row.kind == "polarity"]
    assert [row.polarity for row in polarity_rows] == ["+"]

    # A "?" link on the dashed style: its sign and the dashes join the key, and leave again.
    uncertain = canvas.style_id("link", "Uncertain")
    add = AddLink(ids["Family support"], ids["Parental stress"], "?", type=uncertain)
    assert canvas.editor.run(add)
    entries = legend.entries()
    assert POLARITY_LINES[0] in entries and POLARITY_LINES[2] in entries
    assert POLARITY_LINES[1] not in entries
    assert "Uncertain" in entries and WEIGHT_LINE in entries
    canvas.doc.undo()
    assert "? unknown or complex" not in legend.entries()
    assert "Uncertain" not in legend.entries()


def test_legend_of_factors_without_links_has_no_link_key(make_canvas, tmp_path: Path):
    opened = _canvas(make_canvas, tmp_path / "nolinks.ipsmap", [("Alone", 0, 0, "Factor")])
    legend = LegendOverlay(opened.hallway, opened.view, opened.scene)
    assert legend.entries() == ["Factor types", "Factor"]


def test_empty_map_legend_shows_every_type(empty_canvas):
    legend = LegendOverlay(empty_canvas.hallway, empty_canvas.view, empty_canvas.scene)
    styles = empty_canvas.doc.state.styles.values()
    for style in styles:
        assert style.name in legend.entries()


def test_legend_follows_model_changes(canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    focal = canvas.style_id("factor", "Focal")
    assert canvas.editor.run(EditFactors([canvas.ids["Child sleep"]], {"type": focal}))
    assert "Focal" in legend.entries()
    assert "Mechanism" not in legend.entries()
    assert canvas.editor.run(EditStyle(focal, {"name": "What we care about"}))
    assert "What we care about" in legend.entries()
    canvas.doc.undo()
    canvas.doc.undo()
    assert "Mechanism" in legend.entries()


def below_the_map(view, widget) -> bool:
    """In the strip the view keeps under its viewport: never over the map."""
    area = view.viewport().geometry()
    return (
        widget.parentWidget() is view
        and widget.geometry().top() > area.bottom()
        and widget.geometry().bottom() <= view.height()
        and area.left() <= widget.geometry().left()
        and widget.geometry().right() <= area.right()
    )


def test_legend_sits_below_the_map_through_resize_and_scroll(qtbot, canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    viewport = canvas.view.viewport()

    def at_left_of_strip() -> bool:
        return below_the_map(canvas.view, legend) and legend.x() == viewport.geometry().left() + GAP

    assert at_left_of_strip()
    canvas.view.resize(700, 450)
    qtbot.waitUntil(at_left_of_strip)
    bar = canvas.view.horizontalScrollBar()
    bar.setValue(bar.value() + 150)
    assert at_left_of_strip()
    # The strip is as tall as the key: the viewport gives up that much and no more.
    assert canvas.view.viewportMargins().bottom() == legend.height() + 2 * GAP
    legend.set_shown(False)
    assert canvas.view.viewportMargins().bottom() == 0
    legend.set_shown(True)
    assert at_left_of_strip()


def test_legend_grows_with_the_label_size_and_fits_its_text(qtbot, canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    small = legend.size()
    canvas.scene.set_label_size(20)
    legend.refresh()
    # A strip along the canvas's bottom: taller text makes more and taller lines, and it
    # never runs wider than the canvas.
    assert legend.height() > small.height() * 1.5
    assert below_the_map(canvas.view, legend)
    # The key is drawn a little smaller than labels; every entry's words fit on its line.
    font = QFont(canvas.scene.theme.font)
    font.setPointSizeF(font.pointSizeF() * 0.85)
    metrics = QFontMetricsF(font)
    lines = legend._lines()
    assert sum(len(line) for line in lines) == len(legend.entries())
    for line in lines:
        assert legend.width() > sum(metrics.horizontalAdvance(row.text) for row, _w in line)
    assert legend.height() > metrics.height() * len(lines)


def test_legend_strip_wraps_to_a_narrow_canvas(qtbot, canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    wide_lines = len(legend._lines())
    canvas.view.resize(420, 500)
    qtbot.waitUntil(lambda: len(legend._lines()) > wide_lines)
    assert below_the_map(canvas.view, legend)


def test_legend_notices_theme_changes_without_being_told(qtbot, canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    small = legend.width()
    canvas.scene.set_label_size(18)
    canvas.view.viewport().update()
    qtbot.waitUntil(lambda: legend.width() > small)


def test_legend_can_be_hidden(canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    legend.set_shown(False)
    assert not legend.isVisible()
    legend.refresh()
    assert not legend.isVisible()
    legend.set_shown(True)
    assert legend.isVisible()


def test_legend_lets_clicks_through(canvas):
    legend = LegendOverlay(canvas.hallway, canvas.view, canvas.scene)
    assert legend.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


# -- minimap -----------------------------------------------------------------------------


def test_minimap_hidden_when_the_map_fits_and_shown_when_zoomed_in(canvas):
    minimap = Minimap(canvas.hallway, canvas.view, canvas.scene)
    assert minimap.objectName() == "minimap"
    assert minimap.parentWidget() is canvas.view
    assert not minimap.isVisible()
    canvas.view.scale(4, 4)
    minimap.sync()
    assert minimap.isVisible()
    viewport = canvas.view.viewport()
    assert below_the_map(canvas.view, minimap)
    assert minimap.geometry().right() == viewport.geometry().right() - GAP
    canvas.view.fit_map()
    assert not minimap.isVisible()


def test_minimap_follows_zoom_without_sync(canvas):
    minimap = Minimap(canvas.hallway, canvas.view, canvas.scene)
    canvas.view.zoom_by(4)
    assert minimap.isVisible()


def test_minimap_can_be_turned_off(canvas):
    minimap = Minimap(canvas.hallway, canvas.view, canvas.scene)
    canvas.view.scale(4, 4)
    minimap.set_enabled(False)
    assert not minimap.isVisible()
    minimap.set_enabled(True)
    assert minimap.isVisible()


def test_minimap_shows_the_whole_map_and_the_visible_area(wide_canvas):
    view, scene = wide_canvas.view, wide_canvas.scene
    minimap = Minimap(wide_canvas.hallway, view, scene)
    assert minimap.isVisible()
    assert not minimap.isInteractive()
    inner = minimap.mapToScene(minimap.viewport().rect()).boundingRect()
    assert inner.contains(scene.itemsBoundingRect())
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert minimap.shown_area() == visible
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + 200)
    assert minimap.shown_area().top() == pytest.approx(visible.top() + 200, abs=1)


def test_clicking_the_minimap_recentres_the_main_view(qtbot, wide_canvas):
    view, scene = wide_canvas.view, wide_canvas.scene
    minimap = Minimap(wide_canvas.hallway, view, scene)
    east = scene.factor_items[wide_canvas.ids["East"]].pos()
    target = minimap.mapFromScene(east)
    qtbot.mouseClick(minimap.viewport(), Qt.MouseButton.LeftButton, pos=target)
    centre = _view_centre(view)
    tolerance = 2 / minimap.transform().m11()
    assert centre.x() == pytest.approx(east.x(), abs=tolerance)
    assert centre.y() == pytest.approx(east.y(), abs=tolerance)
    # The click neither selected anything nor reached the canvas below.
    assert not scene.selectedItems()
    # It stays in its place even though the canvas scrolled.
    viewport = view.viewport()
    assert minimap.geometry().right() == viewport.geometry().right() - GAP
    assert below_the_map(view, minimap)


def test_dragging_in_the_minimap_moves_the_main_view(qtbot, wide_canvas):
    view, scene = wide_canvas.view, wide_canvas.scene
    minimap = Minimap(wide_canvas.hallway, view, scene)
    west = scene.factor_items[wide_canvas.ids["West"]].pos()
    south = scene.factor_items[wide_canvas.ids["South"]].pos()
    qtbot.mousePress(minimap.viewport(), Qt.MouseButton.LeftButton, pos=minimap.mapFromScene(west))
    drag_to = QPointF(minimap.mapFromScene(south))
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        drag_to,
        minimap.viewport().mapToGlobal(drag_to),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(minimap.viewport(), move)
    qtbot.mouseRelease(minimap.viewport(), Qt.MouseButton.LeftButton, pos=drag_to.toPoint())
    tolerance = 2 / minimap.transform().m11()
    assert _view_centre(view).x() == pytest.approx(south.x(), abs=tolerance)


def test_double_click_on_the_minimap_does_not_add_a_factor(qtbot, wide_canvas):
    minimap = Minimap(wide_canvas.hallway, wide_canvas.view, wide_canvas.scene)
    qtbot.mouseDClick(minimap.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert wide_canvas.view.label_editor() is None


def test_minimap_refits_when_the_map_grows(wide_canvas):
    minimap = Minimap(wide_canvas.hallway, wide_canvas.view, wide_canvas.scene)
    assert wide_canvas.editor.run(AddFactor("Far away", 4000, 3000))
    inner = minimap.mapToScene(minimap.viewport().rect()).boundingRect()
    assert inner.contains(QPointF(4000, 3000))


def test_minimap_follows_a_new_document(qtbot, wide_canvas, canvas):
    minimap = Minimap(canvas.hallway, canvas.view, canvas.scene)
    assert not minimap.isVisible()
    canvas.hallway.show(wide_canvas.doc)
    minimap.sync()
    assert minimap.isVisible()
    canvas.hallway.show(None)
    minimap.sync()
    assert not minimap.isVisible()


def test_minimap_and_legend_share_the_strip_without_meeting(qtbot, wide_canvas):
    legend = LegendOverlay(wide_canvas.hallway, wide_canvas.view, wide_canvas.scene)
    minimap = Minimap(wide_canvas.hallway, wide_canvas.view, wide_canvas.scene)
    view = wide_canvas.view
    minimap.sync()
    assert minimap.isVisible() and legend.isVisible()
    assert not minimap.geometry().intersects(legend.geometry())
    lines = len(legend._lines())
    # Narrow the canvas (as a wide side panel or large text does): the key wraps instead.
    view.resize(500, 700)

    def apart() -> bool:
        return (
            minimap.isVisible()
            and not minimap.geometry().intersects(legend.geometry())
            and below_the_map(view, legend)
            and below_the_map(view, minimap)
        )

    qtbot.waitUntil(apart)
    assert len(legend._lines()) > lines
    # Back to a wide canvas: still side by side, below the map.
    view.resize(1200, 700)
    qtbot.waitUntil(apart)
    assert minimap.geometry().right() == view.viewport().geometry().right() - GAP
