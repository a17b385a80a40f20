"""Screenshots of what comes in and goes out, at 1280 × 720; run under a real X server with
poppler-utils (pdftoppm) and Chromium installed:

xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python docs/screenshots/export_shots.py

Writes graphml-import.png (a GraphML map without positions, just imported: laid out on
import), pdf-map-page.png (the PDF report's map page) and html-export.png (the interactive
page, opened offline in headless Chromium).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ipsmap.demo import create_demo_project
from ipsmap.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent
SHARED_GRAPHML = (
    Path(__file__).resolve().parents[3] / "shared/data/maps/wiliam_loop_diagram_v1_2.graphml"
)
SIZE = (1280, 720)


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "ipsmap", *args], check=True)


def pdf_map_page(project: Path, folder: Path) -> None:
    pdf = folder / "glasgow.pdf"
    cli("export", str(project), "--map", "Glasgow: families' local system", "-o", str(pdf))
    # The report's first page is its cover; the map comes next.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "2", "-l", "2", str(pdf), str(folder / "page")],
        check=True,
    )
    page = next(folder.glob("page*.png"))
    shutil.copy(page, OUT / "pdf-map-page.png")


def html_page(project: Path, folder: Path) -> None:
    html = folder / "glasgow.html"
    cli("export", str(project), "--map", "Glasgow: families' local system", "-o", str(html))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium: html-export.png not made", file=sys.stderr)
        return
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--hide-scrollbars",
            f"--window-size={SIZE[0]},{SIZE[1]}",
            "--virtual-time-budget=4000",
            f"--screenshot={OUT / 'html-export.png'}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
    )


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    project = folder / "demo.ipsmap"
    create_demo_project(project).close()
    pdf_map_page(project, folder)
    html_page(project, folder)

    QCoreApplication.setOrganizationName("ipsmap-screenshots")
    QCoreApplication.setApplicationName("ipsmap-screenshots")
    app = QApplication(sys.argv[:1])
    # Each run starts from the default layout and theme, not the last run's.
    QSettings().remove("window")
    QSettings().remove("ui/theme")
    from ipsmap.model.project import Project

    window = MainWindow(Project.open(project), is_demo=True)
    window.resize(*SIZE)
    window.show()

    def import_graphml() -> None:
        window.files.import_map(SHARED_GRAPHML, confirm=False)

    def import_shot() -> None:
        window.view.fit_map()
        app.processEvents()
        window.grab().save(str(OUT / "graphml-import.png"))
        app.quit()

    for i, step in enumerate((import_graphml, import_shot)):
        QTimer.singleShot(1000 * (i + 1), step)
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
