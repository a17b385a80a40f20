"""Phones that come back: ``ipsmap host`` killed (SIGKILL) and started again keeps the phone
page's address, what phones may do and every phone's token (as a digest), so the same phone
(its cookie jar) carries on as the same participant without joining again (a removed phone
staying removed: tests/live/test_phone_switches.py). Real processes over loopback TLS."""

from __future__ import annotations

import http.cookiejar
import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ipsmap.live import kept_session
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

from .support import HostProcess

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def workshop(tmp_path: Path) -> dict:
    path = tmp_path / "workshop.ipsmap"
    with Project.create(path, "Phones workshop") as project:
        add = AddMap("Family support")
        project.execute(add)
        project.execute(AddFactor("Waiting lists"), map_id=add.id)
    return {"path": path, "map": add.id}


class Phone:
    """A phone's browser as far as the host can tell: HTTPS and a cookie jar of its own."""

    def __init__(self) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the session's self-signed certificate
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(self.jar),
        )

    def ask(self, url: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read())


def test_a_phone_carries_on_as_itself_after_the_host_is_killed_and_restarted(workshop):
    path, map_id = workshop["path"], workshop["map"]
    host = HostProcess(path, "--phones-may", "see,suggest")
    url = host.info["phones"]
    assert host.info["phones may"] == "see, suggest"
    amira, bo = Phone(), Phone()
    join = {"nickname": "Amira", "group": "parent", "consent": True}
    assert amira.ask(url + "api/join", join)[0] == 200
    assert bo.ask(url + "api/join", {**join, "nickname": "Bo"})[0] == 200
    status, _ = amira.ask(url + "api/ideas", {"map": map_id, "label": "Before the crash"})
    assert status == 200
    with Project.open(path, read_only=True) as project:
        kept_file = kept_session.kept_path(project)
    kept = json.loads(kept_file.read_text())
    assert len(kept["phones"]) == 2 and kept["phone_switches"]["mark"] is False
    token = next(c.value for c in amira.jar)
    assert token not in kept_file.read_text()  # only its sha256
    host.kill()

    again = HostProcess(path)  # the same command, no switches given: the kept ones
    try:
        assert again.info["resumed"].startswith("the interrupted session")
        assert again.info["phones"] == url  # same port, same key: the page carries on
        assert again.info["phones may"] == "see, suggest"
        status, welcome = amira.ask(url + "api/welcome")
        assert (status, welcome["me"]) == (200, {"name": "Amira", "group": "Parent/carer"})
        assert amira.ask(url + "api/ideas", {"map": map_id, "label": "After the restart"})[0] == 200
        status, refused = amira.ask(
            url + "api/marks", {"map": map_id, "factor": "x", "kind": "votes", "value": 1}
        )
        assert (status, refused["reason"]) == (403, "off")
    finally:
        out = again.stop()
    assert "joined from a phone" not in out  # nobody joined again
    assert not kept_file.exists()  # stopped on purpose: forgotten
    with Project.open(path, read_only=True) as project:
        ideas = sorted(project.ideas.values(), key=lambda i: i.created_at)
        assert [i.label for i in ideas] == ["Before the crash", "After the restart"]
        assert len({i.created_by for i in ideas}) == 1
        assert project.participants[ideas[0].created_by].pseudonym == "Amira"
        names = sorted(p.pseudonym for p in project.participants.values())
        assert names == ["Amira", "Bo", "Facilitator"]  # each phone joined once
