"""The host's controls in the window, with real laptops over TLS on loopback: Remove a
device, New code, wrong codes refused per address, the code on the projector, and the same
session resumed after the window closed."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from ipsmap.live import kept_session
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant
from tests.live.support import PeerProcess
from tests.ui.live_support import answer_while_the_window_runs, host_from_the_menu

pytestmark = pytest.mark.timeout(90)


def _shown(panel, code: str | None = None) -> SimpleNamespace:
    """What the facilitator reads out, as a laptop is told it."""
    address = panel.address.text().splitlines()[0].removeprefix("Address: ")
    return SimpleNamespace(
        info={
            "address": address,
            "code": code or panel.code.text().replace(" ", ""),
            "fingerprint": panel.fingerprint.toolTip(),
        }
    )


def _end(hosting, qtbot) -> None:
    """Stop the session and let its sockets close while the test's loop still runs (a
    connection left to close after the test would fail there, with no loop)."""
    hosting.stop()
    qtbot.waitUntil(lambda: hosting.idle, timeout=5000)


def _laptop(panel, who: str, folder, log, code: str | None = None) -> PeerProcess:
    return PeerProcess(_shown(panel, code), who, folder, stderr=log)  # type: ignore[arg-type]


def test_remove_cuts_a_laptop_off_and_new_code_lets_it_back(
    qtbot,
    window,
    monkeypatch,
    tmp_path,
    window_loop_released,
):
    project = window.project
    ids = {}
    for name in ("Robin", "Morven"):  # not in the demo project: one person each
        command = AddParticipant(name, "parent", "Glasgow")
        project.execute(command)
        ids[name] = command.id
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    panel = hosting.panel
    first_code = panel.code.text()
    first_qr = panel.qr.pixmap().toImage()
    with (tmp_path / "peers.log").open("w") as log:
        rowan = _laptop(panel, ids["Robin"], tmp_path / "rowan", log)
        eilidh = _laptop(panel, ids["Morven"], tmp_path / "eilidh", log)
        try:
            for peer in (rowan, eilidh):
                peer.send(cmd="wait-connected")
                assert answer_while_the_window_runs(peer, qtbot) == {"connected": True}
            qtbot.waitUntil(
                lambda: panel.listed_people() == ["Morven — editor", "Robin — editor"],
                timeout=5000,
            )
            device = (tmp_path / "rowan" / "device-id").read_text().strip()
            button = panel.remove_button(device)
            assert button is not None and button.text() == "Remove"
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: panel.listed_people() == ["Morven — editor"], timeout=5000)
            assert panel.notice.text().startswith("removed: Robin (device ")
            assert kept_session.load(project).removed_devices == [device]  # kept for a restart
            # Rowan's laptop is closed, tries again, and is told it was removed.
            rowan.send(cmd="wait-connected")
            answer = answer_while_the_window_runs(rowan, qtbot, timeout_s=20)
            assert "the host removed this device" in answer["refused"]
            rowan.kill()
            # A new code: shown with its QR code, kept for a restart; Eilidh stays.
            qtbot.mouseClick(panel.new_code, Qt.MouseButton.LeftButton)
            new_code = panel.code.text()
            assert new_code != first_code and new_code.replace(" ", "") == hosting.host.code
            assert panel.qr.pixmap().toImage() != first_qr
            assert "the join code was changed" in panel.notice.text()
            kept = kept_session.load(project)
            assert kept is not None and kept.code == hosting.host.code
            assert kept.removed_devices == []
            old = _laptop(
                panel, ids["Robin"], tmp_path / "old", log, code=first_code.replace(" ", "")
            )
            old.send(cmd="wait-connected")
            assert "wrong join code" in answer_while_the_window_runs(old, qtbot)["refused"]
            old.kill()
            back = _laptop(panel, ids["Robin"], tmp_path / "rowan", log)
            back.send(cmd="wait-connected")
            assert answer_while_the_window_runs(back, qtbot) == {"connected": True}
            qtbot.waitUntil(
                lambda: panel.listed_people() == ["Morven — editor", "Robin — editor"],
                timeout=5000,
            )
            back.kill()
        finally:
            rowan.kill()
            eilidh.kill()
            _end(hosting, qtbot)


def test_wrong_codes_from_one_address_are_refused_and_the_panel_says_so(
    qtbot,
    window,
    monkeypatch,
    tmp_path,
    window_loop_released,
):
    from ipsmap.live.client import JoinRefused, LiveClient

    project = window.project
    rowan = AddParticipant("Rowan", "parent", "Glasgow")
    project.execute(rowan)
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host, panel = hosting.host, hosting.panel
    refusals: list[str] = []

    async def guess(i: int) -> None:
        client = LiveClient(
            host.address, code=f"AAAA-AAA{'CDEFGHJ'[i]}", fingerprint=host.fingerprint,
            participant=rowan.id, workdir=tmp_path / f"g{i}", say=lambda _line: None,
        )  # fmt: skip
        try:
            await client.run(asyncio.Event())
        except JoinRefused as exc:
            refusals.append(str(exc))
        finally:
            client.close()

    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(guess(i)) for i in range(7)]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=15000)
    assert sum("too many wrong join codes" in r for r in refusals) == 2
    assert panel.notice.text() == "refusing 127.0.0.1 for 60 s: 5 wrong join codes within 60 s"
    _end(hosting, qtbot)


def _labels_text(widget) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_the_projector_shows_the_code_huge_and_a_qr_of_45_percent_and_nothing_private(
    qtbot,
    window,
    monkeypatch,
    window_loop_released,
):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    qtbot.mouseClick(hosting.panel.projector, Qt.MouseButton.LeftButton)
    projector = hosting.projector
    qtbot.waitExposed(projector)
    host = hosting.host
    screen_height = projector.screen().geometry().height()
    assert projector.isFullScreen() or projector.isMaximized()
    assert projector.code.text() == f"{host.code[:4]}\n{host.code[4:]}"
    assert projector.code.font().pixelSize() >= 0.12 * screen_height
    assert projector.address.text().startswith(host.address)
    qr = projector.qr.pixmap()
    assert qr.height() >= 0.45 * screen_height and qr.height() <= screen_height
    assert projector.qr.height() >= qr.height()  # shown whole, not cropped
    # The room scans with phones: what a camera sees on the projected image decodes to the
    # phone page's address; laptops join with the code beside it.
    assert projector.qr_caption.text() == "Phones: scan to take part"
    assert projector.heading.text() == "Laptops: join code"
    image = (
        projector.grab()
        .toImage()
        .convertToFormat(projector.grab().toImage().Format.Format_Grayscale8)
    )
    pixels = np.array(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )
    found = [r.text for r in zxingcpp.read_barcodes(pixels) if r.valid]
    assert found == [host.phone_url] and host.code not in found[0]
    # Nothing private: no participant, no map, no project title.
    shown = _labels_text(projector)
    project = window.project
    for private in (
        [p.pseudonym for p in project.participants.values()]
        + [m.name for m in project.maps()]
        + [project.title]
    ):
        assert private not in shown
    # A new code while it is up: the projector follows.
    qtbot.mouseClick(hosting.panel.new_code, Qt.MouseButton.LeftButton)
    assert projector.code.text() == f"{hosting.host.code[:4]}\n{hosting.host.code[4:]}"
    qtbot.keyClick(projector, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: hosting.projector is None, timeout=3000)
    _end(hosting, qtbot)


def test_a_closed_window_s_session_is_resumed_and_stop_forgets_it(
    qtbot,
    window,
    monkeypatch,
    window_loop_released,
):
    from ipsmap.ui.main_window import MainWindow

    path = window.project.path
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    first = (hosting.host.code, hosting.host.fingerprint, hosting.host.port)
    window.close()  # as if the window crashed or was closed: not stopped on purpose
    qtbot.waitUntil(lambda: hosting.idle, timeout=5000)

    again = MainWindow(Project.open(path))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    try:
        dialog = again.workshop.hosting.make_dialog()
        assert dialog.resume.isVisibleTo(dialog) and dialog.resume.isChecked()
        assert dialog.resume.text().startswith("Resume the session interrupted at ")
        hosting, _ = host_from_the_menu(again, qtbot, monkeypatch)
        assert (hosting.host.code, hosting.host.fingerprint, hosting.host.port) == first
        kept = kept_session.kept_path(again.project)
        qtbot.mouseClick(hosting.panel.stop, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: hosting.idle, timeout=5000)
        assert not kept.exists()
        dialog = again.workshop.hosting.make_dialog()
        assert not dialog.resume.isVisibleTo(dialog) and not dialog.resume.isChecked()
        hosting, _ = host_from_the_menu(again, qtbot, monkeypatch)
        assert hosting.host.fingerprint != first[1] and hosting.host.code != first[0]
    finally:
        again.close()
        qtbot.waitUntil(lambda: again.workshop.hosting.idle, timeout=5000)


def test_without_phones_the_projector_s_qr_is_the_laptops_join_address(qtbot, window):
    from ipsmap.live.qr import laptop_join_url
    from ipsmap.ui.live.projector import ProjectorWindow, projector_screen

    projector = ProjectorWindow(projector_screen(window))
    qtbot.addWidget(projector)
    url = laptop_join_url("127.0.0.1", 8765, "KXMR4PTA", "ab" * 32)
    projector.show_code("KXMR4PTA", "wss://127.0.0.1:8765", "ab" * 32, url)
    projector.show()
    qtbot.waitExposed(projector)
    assert projector.qr_caption.text() == "Laptops: scan to join"
    assert projector.heading.text() == "Join code"
    image = projector.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.array(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )
    assert [r.text for r in zxingcpp.read_barcodes(pixels) if r.valid] == [url]
    projector.close()
