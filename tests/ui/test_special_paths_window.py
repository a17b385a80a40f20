"""The window on special paths: a read-only project, a data folder that cannot hold the
demo copy (unwritable, a folder or a pipe in the way), and a full disk on File → New."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from tests.filesystems import fill, read_only, small_disk
from tests.ui.support import empty_spot

pytestmark = pytest.mark.timeout(120)


def _small_project(path: Path) -> Path:
    with Project.create(path, "Small") as project:
        command = AddMap("Workshop map", "system", "Glasgow")
        project.execute(command)
        project.document(command.id).execute(AddFactor("Housing"))
    return path


def test_the_window_opens_a_read_only_project_says_so_and_refuses_edits(qtbot, tmp_path):
    from ipsmap.ui.main_window import MainWindow

    folder = tmp_path / "shared"
    folder.mkdir()
    path = _small_project(folder / "small.ipsmap")
    Project.open(path).close()  # folds the WAL in: nothing beside the file
    with read_only(folder):
        project = Project.open(path)
        window = MainWindow(project)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        try:
            assert "read-only" in window.windowTitle()
            assert window.status_label.text().startswith("Read-only (")
            assert "nothing can be changed" in window.status_label.text()
            assert "(its folder is read-only)" in window.statusBar().currentMessage() or (
                "(the file is read-only)" in window.statusBar().currentMessage()
            )
            # A double-click on the canvas (a new factor elsewhere) does nothing here.
            view = window.view
            QTest.mouseDClick(
                view.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
                empty_spot(view),
            )
            # The canvas offers no label editor on a read-only map.
            label_editor = view.label_editor()
            assert label_editor is None or not label_editor.isVisible()
            assert [f.label for f in window.document.factors.values()] == ["Housing"]
        finally:
            window.close()
            project.close()


def _start(notes: list[str]):
    from ipsmap.ui.app import open_start_project

    opened = open_start_project(None, notes)
    assert opened is not None
    return opened


def test_an_unwritable_data_folder_gives_a_temporary_demo_and_says_why(tmp_path):
    data = tmp_path / "data"  # XDG_DATA_HOME (tests/ui/conftest.py)
    data.mkdir()
    notes: list[str] = []
    with read_only(data):
        project, is_demo = _start(notes)
    try:
        assert len(project.maps()) == 3 and not project.read_only
        assert not project.path.is_relative_to(data)
        assert not is_demo  # not "kept between starts"
        [note] = notes
        assert "cannot be kept" in note and "temporary demo" in note
    finally:
        project.close()
    assert list(data.iterdir()) == []


@pytest.mark.parametrize("in_the_way", ["folder", "pipe"])
def test_a_folder_or_pipe_where_the_demo_copy_goes_gives_a_temporary_demo(tmp_path, in_the_way):
    copy = tmp_path / "data" / "ipsmap" / "IPS demo.ipsmap"
    copy.parent.mkdir(parents=True)
    if in_the_way == "folder":
        copy.mkdir()
        words = "this is a folder"
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(copy)
        words = "named pipe"
    notes: list[str] = []
    project, _ = _start(notes)
    try:
        assert project.path != copy and len(project.maps()) == 3
        [note] = notes
        assert words in note and str(copy) in note
    finally:
        project.close()
    assert copy.is_dir() if in_the_way == "folder" else copy.exists()  # left alone


def test_file_new_on_a_full_disk_says_so_and_leaves_nothing(qtbot, window, tmp_path):
    with small_disk(tmp_path / "disk", 256) as disk:
        fill(disk, leave_kib=16)
        before = sorted(p.name for p in disk.iterdir())
        shown = window.project
        window.files.new_project(disk / "workshop.ipsmap")
        box = window.findChild(QMessageBox, "error-dialog")
        qtbot.waitUntil(lambda: box is not None and box.isVisible())
        assert "the disk is full" in box.text()
        box.close()
        assert sorted(p.name for p in disk.iterdir()) == before
        assert window.project is shown  # still on the project it had
    shutil.rmtree(disk, ignore_errors=True)
