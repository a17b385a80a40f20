"""The phone server inside the host's own asyncio loop (as the window runs it under qasync),
over real TLS on loopback: a phone joins, suggests, is removed by the facilitator and is
refused from then on; stopping the host closes the phone port too."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.record_commands import AddSession

pytestmark = pytest.mark.timeout(30)


def test_a_removed_phone_is_refused_and_the_phone_port_closes_with_the_host(tmp_path):
    with Project.create(tmp_path / "p.ipsmap", "Workshop") as project:
        add_map = AddMap("Live")
        project.execute(add_map)
        session = AddSession("Workshop 3", "2026-12-05")
        project.execute(session)
        said: list[str] = []

        async def scenario() -> None:
            host = LiveHost(
                project,
                [add_map.id],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                session_id=session.id,
                say=said.append,
            )
            await host.start()
            url = host.phone_url
            assert url is not None and host.phones.port != host.port
            jar = aiohttp.CookieJar(unsafe=True)  # an IP address, as on a room's network
            async with aiohttp.ClientSession(cookie_jar=jar) as phone:
                joined = await phone.post(
                    url + "api/join",
                    json={"nickname": "Amira", "group": "parent", "consent": True},
                    ssl=False,
                )
                assert joined.status == 200
                cookie = joined.headers["Set-Cookie"]
                for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/p/"):
                    assert flag in cookie
                sent = await phone.post(url + "api/ideas", json={"label": "Buses"}, ssl=False)
                assert sent.status == 200
                (listed,) = host.phones.desk.listed()
                assert listed["name"] == "Amira"
                assert host.remove(listed["device"]) == ["Amira"]
                refused = await phone.post(url + "api/ideas", json={"label": "More"}, ssl=False)
                assert refused.status == 403
                assert await refused.json() == {
                    "error": "The facilitator removed this phone from the session.",
                    "reason": "removed",  # the page then offers to join as someone new
                }
                again = await phone.get(url + "api/welcome", ssl=False)
                assert again.status == 403
            port = host.phones.port
            await host.stop()
            with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), 2):
                pass

        asyncio.run(scenario())
        (idea,) = project.ideas.values()
        assert idea.label == "Buses"
        event = next(e for e in project.history() if e.command == "Suggest idea")
        assert event.session_id == session.id
        assert any(line.startswith("removed: Amira (phone ") for line in said)
