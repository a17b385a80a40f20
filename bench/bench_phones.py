"""Phones benchmark (issue 15's load check): N simulated phones against a real ``ipsmap host``.

Run by hand (not in CI):

    .venv/bin/python bench/bench_phones.py                  # 30 phones over 60 s
    .venv/bin/python bench/bench_phones.py --seconds 10     # a quick run
    .venv/bin/python bench/bench_phones.py --phones 3 --seconds 3 --json

The host is ``ipsmap host`` on loopback with a project made for the run (one shared map of
40 factors). Each phone is an aiohttp client session with its own cookie jar, TLS without
verification (a phone that clicked through the warning), calling the API exactly as
resources/phone/phone.js does: ``GET api/welcome``, ``POST api/join``, ``GET api/ideas``,
then, spread over the run, one ``POST api/ideas`` suggestion, 10 flag marks and 5 vote taps
(``POST api/marks``, votes as the page's "+" sends them: the factor's votes so far plus
one), with "See the map" open: ``GET api/map`` and ``api/marks`` at first, then every 3 s
``GET api/map?since=V`` (and ``api/marks`` when it changed). Joins are spread over the
first tenth of the run (the host allows 30 joins a minute).

Figures: request latency per kind (median, p95, max), refusals by status (429 must not
happen at this pace), **nothing lost** (after the host stops, its project file is opened
and each participant's ideas, flags and votes compared with what that phone was told
succeeded) and the host's event-loop stalls: the ``ipsmap host`` asyncio loop's lateness
on a 10 ms tick (ipsmap/live/loop_lag.py, on under IPSMAP_BENCH_LOOP_LAG=1). That is the
headless host's loop, not the window's Qt loop (see bench/README.md). The floor: the same
phones and schedule against a bare aiohttp HTTPS server in its own process that answers
every request at once (this script with ``--floor-server``); ratios are host / floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import aiohttp  # noqa: E402 (after the path is set)
from report import fmt_s  # noqa: E402 (after the path is set)

from ipsmap.live.loop_lag import ENVIRONMENT as LOOP_LAG_ENVIRONMENT  # noqa: E402 (after the path is set)
from ipsmap.model.commands import AddFactor  # noqa: E402 (after the path is set)
from ipsmap.model.privacy import listed_name  # noqa: E402 (after the path is set)
from ipsmap.model.project import Project  # noqa: E402 (after the path is set)
from ipsmap.model.project_commands import AddMap  # noqa: E402 (after the path is set)
from tests.live.support import HostProcess  # noqa: E402 (after the path is set)

FACTORS = 40
FLAGS = 10
VOTES = 5  # the map's default budget (record_commands.DEFAULT_VOTES): all of it
FLAG_KINDS = ("important", "controllable", "vulnerable")
POLL_S = 3.0  # phone.js POLL_MS
JOIN_SHARE = 0.1  # joins are spread over this share of the run
STALL_TARGET_MS = 100.0
REQUEST_TIMEOUT_S = 30.0
FLOOR_KEY = "floor"
WINDOW_HOST = REPO / "bench" / "window_phone_host.py"


@dataclass
class PhoneRun:
    """One simulated phone: what it asked, how long each answer took, what succeeded."""

    index: int
    nickname: str
    name: str = ""  # who the host says this phone is (a group alias if no consent)
    timings: list[tuple[str, float, int]] = field(default_factory=list)  # kind, s, status
    ideas_ok: int = 0
    flags_ok: dict[tuple[str, str], int] = field(default_factory=dict)
    votes_ok: dict[str, int] = field(default_factory=dict)
    joined: bool = False
    polls_changed: int = 0  # polls answered with the whole map, not "unchanged"


# -- the project and the host --------------------------------------------------------------


def _project(path: Path) -> None:
    with Project.create(path, "Phones bench") as project:
        add = AddMap("Workshop map", "system")
        project.execute(add)
        for i in range(FACTORS):
            project.execute(
                AddFactor(f"Factor {i + 1}", x=(i % 8) * 160, y=(i // 8) * 120), map_id=add.id
            )


def _read_back(path: Path, phones: list[PhoneRun]) -> dict[str, Any]:
    """Each phone's ideas, flags and votes as the host's project file holds them, against
    what the phone was told succeeded."""
    lost = {"ideas": 0, "flags": 0, "votes": 0}
    extra = {"ideas": 0, "flags": 0, "votes": 0}
    with Project.open(path) as project:
        by_name = {listed_name(p): p.id for p in project.participants.values()}
        map_id = project.maps()[0].id
        marks = project.marks_of(map_id)
        for phone in phones:
            person = by_name.get(phone.name)
            ideas = sum(1 for i in project.ideas.values() if i.created_by == person)
            flags = {
                (m.target, m.kind): int(m.value)
                for m in marks
                if m.participant == person and m.kind in FLAG_KINDS and m.value
            }
            votes = {
                m.target: int(m.value)
                for m in marks
                if m.participant == person and m.kind == "votes" and m.value
            }
            told_flags = {k: v for k, v in phone.flags_ok.items() if v}
            told_votes = {k: v for k, v in phone.votes_ok.items() if v}
            lost["ideas"] += max(0, phone.ideas_ok - ideas)
            extra["ideas"] += max(0, ideas - phone.ideas_ok)
            lost["flags"] += len(told_flags.items() - flags.items())
            extra["flags"] += len(flags.items() - told_flags.items())
            lost["votes"] += sum(max(0, v - votes.get(f, 0)) for f, v in told_votes.items())
            extra["votes"] += sum(max(0, v - told_votes.get(f, 0)) for f, v in votes.items())
    return {"lost": lost, "unexpected": extra}


# -- one phone -----------------------------------------------------------------------------


class Phone:
    def __init__(self, run: PhoneRun, base: str, session: aiohttp.ClientSession) -> None:
        self.run, self.base, self.session = run, base, session
        self.view: dict[str, Any] | None = None
        self.map_id = ""  # the shared map the page's "See the map" shows (the first)
        self.mine: dict[str, Any] = {"marks": {}}

    async def call(self, kind: str, method: str, path: str, body: Any = None) -> Any:
        """One request as phone.js's ``call`` makes it; None if refused (status noted)."""
        start = time.perf_counter()
        status = 0
        try:
            async with self.session.request(
                method, self.base + path, json=body, ssl=False
            ) as response:
                status = response.status
                answer = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError):
            answer = None
        self.run.timings.append((kind, time.perf_counter() - start, status))
        return answer if status == 200 else None

    async def open_map(self, poll: bool) -> None:
        since = f"&since={self.view['version']}" if poll and self.view else ""
        path = f"api/map?map={self.map_id}{since}"
        answer = await self.call("map poll" if poll else "map", "GET", path)
        if answer is None or answer.get("unchanged"):
            return
        self.run.polls_changed += poll
        self.view = answer
        mine = await self.call("marks get", "GET", f"api/marks?map={answer['map']['id']}")
        if mine is not None:
            self.mine = mine

    async def poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            await self.open_map(poll=True)

    async def work(self, join_at: float, end_at: float, started: float, rng: random.Random):
        await asyncio.sleep(max(0.0, started + join_at - time.monotonic()))
        await self.call("welcome", "GET", "api/welcome")
        joined = await self.call(
            "join",
            "POST",
            "api/join",
            {"nickname": self.run.nickname, "group": "parent", "consent": rng.random() < 0.7},
        )
        if joined is None:
            return
        self.run.joined = True
        self.map_id = joined["maps"][0]["id"]
        self.run.name = joined["me"]["name"]
        await self.call("ideas get", "GET", "api/ideas")
        await self.open_map(poll=False)
        if self.view is None:
            return
        poller = asyncio.get_running_loop().create_task(self.poll())
        try:
            await self._taps(rng, started, join_at, end_at)
        finally:
            poller.cancel()

    async def _taps(self, rng: random.Random, started: float, join_at: float, end_at: float):
        assert self.view is not None
        map_id = self.view["map"]["id"]
        factors = [f["id"] for f in self.view["factors"]]
        pairs = rng.sample([(f, k) for f in factors for k in FLAG_KINDS], FLAGS)
        voted = rng.sample(factors, 3)
        taps: list[tuple[str, Any]] = [("idea", None)]
        taps += [("flag", pair) for pair in pairs]
        taps += [("vote", rng.choice(voted)) for _ in range(VOTES)]
        rng.shuffle(taps)
        first, last = join_at + 0.5, end_at
        for n, (what, target) in enumerate(taps):
            at = first + (last - first) * (n + rng.random()) / len(taps)
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            if what == "idea":
                body = {"map": map_id, "label": f"Idea from {self.run.nickname}", "note": ""}
                if await self.call("idea", "POST", "api/ideas", body) is not None:
                    self.run.ideas_ok += 1
            elif what == "flag":
                factor, kind = target
                body = {"map": map_id, "factor": factor, "kind": kind, "value": 1}
                answer = await self.call("mark", "POST", "api/marks", body)
                if answer is not None:
                    self.mine = answer
                    self.run.flags_ok[(factor, kind)] = 1
            else:
                here = int(self.mine.get("marks", {}).get(target, {}).get("votes", 0))
                body = {"map": map_id, "factor": target, "kind": "votes", "value": here + 1}
                answer = await self.call("vote", "POST", "api/marks", body)
                if answer is not None:
                    self.mine = answer
                    self.run.votes_ok[target] = here + 1


async def _phones(base: str, count: int, seconds: float, seed: int) -> list[PhoneRun]:
    runs = [PhoneRun(i, f"Phone {i + 1:02d}") for i in range(count)]
    started = time.monotonic() + 0.2
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    sessions = [
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=timeout)
        for _ in runs
    ]  # unsafe: the jar keeps cookies for an IP address such as 127.0.0.1
    try:
        work = []
        for run, session in zip(runs, sessions, strict=True):
            join_at = seconds * JOIN_SHARE * run.index / max(1, count)
            phone = Phone(run, base, session)
            work.append(phone.work(join_at, seconds, started, random.Random(seed + run.index)))
        await asyncio.gather(*work)
    finally:
        for session in sessions:
            await session.close()
    return runs


# -- the floor: an HTTPS server that answers at once ----------------------------------------


def _floor_server() -> int:
    """Serve the phone API's shapes with constant answers until stdin closes."""
    from aiohttp import web

    from ipsmap.live.security import make_certificate

    view = {
        "version": 0,
        "map": {"id": "m", "name": "Floor"},
        "factors": [{"id": f"f{i}", "label": f"Factor {i}"} for i in range(FACTORS)],
        "links": [],
    }
    mine = {"map": "m", "marks": {}, "votes_used": 0, "votes_budget": VOTES}

    async def answer(request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        if request.method == "POST":
            await request.read()
        if tail == "api/join":
            response = web.json_response({"me": {"name": "x"}, "maps": [{"id": "m"}]})
            response.set_cookie("ipsmap_phone", "t", path=f"/p/{FLOOR_KEY}/", secure=True)
            return response
        if tail == "api/map":
            if request.query.get("since") == "0":
                return web.json_response({"unchanged": True, "version": 0})
            return web.json_response(view)
        if tail == "api/marks":
            return web.json_response(mine)
        return web.json_response({"ideas": [], "idea": "i"})

    async def serve() -> None:
        app = web.Application()
        app.router.add_route("*", f"/p/{FLOOR_KEY}/{{tail:.*}}", answer)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        context = make_certificate("127.0.0.1").server_context()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        print(f"port: {runner.addresses[0][1]}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()

    asyncio.run(serve())
    return 0


def _floor(count: int, seconds: float, seed: int) -> list[PhoneRun]:
    server = subprocess.Popen(
        [sys.executable, __file__, "--floor-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split(": ")[1])
        base = f"https://127.0.0.1:{port}/p/{FLOOR_KEY}/"
        return asyncio.run(_phones(base, count, seconds, seed))
    finally:
        server.communicate(timeout=15)  # closing stdin stops it


# -- figures -------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _latency(runs: list[PhoneRun]) -> dict[str, dict[str, Any]]:
    kinds: dict[str, list[float]] = {}
    for run in runs:
        for kind, seconds, status in run.timings:
            if status == 200:
                kinds.setdefault(kind, []).append(seconds * 1000)
    return {
        kind: {
            "count": len(values),
            "median_ms": round(statistics.median(values), 2),
            "p95_ms": round(_p95(values), 2),
            "max_ms": round(max(values), 2),
        }
        for kind, values in sorted(kinds.items())
    }


def _refusals(runs: list[PhoneRun]) -> dict[str, int]:
    refused: dict[str, int] = {}
    for run in runs:
        for kind, _, status in run.timings:
            if status != 200:
                key = f"{kind} {status or 'no answer'}"
                refused[key] = refused.get(key, 0) + 1
    return dict(sorted(refused.items()))


def _loop_lag(output: str, prefix: str) -> dict[str, Any] | None:
    for line in output.splitlines():
        if line.startswith(prefix):
            return dict(json.loads(line[len(prefix) :]))
    return None


class WindowHost:
    """bench/window_phone_host.py in its own process: the host inside a MainWindow."""

    def __init__(self, project: Path, data_home: Path) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(data_home))
        self.process = subprocess.Popen(
            [sys.executable, str(WINDOW_HOST), str(project)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("phones: "):
            self.process.kill()
            raise RuntimeError(f"the window did not host: {line}{self.process.stderr.read()}")  # type: ignore[union-attr]
        self.info = {"phones": line.strip().removeprefix("phones: ")}

    def stop(self) -> str:
        """Close its stdin (the window stops the session on purpose): the rest of its output."""
        out, _ = self.process.communicate(timeout=30)
        return out


def run(phones: int, seconds: float, seed: int = 15, in_window: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ipsmap-bench-phones-") as tmp:
        path = Path(tmp) / "phones.ipsmap"
        _project(path)
        os.environ[LOOP_LAG_ENVIRONMENT] = "1"  # the host process inherits it
        host: WindowHost | HostProcess
        if in_window:
            host = WindowHost(path, Path(tmp) / "data")
        else:
            host = HostProcess(path, "--new-code")
        try:
            base = host.info["phones"]
            runs = asyncio.run(_phones(base, phones, seconds, seed))
        finally:
            output = host.stop()
            os.environ.pop(LOOP_LAG_ENVIRONMENT, None)
        counts = _read_back(path, runs)
    floor_runs = _floor(phones, seconds, seed)
    latency, floor = _latency(runs), _latency(floor_runs)
    ratios = {
        kind: round(figures["p95_ms"] / floor[kind]["p95_ms"], 1)
        for kind, figures in latency.items()
        if kind in floor and floor[kind]["p95_ms"] > 0
    }
    told = {
        "ideas": sum(r.ideas_ok for r in runs),
        "flags": sum(len(r.flags_ok) for r in runs),
        "votes": sum(sum(r.votes_ok.values()) for r in runs),
    }
    lost = counts["lost"]
    return {
        "phones": phones,
        "seconds": seconds,
        "joined": sum(r.joined for r in runs),
        "requests": sum(len(r.timings) for r in runs),
        "told_succeeded": told,
        "expected": {"ideas": phones, "flags": phones * FLAGS, "votes": phones * VOTES},
        "lost": lost,
        "unexpected": counts["unexpected"],
        "nothing_lost": not any(lost.values()) and not any(counts["unexpected"].values()),
        "all_done": told == {"ideas": phones, "flags": phones * FLAGS, "votes": phones * VOTES},
        "refusals": _refusals(runs),
        "polls_changed": sum(r.polls_changed for r in runs),
        "latency_ms": latency,
        "floor_latency_ms": floor,
        "p95_ratio_to_floor": ratios,
        "host": "window" if in_window else "ipsmap host",
        "host_loop_lag": _loop_lag(output, "loop lag: "),
        "ui_loop_lag": _loop_lag(output, "ui lag: "),
        "floor_refusals": _refusals(floor_runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--in-window",
        action="store_true",
        help="host from a MainWindow (offscreen) and measure its Qt loop's stalls",
    )
    parser.add_argument("--floor-server", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        return _floor_server()
    if args.phones < 1 or args.seconds <= 0:
        parser.error("--phones must be at least 1 and --seconds more than 0")
    result = run(args.phones, args.seconds, in_window=args.in_window)
    if args.json:
        print(json.dumps(result))
    else:
        _print_table(result)
    return 0 if result["nothing_lost"] and result["all_done"] else 1


def _print_table(result: dict[str, Any]) -> None:
    print(f"ipsmap phones benchmark: {result['phones']} phones over {result['seconds']:g} s "
          f"against {'the window hosting' if result['host'] == 'window' else 'ipsmap host'} "
          f"on loopback HTTPS ({result['requests']} requests)")  # fmt: skip
    told, expected = result["told_succeeded"], result["expected"]
    for key in ("ideas", "flags", "votes"):
        print(f"  {key:<6} told succeeded {told[key]:>5} of {expected[key]:<5} "
              f"lost {result['lost'][key]}, unexpected {result['unexpected'][key]}")  # fmt: skip
    print(f"  nothing lost: {str(result['nothing_lost']).lower()}; "
          f"refusals: {result['refusals'] or 'none'}")  # fmt: skip
    print(f"  {'request':<11}{'count':>6}{'median':>10}{'p95':>10}{'max':>10}"
          f"{'floor p95':>11}{'ratio':>7}")  # fmt: skip
    for kind, figures in result["latency_ms"].items():
        floor = result["floor_latency_ms"].get(kind, {}).get("p95_ms")
        print(
            f"  {kind:<11}{figures['count']:>6}{fmt_s(figures['median_ms'] / 1000):>10}"
            f"{fmt_s(figures['p95_ms'] / 1000):>10}{fmt_s(figures['max_ms'] / 1000):>10}"
            f"{fmt_s(floor / 1000) if floor else '-':>11}"
            f"{result['p95_ratio_to_floor'].get(kind, '-'):>7}"
        )
    polls = result["latency_ms"].get("map poll", {}).get("count", 0)
    print(f"  map polls answered with the whole map (not \"unchanged\"): "
          f"{result['polls_changed']} of {polls}")  # fmt: skip
    lag = result["host_loop_lag"]
    if lag and lag.get("ticks"):
        verdict = "ok" if lag["max_ms"] <= STALL_TARGET_MS else "OVER"
        print(f"  host asyncio loop lateness on a 10 ms tick ({lag['ticks']} ticks): median "
              f"{lag['median_ms']} ms, p99 {lag['p99_ms']} ms, max {lag['max_ms']} ms "
              f"(target: no stall > {STALL_TARGET_MS:g} ms: {verdict})")  # fmt: skip
    elif result["host"] != "window":
        print("  host loop lateness: not reported")
    ui = result["ui_loop_lag"]
    if ui and ui.get("ticks"):
        verdict = "ok" if ui["stalls_over_100_ms"] == 0 else "OVER"
        print(f"  window's Qt loop lateness on a 10 ms timer ({ui['ticks']} ticks): median "
              f"{ui['median_ms']} ms, p99 {ui['p99_ms']} ms, max {ui['max_ms']} ms, "
              f"{ui['stalls_over_100_ms']} stalls > {STALL_TARGET_MS:g} ms ({verdict}); the "
              f"window's own CPU in a gap: max {ui['max_busy_ms']} ms, "
              f"{ui['busy_over_100_ms']} over {STALL_TARGET_MS:g} ms")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
