"""Start the window: on a project file, or on the user's copy of the demo project."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ipsmap.model.errors import IpsmapError, ProjectInUseError

# Set, the window says "ipsmap: window shown" on stdout once it is drawn and quits: how
# start-up is timed from outside, the same for the built app and a checkout.
STARTUP_PROBE = "IPSMAP_STARTUP_PROBE"
# What open_start_project returns when the ipsmap that has the project open took the start.
HANDED_OVER = "handed over"


def open_start_project(project_path: Path | None, notes: list[str] | None = None):
    """The project a start opens: ``project_path``, or the user's demo copy (kept as they
    left it). Returns (project, is_demo), None when the user declines a read-only open, or
    HANDED_OVER when another ipsmap has the project open and showed its window instead;
    what the window should say first is added to ``notes``."""
    from PySide6.QtWidgets import QMessageBox

    from ipsmap.model.project import Project
    from ipsmap.ui.demo_copy import is_demo_copy, open_demo_copy

    if project_path is None:
        project = open_demo_copy(notes)
        # A temporary demo (the data folder could not hold a copy) is not "kept between starts".
        return project, is_demo_copy(project.path)
    from ipsmap.ui.open_foreign import is_foreign_map, project_for_foreign_map

    if is_foreign_map(project_path):
        # Another tool's map (the desktop's "Open with ipsmap"): into a new project.
        return project_for_foreign_map(project_path, notes if notes is not None else []), False
    try:
        return Project.open(project_path), False
    except ProjectInUseError as exc:
        from ipsmap.ui.single_instance import ask_open_window

        if ask_open_window(project_path):
            return HANDED_OVER
        answer = QMessageBox.question(None, "Project in use", f"{exc}\n\nOpen read-only?")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return Project.open(project_path, read_only=True), False


def has_screen() -> bool:
    """Whether this start can show a dialog someone sees (not offscreen, as in tests)."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName() not in ("offscreen", "minimal", "")


def refuse_start(message: str) -> None:
    """Why the file given could not be opened: on stderr, for a terminal, and in a dialog
    when there is a screen, because a project double-clicked in a file manager (the
    installed app) has no terminal to read a line in."""
    from PySide6.QtWidgets import QMessageBox

    print(f"ipsmap: error: {message}", file=sys.stderr)
    if has_screen():
        QMessageBox.critical(None, "ipsmap cannot open this file", message)


def run(project_path: Path | None = None) -> int:
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    from ipsmap.ui.main_window import MainWindow

    QCoreApplication.setOrganizationName("ipsmap")
    QCoreApplication.setApplicationName("ipsmap")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName("ipsmap")
    from ipsmap.ui.app_icon import app_icon

    app.setWindowIcon(app_icon())
    notes: list[str] = []
    try:
        opened = open_start_project(project_path, notes)
    except IpsmapError as exc:
        refuse_start(str(exc))
        return 2
    if opened is None:
        return 2
    if opened == HANDED_OVER:
        print(f"ipsmap: {project_path} is open in another ipsmap window: showed that one")
        return 0
    project, is_demo = opened
    window = MainWindow(project, is_demo=is_demo)
    if not project.read_only:
        from ipsmap.ui.single_instance import WindowServer

        # Kept by run() for as long as the window runs (the QObject parent owns it too).
        server = WindowServer(window, project.path)  # noqa: F841
    window.show()
    for note in notes:
        window.show_message(note)
    if os.environ.get(STARTUP_PROBE):
        # Once the first frame is drawn: say so and stop (bench/bench_startup.py --app).
        QTimer.singleShot(0, lambda: (print("ipsmap: window shown", flush=True), app.quit()))
    return app.exec()
