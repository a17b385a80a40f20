"""Workshop → Host a live session…: a real laptop process joins the window's session over
TLS on loopback, adds a factor that appears on the canvas credited to that person, and
Stop ends the connection and the advert."""

from __future__ import annotations

import socket
import uuid
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt

from ipsmap.model.project_commands import AddParticipant
from tests.live.support import PeerProcess
from tests.ui.live_support import answer_while_the_window_runs, host_from_the_menu

pytestmark = pytest.mark.timeout(60)


def test_a_laptop_joins_the_window_s_session_and_its_factor_is_drawn_and_credited(
    qtbot, window, monkeypatch, tmp_path, window_loop_released
):
    project, doc = window.project, window.document
    rowan = AddParticipant("Rowan", "practitioner", "Glasgow")
    project.execute(rowan)
    hosting, seen = host_from_the_menu(window, qtbot, monkeypatch)
    assert seen == {"maps": [doc.id], "announce_default": False}
    assert hosting.advert.properties.get("title") is None  # not announced by default
    panel = hosting.panel
    code = panel.code.text()
    assert len(code) == 9 and code[4] == " "  # read aloud as 4 + 4
    address = panel.address.text().splitlines()[0].removeprefix("Address: ")
    assert address.startswith("wss://127.0.0.1:")
    assert panel.fingerprint.text().startswith("Certificate: ")
    assert not panel.qr.pixmap().isNull() and panel.qr.pixmap().width() >= 200

    log = tmp_path / "peer.log"
    with log.open("w") as err:
        # What the facilitator reads out: the code, the address, the certificate.
        shown = SimpleNamespace(
            info={
                "address": address,
                "code": code.replace(" ", ""),
                "fingerprint": panel.fingerprint.toolTip(),
            }
        )
        peer = PeerProcess(shown, "Rowan", tmp_path / "laptop", stderr=err)  # type: ignore[arg-type]
        try:
            peer.send(cmd="wait-connected")
            assert answer_while_the_window_runs(peer, qtbot) == {"connected": True}
            qtbot.waitUntil(lambda: panel.listed_people() == ["Rowan — editor"], timeout=5000)

            factor_id = str(uuid.uuid4())
            peer.send(cmd="add", map=doc.id, id=factor_id, label="Waiting lists")
            answer_while_the_window_runs(peer, qtbot)
            qtbot.waitUntil(lambda: factor_id in window.scene.factor_items, timeout=5000)
            assert window.scene.factor_items[factor_id].label == "Waiting lists"
            event = project.history(doc.id)[-1]
            assert event.actor == rowan.id and event.origin != project.device_id

            advert, port = hosting.advert, hosting.host.port
            qtbot.mouseClick(panel.stop, Qt.MouseButton.LeftButton)
            assert not hosting.hosting and not panel.stop.isEnabled()
            qtbot.waitUntil(lambda: advert.closed and hosting.idle, timeout=5000)
            qtbot.waitUntil(lambda: "offline" in log.read_text(), timeout=10000)
            qtbot.waitUntil(lambda: panel.listed_people() == [], timeout=1000)
            with pytest.raises(OSError):  # nobody listens any more
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
        finally:
            peer.kill()


def test_opening_another_project_ends_the_session(
    qtbot, window, monkeypatch, tmp_path, window_loop_released
):
    from ipsmap.model.project import Project

    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch, announce=True)
    assert hosting.advert.properties["title"] == window.project.title
    advert, port = hosting.advert, hosting.host.port
    other = Project.create(tmp_path / "other.ipsmap", "Other")
    window.hallway.set_project(other)
    assert not hosting.hosting
    qtbot.waitUntil(lambda: advert.closed and hosting.idle, timeout=5000)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_closing_the_window_ends_the_session(qtbot, window, monkeypatch, window_loop_released):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    advert, port = hosting.advert, hosting.host.port
    window.close()
    assert not hosting.hosting
    qtbot.waitUntil(lambda: advert.closed and hosting.idle, timeout=5000)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_an_address_that_is_not_this_computer_s_gives_one_line_and_no_session(
    qtbot, window, window_loop_released
):
    hosting = window.workshop.hosting
    said: list[str] = []
    window.hallway.message.connect(said.append)
    hosting.start([window.document.id], "192.0.2.1", announce_title=False)  # TEST-NET-1
    qtbot.waitUntil(lambda: hosting.idle, timeout=5000)
    assert not hosting.hosting and hosting.panel is None
    assert said[-1].startswith("Could not host a session: cannot listen on 192.0.2.1 (")
    assert "\n" not in said[-1]
