"""Helpers for the window's live-session tests: hosting from the menu with real input, and
waiting for a laptop process's answer while Qt (and so the host on its loop) runs."""

from __future__ import annotations

import select

from PySide6.QtCore import Qt

from ipsmap.ui.live.host_dialog import HostDialog
from tests.live.support import PeerProcess


def host_from_the_menu(window, qtbot, monkeypatch, announce: bool = False):
    """Trigger the action; in the (modal) dialog keep the shown map, pick loopback."""
    seen = {}

    def fake_exec(dialog: HostDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["maps"] = dialog.chosen_maps()
        seen["announce_default"] = dialog.announce_title.isChecked()
        dialog.interface.setCurrentIndex(dialog.interface.findData("127.0.0.1"))
        if announce:
            qtbot.mouseClick(dialog.announce_title, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
        return dialog.result()

    monkeypatch.setattr(HostDialog, "exec", fake_exec)
    window.actions_by_name["host-live-session"].trigger()
    hosting = window.workshop.hosting
    qtbot.waitUntil(lambda: hosting.advert is not None, timeout=10000)
    return hosting, seen


def answer_while_the_window_runs(peer: PeerProcess, qtbot, timeout_s: float = 15.0) -> dict:
    """The peer's next answer, while Qt (and so the host on its loop) keeps running."""
    stdout = peer.process.stdout
    assert stdout is not None
    for _ in range(int(timeout_s / 0.02)):
        if select.select([stdout], [], [], 0)[0]:
            return peer.answer()
        qtbot.wait(20)
    raise AssertionError("the peer did not answer")
