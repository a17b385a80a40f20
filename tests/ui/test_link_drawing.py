"""How links are drawn: their geometry (plain floats, redone only when an end moves), their
shared pens (a style or theme change reaches them), and the canvas tooltips (written on request)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from ipsmap.model.commands import AddFactor, AddLink, AddStyle, EditStyle
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.ui.canvas.link_geometry import edge_point, straight_link
from ipsmap.ui.canvas.link_pens import link_pens
from tests.ui.support import Canvas, drag, factor_point

# -- geometry, without a scene ------------------------------------------------------------


def test_a_straight_link_ends_on_both_boxes_with_its_arrow_at_the_target():
    link = straight_link((0.0, 0.0, 52.0, 22.0), (400.0, 0.0, 60.0, 30.0), 10.0, 10.0)
    assert link is not None
    assert (link.x1, link.y1, link.x2, link.y2) == (52.0, 0.0, 340.0, 0.0)
    tip, left, right = link.arrow[0:2], link.arrow[2:4], link.arrow[4:6]
    assert tip == (340.0, 0.0)
    # The base is one arrow size back along the line, 0.55 of it to each side.
    assert left == pytest.approx((330.0, 5.5)) and right == pytest.approx((330.0, -5.5))
    assert link.bounds == pytest.approx((42.0, -15.5, 350.0, 15.5))
    assert link.midpoint() == (196.0, 0.0)


def test_a_diagonal_link_leaves_the_box_on_its_edge():
    box = (100.0, 100.0, 40.0, 20.0)
    x, y = edge_point(box, 400.0, 400.0)
    # Steeper than the box's diagonal would leave through the side; 45° leaves the bottom.
    assert y == pytest.approx(120.0) and x == pytest.approx(120.0)
    x, y = edge_point(box, 400.0, 130.0)
    assert x == pytest.approx(140.0) and y == pytest.approx(104.0)


def test_factors_on_top_of_each_other_have_no_link_to_draw():
    assert straight_link((5.0, 5.0, 40.0, 20.0), (5.5, 5.0, 40.0, 20.0), 10.0, 10.0) is None


def test_pens_are_shared_per_look_and_differ_when_the_look_differs():
    look = dict(high_contrast=False, faded=False, selected=False)
    a = link_pens("#336699", False, 0.5, "+", 8.0, **look)
    assert link_pens("#336699", False, 0.5, "+", 8.0, **look) is a
    assert a.line.color() == QColor("#336699") and a.line.widthF() == 2.5
    b = link_pens("#993366", False, 0.5, "+", 8.0, **look)
    assert b.line.color() == QColor("#993366")
    faded = link_pens(
        "#336699", False, 0.5, "+", 8.0, high_contrast=False, faded=True, selected=False
    )
    assert faded.line.color().alpha() == 50 and faded.mark_fill.alpha() == 90


# -- on a canvas ------------------------------------------------------------------------------


@pytest.fixture
def canvas(make_canvas, tmp_path: Path) -> Canvas:
    project = Project.create(tmp_path / "links.ipsmap", "Link drawing")
    add_map = AddMap("Bristol workshop", "system")
    project.execute(add_map)
    doc = project.document(add_map.id)
    ids = {}
    for label, x, y in (("Parental stress", 0, 0), ("Child sleep", 300, 0), ("Debt", 0, 250)):
        add = AddFactor(label, x, y)
        doc.execute(add)
        ids[label] = add.id
    style = AddStyle("link", "Contested", color="#2e7d32")
    doc.execute(style)
    ids["Contested"] = style.id
    for name, source, target in (
        ("stress-sleep", "Parental stress", "Child sleep"),
        ("debt-stress", "Debt", "Parental stress"),
    ):
        add_link = AddLink(ids[source], ids[target], "+", type=style.id)
        doc.execute(add_link)
        ids[name] = add_link.id
    opened = make_canvas(doc)
    opened.ids = ids
    opened.view.centerOn(150, 120)
    return opened


def _line_end(canvas: Canvas, link: str) -> QPointF:
    return canvas.scene.link_items[canvas.ids[link]]._line.p2()


def test_a_link_follows_its_end_while_it_is_dragged_and_the_others_stay_as_they_were(qtbot, canvas):
    scene, view = canvas.scene, canvas.view
    sleep = scene.factor_items[canvas.ids["Child sleep"]]
    moving = scene.link_items[canvas.ids["stress-sleep"]]
    still = scene.link_items[canvas.ids["debt-stress"]]
    still_geometry = still._straight
    before = _line_end(canvas, "stress-sleep")
    start = factor_point(view, canvas.ids["Child sleep"])
    drag(view.viewport(), start, start + QPoint(0, 120))
    moved_to = sleep.pos()
    assert moved_to.y() > 60  # the drag moved the factor (and the model, on release)
    end = _line_end(canvas, "stress-sleep")
    assert end != before
    # The line still ends on the moved factor's edge, aimed at its centre.
    box = sleep.edge_box()
    on_edge = math.isclose(abs(end.x() - box[0]), box[2], abs_tol=0.01) or math.isclose(
        abs(end.y() - box[1]), box[3], abs_tol=0.01
    )
    assert on_edge, (end, box)
    assert moving.boundingRect().contains(end)
    # A link with neither end moved kept the very geometry it had.
    assert still._straight is still_geometry
    assert canvas.doc.factors[canvas.ids["Child sleep"]].y == pytest.approx(moved_to.y())


def test_a_label_edit_that_resizes_the_box_moves_the_links_end(canvas):
    from ipsmap.model.commands import EditFactor

    before = _line_end(canvas, "stress-sleep")
    canvas.editor.run(EditFactor(canvas.ids["Child sleep"], {"label": "Child sleep " * 6}))
    after = _line_end(canvas, "stress-sleep")
    # A longer label makes the target's box wider: the arrow stops further left.
    assert after.x() < before.x() and after.y() == pytest.approx(before.y())


def _pixel_colours_along(canvas: Canvas, link: str) -> set[str]:
    """Colours painted around the middle of a link (rendered from the scene)."""
    item = canvas.scene.link_items[canvas.ids[link]]
    line = item._line
    # A stretch of line a third of the way along (away from the polarity mark).
    at = line.pointAt(0.3)
    area = QRectF(at.x() - 4, at.y() - 4, 8, 8)
    image = QImage(80, 80, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    canvas.scene.render(painter, QRectF(0, 0, 80, 80), area)
    painter.end()
    return {QColor(image.pixel(x, y)).name() for x in range(80) for y in range(80)}


def test_a_style_colour_change_reaches_the_links_pens(canvas):
    assert "#2e7d32" in _pixel_colours_along(canvas, "stress-sleep")
    assert canvas.editor.run(EditStyle(canvas.ids["Contested"], {"color": "#6a1b9a"}))
    colours = _pixel_colours_along(canvas, "stress-sleep")
    assert "#6a1b9a" in colours and "#2e7d32" not in colours


def test_fading_and_selecting_reach_the_links_pens(canvas):
    item = canvas.scene.link_items[canvas.ids["stress-sleep"]]
    canvas.scene.set_faded({canvas.ids["stress-sleep"]})
    assert item._resources(False).line.color().alpha() == 50
    canvas.scene.set_faded(set())
    assert item._resources(False).line.color().alpha() == 255
    item.setSelected(True)
    assert item._resources(True).line.color() == QColor("#1565c0")
    assert "#1565c0" in _pixel_colours_along(canvas, "stress-sleep")


def test_the_built_maps_bounds_are_what_qt_measures(make_canvas, demo_project):
    # Every map of the demo (groups, badges, curved pairs): the bounds worked out from the
    # stored rects at build are the ones Qt's itemsBoundingRect gives.
    for info in demo_project.maps():
        canvas = make_canvas(demo_project.document(info.id))
        scene = canvas.scene
        assert scene.link_items or info.kind != "system"
        assert scene.map_bounds() == scene.itemsBoundingRect(), info.name


def _tooltip_at(qtbot, view, point: QPoint) -> str:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    QToolTip.hideText()
    viewport = view.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    qtbot.waitUntil(lambda: QToolTip.text() != "", timeout=2000)
    return QToolTip.text()


def test_tooltips_are_written_when_asked_for_and_say_what_the_item_is(qtbot, canvas):
    from ipsmap.model.commands import EditFactor, EditLink

    scene, view = canvas.scene, canvas.view
    sleep = canvas.ids["Child sleep"]
    assert canvas.editor.run(EditFactor(sleep, {"notes": "Parents' diaries, week 3"}))
    assert scene.factor_items[sleep].toolTip() == ""  # nothing written before it is asked for
    tip = _tooltip_at(qtbot, view, factor_point(view, sleep))
    assert tip == "Child sleep\n\nParents' diaries, week 3"
    link = canvas.ids["stress-sleep"]
    assert canvas.editor.run(EditLink(link, {"rationale": "Stress keeps children awake"}))
    middle = scene.link_items[link]._line.pointAt(0.3)
    tip = _tooltip_at(qtbot, view, view.mapFromScene(middle))
    assert tip == "Parental stress → Child sleep (+)\n\nStress keeps children awake"
