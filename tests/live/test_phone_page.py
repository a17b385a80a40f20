"""Phones join a live session: a real Chromium at a phone's size against ``ipsmap host``.

The host runs in its own process (``ipsmap host`` on loopback, its ``phones:`` line gives the
page); Chromium is the system one (/usr/bin/chromium, which .ci/run installs), driven by
Playwright. What the phones did is read back from the project file once the host stops.
"""

from __future__ import annotations

import gzip
import json
import shutil
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import HostProcess, PeerProcess

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
HOSTILE = "<script>window.pwned=1</script> 👩‍👧 مرحبا بالعالم"

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs the system Chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def workshop(tmp_path: Path) -> dict:
    path = tmp_path / "workshop.ipsmap"
    with Project.create(path, "Family support workshop") as project:
        add_map = AddMap("Family support")
        project.execute(add_map)
        waiting = AddFactor("Waiting lists", x=0, y=0, notes="Months before anyone calls back")
        stress = AddFactor("Parents' stress", x=260, y=140)
        project.execute(waiting, map_id=add_map.id)
        project.execute(stress, map_id=add_map.id)
        project.execute(AddLink(waiting.id, stress.id, polarity="+"), map_id=add_map.id)
        rowan = AddParticipant("Rowan", "practitioner")
        project.execute(rowan)
    return {"path": path, "map": add_map.id, "rowan": rowan.id, "tmp": tmp_path}


@pytest.fixture
def host(workshop):
    process = HostProcess(workshop["path"], "--new-code")
    yield process
    if process.process.poll() is None:
        process.stop()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _phone(browser):
    context = browser.new_context(
        viewport=PHONE, ignore_https_errors=True, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.errors = []  # what the page's console or scripts complained of (CSP included)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    return context, page


def _join(page, url: str, nickname: str, *, consent: bool = True) -> None:
    page.goto(url)
    page.get_by_label("Your first name or a nickname").fill(nickname)
    page.get_by_role("radio", name="Parent/carer", exact=True).check()
    page.get_by_label("Yes, show my name" if consent else "No, only show my group").check()
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You are: ").wait_for()


def _suggest(page, label: str, note: str = "") -> str:
    page.get_by_label("Your idea, in a few words").fill(label)
    page.get_by_label("Anything to add?").fill(note)
    page.get_by_role("button", name="Send my idea").click()
    page.locator("#suggest-done:visible, #suggest-error:visible").first.wait_for()
    return page.locator("[role=status]:visible, [role=alert]:visible").first.inner_text()


def _ideas_and_events(path: Path) -> tuple[list, list, dict]:
    with Project.open(path, read_only=True) as project:
        ideas = sorted(project.ideas.values(), key=lambda i: i.created_at)
        events = [e for e in project.history() if e.command == "Suggest idea"]
        names = {pid: p.pseudonym for pid, p in project.participants.items()}
    return ideas, events, names


def test_a_phone_joins_suggests_and_the_idea_is_the_participants(host, browser, workshop):
    url = host.info["phones"]
    assert url.startswith("https://127.0.0.1:") and "/p/" in url
    context, page = _phone(browser)
    page.goto(url)
    page.get_by_role("heading", name="Take part from your phone").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-join.png"))
    _join(page, url, "Amira")
    assert page.locator("#whoami").inner_text() == "You are: Amira (Parent/carer)"
    said = _suggest(page, "Waiting for a school place", "Two terms, no news")
    assert said == "Thank you: your idea was sent to the facilitator."
    assert page.locator("#my-ideas li").first.inner_text() == (
        "Waiting for a school place (waiting for the facilitator)"
    )
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "phone-suggest.png"))

    # A link: "this leads to that", which way, and why.
    page.get_by_label("This…").select_option(label="Waiting lists")
    page.get_by_label("…leads to").select_option(label="Parents' stress")
    page.get_by_label("Up (more)").check()
    page.get_by_label("Why do you think so?").fill("Nobody tells you anything")
    page.get_by_role("button", name="Send this link").click()
    page.get_by_text("Thank you: your link was sent to the facilitator.").wait_for()
    assert page.locator("#my-ideas li").first.inner_text() == (
        "Waiting lists leads to more Parents' stress (waiting for the facilitator)"
    )

    # Asleep and back: the same participant, no second join.
    page.reload()
    page.get_by_text("You are: Amira (Parent/carer)").wait_for()
    assert page.locator("#join").is_hidden()
    assert page.errors == []
    context.close()

    out = host.stop()
    assert "joined from a phone: Amira" in out
    ideas, events, names = _ideas_and_events(workshop["path"])
    idea, link = ideas
    assert (link.kind, link.polarity, link.why, link.created_by) == (
        "link",
        "+",
        "Nobody tells you anything",
        idea.created_by,
    )
    assert link.source and link.target and link.source != link.target
    assert (idea.label, idea.note, idea.status, idea.map_id) == (
        "Waiting for a school place",
        "Two terms, no news",
        "open",
        workshop["map"],
    )
    assert names[idea.created_by] == "Amira"
    assert len(events) == 2
    assert {e.actor for e in events} == {idea.created_by}
    assert len({e.origin for e in events}) == 1 and events[0].origin  # the phone's device


def test_hostile_input_is_shown_literally_or_refused_with_a_clear_message(host, browser):
    url = host.info["phones"]
    context, page = _phone(browser)
    _join(page, url, "Bo", consent=False)
    # No consent: a numbered group alias, never the name typed.
    assert page.locator("#whoami").inner_text() == "You are: Parent/carer 1 (Parent/carer)"

    assert _suggest(page, HOSTILE, "שלום\n<b>bold</b>").startswith("Thank you")
    listed = page.locator("#my-ideas li").first.inner_text()
    assert listed.startswith(HOSTILE)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#my-ideas b, #my-ideas script").count() == 0

    # 10,000 characters: the browser's own limit cuts what is typed, the host refuses
    # what a script sends past it.
    page.get_by_label("Your idea, in a few words").fill("x" * 10_000)
    assert len(page.get_by_label("Your idea, in a few words").input_value()) == 200
    refused = page.evaluate(
        """async () => {
            const r = await fetch("api/ideas", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({label: "x".repeat(10000), note: ""})});
            return [r.status, await r.json()];
        }"""
    )
    assert refused == [400, {"error": "The label is longer than 200 characters."}]
    control = page.evaluate(
        """async () => {
            const r = await fetch("api/ideas", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({label: "bell\\u0007", note: ""})});
            return [r.status, await r.json()];
        }"""
    )
    assert control == [400, {"error": "The label has control characters."}]
    # Ten ideas a minute from one phone, then a plain message on the phone.
    statuses = page.evaluate(
        """async () => {
            const out = [];
            for (let n = 0; n < 9; n++) {
                const r = await fetch("api/ideas", {method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({label: "idea " + n})});
                out.push(r.status);
            }
            return out;
        }"""
    )
    assert statuses == [200] * 9
    said = _suggest(page, "the eleventh")
    assert said == "You have sent 10 ideas in a minute: wait a little, then send the next."
    assert page.locator("#suggest-error").is_visible()
    # Chromium logs each refused request; nothing else may have gone wrong.
    assert [e for e in page.errors if "status of 4" not in e] == []
    context.close()


def test_a_phone_sees_the_map_taps_a_factor_marks_it_and_votes(host, browser, workshop):
    url = host.info["phones"]
    context, page = _phone(browser)
    _join(page, url, "Chen")
    page.get_by_role("button", name="See the map").click()
    page.locator("#factor-list button").first.wait_for()
    assert sorted(page.locator("#factor-list button").all_inner_texts()) == [
        "Parents' stress",
        "Waiting lists",
    ]
    page.locator("#network canvas").wait_for(state="attached")
    page.locator("#factor-list button", has_text="Waiting lists").click()
    assert page.locator("#factor-label").inner_text() == "Waiting lists"
    assert page.locator("#factor-notes").inner_text() == "Months before anyone calls back"
    assert page.locator("#factor-by").inner_text() == "Added by Facilitator"
    # A tap on the drawn box itself opens the same details.
    box = page.locator("#network canvas").bounding_box()
    assert box is not None and box["width"] > 300
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "phone-map.png"))

    # Marks and dot votes on the tapped factor, the same records as "Collect marks…".
    page.get_by_label("Important: this matters a lot to us").check()
    page.get_by_text("Yours: important").wait_for()
    assert page.locator("#votes-left").inner_text() == "You have 5 of 5 votes left on this map."
    for n in range(1, 6):
        page.get_by_role("button", name="Give a vote").click()
        page.get_by_text(f"You have {5 - n} of 5 votes left on this map.").wait_for()
    assert page.locator("#votes-here").inner_text() == "5"
    assert page.locator("#votes-left").inner_text() == "You have 0 of 5 votes left on this map."
    assert page.get_by_role("button", name="Give a vote").is_disabled()
    page.get_by_role("button", name="Take a vote back").click()
    page.get_by_text("You have 1 of 5 votes left on this map.").wait_for()
    page.locator("#factor-details").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "phone-marks.png"))
    assert page.errors == []
    context.close()

    host.stop()
    with Project.open(workshop["path"], read_only=True) as project:
        chen = next(p.id for p in project.participants.values() if p.pseudonym == "Chen")
        marks = {(m.kind, m.value, m.created_by) for m in project.marks.values()}
        assert marks == {("important", 1.0, chen), ("votes", 4.0, chen)}
        events = [e for e in project.history() if e.command == "Set marks"]
        assert len(events) == 7 and {e.actor for e in events} == {chen}
        assert len({e.origin for e in events}) == 1 and events[0].origin != project.device_id


def test_a_phone_sees_a_factor_a_laptop_adds_appear_on_its_map(host, browser, workshop):
    context, page = _phone(browser)
    _join(page, host.info["phones"], "Dee")
    page.get_by_role("button", name="See the map").click()
    page.locator("#factor-list button").first.wait_for()
    page.locator("#factor-list button", has_text="Waiting lists").click()
    laptop = PeerProcess(host, workshop["rowan"], workshop["tmp"] / "rowan")
    try:
        assert laptop.ask(cmd="wait-connected") == {"connected": True}
        laptop.ask(cmd="add", map=workshop["map"], id="f-from-laptop", label="Child care")
        page.locator("#factor-list button", has_text="Child care").wait_for(timeout=15_000)
    finally:
        laptop.quit()
    ids = page.evaluate("nodes.getIds()")
    assert "f-from-laptop" in ids and len(ids) == 3
    # The factor the phone was reading stays open, and the map kept its place.
    assert page.locator("#factor-label").inner_text() == "Waiting lists"
    assert page.errors == []
    context.close()


def test_a_phone_without_the_key_or_the_cookie_is_refused(host, browser):
    url = host.info["phones"]
    base = url.split("/p/")[0]
    context, page = _phone(browser)
    response = page.goto(base + "/p/" + "0" * 24 + "/")
    assert response is not None and response.status == 404
    assert "Scan the QR code" in page.inner_text("body")
    response = page.goto(base + "/")
    assert response is not None and response.status == 404
    # The right page, but not joined: the API asks to join first.
    page.goto(url)
    status = page.evaluate(
        """async () => {
            const r = await fetch("api/ideas", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({label: "sneaky"})});
            return [r.status, await r.json()];
        }"""
    )
    assert status == [401, {"error": "Join first: reload the page."}]
    context.close()


def test_every_answer_carries_the_strict_headers(host):
    url = host.info["phones"]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    for path in ("", "phone.js", "vis-network.min.js", "api/welcome", "api/nothing"):
        try:
            response = urllib.request.urlopen(url + path, context=context, timeout=10)
        except urllib.error.HTTPError as exc:
            response = exc
        headers = response.headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Server"] == "ipsmap"
    welcome = json.loads(urllib.request.urlopen(url + "api/welcome", context=context).read())
    assert "facilitator" not in {g["id"] for g in welcome["groups"]}
    # A body too big for any idea is refused before it is read.
    request = urllib.request.Request(
        url + "api/join",
        data=json.dumps({"nickname": "x" * 40_000}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=context, timeout=10)
    assert refused.value.code == 413


def test_chromium_is_found_without_a_download():
    assert shutil.which("chromium") or CHROMIUM.exists()


def test_the_page_s_files_come_gzipped_to_a_browser_that_asks_and_plain_otherwise(host):
    from importlib import resources

    url = host.info["phones"]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    vis = (resources.files("pyvis") / "lib" / "vis-9.1.2" / "vis-network.min.js").read_bytes()
    asked = urllib.request.Request(url + "vis-network.min.js", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(asked, context=context, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Vary"] == "Accept-Encoding"
        body = response.read()
    assert len(body) < len(vis) / 3 and gzip.decompress(body) == vis
    with urllib.request.urlopen(url + "vis-network.min.js", context=context) as response:
        assert response.headers["Content-Encoding"] is None and response.read() == vis


def test_the_join_form_shows_before_the_map_drawing_code_has_come(host, browser):
    # vis-network is fetched after the form is up (a slow room's Wi-Fi doubled the wait);
    # the map still draws once it has come.
    context, page = _phone(browser)
    held = []
    page.route("**/vis-network.min.js", lambda route: held.append(route))
    page.goto(host.info["phones"])
    page.get_by_role("heading", name="Take part from your phone").wait_for()
    page.locator('script[src="vis-network.min.js"]').wait_for(state="attached")
    assert page.evaluate("typeof vis") == "undefined"
    _join(page, host.info["phones"], "Eve")
    page.get_by_role("button", name="See the map").click()
    page.locator("#factor-list button").first.wait_for()  # the list needs no drawing code
    assert page.locator("#network canvas").count() == 0
    for route in held:
        route.continue_()
    page.locator("#network canvas").wait_for(state="attached")
    assert page.errors == []
    context.close()
