"""The host's controls in the window: remove a device, a new join code, the code on the
projector, and keeping the session so a crashed or closed window resumes it.

A mixin of ``Hosting`` (hosting.py runs the session's life; this is what the facilitator
does with it while it runs). The live core is imported inside the methods, as in hosting.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ipsmap.ui.live.session_panel import QR_SIDE_PX, LiveSessionPanel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from ipsmap.ui.hallway import Hallway
    from ipsmap.ui.live.projector import ProjectorWindow

# What the host says that the facilitator should see in the panel, not only the status bar.
NOTICE_PREFIXES = ("removed:", "refusing ", "refused: a removed device", "the join code")


class HostControlsUi:
    """Needs ``window``, ``hallway``, ``host``, ``panel``, ``stop`` and ``refresh_people``."""

    window: QMainWindow
    hallway: Hallway
    host: Any
    panel: LiveSessionPanel | None
    projector: ProjectorWindow | None = None

    if TYPE_CHECKING:  # Hosting's

        def stop(self) -> None: ...

        def refresh_people(self) -> None: ...

    def connect_controls(self, panel: LiveSessionPanel) -> None:
        panel.remove_requested.connect(self.remove_device)
        panel.new_code_requested.connect(self.change_code)
        panel.projector_requested.connect(self.show_projector)

    # -- keeping the session across a restart ------------------------------------------

    def kept_for(self, interface: str) -> Any:
        """This project's interrupted session on ``interface``, or None."""
        from ipsmap.live import kept_session

        try:
            kept = kept_session.load(self.hallway.project)
        except kept_session.KeptSessionError as exc:
            self.hallway.say(f"Starting a new live session: {exc}")
            return None
        return kept if kept is not None and kept.interface == interface else None

    def resumable(self) -> str | None:
        """What the host dialog says of an interrupted session it can resume, or None."""
        from ipsmap.live import kept_session

        try:
            kept = kept_session.load(self.hallway.project)
        except kept_session.KeptSessionError:
            return None
        if kept is None:
            return None
        at = kept.saved.astimezone().strftime("%H:%M")
        return f"Resume the session interrupted at {at} on {kept.interface} (same code)"

    def keep_session(self) -> None:
        from ipsmap.live import kept_session

        if self.host is None:
            return
        try:
            kept_session.save(self.host.project, kept_session.kept_from(self.host))
        except OSError as exc:
            self.hallway.say(
                f"The session is on, but could not be kept for a restart ({exc.strerror or exc})"
            )

    async def start_listening(self, host: Any) -> None:
        """Start ``host``; if a resumed session's port is taken now, on any free port."""
        try:
            await host.start()
        except OSError:
            if host.port == 0:
                raise
            taken, host.port = host.port, 0
            await host.start()
            self.hallway.say(f"Port {taken} is taken now: laptops join again with the new address")

    def stop_on_purpose(self) -> None:
        """*Stop the session*: ended for good, so the next session has new codes."""
        from ipsmap.live import kept_session

        if self.host is not None:
            kept_session.forget(self.host.project)
        self.stop()

    # -- the controls --------------------------------------------------------------------

    def remove_device(self, device: str) -> None:
        if self.host is None:
            return
        names = self.host.remove(device)
        self.keep_session()
        self.refresh_people()
        who = names[0] if names else "The device"
        self.hallway.say(f"{who} was removed: that device cannot join again with this code")

    def change_code(self) -> None:
        if self.host is None or self.panel is None:
            return
        code = self.host.change_code()
        self.keep_session()
        self.panel.show_code(code, self._join_qr_png())
        if self.projector is not None:
            self._fill_projector(self.projector)
        self.hallway.say(f"New join code {code[:4]} {code[4:]}: laptops already here stay")

    def show_projector(self) -> None:
        from ipsmap.ui.live.projector import ProjectorWindow, projector_screen

        if self.host is None:
            return
        if self.projector is None:
            self.projector = ProjectorWindow(projector_screen(self.window))
            self.projector.destroyed.connect(self._projector_closed)
        self._fill_projector(self.projector)
        self.projector.open()

    def close_projector(self) -> None:
        if self.projector is not None:
            self.projector.close()

    def notice_heard(self, line: str) -> None:
        if self.panel is not None and line.startswith(NOTICE_PREFIXES):
            self.panel.show_notice(line)

    # -- helpers -------------------------------------------------------------------------

    def _join_url(self) -> str:
        from ipsmap.live.qr import laptop_join_url

        host = self.host
        return laptop_join_url(host.interface, host.port, host.code, host.fingerprint)

    def _join_qr_png(self) -> bytes:
        from ipsmap.live.qr import make_qr, module_px_for

        qr = make_qr(self._join_url())
        return qr.png(module_px_for(QR_SIDE_PX, qr))

    def _fill_projector(self, projector: ProjectorWindow) -> None:
        host = self.host
        projector.show_code(
            host.code, host.address, host.fingerprint, self._join_url(), host.phone_url
        )

    def _projector_closed(self) -> None:
        self.projector = None
