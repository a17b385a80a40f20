"""A phone comments on a factor and a link: a real Chromium at 360×740 against ``ipsmap
host`` (test_phone_page.py's fixtures). The comments are the phone's participant's ideas in
the host's audit log; once the facilitator places them, a second phone reads them as lines
of the factor's and the link's notes."""

from __future__ import annotations

from ipsmap.model.idea_commands import PlaceIdea, open_ideas
from ipsmap.model.project import Project

from . import test_phone_accessibility as accessibility
from .support import HostProcess
from .test_phone_page import (  # noqa: F401 (fixtures)
    CHROMIUM,
    SCREENSHOTS,
    _join,
    _phone,
    browser,
    pytestmark,
    workshop,
)

COMMENT = "Two years on the list for us, and no call back"
HOSTILE = "<script>window.pwned=1</script> every week 👩‍👧 ننتظر"
LINK_WORDS = "Waiting lists leads to more Parents' stress"


def _tap_factor(page, factor_id: str) -> None:
    """A finger on the drawn box (where vis-network put it on the canvas)."""
    page.wait_for_function("typeof network !== 'undefined' && network !== null")
    spot = page.evaluate(
        """(id) => {
            const p = network.getPositions([id])[id];
            return network.canvasToDOM(p);
        }""",
        factor_id,
    )
    box = page.locator("#network canvas").bounding_box()
    page.touchscreen.tap(box["x"] + spot["x"], box["y"] + spot["y"])


def _send_comment(page, text: str) -> str:
    page.get_by_label("Your comment on this").fill(text)
    page.get_by_role("button", name="Send my comment").click()
    page.locator("#comment-done:visible, #comment-error:visible").first.wait_for()
    return page.locator("#comment-done:visible, #comment-error:visible").first.inner_text()


def _factor_id(path, label: str) -> str:
    with Project.open(path, read_only=True) as project:
        data = project.map_data(project.maps()[0].id)
        return next(f.id for f in data.factors if f.label == label)


def test_a_phone_comments_and_a_second_phone_reads_it_in_the_notes(browser, workshop):  # noqa: F811
    path = workshop["path"]
    waiting = _factor_id(path, "Waiting lists")
    host = HostProcess(path, "--new-code")
    try:
        context, page = _phone(browser)
        _join(page, host.info["phones"], "Amira")
        page.get_by_role("button", name="See the map").click()
        page.locator("#factor-list button").first.wait_for()
        _tap_factor(page, waiting)
        page.locator("#factor-details").wait_for()
        assert page.locator("#factor-label").inner_text() == "Waiting lists"
        assert page.locator("#comment-label").inner_text() == "Your comment on this factor"
        said = _send_comment(page, COMMENT)
        assert said == "Thank you: your comment was sent to the facilitator."
        assert page.locator("#my-ideas li").first.inner_text() == (
            f"On 'Waiting lists': {COMMENT} (waiting for the facilitator)"
        )
        assert page.evaluate("window.pwned") is None

        # Over the limit: the host's one line, on the phone, under the box.
        page.evaluate("document.getElementById('comment-text').removeAttribute('maxlength')")
        said = _send_comment(page, "x" * 1001)
        assert said == "The comment is longer than 1,000 characters."  # after "Not sent:"
        assert page.get_by_role("alert").filter(has_text="1,000").is_visible()
        refused = page.evaluate(
            """async (item) => {
                const r = await fetch("api/comments", {method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({on: "factor", item, text: "x".repeat(10000)})});
                return [r.status, await r.json()];
            }""",
            waiting,
        )
        assert refused == [400, {"error": "The comment is longer than 1,000 characters."}]
        control = page.evaluate(
            """async (item) => {
                const r = await fetch("api/comments", {method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({on: "factor", item, text: "bell\\u0007"})});
                return [r.status, await r.json()];
            }""",
            waiting,
        )
        assert control == [400, {"error": "The comment has control characters."}]

        # A link, from the list under the map: its details and the same box.
        page.get_by_role("button", name=LINK_WORDS).click()
        assert page.locator("#link-label").inner_text() == LINK_WORDS
        assert page.locator("#factor-details").is_hidden()
        assert page.locator("#comment-label").inner_text() == "Your comment on this link"
        assert _send_comment(page, HOSTILE) == (
            "Thank you: your comment was sent to the facilitator."
        )
        assert page.locator("#my-ideas li").first.inner_text() == (
            f"On the link 'Waiting lists' → 'Parents' stress': {HOSTILE} "
            "(waiting for the facilitator)"
        )
        assert page.evaluate("window.pwned") is None
        assert page.locator("#my-ideas script").count() == 0
        assert [e for e in page.errors if "status of 4" not in e] == []
        context.close()
    finally:
        out = host.stop()
    assert "comment from a phone: Amira on a factor" in out

    # The host's project: two open comments, Amira's, from her phone, in the audit log.
    with Project.open(path) as project:
        amira = next(p.id for p in project.participants.values() if p.pseudonym == "Amira")
        comments = open_ideas(project)
        assert [(c.kind, c.about_kind, c.note, c.created_by) for c in comments] == [
            ("comment", "factor", COMMENT, amira),
            ("comment", "link", HOSTILE, amira),
        ]
        events = [e for e in project.history() if e.command == "Suggest idea"]
        assert [e.actor for e in events] == [amira, amira]
        assert events[0].origin not in (None, project.device_id)
        # The facilitator places them (the Ideas panel's one action).
        for comment in comments:
            project.execute(PlaceIdea(comment.id))

    host = HostProcess(path, "--new-code")
    try:
        context, page = _phone(browser)
        _join(page, host.info["phones"], "Bo")
        page.get_by_role("button", name="See the map").click()
        page.locator("#factor-list button", has_text="Waiting lists").click()
        assert page.locator("#factor-notes").inner_text() == (
            f"Months before anyone calls back\nAmira: {COMMENT}"
        )
        assert page.evaluate("window.pwned") is None
        page.get_by_label("Your comment on this factor").fill("Same for us")
        page.locator("#factor-details").evaluate("details => details.scrollIntoView()")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "phone-comment.png"))
        page.get_by_role("button", name=LINK_WORDS).click()
        assert page.locator("#link-notes").inner_text() == f"Amira: {HOSTILE}"
        # The draft about the factor is not carried over to the link.
        assert page.get_by_label("Your comment on this link").input_value() == ""
        assert page.evaluate("window.pwned") is None
        assert page.locator("#link-details script").count() == 0
        assert page.errors == []
        context.close()
    finally:
        host.stop()


def test_a_links_details_and_its_comment_box_are_named_and_fit_twice_the_text(browser, workshop):  # noqa: F811
    host = HostProcess(workshop["path"], "--new-code")
    try:
        context, page, cdp = accessibility._phone(browser, 360, 740, text_px=32)
        cdp.send("Accessibility.enable")
        _join(page, host.info["phones"], "Gus")
        page.get_by_role("button", name="See the map").click()
        page.get_by_role("button", name=LINK_WORDS).click()
        page.get_by_role("button", name="Send my comment").wait_for()
        assert accessibility._unnamed_controls(cdp) == []
        assert "Your comment on this link" in accessibility._named(cdp, "textbox")
        assert accessibility._sideways(page) == 0
        context.close()
    finally:
        host.stop()
