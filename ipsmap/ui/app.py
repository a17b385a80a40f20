"""Start the window: on a project file, or on a fresh copy of the demo project."""

from __future__ import annotations

import sys
from pathlib import Path

from ipsmap.model.errors import IpsmapError, ProjectInUseError


def demo_copy_path() -> Path:
    """Where the demo project is created: the user's data folder (platformdirs)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("ipsmap", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "IPS demo.ipsmap"


def fresh_demo_project():
    """A new copy of the demo project, replacing the previous copy unless it is open."""
    from ipsmap.demo import create_demo_project
    from ipsmap.model.store import project_in_use

    first = demo_copy_path()
    for n in range(1, 100):
        path = first if n == 1 else first.with_name(f"IPS demo {n}.ipsmap")
        if path.exists():
            if project_in_use(path):
                continue  # another ipsmap window is showing this copy
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return create_demo_project(path)
    raise IpsmapError("too many demo projects are open at once")


def run(project_path: Path | None = None) -> int:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ipsmap.model.project import Project
    from ipsmap.ui.main_window import MainWindow

    QCoreApplication.setOrganizationName("ipsmap")
    QCoreApplication.setApplicationName("ipsmap")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName("ipsmap")
    try:
        if project_path is None:
            project, is_demo = fresh_demo_project(), True
        else:
            try:
                project, is_demo = Project.open(project_path), False
            except ProjectInUseError as exc:
                answer = QMessageBox.question(None, "Project in use", f"{exc}\n\nOpen read-only?")
                if answer != QMessageBox.StandardButton.Yes:
                    return 2
                project, is_demo = Project.open(project_path, read_only=True), False
    except IpsmapError as exc:
        print(f"ipsmap: error: {exc}", file=sys.stderr)
        return 2
    window = MainWindow(project, is_demo=is_demo)
    window.show()
    return app.exec()
