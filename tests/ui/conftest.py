"""Fixtures for the Qt tests: a demo project, a shown main window, and map canvases.

Helpers for driving them (clicks, drags, typing) are in ``support.py``.
"""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from ipsmap.demo import create_demo_project
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from tests.ui.support import open_canvas


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    # Recent files, window state and the demo copy go to a throwaway place, not the
    # developer's own.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    QCoreApplication.setOrganizationName("ipsmap-tests")
    QCoreApplication.setApplicationName("ipsmap-tests")
    # Qt reads the settings file once per process: a window closed by an earlier test
    # must not hand its size and dock layout to the next one.
    QSettings().remove("window")


@pytest.fixture
def demo_project(tmp_path):
    project = create_demo_project(tmp_path / "demo.ipsmap")
    yield project
    project.close()  # closing twice is harmless (the window closes it too)


@pytest.fixture
def window(qtbot, demo_project):
    from ipsmap.ui.main_window import MainWindow

    win = MainWindow(demo_project, is_demo=True)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture
def empty_window(qtbot, tmp_path):
    """A window on a project with one empty systems map."""
    from ipsmap.ui.main_window import MainWindow

    project = Project.create(tmp_path / "empty.ipsmap", "Workshop")
    project.execute(AddMap("Workshop map", "system", "Glasgow"))
    win = MainWindow(project)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


@pytest.fixture
def make_canvas(qtbot):
    """Open a document on a canvas without a window (hallway, scene, view and editor, as
    the window wires them); each is emptied and its project closed after the test."""
    opened = []

    def make(doc, host=None, size=(900, 600)):
        canvas = open_canvas(qtbot, doc, host, size)
        opened.append(canvas)
        return canvas

    yield make
    for canvas in reversed(opened):
        canvas.close()


@pytest.fixture
def window_loop_released():
    """The qasync loop a hosted session makes runs as this thread's loop: hand the thread
    back afterwards, or every later asyncio.run() in this process would refuse to start."""
    yield
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    loop._after_run_forever()  # what qasync does on aboutToQuit
    asyncio.events._set_running_loop(None)
