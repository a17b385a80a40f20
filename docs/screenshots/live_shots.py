"""Screenshot of the window hosting a live session, on the demo project; run under X:

xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python docs/screenshots/live_shots.py

Writes live-host.png: a 1280 × 720 window with the Live session panel (join code, address,
certificate, QR code) after two laptops (in this process, on loopback) have joined;
live-projector.png: *Show on the projector* on that 1280 × 720 screen (the QR code for
phones, the code for laptops); live-presenting.png: presentation mode (F5) with the phone
page's QR code in the map's corner; live-ideas.png: the Ideas panel with what phones suggested;
then
live-presence.png: the window once the laptops have selected factors (outlined in their
colours, with their names), one is editing a label ("Eilidh is editing …"), and the host
has selected one of its own; live-joined.png: a second window joined to that session as
Fiona (Workshop → Join a live session…) showing the others' selections; and
live-offline.png: that window after the host stopped, the offline banner across its canvas.
"""

from __future__ import annotations

import asyncio
import os
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
    QSettings().remove("window")
    QSettings().remove("ui/theme")
    folder = Path(tempfile.mkdtemp())
    # The joined window's mirror project goes to a throwaway data folder.
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    window = MainWindow(create_demo_project(folder / "demo.ipsmap"), is_demo=True)
    window.resize(1280, 720)
    window.show()
    glasgow = next(m.id for m in window.project.maps() if m.name.startswith("Glasgow"))
    names = {p.pseudonym: p.id for p in window.project.participants.values()}
    hosting = window.workshop.hosting
    stop = None
    clients = []

    def host() -> None:
        window.show_map(glasgow)
        hosting.start([glasgow], "127.0.0.1", announce_title=False)

    def join() -> None:
        # Two laptops join the way any laptop does (TLS, code, pinned certificate).
        nonlocal stop
        from ipsmap.live.client import LiveClient

        stop = asyncio.Event()
        h = hosting.host
        for who in ("Eilidh", "Callum"):
            client = LiveClient(
                h.address, code=h.code, fingerprint=h.fingerprint, participant=names[who],
                workdir=folder / who, say=lambda _line: None,
            )  # fmt: skip
            clients.append(client)
            asyncio.get_running_loop().create_task(client.run(stop))

    def shot() -> None:
        window.resizeDocks([window.docks["live"]], [420], Qt.Orientation.Horizontal)
        window.view.fit_map()
        app.processEvents()
        window.grab().save(str(OUT / "live-host.png"))

    def projector() -> None:
        hosting.panel.projector.click()  # the button, as the facilitator clicks it

    def projector_shot() -> None:
        app.processEvents()
        hosting.projector.grab().save(str(OUT / "live-projector.png"))
        hosting.projector.close()

    def present() -> None:
        window.actions_by_name["presentation"].trigger()  # F5, as the facilitator presses it

    def presenting_shot() -> None:
        app.processEvents()
        window.grab().save(str(OUT / "live-presenting.png"))
        window.actions_by_name["presentation"].trigger()

    def ideas_shot() -> None:
        # What phones suggested (as the phone page sends it: AddIdea as that person).
        from ipsmap.model.author import Author
        from ipsmap.model.idea_commands import AddIdea

        project = window.project
        by_label = {f.label: f.id for f in window.document.factors.values()}
        for who, fields in (
            ("Eilidh", {"label": "Respite care at weekends", "note": "so parents can rest"}),
            ("Callum", {"label": "Fathers' group"}),
            ("Eilidh", {"kind": "link", "source": by_label["Household poverty"],
                        "target": by_label["Parental stress"], "polarity": "+",
                        "why": "money worries keep you up at night"}),
            ("Callum", {"kind": "comment", "about_kind": "factor",
                        "about": by_label["Waiting lists for services"],
                        "note": "Eight months for a first appointment here"}),
        ):  # fmt: skip
            project.execute(AddIdea(glasgow, **fields), author=Author(names[who], "phone", None))
        hosting.show_ideas()
        window.resizeDocks([window.docks["ideas"]], [420], Qt.Orientation.Horizontal)
        app.processEvents()
        window.grab().save(str(OUT / "live-ideas.png"))
        window.docks["live"].raise_()

    def select() -> None:
        # What the two laptops' windows would publish (PresenceView does it for a window).
        doc = window.document
        by_label = {f.label: f.id for f in doc.factors.values()}
        eilidh, callum = clients
        eilidh.set_presence(
            glasgow,
            [by_label["Housing insecurity"], by_label["Damp or overcrowded housing"]],
            editing=by_label["Housing insecurity"],
        )
        callum.set_presence(glasgow, [by_label["Parental stress"]])
        window.scene.factor_items[by_label["Food insecurity"]].setSelected(True)
        # Closer in on that corner of the map, as a facilitator would on a projector.
        window.view.zoom_by(1.6)
        window.view.centerOn(window.scene.factor_items[by_label["Parental stress"]])

    def presence_shot() -> None:
        app.processEvents()
        window.grab().save(str(OUT / "live-presence.png"))
        QTimer.singleShot(500, join_window)  # after the shot, however long the steps took

    joined = MainWindow(None)
    joined.resize(1280, 720)

    def join_window() -> None:
        from ipsmap.ui.live.join_dialog import JoinChoice

        h = hosting.host
        joined.show()
        choice = JoinChoice(
            h.address, h.code, h.fingerprint, window.project.title, names["Fiona"], "Fiona"
        )
        joined.workshop.joining.join(choice)
        QTimer.singleShot(3000, joined_shot)

    def joined_shot() -> None:
        # Fiona's window: the others' selections and Eilidh's editing hint, as on the host.
        by_label = {f.label: f.id for f in joined.document.factors.values()}
        joined.view.zoom_by(1.6)
        joined.view.centerOn(joined.scene.factor_items[by_label["Parental stress"]])
        app.processEvents()
        joined.grab().save(str(OUT / "live-joined.png"))
        QTimer.singleShot(300, host_goes)

    def host_goes() -> None:
        stop.set()
        hosting.stop()
        QTimer.singleShot(500, shot_offline)

    def shot_offline() -> None:
        # As soon as the joined window has noticed the host is gone.
        if not joined.workshop.joining.banner.isVisible():
            QTimer.singleShot(200, shot_offline)
            return
        joined.view.fit_map()
        app.processEvents()
        joined.grab().save(str(OUT / "live-offline.png"))
        joined.workshop.joining.leave()
        QTimer.singleShot(1500, app.quit)

    # Each step waits for the one before (timers of several seconds are coarse in Qt and
    # could run out of order): (pause before it in ms, step).
    steps = [(300, host), (1700, join), (3000, shot), (300, projector), (1000, projector_shot),
             (200, present), (1000, presenting_shot), (500, ideas_shot), (400, select),
             (1500, presence_shot)]  # fmt: skip

    def run_next() -> None:
        pause, step = steps.pop(0)

        def run() -> None:
            step()
            if steps:
                run_next()

        QTimer.singleShot(pause, run)

    run_next()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
