"""What phones may do, from the window: the Live session panel's "Phones may" checkboxes
(real clicks) turn a switch off and on, and a real phone's request over HTTPS is refused
then allowed; the switch is kept for a restart; the phone is listed as here, then as left
with when it was last seen, and the panel counts the phones here."""

from __future__ import annotations

import http.cookiejar
import json
import ssl
import threading
import urllib.error
import urllib.request

import pytest
from PySide6.QtCore import QPoint, Qt

from ipsmap.live import kept_session
from tests.ui.live_support import host_from_the_menu

pytestmark = pytest.mark.timeout(90)


class Phone:
    """A phone's browser: HTTPS with a cookie jar; each request runs in a thread while the
    window's loop (and so the host) keeps running."""

    def __init__(self, url: str) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )

    def ask(self, qtbot, path: str, body: dict | None = None) -> tuple[int, dict]:
        out: dict = {}

        def request() -> None:
            data = json.dumps(body).encode() if body is not None else None
            sent = urllib.request.Request(
                self.url + path, data, {"Content-Type": "application/json"}
            )
            try:
                with self.opener.open(sent, timeout=10) as answer:
                    out["answer"] = (answer.status, json.loads(answer.read()))
            except urllib.error.HTTPError as refused:
                out["answer"] = (refused.code, json.loads(refused.read()))
            except Exception as exc:  # reported below, on the test's thread
                out["answer"] = (0, {"error": repr(exc)})

        thread = threading.Thread(target=request)
        thread.start()
        qtbot.waitUntil(lambda: not thread.is_alive(), timeout=20000)
        return out["answer"]


def tick(qtbot, box) -> None:
    """A click on the checkbox's square (a click right of its words would miss it)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def test_the_panel_s_checkboxes_switch_what_a_real_phone_may_do(
    qtbot, window, monkeypatch, window_loop_released
):
    doc = window.document
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host = hosting.host
    switches = hosting.phone_switches
    assert switches is not None and switches.isVisible()
    assert [box.text() for box in switches.boxes.values()] == [
        "See the map",
        "Suggest factors and links",
        "Mark factors and vote",
        "Comment on factors and links",
    ]
    assert all(box.isChecked() for box in switches.boxes.values())
    assert switches.here.text() == "No phones have joined yet"

    phone = Phone(host.phone_url)
    status, _ = phone.ask(
        qtbot, "api/join", {"nickname": "Sam", "group": "parent", "consent": True}
    )
    assert status == 200
    factor = next(iter(doc.factors))
    vote = {"map": doc.id, "factor": factor, "kind": "votes", "value": 1}

    tick(qtbot, switches.boxes["mark"])
    assert not switches.boxes["mark"].isChecked() and not host.phones.desk.switches.mark
    status, refused = phone.ask(qtbot, "api/marks", vote)
    assert (status, refused["error"]) == (
        403,
        "The facilitator has turned off marking and voting for now.",
    )
    assert kept_session.load(window.project).phone_switches["mark"] is False  # kept
    _, polled = phone.ask(qtbot, "api/switches")
    assert polled["may"]["mark"] is False

    tick(qtbot, switches.boxes["mark"])
    status, marked = phone.ask(qtbot, "api/marks", vote)
    assert status == 200 and marked["votes_used"] == 1
    people = window.project.participants
    sams = [
        (m.target, m.kind, m.value)
        for m in window.project.marks_of(doc.id)
        if people[m.participant].pseudonym == "Sam"
    ]
    assert sams == [(factor, "votes", 1.0)]

    tick(qtbot, switches.boxes["see"])
    status, refused = phone.ask(qtbot, "api/map?map=" + doc.id)
    assert (status, refused["reason"]) == (403, "off")

    # Presence: here while its page asks; left, with when, once it has not for a while.
    listed = hosting.panel.listed_people
    qtbot.waitUntil(lambda: listed() == ["Sam — phone\nParent/carer · here"], timeout=5000)
    assert switches.here.text() == "1 phone here"
    desk = host.phones.desk
    later = desk.clock() + 125
    monkeypatch.setattr(desk, "clock", lambda: later)
    qtbot.waitUntil(
        lambda: listed() == ["Sam — phone\nParent/carer · left, last seen 2 min ago"],
        timeout=5000,
    )
    assert switches.here.text() == "0 phones here (1 left)"
    phone.ask(qtbot, "api/switches")  # the page polls again: here again
    qtbot.waitUntil(lambda: listed() == ["Sam — phone\nParent/carer · here"], timeout=5000)

    qtbot.mouseClick(hosting.panel.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hosting.idle, timeout=10000)
    assert not any(box.isEnabled() for box in switches.boxes.values())


def test_a_resumed_window_session_keeps_its_phones_and_switches(
    qtbot, window, monkeypatch, window_loop_released
):
    from ipsmap.model.project import Project
    from ipsmap.ui.main_window import MainWindow

    path = window.project.path
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    url = hosting.host.phone_url
    phone = Phone(url)
    join = {"nickname": "Sam", "group": "parent", "consent": True}
    assert phone.ask(qtbot, "api/join", join)[0] == 200
    tick(qtbot, hosting.phone_switches.boxes["comment"])
    qtbot.mouseClick(hosting.ideas.straight, Qt.MouseButton.LeftButton)
    # A new code for laptops leaves the phones' page where it is, now and after a restart.
    qtbot.mouseClick(hosting.panel.new_code, Qt.MouseButton.LeftButton)
    assert hosting.host.phone_url == url
    window.close()  # as if the window crashed or was closed: not stopped on purpose
    qtbot.waitUntil(lambda: hosting.idle, timeout=5000)

    again = MainWindow(Project.open(path))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    try:
        hosting, _ = host_from_the_menu(again, qtbot, monkeypatch)
        assert hosting.host.phone_url == url  # the same page: phones carry on there
        status, welcome = phone.ask(qtbot, "api/welcome")
        assert (status, welcome["me"]["name"]) == (200, "Sam")  # no second join
        assert welcome["may"]["comment"] is False and welcome["may"]["place"] is True
        assert not hosting.phone_switches.boxes["comment"].isChecked()
        assert hosting.ideas.straight.isChecked()
        assert [p["name"] for p in hosting.host.phones.desk.listed()] == ["Sam"]
    finally:
        again.close()
        qtbot.waitUntil(lambda: again.workshop.hosting.idle, timeout=5000)
