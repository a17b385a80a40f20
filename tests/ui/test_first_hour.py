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
