"""Workshop → Host a live session…: start a live host on the window's asyncio loop, announce
it on the network, show the Live session panel, and stop it all when asked, when another
project opens or when the window closes.

The session's certificate, codes and port are kept (ipsmap/live/kept_session.py) while it
runs, so a window that crashed or was closed resumes it and laptops rejoin by themselves;
only *Stop the session* forgets it. The panel's controls (Remove, New code, Show on the
projector) are in host_controls_ui.py.

The live core (``ipsmap.live``: websockets, pycrdt, zeroconf, segno) and qasync are imported
only here, when a session is hosted, so the window opens as fast as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDialog, QDockWidget, QMainWindow, QWidget

from ipsmap.ui.live.host_controls_ui import HostControlsUi
from ipsmap.ui.live.host_dialog import HostDialog
from ipsmap.ui.live.loop import WindowTasks
from ipsmap.ui.live.phone_controls_ui import PhoneControlsUi
from ipsmap.ui.live.session_panel import QR_SIDE_PX, LiveSessionPanel

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.hallway import Hallway

PEOPLE_REFRESH_MS = 500  # a safety net: joins and leaves also refresh the list at once


class Hosting(HostControlsUi, PhoneControlsUi, QObject):
    """One window's live session as its host (at most one at a time)."""

    def __init__(
        self,
        window: QMainWindow,
        hallway: Hallway,
        dock: Callable[[str, QWidget, Qt.DockWidgetArea], QDockWidget],
        docks: dict[str, QDockWidget],
        actions: ActionTable,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.hallway = hallway
        self._dock = dock
        self.docks = docks
        self.host: Any = None  # the running LiveHost
        self.advert: Any = None  # its AsyncAdvert, once announced
        self.panel: LiveSessionPanel | None = None
        self.presence: Any = None  # the PresenceView on this window's canvas, while hosting
        self._tasks = WindowTasks(self._failed)
        self._people_timer = QTimer(self)
        self._people_timer.setInterval(PEOPLE_REFRESH_MS)
        self._people_timer.timeout.connect(self.refresh_people)
        # The host writes into the open project: it ends before that project is closed.
        hallway.project_closing.connect(lambda _project: self.stop())
        actions.register_all({"host-live-session": self.open_dialog, "show-ideas": self.show_ideas})
        self.ideas: Any = None  # the Ideas panel, made the first time it is wanted
        self._presentation = actions["presentation"]
        self.presenting_qr: Any = None  # the phone QR over the map while presenting

    @property
    def hosting(self) -> bool:
        return self.host is not None

    # -- starting ------------------------------------------------------------------------

    def make_dialog(self) -> HostDialog:
        from ipsmap.live.discovery import interface_addresses

        project = self.hallway.project
        assert project is not None
        maps = [(m.id, m.name) for m in project.maps()]
        shown = self.hallway.document.id if self.hallway.document is not None else None
        interfaces = [(i.label, i.address) for i in interface_addresses(include_loopback=True)]
        return HostDialog(maps, shown, interfaces, self.window, resumable=self.resumable())

    def open_dialog(self) -> None:
        project = self.hallway.project
        if project is None:
            self.hallway.say("Open a project first: a live session shares its maps")
            return
        if self.hallway.joined:
            self.hallway.say("This window is in a session hosted elsewhere: leave it first")
            return
        if self.hosting:
            self._show_panel()
            self.hallway.say("A session is already on: its code is in the Live session panel")
            return
        if project.store.read_only:
            self.hallway.say("This project is open read-only: nobody could edit it from elsewhere")
            return
        dialog = self.make_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.start(
            dialog.chosen_maps(),
            dialog.chosen_interface(),
            dialog.announce_title.isChecked(),
            resume=dialog.resume.isChecked(),
        )

    def start(
        self, map_ids: list[str], interface: str, announce_title: bool, resume: bool = True
    ) -> None:
        """Host ``map_ids`` on ``interface``: the interrupted session of this project if
        there is one on that interface (and ``resume``), else a fresh certificate and code."""
        from ipsmap.live.host import LiveHost
        from ipsmap.live.kept_session import phones_from
        from ipsmap.live.security import SecurityError, make_certificate, new_join_code
        from ipsmap.model.errors import IpsmapError

        project = self.hallway.project
        assert project is not None and not self.hosting
        kept = self.kept_for(interface) if resume else None
        try:
            host = LiveHost(
                project,
                map_ids,
                certificate=kept.certificate if kept else make_certificate(interface),
                code=kept.code if kept else new_join_code(),
                viewer_code=kept.viewer_code if kept else None,
                interface=interface,
                port=kept.port if kept else 0,
                # No session given: edits are recorded in the window's current one.
                say=self._heard,
                removed_devices=set(kept.removed_devices) if kept else None,
                # Resumed: the phones' page at the same address, each phone still itself.
                phone_port=(kept.phone_port or 0) if kept else 0,
                kept_phones=phones_from(kept),
            )
        except (SecurityError, IpsmapError, ValueError) as exc:
            self.hallway.say(f"Could not host a session: {exc}")
            return
        self.host = host
        self._run(self._start(host, announce_title))

    async def _start(self, host: Any, announce_title: bool) -> None:
        from ipsmap.live.discovery import DiscoveryError, advertise_async

        try:
            await self.start_listening(host)
        except OSError as exc:
            host.close()
            if self.host is host:
                self.host = None
            self.hallway.say(
                f"Could not host a session: cannot listen on {host.interface} "
                f"({exc.strerror or exc})"
            )
            return
        if self.host is not host:  # stopped while it was starting
            await host.stop()
            return
        self._show_session(host)
        self.keep_session()
        try:
            advert = await advertise_async(
                host.interface,
                host.port,
                host.project.title,
                host.fingerprint,
                advertise_title=announce_title,
            )
        except DiscoveryError as exc:
            self.hallway.say(
                f"The session is on, but laptops will not find it by themselves ({exc}): "
                "give them the address"
            )
            return
        if self.host is not host:
            await advert.aclose()
            return
        self.advert = advert

    # -- while it runs -------------------------------------------------------------------

    def _heard(self, line: str) -> None:
        """What the host says (joined, left, refused): the status bar and the people list."""
        self.hallway.say(f"Live session — {line}")
        self.notice_heard(line)
        self.refresh_people()

    def refresh_people(self) -> None:
        if self.panel is None or self.host is None:
            return
        from ipsmap.ui.live.presence_rows import people_rows

        rows = people_rows(self.host)
        self.panel.set_people(
            [line for line, _, _ in rows],
            [device for _, device, _ in rows],
            [colour for _, _, colour in rows],
        )
        self.refresh_phones_here()

    def _show_session(self, host: Any) -> None:
        from ipsmap.live.qr import laptop_join_url, make_qr, module_px_for

        qr = make_qr(laptop_join_url(host.interface, host.port, host.code, host.fingerprint))
        names = [host.project.map_info(m).name for m in host.session.map_ids]
        panel = self._show_panel()
        panel.show_session(
            host.code,
            host.address,
            host.fingerprint,
            qr.png(module_px_for(QR_SIDE_PX, qr)),
            names,
        )
        if host.phone_url:
            # Short enough to type if a phone cannot scan (Show on the projector has its QR).
            panel.show_phone_address(host.phone_url)
            # What phones suggest waits in the Ideas panel, beside this one (or, switched
            # there, goes straight onto the map).
            self.show_ideas()
            self._connect_straight_switch(host)
            self.show_phone_controls(host)
            self.docks["live"].raise_()
            self._show_presenting_qr(host.phone_url)
        self._people_timer.start()
        self._show_presence(host)
        self.hallway.say(f"Hosting a live session: join code {host.code[:4]} {host.code[4:]}")

    def _show_presenting_qr(self, phone_url: str) -> None:
        from ipsmap.ui.live.presenting_qr import PresentingPhoneQr

        self._close_presenting_qr()
        self.presenting_qr = PresentingPhoneQr(self.window.view, self._presentation, phone_url)

    def _close_presenting_qr(self) -> None:
        if self.presenting_qr is not None:
            self.presenting_qr.close_card()
            self.presenting_qr = None

    def _show_presence(self, host: Any) -> None:
        """Publish this window's selection as the host's own presence; draw the laptops'."""
        from ipsmap.ui.live.presence_view import PresenceView

        def publish(map_id: str | None, selected: list[str], editing: str | None) -> None:
            host.presence.publish_own(host.project.actor_id or "", map_id, selected, editing)

        def heard(people: dict) -> None:
            if self.presence is not None:
                self.presence.show_people(people)
            self.refresh_people()

        self.presence = PresenceView.for_window(self.window, publish)
        host.presence.on_change = heard

    def show_ideas(self) -> None:
        """The Ideas panel (a tab in the right column), made the first time it is wanted:
        by this action, or by a session starting (phones send ideas from then on)."""
        if self.ideas is None:
            from ipsmap.ui.live.ideas_panel import IdeasPanel

            self.ideas = IdeasPanel(self.hallway)
            self.ideas.straight.toggled.connect(self._straight_switched)
            self.docks["ideas"] = self._dock(
                "Ideas", self.ideas, Qt.DockWidgetArea.RightDockWidgetArea
            )
            anchor = self.docks.get("live") or self.docks.get("inspector")
            if anchor is not None:
                self.window.tabifyDockWidget(anchor, self.docks["ideas"])
        self.docks["ideas"].show()
        self.docks["ideas"].raise_()

    def _connect_straight_switch(self, host: Any) -> None:
        # The desk's switch as this session has it (a resumed one keeps its own).
        self.ideas.straight.blockSignals(True)
        self.ideas.straight.setChecked(host.phones.desk.straight_onto_map)
        self.ideas.straight.blockSignals(False)
        self.ideas.straight.setVisible(True)

    def _straight_switched(self, on: bool) -> None:
        if self.host is not None and self.host.phones is not None:
            self.host.phones.desk.straight_onto_map = on

    def _show_panel(self) -> LiveSessionPanel:
        if self.panel is None:
            self.panel = LiveSessionPanel()
            self.panel.stop_requested.connect(self.stop_on_purpose)
            self.connect_controls(self.panel)
            self.docks["live"] = self._dock(
                "Live session", self.panel, Qt.DockWidgetArea.RightDockWidgetArea
            )
            anchor = self.docks.get("inspector")
            if anchor is not None:
                self.window.tabifyDockWidget(anchor, self.docks["live"])
        self.docks["live"].show()
        self.docks["live"].raise_()
        return self.panel

    # -- stopping ------------------------------------------------------------------------

    def stop(self) -> None:
        """End the session: no more joins, every connection closed, the advert withdrawn.
        The project is let go of at once; the sockets finish closing on the loop."""
        host, advert = self.host, self.advert
        if host is None:
            return
        self.host = self.advert = None
        host.close()
        if self.ideas is not None:  # no phones without a session: the list stays
            self.ideas.straight.setVisible(False)
        self.close_projector()
        self.phone_controls_stopped()
        self._close_presenting_qr()
        self._people_timer.stop()
        if self.presence is not None:
            self.presence.close()
            self.presence = None
        if self.panel is not None:
            self.panel.show_stopped()
        self._run(self._finish(host, advert))
        self.hallway.say("The live session has ended")

    async def _finish(self, host: Any, advert: Any) -> None:
        await host.stop()
        if advert is not None:
            await advert.aclose()

    @property
    def idle(self) -> bool:
        """Every start and stop begun so far has finished."""
        return self._tasks.idle

    def _run(self, work: Any) -> None:
        self._tasks.run(work)

    def _failed(self, exc: BaseException) -> None:
        # Anything unforeseen (a TLS or network error): one line, and no half-started session.
        self.stop()
        self.hallway.say(f"Live session stopped: {type(exc).__name__}: {exc}")
