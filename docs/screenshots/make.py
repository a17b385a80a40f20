"""Regenerate the README screenshots: run under a real X server, e.g.

xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python docs/screenshots/make.py

Every shot is of a 1280 × 720 window: a common projector, and the size the window must
stay readable at.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ipsmap.demo import create_demo_project
from ipsmap.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent


def main() -> int:
    QCoreApplication.setOrganizationName("ipsmap-screenshots")
    app = QApplication(sys.argv[:1])
    # Each run starts from the default layout and theme, not the last run's.
    QSettings().remove("window")
    QSettings().remove("ui/theme")
    folder = Path(tempfile.mkdtemp())
    window = MainWindow(create_demo_project(folder / "demo.ipsmap"), is_demo=True)
    window.resize(1280, 720)
    window.show()
    maps = {m.kind + (m.site or ""): m.id for m in window.project.maps()}
    steps = []

    def shot(name: str) -> None:
        app.processEvents()
        window.grab().save(str(OUT / f"{name}.png"))

    def systems() -> None:
        window.show_map(maps["systemGlasgow"])
        window.view.fit_map()
        shot("systems-map")

    def toc() -> None:
        window.show_map(maps["tocAll sites"])
        window.view.fit_map()
        shot("theory-of-change")

    def table() -> None:
        window.show_map(maps["systemLambeth"])
        window.docks["data"].show()  # the tables start hidden: View → Data view
        window.docks["data"].raise_()
        window.data_view.tabs.setCurrentIndex(1)
        window.resizeDocks([window.docks["data"]], [300], Qt.Orientation.Vertical)
        QTimer.singleShot(200, window.view.fit_map)  # once the dock has taken its room
        shot("data-view")

    def cmo_panel() -> None:
        # A CMO chosen: what it explains is highlighted on the theory of change.
        window.docks["cmos"].show()
        window.docks["cmos"].raise_()
        window.resizeDocks([window.docks["cmos"]], [330], Qt.Orientation.Vertical)
        cmo = next(c for c in window.project.cmos.values() if c.code == "CMO 2")
        window.cmo_panel.choose(cmo.id)

    def cmo_panel_shot() -> None:
        scene = window.scene
        shown = [i for i in scene.factor_items.values() if i.factor_id not in scene.theme.faded]
        area = shown[0].sceneBoundingRect()
        for item in shown[1:]:
            area = area.united(item.sceneBoundingRect())
        window.view.fitInView(area.adjusted(-150, -80, 150, 80), Qt.AspectRatioMode.KeepAspectRatio)
        shot("cmo-panel")
        window.cmo_panel.clear_choice()
        window.docks["data"].raise_()

    def presentation() -> None:
        window.show_map(maps["systemGlasgow"])
        window.view_actions.set_presentation(True)

    def presentation_shot() -> None:
        window.view.fit_map()
        shot("presentation-mode")
        window.view_actions.set_presentation(False)
        app.quit()

    def compare() -> None:
        # The demo's Glasgow map now, against its "Adaptation point 1" snapshot: Glasgow's
        # second workshop added the cost-of-living crisis and firmed up a link since.
        from ipsmap.model.snapshots import list_snapshots

        window.show_map(maps["systemGlasgow"])
        doc = window.document
        (snapshot,) = [s for s in list_snapshots(window.project, doc.id)][:1]
        window.comparing.compare_with(("snapshot", snapshot.id))
        window.resizeDocks([window.docks["compare"]], [220], Qt.Orientation.Vertical)

    def compare_shot() -> None:
        window.view.fit_map()
        shot("compare")
        window.comparing.stop()

    steps = [
        systems,
        toc,
        table,
        compare,
        compare_shot,
        cmo_panel,
        cmo_panel_shot,
        presentation,
        presentation_shot,
    ]
    for i, step in enumerate(steps):
        QTimer.singleShot(800 * (i + 1), step)
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
