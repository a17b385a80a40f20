"""Workshop → Join a live session…: this window edits the shared maps through a mirror
project (live/mirror.py) kept in the data folder, every edit sent to the host.

The dialog (join_dialog.py) settles which session and who; then the mirror project opens
like any project (the title says "Joined: <title> — <address>"), and a JoinedLaptop runs on
the window's qasync loop. While the connection is down a banner across the canvas says
edits are kept and will merge; a refusal (wrong code, removed, another certificate) is one
line in the banner and ends the session. *Leave the live session*, opening another project
or closing the window leave it. The live core and qasync are imported only here, when a
session is joined, so the window opens as fast as before.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMainWindow

from ipsmap.ui.live.join_dialog import JoinChoice, JoinDialog, Where
from ipsmap.ui.live.loop import WindowTasks
from ipsmap.ui.live.offline_banner import OfflineBanner

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway

OFFLINE_TEXT = "Offline — your edits are kept and will be merged when the connection is back"


EDITING_AS_LOCKED = (
    "In a live session this laptop edits as the person who joined. To edit as someone "
    "else, leave the session and join again as them."
)


class Joining(QObject):
    """One window's membership of a live session hosted elsewhere (at most one)."""

    def __init__(
        self,
        window: QMainWindow,
        hallway: Hallway,
        view: MapView,
        actions: ActionTable,
        hosting: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(window)
        # Whether this window hosts a session now (joining would close the project it shares).
        self._hosting = hosting
        self.window = window
        self.hallway = hallway
        self.actions = actions
        self.banner = OfflineBanner(view)
        self.laptop: Any = None  # the running JoinedLaptop
        self.presence: Any = None  # the PresenceView on this window's canvas, while joined
        self.choice: JoinChoice | None = None
        self.dialog: JoinDialog | None = None
        self._stop: asyncio.Event | None = None
        self._browser: Any = None
        self._tasks = WindowTasks(self._failed)
        # The mirror project is this session's: leaving comes before it closes.
        hallway.project_closing.connect(self._project_closing)
        actions.register_all(
            {"join-live-session": self.open_dialog, "leave-live-session": self.leave}
        )
        actions["leave-live-session"].setEnabled(False)

    @property
    def joined(self) -> bool:
        return self.laptop is not None

    @property
    def online(self) -> bool:
        return self.laptop is not None and self.laptop.online

    def live_connection(self) -> Any:
        """The running connection (live/connection.py), or None."""
        return self.laptop.connection if self.laptop is not None else None

    # -- the dialog ----------------------------------------------------------------------

    def make_dialog(self) -> JoinDialog:
        self.dialog = JoinDialog(_Backend(self._run), self.window)
        self._run(self._browse(self.dialog))
        return self.dialog

    def open_dialog(self) -> None:
        if self.joined:
            self.hallway.say("This window is already in a live session: leave it first")
            return
        if self._hosting():
            self.hallway.say("This window is hosting a live session: stop it first to join another")
            return
        dialog = self.make_dialog()
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self.dialog = None
            self._run(self._stop_browsing())
        if accepted and dialog.chosen is not None:
            self.join(dialog.chosen)

    async def _browse(self, dialog: JoinDialog) -> None:
        from ipsmap.live.discovery import Browser, DiscoveryError

        browser = Browser()
        try:
            await browser.start(
                on_found=lambda s: dialog.session_found(s.label, s.address, s.port, s.fingerprint),
                on_lost=lambda s: dialog.session_lost(s.address, s.port),
            )
        except DiscoveryError as exc:
            dialog.say(f"Cannot look for sessions on this network ({exc}): paste an address")
            return
        if self.dialog is not dialog:  # closed while the browser was starting
            await browser.stop()
            return
        self._browser = browser

    async def _stop_browsing(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            await browser.stop()

    # -- joining -------------------------------------------------------------------------

    def join(self, choice: JoinChoice) -> None:
        """Open the session's mirror project in this window and stay joined."""
        from ipsmap.live.joined import JoinedLaptop
        from ipsmap.live.mirror import MIRROR_NAME, mirror_folder, open_mirror
        from ipsmap.model.errors import IpsmapError

        if self.joined:
            return
        folder = mirror_folder(choice.fingerprint)
        shown = self.hallway.project
        joined = f"Joined: {choice.title} — {choice.address.removeprefix('wss://')}"
        if shown is not None and shown.path.resolve() == (folder / MIRROR_NAME).resolve():
            # Joining again after leaving: the copy is open here already (and locked).
            project = shown
            self.hallway.joined = joined
            self.hallway.project_changed.emit(project)
        else:
            try:
                project = open_mirror(folder, choice.title)
            except (IpsmapError, OSError) as exc:
                self.hallway.say(f"Could not join: the local copy cannot be opened ({exc})")
                return
            self.hallway.joined = joined
            self.hallway.open(project)
        # A viewer's copy: the window offers no editing (the host would drop it anyway).
        project.watching = choice.viewer
        laptop = JoinedLaptop(
            project,
            address=choice.address,
            code=choice.code,
            fingerprint=choice.fingerprint,
            participant=choice.participant,
            say=lambda _line: None,
            on_state=lambda state: self._state(state) if self.laptop is laptop else None,
            adopt_actor=self.hallway.set_actor,
        )
        laptop.mirror.notices_heard = self._heard
        self.laptop, self.choice = laptop, choice
        self._show_presence(laptop)
        self._lock_editing_as(True)
        self._stop = asyncio.Event()
        self.actions["leave-live-session"].setEnabled(True)
        self._run(self._stay_joined(laptop, self._stop))
        self.hallway.say(f"{self.hallway.joined}: connecting…")

    async def _stay_joined(self, laptop: Any, stop: asyncio.Event) -> None:
        from ipsmap.live.connection import JoinRefused

        try:
            await laptop.run(stop)
        except JoinRefused as exc:
            if self.laptop is laptop:
                self.leave(f"Left the live session: {exc}")

    def _state(self, state: str) -> None:
        from ipsmap.live.connection import CONNECTED, OFFLINE

        if state == OFFLINE:
            self.banner.show_text(OFFLINE_TEXT)
            self.hallway.say("Live session offline: reconnecting…")
        elif state == CONNECTED:
            self.banner.hide()
            self.hallway.say(f"{self.hallway.joined}: connected")
            # The first map arrives with the first sync: show it if nothing is shown yet.
            if self.hallway.document is None:
                self.hallway.show_map(self.hallway.first_map_id())

    def _show_presence(self, laptop: Any) -> None:
        """Publish this window's map, selection and edited item; draw everyone else's."""
        from ipsmap.ui.live.presence_view import PresenceView

        self.presence = PresenceView.for_window(self.window, laptop.presence.set_presence)
        laptop.presence.on_presence = self.presence.show_people

    def _heard(self, line: str) -> None:
        self.hallway.say(f"Live session — {line}")

    def _lock_editing_as(self, locked: bool) -> None:
        """While joined, "Editing as" is who joined: the host credits every edit from this
        laptop to that person (the token names them), so switching here would only show a
        name the host then puts right."""
        combo = getattr(self.window, "participants", None)
        if combo is None:
            return
        combo.setEnabled(not locked)
        combo.setToolTip(EDITING_AS_LOCKED if locked else "")

    # -- leaving -------------------------------------------------------------------------

    def leave(self, why: str | None = None, announce: bool = True) -> None:
        """Stop the session; the mirror stays open as a local copy."""
        laptop, stop = self.laptop, self._stop
        if laptop is None:
            return
        self.laptop = self._stop = None
        if stop is not None:
            stop.set()
        laptop.presence.on_presence = None
        if self.presence is not None:
            self.presence.close()
            self.presence = None
        laptop.close()
        self._lock_editing_as(False)
        self.actions["leave-live-session"].setEnabled(False)
        self.hallway.joined = None
        if why:
            self.banner.show_text(why)
        else:
            self.banner.hide()
        if not announce:
            return
        # The title and status bar no longer say "Joined".
        self.hallway.project_changed.emit(self.hallway.project)
        self.hallway.say(why or "You have left the live session; your copy of its maps is kept")

    def _project_closing(self, project: Any) -> None:
        if self.laptop is not None and self.laptop.project is project:
            self.leave(announce=False)

    # -- the loop ------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        return self._tasks.idle

    def _run(self, work: Any) -> None:
        self._tasks.run(work)

    def _failed(self, exc: BaseException) -> None:
        self.leave(f"Left the live session: {type(exc).__name__}: {exc}")


class _Backend:
    """The dialog's network calls, on the window's loop, each ending in one callback."""

    def __init__(self, run: Callable[[Any], None]) -> None:
        self._run = run
        # The lobby does not record devices; a fresh id per dialog says nothing about us.
        self._device = str(uuid.uuid4())

    def fingerprint(
        self, address: str, done: Callable[[str], None], failed: Callable[[str], None]
    ) -> None:
        async def work() -> None:
            from ipsmap.live.connection import host_fingerprint
            from ipsmap.live.security import SecurityError

            try:
                result = await host_fingerprint(address)
            except (OSError, TimeoutError, SecurityError) as exc:
                failed(f"Nobody answers at {address.removeprefix('wss://')} ({_why(exc)})")
                return
            done(result)

        self._run(work())

    def lobby(
        self,
        where: Where,
        fingerprint: str,
        add: dict[str, Any] | None,
        done: Callable[[Any, str | None], None],
        failed: Callable[[str], None],
    ) -> None:
        async def work() -> None:
            from ipsmap.live.connection import JoinRefused
            from ipsmap.live.lobby import LobbyError, visit
            from ipsmap.live.security import SecurityError

            try:
                lobby, added = await visit(
                    where.address, where.code, fingerprint, self._device, add
                )
            except (JoinRefused, LobbyError, SecurityError) as exc:
                failed(_capitalised(str(exc)))
                return
            except (OSError, TimeoutError) as exc:
                failed(f"Nobody answers at {where.address.removeprefix('wss://')} ({_why(exc)})")
                return
            done(lobby, added)

        self._run(work())


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
