"""The window's Ideas panel and phones in the hosting window: ideas people suggested wait in
the panel for the shown map, *Place on the map* (a real click) puts one on the canvas
credited to whoever suggested it and undo takes it back, *Set aside* keeps it off the list,
and a phone that joins the window's session over HTTPS is listed with a Remove button, its
idea arriving in the panel."""

from __future__ import annotations

import http.cookiejar
import json
import ssl
import threading
import urllib.request

import pytest
from PySide6.QtCore import Qt

from ipsmap.model.author import Author
from ipsmap.model.idea_commands import AddIdea
from ipsmap.model.project_commands import AddParticipant
from ipsmap.ui.live.ideas_panel import EMPTY_TEXT
from tests.ui.live_support import host_from_the_menu

pytestmark = pytest.mark.timeout(90)


def suggest(project, who: str, map_id: str, **fields) -> str:
    """An idea as a phone's participant makes it (the desk runs AddIdea so)."""
    command = AddIdea(map_id, **fields)
    project.execute(command, author=Author(who, "phone-1", None))
    return command.id


def test_ideas_wait_in_the_panel_and_are_placed_credited_to_who_suggested_them(qtbot, window):
    project, doc = window.project, window.document
    sam = AddParticipant("Sam", "parent")
    project.execute(sam)
    window.actions_by_name["show-ideas"].trigger()
    panel = window.workshop.hosting.ideas
    assert window.docks["ideas"].isVisible() and panel.heading.text() == EMPTY_TEXT
    respite = suggest(project, sam.id, doc.id, label="Respite care", note="<b>weekends</b>")
    aside = suggest(project, sam.id, doc.id, label="More parks")
    assert panel.waiting_ids() == [respite, aside]
    assert panel.heading.text() == f"2 ideas waiting for '{doc.info.name}'"
    # Shown as typed, never as markup.
    assert panel.ideas.item(0).text() == "'Respite care': <b>weekends</b> — Sam"

    before = set(doc.factors)
    qtbot.mouseClick(panel.place_button, Qt.MouseButton.LeftButton)
    (made,) = set(doc.factors) - before
    factor = doc.factors[made]
    assert (factor.label, factor.notes, factor.created_by) == (
        "Respite care",
        "<b>weekends</b>",
        sam.id,
    )
    assert made in window.scene.factor_items
    assert project.ideas[respite].status == "placed"
    assert panel.waiting_ids() == [aside]

    # The facilitator's undo takes the factor back and the idea waits again.
    window.view.setFocus()
    window.actions_by_name["undo"].trigger()
    assert made not in doc.factors and panel.waiting_ids() == [respite, aside]

    panel.ideas.setCurrentRow(1)
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    assert project.ideas[aside].status == "dismissed"
    assert panel.waiting_ids() == [respite]
    # Another map's ideas are not this map's.
    other = next(m.id for m in project.maps() if m.id != doc.id)
    window.show_map(other)
    assert panel.waiting_ids() == [] and panel.heading.text() == EMPTY_TEXT


def _post(out: dict, url: str, path: str, body: dict) -> dict:
    """A phone's request: an HTTPS client that kept its cookie (``out["opener"]``)."""
    if "opener" not in out:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the session's self-signed certificate
        out["opener"] = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )
    request = urllib.request.Request(
        url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with out["opener"].open(request, timeout=10) as answer:
        return json.loads(answer.read())


def _phone_joins_and_suggests(url: str, map_id: str, out: dict) -> None:
    """A phone joins the page and sends an idea (run in a thread: the host is on Qt's loop)."""
    try:
        join = {"nickname": "Sam", "group": "parent", "consent": True}
        out["welcome"] = _post(out, url, "api/join", join)
        out["idea"] = _post(out, url, "api/ideas", {"map": map_id, "label": "Play sessions"})
    except Exception as exc:  # reported by the test, which waits on the Qt loop
        out["error"] = repr(exc)


def _phone_suggests(url: str, map_id: str, out: dict, label: str) -> None:
    try:
        out["idea"] = _post(out, url, "api/ideas", {"map": map_id, "label": label})
    except Exception as exc:
        out["error"] = repr(exc)


def test_a_phone_joins_the_window_s_session_and_its_idea_waits_in_the_panel(
    qtbot, window, monkeypatch, window_loop_released
):
    project, doc = window.project, window.document
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host = hosting.host
    url = host.phone_url
    # In a field of its own under the laptops' address (a long line widened the panel).
    assert url and hosting.panel.phone_address.text() == url
    assert hosting.panel.phone_address.isVisible() and hosting.panel.phone_address.isReadOnly()
    assert hosting.panel.width() <= window.width()
    # Hosting shows the Ideas panel beside the Live session panel, which stays in front.
    assert "ideas" in window.docks and window.docks["live"].isVisible()
    out: dict = {}
    phone = threading.Thread(target=_phone_joins_and_suggests, args=(url, doc.id, out))
    phone.start()
    qtbot.waitUntil(lambda: not phone.is_alive(), timeout=20000)
    assert "error" not in out, out
    qtbot.waitUntil(lambda: len(hosting.ideas.waiting_ids()) == 1, timeout=5000)
    assert hosting.ideas.ideas.item(0).text() == "'Play sessions' — Sam"
    # Switched to "straight onto the map", the next idea is on the canvas at once, the
    # phone's; the panel's list stays as it was.
    panel = hosting.ideas
    assert panel.straight.isVisible() and not panel.straight.isChecked()
    qtbot.mouseClick(panel.straight, Qt.MouseButton.LeftButton)
    assert host.phones.desk.straight_onto_map
    phone = threading.Thread(target=_phone_suggests, args=(url, doc.id, out, "Respite care"))
    phone.start()
    qtbot.waitUntil(lambda: not phone.is_alive(), timeout=20000)
    assert "error" not in out, out
    placed = [f for f in doc.factors.values() if f.label == "Respite care"]
    assert len(placed) == 1 and placed[0].id in window.scene.factor_items
    assert project.participants[placed[0].created_by].pseudonym == "Sam"
    assert len(panel.waiting_ids()) == 1

    # The phone is listed with the laptops, with a Remove button that works.
    listed = hosting.panel.listed_people
    qtbot.waitUntil(lambda: listed() == ["Sam — phone\nParent/carer · here"], timeout=5000)
    (device,) = [p["device"] for p in host.phones.desk.listed()]
    qtbot.mouseClick(hosting.panel.remove_button(device), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: listed() == [], timeout=5000)
    assert host.phones.desk.listed() == []
    qtbot.mouseClick(hosting.panel.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hosting.idle, timeout=10000)
