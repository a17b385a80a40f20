"""Screenshots of the workshop features on the demo project; run under a real X server:

xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python docs/screenshots/workshop_shots.py

Writes grid.png (the large grid), voices.png, marks-mode.png, theme-large.png and
theme-contrast.png, each of a 1280 × 720 window (a projector).
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
    QCoreApplication.setApplicationName("ipsmap-screenshots")
    app = QApplication(sys.argv[:1])
    # Each run starts from the default layout and theme, not the last run's.
    QSettings().remove("window")
    QSettings().remove("ui/theme")
    folder = Path(tempfile.mkdtemp())
    window = MainWindow(create_demo_project(folder / "demo.ipsmap"), is_demo=True)
    window.resize(1280, 720)
    window.show()
    glasgow = next(m.id for m in window.project.maps() if m.name.startswith("Glasgow"))
    state: dict = {}

    def shot(widget, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(OUT / f"{name}.png"))

    def wide_right_docks() -> None:
        window.resizeDocks([window.docks["marks"]], [480], Qt.Orientation.Horizontal)

    def grid() -> None:
        # What the marks show opens large: the window as a 1280 × 720 projector shows it.
        window.actions_by_name["theme-standard"].trigger()
        window.resize(1280, 720)
        window.show_map(glasgow)
        window.actions_by_name["mark-badges"].setChecked(True)
        window.trigger("marks-grid")

    def grid_shot() -> None:
        shot(window, "grid")
        window.workshop.large_marks.close_view()
        window.resize(1280, 720)

    def voices() -> None:
        # The first Glasgow workshop, where the map was drawn: who spoke, next to who came.
        window.show_map(glasgow)
        window.trigger("balance-of-voices")
        first = min(
            (s for s in window.project.sessions.values() if s.site == "Glasgow"),
            key=lambda s: s.date,
        )
        window.workshop.voices.set_scope(first.id)
        wide_right_docks()
        window.view.fit_map()

    def voices_shot() -> None:
        shot(window, "voices")

    def marks_mode() -> None:
        window.show_map(glasgow)
        window.workshop.show_panel("marks")
        dialog = window.workshop.collect_marks()
        names = {p.pseudonym: p.id for p in window.project.participants.values()}
        dialog.set_person(names["Eilidh"])
        dialog.show_item(
            next(
                f.id for f in window.document.factors.values() if f.label == "Fear of child removal"
            )
        )
        # Over the lower left of the window: the fitted map (with the item selected) and the
        # grid stay in view beside it.
        dialog.move(
            window.geometry().left() + 12, window.geometry().bottom() - dialog.height() - 12
        )
        state["dialog"] = dialog

    def marks_mode_shot() -> None:
        # The dialog is its own window: grab the screen area holding both.
        screen = app.primaryScreen()
        screen.grabWindow(0).save(str(OUT / "marks-mode.png"))
        state["dialog"].close()

    def readable_canvas() -> None:
        # The whole map, as "Fit map" shows it: labels enlarged to read from the back.
        window.view.fit_map()

    def large() -> None:
        window.actions_by_name["theme-large"].trigger()
        window.show_map(glasgow)
        window.trigger("participants")
        wide_right_docks()
        readable_canvas()

    def large_shot() -> None:
        shot(window, "theme-large")

    def contrast() -> None:
        window.actions_by_name["theme-contrast"].trigger()
        window.workshop.show_panel("marks")
        window.workshop.marks.tabs.setCurrentIndex(1)
        readable_canvas()

    def contrast_shot() -> None:
        shot(window, "theme-contrast")
        window.actions_by_name["theme-standard"].trigger()
        app.quit()

    steps = [
        grid,
        grid_shot,
        voices,
        voices_shot,
        marks_mode,
        marks_mode_shot,
        large,
        large_shot,
        contrast,
        contrast_shot,
    ]
    for i, step in enumerate(steps):
        QTimer.singleShot(700 * (i + 1), step)
    app.exec()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
