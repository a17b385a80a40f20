"""A facilitator's first hour: the demo copy is kept, a new project starts on a map, and
new factors never land on top of each other. Driven with real keys and clicks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui.support import add_factor_by_typing


def start_window(qtbot, path=None):
    """Start the window as ``ipsmap [PATH]`` does (the demo copy when no path)."""
    from ipsmap.ui.app import open_start_project
    from ipsmap.ui.main_window import MainWindow

    project, is_demo = open_start_project(path)
    window = MainWindow(project, is_demo=is_demo)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    return window


def answer_next_question(qtbot, button=QMessageBox.StandardButton.Yes):
    """Click ``button`` in the next message box once it is shown (it runs modally)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox), box
        qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    from PySide6.QtCore import QTimer

    QTimer.singleShot(50, click)


# -- the demo copy --------------------------------------------------------------------------


def test_an_edit_to_the_demo_survives_a_restart(qtbot, tmp_path):
    window = start_window(qtbot)
    path = window.project.path
    assert path == tmp_path / "data" / "ipsmap" / "IPS demo.ipsmap"
    title = window.windowTitle()
    assert "your demo copy, IPS demo.ipsmap" in title and "•" not in title
    assert "kept between starts" in window.status_label.text()
    assert str(path.name) in window.status_label.text()
    new = add_factor_by_typing(qtbot, window.view, "Waiting lists")
    assert "•" not in window.windowTitle()  # saved already: nothing pending
    map_id = window.document.id
    window.close()

    again = start_window(qtbot)
    assert again.project.path == path
    assert again.document.id == map_id
    assert again.document.factors[new].label == "Waiting lists"
    assert again.scene.factor_items[new].label == "Waiting lists"
    again.close()


def test_file_open_on_the_demo_copy_is_the_same_demo_window(qtbot, tmp_path):
    window = start_window(qtbot)
    path = window.project.path
    new = add_factor_by_typing(qtbot, window.view, "Transport costs")
    window.close()

    other = tmp_path / "other.ipsmap"
    from ipsmap.model.project import Project
    from ipsmap.model.project_commands import AddMap

    with Project.create(other, "Other") as project:
        project.execute(AddMap("Other map", "system", "Leeds"))
    window = start_window(qtbot, other)
    assert "demo" not in window.windowTitle()
    window.files.open_project(path)
    assert window.project.path == path
    assert "your demo copy" in window.windowTitle()
    assert "demo copy" in window.status_label.text()
    assert window.document.factors[new].label == "Transport costs"
    window.close()


def test_reset_the_demo_asks_and_keeps_the_changed_copy(qtbot, tmp_path):
    from ipsmap.model.project import Project

    window = start_window(qtbot)
    path = window.project.path
    add_factor_by_typing(qtbot, window.view, "Only in my copy")
    answer_next_question(qtbot, QMessageBox.StandardButton.No)
    window.trigger("reset-demo")
    assert window.project.path == path  # declined: nothing changed
    assert any(f.label == "Only in my copy" for f in window.document.factors.values())

    answer_next_question(qtbot)
    window.trigger("reset-demo")
    assert window.project.path == path and "your demo copy" in window.windowTitle()
    assert not any(f.label == "Only in my copy" for f in window.document.factors.values())
    (kept,) = [p for p in path.parent.glob("IPS demo (kept *).ipsmap")]
    assert str(kept) in window.statusBar().currentMessage()
    window.close()
    with Project.open(kept) as old:
        labels = [f.label for m in old.maps() for f in old.document(m.id).factors.values()]
        assert "Only in my copy" in labels


# -- N never stacks factors -----------------------------------------------------------------


def type_factors_with_n(qtbot, window, labels):
    for label in labels:
        qtbot.keyClick(window.view, Qt.Key.Key_N)
        editor = window.view.label_editor()
        assert editor is not None, "N opens the label field"
        qtbot.keyClicks(editor, label)
        qtbot.keyClick(editor, Qt.Key.Key_Return)


def factor_boxes(window):
    return {fid: item.sceneBoundingRect() for fid, item in window.scene.factor_items.items()}


def assert_no_overlaps(boxes):
    ids = list(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not boxes[a].intersects(boxes[b]), f"{a} overlaps {b}"


def test_eight_n_in_a_row_give_eight_factors_side_by_side(qtbot, empty_window):
    window = empty_window
    window.view.setFocus()
    labels = [f"Worry {i}" for i in range(1, 8)] + ["A much longer label that wraps over lines"]
    type_factors_with_n(qtbot, window, labels)
    assert sorted(f.label for f in window.document.factors.values()) == sorted(labels)
    boxes = factor_boxes(window)
    assert len(boxes) == 8
    assert_no_overlaps(boxes)
    # Near the middle of the view: the first one is where the view's centre is.
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    first = next(f for f in window.document.factors.values() if f.label == "Worry 1")
    assert abs(first.x - centre.x()) < 1 and abs(first.y - centre.y()) < 1
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert all(visible.intersects(box) for box in boxes.values())


def test_n_puts_the_factor_under_the_pointer_or_beside_what_is_there(qtbot, empty_window):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    window = empty_window
    viewport = window.view.viewport()
    spot = QPoint(viewport.width() // 4, viewport.height() // 3)
    QTest.mouseMove(viewport, spot)
    qtbot.waitUntil(viewport.underMouse, timeout=2000)
    window.view.setFocus()
    type_factors_with_n(qtbot, window, ["Here", "Beside"])
    where = window.view.mapToScene(spot)
    here = next(f for f in window.document.factors.values() if f.label == "Here")
    assert abs(here.x - where.x()) < 1 and abs(here.y - where.y()) < 1
    assert_no_overlaps(factor_boxes(window))


def test_a_double_click_beside_a_factor_does_not_cover_it(qtbot, window):
    # Double-click right next to a factor of the demo: the new one goes beside it.
    target = next(iter(window.scene.factor_items.values()))
    box = target.sceneBoundingRect()
    point = window.view.mapFromScene(box.topRight())
    point.setX(point.x() + 3)
    new = add_factor_by_typing(qtbot, window.view, "Close by", where=point)
    placed = window.scene.factor_items[new].sceneBoundingRect()
    others = [b for fid, b in factor_boxes(window).items() if fid != new]
    assert not any(placed.intersects(b) for b in others)
    # Still close to where the user asked: within a couple of factor widths.
    asked = window.view.mapToScene(point)
    assert (placed.center() - asked).manhattanLength() < 4 * placed.width()
