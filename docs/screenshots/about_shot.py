"""The About box (Help → About ipsmap) over the demo's window; run under a real X server:

xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python docs/screenshots/about_shot.py

Writes about.png: the version, build and file format, and the licences of the app's parts.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from ipsmap.demo import create_demo_project
from ipsmap.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent


def main() -> int:
    QCoreApplication.setOrganizationName("ipsmap-screenshots")
    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp())
    window = MainWindow(create_demo_project(folder / "demo.ipsmap"), is_demo=True)
    window.resize(1280, 720)
    window.show()

    def shoot() -> None:
        window.actions_by_name["about"].trigger()
        dialog = window.findChild(QDialog, "about-dialog")
        dialog.move(window.geometry().center() - dialog.rect().center())

        def grab() -> None:
            screen = window.screen()
            shot = screen.grabWindow(0, 0, 0, 1280, 720)
            shot.save(str(OUT / "about.png"))
            app.quit()

        QTimer.singleShot(600, grab)

    QTimer.singleShot(800, shoot)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
