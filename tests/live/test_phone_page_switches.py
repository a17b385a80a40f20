"""The phone page follows the facilitator's switches and a removal, in a real Chromium at a
phone's size: what is turned off disappears and is said in words within a poll, and a
removed phone can clear its cookie and join again as someone new.

The host runs in this process on a loop of its own thread (as the window runs it on its
loop), so the test can flip a switch or remove a phone mid-session exactly as the window's
checkboxes and Remove button do; the page reaches it over real TLS on loopback.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

from .test_phone_page import CHROMIUM, SCREENSHOTS, _join, _phone

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium"),
]
POLL_WAIT_MS = 8000  # the page polls every 3 s
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class ThreadHost:
    """A LiveHost with phones on its own thread's asyncio loop (the project is opened and
    used only there: SQLite connections stay on their thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.host: Any = None
        self.project: Any = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(20), "the host did not start"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.project = Project.open(self.path)
        self.map_id = next(m.id for m in self.project.maps())
        self.host = LiveHost(
            self.project,
            [self.map_id],
            certificate=make_certificate("127.0.0.1"),
            code="KXMR-4PTA",
            say=lambda line: None,
        )
        self.loop.run_until_complete(self.host.start())
        self.ready.set()
        self.loop.run_forever()
        self.project.close()

    def do(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` on the host's loop (as the window's click would) and return its
        result."""
        done = asyncio.run_coroutine_threadsafe(self._call(work), self.loop)
        return done.result(10)

    async def _call(self, work: Callable[[], Any]) -> Any:
        return work()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.host.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def live(tmp_path: Path):
    path = tmp_path / "workshop.ipsmap"
    with Project.create(path, "Family support workshop") as project:
        add_map = AddMap("Family support")
        project.execute(add_map)
        project.execute(AddFactor("Waiting lists", x=0, y=0), map_id=add_map.id)
        project.execute(AddFactor("Parents' stress", x=260, y=140), map_id=add_map.id)
    host = ThreadHost(path)
    yield host
    host.stop()


def test_switches_turned_off_mid_session_disappear_from_the_page_and_are_said(live, browser):
    desk = live.host.phones.desk
    context, page = _phone(browser)
    _join(page, live.host.phone_url, "Amira")
    page.get_by_role("button", name="See the map").click()
    page.locator("#factor-list button", has_text="Waiting lists").click()
    marks = page.get_by_label("Important: this matters a lot to us")
    assert marks.is_visible()
    assert page.locator("#switches-said").is_hidden()

    live.do(lambda: desk.set_switch("mark", False))  # the window's checkbox does this
    said = page.locator("#switches-said")
    said.get_by_text("The facilitator has turned off marking and voting for now.").wait_for(
        timeout=POLL_WAIT_MS
    )
    assert page.locator("#my-marks").is_hidden() and not marks.is_visible()
    assert page.locator("#factor-label").inner_text() == "Waiting lists"  # still readable

    live.do(lambda: desk.set_switch("see", False))
    said.get_by_text("For now the facilitator has turned off: seeing the map;").wait_for(
        timeout=POLL_WAIT_MS
    )
    # The map and its tab are gone; the page is back on ideas, which are still on.
    assert page.get_by_role("button", name="See the map").is_hidden()
    assert page.locator("#map-view").is_hidden()
    assert page.get_by_role("button", name="Send my idea").is_visible()
    assert page.get_by_role("button", name="Send this link").is_hidden()  # links need the map
    page.evaluate("window.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-switched-off.png"))

    live.do(lambda: desk.set_switch("suggest", False))
    page.get_by_role("button", name="Send my idea").wait_for(state="hidden", timeout=POLL_WAIT_MS)
    # A script that sends anyway is refused by the host, in the same words.
    refused = page.evaluate(
        """async () => {
            const r = await fetch("api/ideas", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({label: "sneaky"})});
            return [r.status, (await r.json()).error];
        }"""
    )
    assert refused == [403, "The facilitator has turned off sending ideas for now."]

    # Everything back on: the page shows it all again, the message goes.
    for kind in ("see", "suggest", "mark"):
        live.do(lambda k=kind: desk.set_switch(k, True))
    page.get_by_role("button", name="See the map").wait_for(timeout=POLL_WAIT_MS)
    assert said.is_hidden()
    assert page.get_by_role("button", name="Send my idea").is_visible()
    assert [e for e in page.errors if "status of 403" not in e] == []
    context.close()
    assert live.do(lambda: live.project.ideas) == {}


def test_a_removed_phone_joins_again_as_someone_new(live, browser):
    context, page = _phone(browser)
    url = live.host.phone_url
    _join(page, url, "Amira")
    (first,) = live.do(lambda: live.host.phones.desk.listed())
    live.do(lambda: live.host.remove(first["device"]))  # the window's Remove button
    page.get_by_text("The facilitator removed this phone from the session.").wait_for(
        timeout=POLL_WAIT_MS
    )
    assert page.locator("#joined").is_hidden()
    again = page.get_by_role("button", name="Join again as someone new")
    page.screenshot(path=str(SCREENSHOTS / "phone-removed.png"))
    again.click()
    page.get_by_role("heading", name="Take part from your phone").wait_for()
    # The HttpOnly cookie is gone (the host expired it): a reload shows the join form too.
    page.reload()
    page.get_by_role("heading", name="Take part from your phone").wait_for()
    _join(page, url, "Amira again")
    assert page.locator("#whoami").inner_text() == "You are: Amira again (Parent/carer)"
    listed = live.do(lambda: live.host.phones.desk.listed())
    assert [p["name"] for p in listed] == ["Amira again"]
    assert listed[0]["participant"] != first["participant"]
    assert [e for e in page.errors if "status of 403" not in e] == []
    context.close()
