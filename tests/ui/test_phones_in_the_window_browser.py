"""Two phones in a real browser against the window's own session (issue 15's check "a second
phone sees the first phone's accepted factor appear"): phone A suggests a factor, the
facilitator places it with the Ideas panel's button, and phone B, looking at the map, sees
it appear, credited to A's name.

The host runs on the window's Qt loop, so the browser is driven from a thread of its own
(Playwright's sync API keeps to the thread that started it) while the test's thread keeps
Qt running and clicks as the facilitator.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.ui.live_support import host_from_the_menu

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
PHONE = {"width": 360, "height": 740}


def _join(page, url: str, nickname: str) -> None:
    page.goto(url)
    page.get_by_label("Your first name or a nickname").fill(nickname)
    page.get_by_role("radio", name="Parent/carer", exact=True).check()
    page.get_by_label("Yes, show my name").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You are: ").wait_for()


def _two_phones(url: str, suggested: threading.Event, placed: threading.Event, out: dict):
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            a = browser.new_context(viewport=PHONE, ignore_https_errors=True).new_page()
            b = browser.new_context(viewport=PHONE, ignore_https_errors=True).new_page()
            _join(b, url, "Bea")
            b.get_by_role("button", name="See the map").click()
            b.locator("#factor-list button").first.wait_for()
            _join(a, url, "Ade")
            a.get_by_label("Your idea, in a few words").fill("Grandparents helping out")
            a.get_by_role("button", name="Send my idea").click()
            a.get_by_text("Thank you: your idea was sent to the facilitator.").wait_for()
            suggested.set()
            if not placed.wait(30):
                raise TimeoutError("the facilitator did not place the idea")
            # Phone B polls the map every 3 s: the factor appears without a reload.
            b.locator("#factor-list button", has_text="Grandparents helping out").click(
                timeout=15_000
            )
            out["by"] = b.locator("#factor-by").inner_text()
            out["drawn"] = b.evaluate("nodes.get().map((n) => n.label)")
            # Phone A's list says what became of the idea, without a reload (it asks again
            # while an idea is waiting).
            a.locator("#my-ideas li", has_text="(on the map)").wait_for(timeout=20_000)
            out["a_says"] = a.locator("#my-ideas li").first.inner_text()
            browser.close()
    except Exception as exc:  # reported by the test's thread
        out["error"] = repr(exc)


def test_a_second_phone_sees_the_first_phone_s_placed_factor_appear(
    qtbot, window, monkeypatch, window_loop_released
):
    project, doc = window.project, window.document
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    suggested, placed, out = threading.Event(), threading.Event(), {}
    phones = threading.Thread(
        target=_two_phones, args=(hosting.host.phone_url, suggested, placed, out)
    )
    phones.start()
    try:
        qtbot.waitUntil(lambda: suggested.is_set() or "error" in out, timeout=60000)
        assert "error" not in out, out
        panel = hosting.ideas
        qtbot.waitUntil(lambda: len(panel.waiting_ids()) == 1, timeout=5000)
        panel.ideas.setCurrentRow(0)
        qtbot.mouseClick(panel.place_button, Qt.MouseButton.LeftButton)
        placed.set()
        qtbot.waitUntil(lambda: not phones.is_alive(), timeout=60000)
    finally:
        placed.set()
        phones.join(30)
    assert "error" not in out, out
    (factor,) = [f for f in doc.factors.values() if f.label == "Grandparents helping out"]
    assert project.participants[factor.created_by].pseudonym == "Ade"
    assert out["by"] == "Added by Ade"
    assert "Grandparents helping out" in out["drawn"]
    assert out["a_says"] == "Grandparents helping out (on the map)"
    qtbot.mouseClick(hosting.panel.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hosting.idle, timeout=10000)
