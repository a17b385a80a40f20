"""Raw requests a broken or hostile page could send, to every route of a real phone server
over TLS: each is answered with a 4xx and one JSON line (never a 500, never a trace), and
nothing is written."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

pytestmark = pytest.mark.timeout(60)

JSON = {"Content-Type": "application/json"}
BODIES: list[tuple[str, bytes, dict[str, str]]] = [
    ("not JSON", b"{label: 'x'", JSON),
    ("not UTF-8", b'{"label": "\xff\xfe"}', JSON),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, JSON),
    ("a number too big", b'{"value": 1' + b"0" * 5000 + b"}", JSON),
    ("NaN", b'{"map": NaN, "value": Infinity}', JSON),
    ("a list", b"[1, 2, 3]", JSON),
    ("null", b"null", JSON),
    ("form data", b"label=x", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("no type", b'{"label": "x"}', {}),
    ("lone surrogate", b'{"label": "\\ud800", "text": "\\udfff", "nickname": "\\ud83d"}', JSON),
    ("over 16 KB", b'{"note": "' + b"x" * 40_000 + b'"}', JSON),
]
POSTS = ["api/join", "api/ideas", "api/comments", "api/marks", "api/forget"]


def test_every_route_refuses_broken_bodies_in_one_json_line(tmp_path: Path):
    with Project.create(tmp_path / "w.ipsmap", "Raw") as project:
        shared = AddMap("Shared")
        project.execute(shared)
        project.execute(AddFactor("Rent"), map_id=shared.id)
        seen: list[tuple[str, str, int, object]] = []

        async def scenario() -> None:
            host = LiveHost(
                project, [shared.id], certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA", say=lambda line: None,
            )  # fmt: skip
            await host.start()
            url = host.phone_url
            try:
                async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as c:
                    for joined in (False, True):
                        if joined:
                            body = {"nickname": "Ray", "group": "parent", "consent": True}
                            ok = await c.post(url + "api/join", json=body, ssl=False)
                            assert ok.status == 200
                        for query in (
                            "map=%00",
                            "map=" + "x" * 5000,
                            "since=-1&map=nope",
                            "map=%ff%fe",
                        ):
                            for route in ("api/map", "api/marks"):
                                async with c.get(f"{url}{route}?{query}", ssl=False) as answer:
                                    text = await answer.text()
                                    seen.append((route, query[:12], answer.status, text))
                        for route in POSTS:  # api/forget last: it ends the phone's join
                            for name, raw, headers in BODIES:
                                async with c.post(
                                    url + route, data=raw, headers=headers, ssl=False
                                ) as answer:
                                    text = await answer.text()
                                    seen.append((route, name, answer.status, text))
            finally:
                await host.stop()

        before = (len(project.ideas), len(project.marks), len(project.participants))
        asyncio.run(scenario())
        after = (len(project.ideas), len(project.marks), len(project.participants))

    assert after == (before[0], before[1], before[2] + 1)  # only Ray's own join
    for route, name, status, text in seen:
        if route == "api/forget" and status == 200:
            continue  # forgetting needs no body: the cookie goes whatever was sent
        assert 400 <= status < 500, (route, name, status, text[:200])
        answer = json.loads(text)
        assert set(answer) <= {"error", "reason"} and answer["error"], (route, name, answer)
        assert "\n" not in answer["error"] and "Traceback" not in answer["error"]
