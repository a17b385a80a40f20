"""A facilitator's first hour: the demo copy is kept, a new project starts on a map, and
new factors never land on top of each other. Driven with real keys and clicks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ipsmap.ui.canvas.items import FactorItem, LinkItem
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


def back_to(qtbot, window):
    """The window active again after a dialog (a window manager does this; offscreen Qt
    may not), its canvas focused, so shortcuts reach it."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.view.setFocus()


def type_factors_with_n(qtbot, window, labels):
    back_to(qtbot, window)
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
    # (the view's centre as the typing starts: the key below the map shrinks to the one
    # type used once there are factors, which makes the viewport a little taller)
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    type_factors_with_n(qtbot, window, labels)
    assert sorted(f.label for f in window.document.factors.values()) == sorted(labels)
    boxes = factor_boxes(window)
    assert len(boxes) == 8
    assert_no_overlaps(boxes)
    # Near the middle of the view: the first one is where the view's centre was.
    first = next(f for f in window.document.factors.values() if f.label == "Worry 1")
    assert abs(first.x - centre.x()) < 1 and abs(first.y - centre.y()) < 1
    # All in view, none under the legend or the overview (they sit below the map).
    view = window.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(box) for box in boxes.values())
    for name in ("legend", "minimap"):
        overlay = view.findChild(QWidget, name)
        if overlay is not None and overlay.isVisible():
            assert overlay.geometry().top() > view.viewport().geometry().bottom(), name


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
    # (a factor with bare canvas just right of its corner: a link there would take the click)
    def beside(item):
        point = window.view.mapFromScene(item.sceneBoundingRect().topRight())
        point.setX(point.x() + 3)
        return point

    target = next(
        item
        for item in window.scene.factor_items.values()
        if window.view.viewport().rect().contains(beside(item))
        and not any(isinstance(i, (FactorItem, LinkItem)) for i in window.view.items(beside(item)))
    )
    point = beside(target)
    new = add_factor_by_typing(qtbot, window.view, "Close by", where=point)
    placed = window.scene.factor_items[new].sceneBoundingRect()
    others = [b for fid, b in factor_boxes(window).items() if fid != new]
    assert not any(placed.intersects(b) for b in others)
    # Still close to where the user asked: within a couple of factor widths.
    asked = window.view.mapToScene(point)
    assert (placed.center() - asked).manhattanLength() < 4 * placed.width()


# -- a new project starts on a map ----------------------------------------------------------


def fill_new_map_dialog(qtbot, name=None, toc=False, site=None, accept=True, seen=None):
    """Once the (modal) new-map dialog is up: type into it as a person would, then press
    Create map or Cancel. ``seen`` collects what the dialog showed first."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLineEdit

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog) and dialog.objectName() == "new-map-dialog"
        try:
            name_field = dialog.findChild(QLineEdit, "new-map-name")
            kind = dialog.findChild(QComboBox, "new-map-kind")
            site_box = dialog.findChild(QComboBox, "new-map-site")
            if seen is not None:
                seen.update(name=name_field.text(), site=site_box.currentText())
            if name is not None:
                name_field.setFocus()
                qtbot.keyClick(name_field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
                qtbot.keyClicks(name_field, name)
            if toc:
                kind.setFocus()
                qtbot.keyClick(kind, Qt.Key.Key_Down)
            if site is not None:
                site_box.setFocus()
                qtbot.keyClick(
                    site_box.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                )
                qtbot.keyClicks(site_box.lineEdit(), site)
            cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
            qtbot.mouseClick(dialog.ok if accept else cancel, Qt.MouseButton.LeftButton)
        finally:
            if dialog.isVisible():  # a failed step must not leave the test hanging
                dialog.reject()

    QTimer.singleShot(50, fill)


def test_new_project_asks_its_first_map_and_shows_only_the_new_project(qtbot, window, tmp_path):
    # The demo is open, a factor selected, so the inspector shows the old map's factor.
    old_factor = next(iter(window.document.factors))
    window.editor.select([old_factor])
    assert window.inspector.pages.currentWidget() is window.inspector.factor_page
    seen: dict = {}
    fill_new_map_dialog(qtbot, "Leeds families", site="Leeds", seen=seen)
    window.files.new_project(tmp_path / "Leeds workshops.ipsmap")
    assert seen == {"name": "Leeds workshops", "site": ""}  # named after the file
    project, document = window.project, window.document
    assert project.path == tmp_path / "Leeds workshops.ipsmap"
    assert [m.name for m in project.maps()] == ["Leeds families"]
    assert (document.info.name, document.info.kind, document.info.site) == (
        "Leeds families",
        "system",
        "Leeds",
    )
    # Every panel shows the new project only.
    inspector = window.inspector
    assert inspector.pages.currentWidget() is inspector.map_page
    assert inspector.map_name.text() == "Leeds families" and inspector.map_site.text() == "Leeds"
    assert window.data_view.factor_model.rowCount() == 0
    assert window.scene.factor_items == {}
    assert set(window.map_list._items) == {document.id}
    assert "Leeds families" in window.windowTitle() and "demo" not in window.windowTitle()
    assert "Leeds workshops.ipsmap" in window.status_label.text()
    assert window.empty_hint.isVisible() and "press N" in window.empty_hint.text()
    # ... and the first factor goes on the new map, by keyboard.
    window.view.setFocus()
    type_factors_with_n(qtbot, window, ["Isolation"])
    assert [f.label for f in document.factors.values()] == ["Isolation"]
    assert not window.empty_hint.isVisible()
    assert inspector.pages.currentWidget() is inspector.factor_page
    assert inspector.factor_label.text() == "Isolation"


def test_a_project_without_a_map_says_how_to_add_one_and_drops_nothing(qtbot, window, tmp_path):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    fill_new_map_dialog(qtbot, accept=False)
    window.files.new_project(tmp_path / "empty.ipsmap")
    assert window.project.maps() == [] and window.document is None
    inspector = window.inspector
    assert inspector.pages.currentWidget() is inspector.no_map_page
    assert not inspector.map_name.isVisible() and not inspector.factor_label.isVisible()
    assert "New map" in inspector.no_map_text.text()
    assert window.empty_hint.isVisible() and "no map yet" in window.empty_hint.text()
    assert window.data_view.factor_model.rowCount() == 0
    assert window.map_list._items == {}
    # Double-click and N on the empty canvas: no label field to type into, and why not.
    viewport = window.view.viewport()
    QTest.mouseDClick(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 300)
    )
    assert window.view.label_editor() is None
    assert "no map yet" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    back_to(qtbot, window)
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    assert window.view.label_editor() is None
    assert "no map yet" in window.statusBar().currentMessage()
    # Map → New map (one dialog), then the factor goes on it.
    fill_new_map_dialog(qtbot, "Theory of change", toc=True, site="Leeds")
    window.trigger("add-map")
    info = window.document.info
    assert (info.name, info.kind, info.site) == ("Theory of change", "toc", "Leeds")
    window.view.setFocus()
    type_factors_with_n(qtbot, window, ["Parents feel heard"])
    assert [f.label for f in window.document.factors.values()] == ["Parents feel heard"]


def test_new_map_asks_name_kind_and_site_in_one_dialog(qtbot, window):
    site = window.document.info.site
    count = len(window.project.maps())
    seen: dict = {}
    fill_new_map_dialog(qtbot, "Glasgow workshop 3", seen=seen)
    window.trigger("add-map")
    assert seen["site"] == site  # the map shown's site, ready to keep
    assert len(window.project.maps()) == count + 1
    info = window.document.info
    assert (info.name, info.kind, info.site) == ("Glasgow workshop 3", "system", site)
    # Cancel adds nothing.
    fill_new_map_dialog(qtbot, "Not wanted", accept=False)
    window.trigger("add-map")
    assert len(window.project.maps()) == count + 1


def test_an_empty_map_is_shown_at_natural_size_not_the_last_maps_zoom(qtbot, window):
    window.view.fit_map()
    assert window.view.transform().m11() < 0.9  # the demo map, fitted: zoomed out
    fill_new_map_dialog(qtbot, "Fresh map")
    window.trigger("add-map")
    qtbot.waitUntil(lambda: window.view.transform().m11() == 1.0, timeout=2000)
    # The hint stays whole inside the canvas once the view has moved to the new map.
    hint = window.empty_hint
    assert hint.isVisible() and window.view.viewport().geometry().contains(hint.geometry())


def test_an_unreadable_demo_copy_is_set_aside_not_deleted(tmp_path):
    from ipsmap.ui.app import open_start_project

    folder = tmp_path / "data" / "ipsmap"
    folder.mkdir(parents=True)
    (folder / "IPS demo.ipsmap").write_text("not a project")
    notes: list[str] = []
    project, is_demo = open_start_project(None, notes)
    try:
        assert is_demo and project.path == folder / "IPS demo.ipsmap"
        assert len(project.maps()) == 3
        (kept,) = folder.glob("IPS demo (unreadable *).ipsmap")
        assert kept.read_text() == "not a project"
        assert str(kept) in notes[0]
    finally:
        project.close()
