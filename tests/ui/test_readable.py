"""Readable from the back of a room: a 1280 × 720 window gives the canvas most of its area,
and "Fit map" draws labels at least 12 px high without making boxes overlap."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction

from ipsmap.model.commands import AddFactor
from ipsmap.ui.canvas import readable
from ipsmap.ui.canvas.readable import all_boxes, overlapping_pairs

PROJECTOR = (1280, 720)


@pytest.fixture
def projector_window(qtbot, demo_project):
    from ipsmap.ui.main_window import MainWindow

    win = MainWindow(demo_project, is_demo=True)
    qtbot.addWidget(win)
    win.resize(*PROJECTOR)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def fitted(qtbot, window, map_id: str) -> None:
    window.show_map(map_id)
    qtbot.wait(10)  # the window's own fit after a map change runs from the event loop
    window.view.fit_map()


def test_the_canvas_gets_most_of_a_projector_sized_window(projector_window):
    # The map's own area (the viewport, without the key's strip below it): was 30 %.
    viewport = projector_window.view.viewport().size()
    share = viewport.width() * viewport.height() / (PROJECTOR[0] * PROJECTOR[1])
    assert share > 0.55, f"the map gets only {share:.0%} of the window"
    view = projector_window.view.size()
    assert view.width() * view.height() / (PROJECTOR[0] * PROJECTOR[1]) > 0.6
    # Every panel is still one click away: tabs down the right edge, tables in the View menu.
    docks = projector_window.docks
    assert not docks["inspector"].isHidden() and docks["data"].isHidden()
    assert projector_window.tabifiedDockWidgets(docks["inspector"])


def test_the_panel_tabs_keep_their_whole_names(qtbot, projector_window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    projector_window.actions_by_name["theme-large"].trigger()

    def panel_tabs() -> QTabBar | None:
        for bar in projector_window.findChildren(QTabBar):
            if "Inspector" in [bar.tabText(i) for i in range(bar.count())]:
                return bar
        return None

    qtbot.waitUntil(lambda: panel_tabs() is not None)
    bar = panel_tabs()
    assert bar.elideMode() == Qt.TextElideMode.ElideNone and bar.usesScrollButtons()
    projector_window.actions_by_name["theme-standard"].trigger()


def test_fit_draws_labels_12_px_high_on_every_demo_map_without_overlaps(qtbot, projector_window):
    window = projector_window
    for info in window.project.maps():
        fitted(qtbot, window, info.id)
        scene = window.scene
        assert 0 < len(scene.factor_items) <= readable.READABLE_FACTORS
        assert window.view.label_px() >= 12.0, info.name
        assert not overlapping_pairs(all_boxes(scene.factor_items.values())), info.name
        # The whole map is in view.
        shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
        assert shown.contains(scene.map_bounds()), info.name
        # The key says the sizes it was given, not the enlarged ones.
        assert window.legend.height() < window.view.viewport().height() / 4


def test_the_label_size_box_sets_the_smallest_size_and_fitting_only_adds(qtbot, projector_window):
    window = projector_window
    fitted(qtbot, window, window.project.maps()[0].id)
    grown = window.scene.theme.font.pointSizeF()
    assert grown > window.label_size.value()
    window.label_size.setValue(12)
    assert window.scene.theme.font.pointSizeF() == 12
    window.trigger("fit-map")
    assert window.scene.theme.font.pointSizeF() >= 12
    assert window.view.label_px() >= 12.0


def test_growth_stops_before_two_boxes_touch(qtbot, make_canvas, tmp_path):
    from ipsmap.model.project import Project
    from ipsmap.model.project_commands import AddMap

    project = Project.create(tmp_path / "close.ipsmap", "Close")
    change = project.execute(AddMap("Crowded", "system", "Glasgow"))
    doc = project.document(change.map_id)
    # Two factors side by side with a little room, and one far away (the fit zooms out).
    for label, x, y in (("Left", 0, 0), ("Right", 150, 0), ("Far away", 2400, 1400)):
        doc.execute(AddFactor(label, x, y))
    canvas = make_canvas(doc, size=(900, 560))
    canvas.view.fit_map()
    scene = canvas.scene
    assert scene.theme.font.pointSizeF() > scene.chosen_label_points  # it grew...
    assert canvas.view.label_px() < 12.0  # ...but not as far as 12 px would need
    assert not overlapping_pairs(all_boxes(scene.factor_items.values()))


def test_presentation_keeps_boxes_apart_and_marks_as_tall_as_text(qtbot, projector_window):
    window = projector_window
    fitted(qtbot, window, window.project.maps()[1].id)
    window.trigger("presentation")
    qtbot.waitUntil(lambda: window.view.readable_px > 12)
    window.view.fit_map()
    theme = window.scene.theme
    # Labels enlarged past the size chosen (as far as the boxes allow on this screen).
    assert theme.font.pointSizeF() > window.scene.chosen_label_points
    assert not overlapping_pairs(all_boxes(window.scene.factor_items.values()))
    assert 2 * theme.mark_radius >= theme.metrics.height()
    window.view_actions.leave_presentation()
    assert window.view.readable_px == readable.READABLE_PX


def test_the_dock_layout_is_remembered(qtbot, demo_project, tmp_path):
    from ipsmap.model.project import Project
    from ipsmap.ui.main_window import MainWindow

    first = MainWindow(demo_project, is_demo=True)
    qtbot.addWidget(first)
    first.show()
    first.findChild(QAction, "action-show-data-view").trigger()
    assert first.docks["data"].isVisible()
    first.close()
    assert QSettings().value("window/state") is not None
    again = MainWindow(Project.open(demo_project.path), is_demo=True)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.docks["data"].isVisible()
    again.close()
