"""What the marks show, opened large over the window for a projector, and its label places."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

from ipsmap.ui.workshop.grid_labels import caption_corner, crosses, leader_line, place_label


def _glasgow(window):
    return next(m.id for m in window.project.maps() if m.name.startswith("Glasgow"))


def _dots(grid) -> dict[str, QRectF]:
    return {f: QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r) for f, (c, r, _e) in grid.points.items()}


def _open_large(window, qtbot):
    window.resize(1280, 720)
    window.show_map(_glasgow(window))
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view)
    dock_points = QFontInfo(window.workshop.marks.grid.font()).pointSizeF()
    qtbot.keyClick(
        QApplication.focusWidget(),
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    large = window.workshop.large_marks
    grid = window.workshop.marks.grid
    qtbot.waitExposed(grid)
    grid.repaint()
    return large, grid, dock_points


def test_the_grid_opens_large_with_every_label_clear_at_1280_by_720(window, qtbot):
    large, grid, dock_points = _open_large(window, qtbot)
    assert large.is_open()
    # Over the whole window below the menu bar, the grid taking most of it.
    assert large.width() == window.width()
    assert large.geometry().bottom() == window.rect().bottom()
    assert grid.width() > 0.9 * window.width() and grid.height() > 0.6 * window.height()
    assert grid.window() is window
    # Text for a projector: at least 14 pt and half as big again as in the dock.
    points = QFontInfo(grid.font()).pointSizeF()
    assert points >= 14 and points >= 1.4 * dock_points
    assert grid.zoom > 1.4
    # Every marked factor has its label, and no label covers a dot, a caption or a label.
    assert len(grid.points) >= 20
    assert set(grid.label_boxes) == set(grid.points)
    dots = _dots(grid)
    boxes = list(grid.label_boxes.items())
    plot = grid.plot_rect()
    assert len(grid.caption_boxes) == 4
    for factor_id, box in boxes:
        assert plot.contains(box)
        assert not any(box.intersects(d) for f, d in dots.items() if f != factor_id)
        assert not any(box.intersects(other) for f, other in boxes if f != factor_id)
        assert not any(box.intersects(caption) for caption in grid.caption_boxes)
    # Whole labels, not shortened ones, fit at this size.
    shown = {grid.points[f][2].label for f in grid.label_boxes}
    assert "Stigma of social work involvement" in shown


def test_escape_closes_the_large_grid_and_gives_the_keyboard_back(window, qtbot):
    large, grid, _points = _open_large(window, qtbot)
    assert QApplication.focusWidget() is grid
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    chosen = grid.current
    assert window.scene.selected_factor_ids() == [chosen]

    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert not large.is_open()
    # The panel is back in its side dock, at its usual size, and the canvas has the keys.
    dock = window.docks["marks"]
    assert dock.isVisible()
    assert window.workshop.marks.window() is window
    assert dock.widget().widget() is window.workshop.marks
    assert grid.zoom == 1.0
    assert QApplication.focusWidget() is window.view
    assert window.scene.selected_factor_ids() == [chosen]
    # And it opens large again.
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_M,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert large.is_open() and QApplication.focusWidget() is grid


def test_close_button_and_other_panels_close_the_large_grid(window, qtbot):
    large, _grid, _points = _open_large(window, qtbot)
    qtbot.mouseClick(large.close_button, Qt.MouseButton.LeftButton)
    assert not large.is_open()
    window.trigger("marks-grid")
    assert large.is_open()
    window.trigger("balance-of-voices")
    assert not large.is_open()
    assert QApplication.focusWidget() is window.workshop.voices.scope


# -- label places, as plain geometry ----------------------------------------------------


def test_a_label_goes_beside_its_dot_when_there_is_room():
    box, beside = place_label((40, 10), (50, 50), 6, (0, 0, 200, 200), [], 6)
    assert beside and box == (56, 45, 96, 55)


def test_a_crowded_label_moves_out_clear_of_everything():
    dot = (45, 45, 55, 55)
    # Every place beside the dot is taken.
    blocked = [(56, 30, 120, 70), (-20, 30, 44, 70), (30, 20, 70, 44), (30, 56, 70, 80)]
    found = place_label((40, 10), (50, 50), 6, (0, 0, 300, 300), [dot, *blocked], 6)
    assert found is not None
    box, beside = found
    assert not beside
    assert not any(
        box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in [dot, *blocked]
    )
    start, end = leader_line((50, 50), 5, box)
    assert abs(((start[0] - 50) ** 2 + (start[1] - 50) ** 2) ** 0.5 - 5) < 1e-6
    assert box[0] <= end[0] <= box[2] and box[1] <= end[1] <= box[3]


def test_no_place_at_all_gives_none():
    assert place_label((500, 10), (50, 50), 6, (0, 0, 100, 100), [], 6) is None


def test_segments_crossing_boxes():
    assert crosses(((0, 0), (10, 10)), (4, 4, 6, 6))
    assert not crosses(((0, 0), (10, 0)), (4, 4, 6, 6))
    assert not crosses(((0, 0), (3, 3)), (4, 4, 6, 6))


def test_a_caption_avoids_the_corner_with_dots():
    room = (0, 0, 100, 100)
    assert caption_corner((40, 10), room, []) == (0, 0, 40, 10)
    assert caption_corner((40, 10), room, [(5, 2, 15, 12)]) == (60, 0, 100, 10)
