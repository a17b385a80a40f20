"""What a parent waits for, from scanning the QR code to their first vote (issue 15).

Run by hand (not in CI; a test runs it once, quickly):

    .venv/bin/python bench/bench_phone_journey.py            # 5 journeys each way
    .venv/bin/python bench/bench_phone_journey.py --runs 1 --json

A real ``ipsmap host`` on loopback and the system Chromium (/usr/bin/chromium) at a phone's
size, driven by Playwright, walk the page as a parent does: open the address the QR code
holds (until the join form is shown), type a nickname, choose a group and consent, tap
*Join* (until "You are: …"), tap *See the map* (until the map is drawn), tap a factor
(until its details), tap *Give a vote* (until "4 of 5 votes left"). Each step's time is the
machine's part only: from the tap to what the parent sees, not the parent's reading or
typing (no people were timed; the taps and characters a parent makes are counted instead).

Two conditions: **phone**: Chromium slowed to a mid-range phone (CPU ×4, DevTools'
throttling) on a busy room's Wi-Fi (40 ms round trip, 8 Mbit/s down, 2 up); **floor**: the
same walk on this machine unthrottled. Ratios are phone / floor. First visits only: each
journey is a fresh browser context (no cache, no cookie), as a phone scanning the code is.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from report import fmt_s  # noqa: E402 (after the path is set)

from ipsmap.model.commands import AddFactor, AddLink  # noqa: E402 (after the path is set)
from ipsmap.model.project import Project  # noqa: E402 (after the path is set)
from ipsmap.model.project_commands import AddMap  # noqa: E402 (after the path is set)
from tests.live.support import HostProcess  # noqa: E402 (after the path is set)

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
FACTORS = 30  # a workshop's map
CPU_SLOWDOWN = 4
WIFI = {"latency": 40, "downloadThroughput": 8e6 / 8, "uploadThroughput": 2e6 / 8}
STEPS = ("page shown", "joined", "map drawn", "factor opened", "vote counted")
NICKNAME = "Amira"
# What a parent does, besides reading: taps, and the characters of their nickname.
TAPS = {"page shown": 0, "joined": 4, "map drawn": 1, "factor opened": 1, "vote counted": 1}


def _project(path: Path) -> None:
    with Project.create(path, "Phone journey") as project:
        add = AddMap("Family support", "system")
        project.execute(add)
        ids = []
        for i in range(FACTORS):
            factor = AddFactor(f"Factor {i + 1}", x=(i % 6) * 180, y=(i // 6) * 120)
            project.execute(factor, map_id=add.id)
            ids.append(factor.id)
        for a, b in itertools.pairwise(ids):
            project.execute(AddLink(a, b, polarity="+"), map_id=add.id)


def _journey(browser: Any, url: str, throttled: bool, nickname: str) -> dict[str, float]:
    """One first visit, step by step: seconds from the parent's tap to what they see."""
    context = browser.new_context(
        viewport=PHONE, ignore_https_errors=True, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    if throttled:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **WIFI})
    times: dict[str, float] = {}
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.get_by_role("heading", name="Take part from your phone").wait_for()
        times["page shown"] = time.perf_counter() - start
        page.get_by_label("Your first name or a nickname").fill(nickname)
        page.get_by_role("radio", name="Parent/carer", exact=True).check()
        page.get_by_label("Yes, show my name").check()
        start = time.perf_counter()
        page.get_by_role("button", name="Join").click()
        page.get_by_text("You are: ").wait_for()
        times["joined"] = time.perf_counter() - start
        start = time.perf_counter()
        page.get_by_role("button", name="See the map").click()
        page.locator("#factor-list button").first.wait_for()
        page.locator("#network canvas").wait_for(state="attached")
        times["map drawn"] = time.perf_counter() - start
        start = time.perf_counter()
        page.locator("#factor-list button", has_text="Factor 1").first.click()
        page.locator("#factor-label", has_text="Factor 1").wait_for()
        page.get_by_role("button", name="Give a vote").wait_for()
        times["factor opened"] = time.perf_counter() - start
        start = time.perf_counter()
        page.get_by_role("button", name="Give a vote").click()
        page.get_by_text("You have 4 of 5 votes left on this map.").wait_for()
        times["vote counted"] = time.perf_counter() - start
    finally:
        context.close()
    return times


def run(runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ipsmap-bench-journey-") as tmp:
        path = Path(tmp) / "journey.ipsmap"
        _project(path)
        host = HostProcess(path, "--new-code")
        try:
            url = host.info["phones"]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                try:
                    # A name each: the list refuses a second person of the same name.
                    _journey(browser, url, False, "Warm")  # the host's first requests
                    floor = [_journey(browser, url, False, f"Floor{n}") for n in range(runs)]
                    phone = [_journey(browser, url, True, f"{NICKNAME}{n}") for n in range(runs)]
                finally:
                    browser.close()
        finally:
            host.stop()
    figures = {name: _median(runs_, name) for name, runs_ in (("phone", phone), ("floor", floor))}
    totals = {name: round(sum(steps.values()), 3) for name, steps in figures.items()}
    return {
        "runs": runs,
        "steps_s": figures,
        "total_s": totals,
        "ratio": {
            step: round(figures["phone"][step] / figures["floor"][step], 1)
            for step in STEPS
            if figures["floor"][step] > 0
        },
        "taps": sum(TAPS.values()),
        "characters_typed": len(NICKNAME),
        "conditions": {"cpu_slowdown": CPU_SLOWDOWN, "wifi": WIFI},
    }


def _median(journeys: list[dict[str, float]], _name: str) -> dict[str, float]:
    return {step: round(statistics.median(j[step] for j in journeys), 3) for step in STEPS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="journeys in each condition")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not CHROMIUM.exists():
        parser.error(f"needs the system Chromium at {CHROMIUM}")
    result = run(args.runs)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"ipsmap phone journey, scan to first vote (median of {args.runs} first visits; "
          f"phone = CPU x{CPU_SLOWDOWN}, 40 ms / 8 Mbit/s Wi-Fi)")  # fmt: skip
    print(f"  {'step':<15}{'taps':>5}{'phone':>10}{'floor':>10}{'ratio':>7}")
    for step in STEPS:
        phone, floor = result["steps_s"]["phone"][step], result["steps_s"]["floor"][step]
        print(f"  {step:<15}{TAPS[step]:>5}{fmt_s(phone):>10}{fmt_s(floor):>10}"
              f"{result['ratio'].get(step, '-'):>7}")  # fmt: skip
    print(f"  {'waiting, total':<15}{result['taps']:>5}{fmt_s(result['total_s']['phone']):>10}"
          f"{fmt_s(result['total_s']['floor']):>10}")  # fmt: skip
    print(f"  besides reading: {result['taps']} taps and a nickname "
          f"({result['characters_typed']} characters here)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
