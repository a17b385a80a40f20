"""The phone page as a screen reader and a parent with large text meet it: every control's
accessible name (Chromium's own accessibility tree, what TalkBack or VoiceOver is given),
no sideways scrolling at twice the phone's text size, in portrait and landscape."""

from __future__ import annotations

import pytest

from . import test_phone_page as phone_page
from .test_phone_page import CHROMIUM, SCREENSHOTS, _join

# The phone page tests' fixtures: a workshop project, ``ipsmap host`` on it, Chromium.
workshop, host, browser = phone_page.workshop, phone_page.host, phone_page.browser

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium"),
]
# Roles a person operates: each must say what it is for.
CONTROLS = {"button", "textbox", "combobox", "radio", "checkbox", "spinbutton", "link"}


def _phone(browser, width: int, height: int, text_px: int = 16):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        ignore_https_errors=True, is_mobile=True, has_touch=True,
    )  # fmt: skip
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    # The phone's own text size setting: the browser's default font size (16 px at 100 %).
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": text_px, "fixed": text_px}})
    return context, page, cdp


def _unnamed_controls(cdp) -> list[str]:
    """Controls shown to a screen reader without a name (role and DOM id)."""
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    unnamed = []
    for node in tree:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in CONTROLS:
            continue
        name = (node.get("name") or {}).get("value", "").strip()
        if not name:
            unnamed.append(f"{role} (node {node.get('backendDOMNodeId')})")
    return unnamed


def _named(cdp, role: str) -> list[str]:
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [
        (n.get("name") or {}).get("value", "")
        for n in tree
        if not n.get("ignored") and n.get("role", {}).get("value") == role
    ]


def _sideways(page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )


def test_every_control_has_a_name_a_screen_reader_reads(host, browser):
    context, page, cdp = _phone(browser, 360, 740)
    cdp.send("Accessibility.enable")
    url = host.info["phones"]
    page.goto(url)
    page.get_by_role("heading", name="Take part from your phone").wait_for()
    assert _unnamed_controls(cdp) == []
    radios = _named(cdp, "radio")
    assert "Yes, show my name" in radios and "Parent/carer" in radios
    assert "Your first name or a nickname" in _named(cdp, "textbox")
    _join(page, url, "Farah")
    assert _unnamed_controls(cdp) == []  # the suggest and link forms
    assert {"Your idea, in a few words", "Why do you think so? (you can leave this empty)"} <= set(
        _named(cdp, "textbox")
    )
    page.get_by_role("button", name="See the map").click()
    page.locator("#factor-list button", has_text="Waiting lists").click()
    page.get_by_role("button", name="Give a vote").wait_for()
    assert _unnamed_controls(cdp) == []  # the map, a factor's marks and votes
    checkboxes = _named(cdp, "checkbox")
    assert any(name.startswith("Important") for name in checkboxes)
    # The drawn map is one image with a name, not a canvas a reader skips in silence; the
    # same factors are buttons below it.
    images = _named(cdp, "image") + _named(cdp, "img")
    assert "The map, drawn as boxes joined by arrows" in images
    context.close()


@pytest.mark.parametrize("width,height", [(360, 740), (740, 360)], ids=["portrait", "landscape"])
def test_twice_the_text_size_needs_no_sideways_scrolling(host, browser, width, height):
    context, page, _ = _phone(browser, width, height, text_px=32)
    url = host.info["phones"]
    page.goto(url)
    page.get_by_role("heading", name="Take part from your phone").wait_for()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 32  # the setting took: the page's rem sizes follow it
    assert _sideways(page) == 0
    if width < height:
        page.evaluate("document.querySelector('#groups').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "phone-large-text.png"))
    _join(page, url, f"Gus{width}")
    assert _sideways(page) == 0
    page.get_by_role("button", name="See the map").click()
    page.locator("#factor-list button", has_text="Waiting lists").click()
    page.get_by_role("button", name="Give a vote").wait_for()
    assert _sideways(page) == 0
    if width > height:
        page.locator("#network canvas").wait_for(state="attached")
        # The drawing fits the landscape screen whatever the text size (a fixed rem height
        # was taller than the screen at twice the text).
        network = page.locator("#network").bounding_box()
        assert network is not None and network["height"] <= height
        page.evaluate("document.querySelector('#network').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / "phone-landscape.png"))
    context.close()
