"""What phones may do per session (phone_switches.py and the desk's switches), phones kept
for a restart, and phones' presence: without HTTP, then through a real host on loopback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from ipsmap.cli import main
from ipsmap.live import kept_session
from ipsmap.live.host import LiveHost
from ipsmap.live.phone_switches import (
    PhoneSwitches,
    SwitchesError,
    off_line,
    parse_may,
)
from ipsmap.live.phones import HERE_S, PhoneDesk, PhoneError
from ipsmap.live.security import make_certificate
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

from .support import Clock

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def room(tmp_path: Path):
    with Project.create(tmp_path / "w.ipsmap", "Workshop") as project:
        shared = AddMap("Shared")
        project.execute(shared)
        housing = AddFactor("Housing")
        project.execute(housing, map_id=shared.id)
        clock, said, kept = Clock(), [], []
        desk = PhoneDesk(
            project, lambda: [shared.id], session_id=lambda: None, say=said.append, clock=clock
        )
        desk.on_kept_change = lambda: kept.append(desk.kept_phones())
        yield {"desk": desk, "project": project, "map": shared.id, "factor": housing.id,
               "clock": clock, "said": said, "kept": kept}  # fmt: skip


def _join(desk, nickname="Amira"):
    token, _ = desk.join({"nickname": nickname, "group": "parent", "consent": True})
    return token, desk.phone_for(token)


def test_switches_default_to_everything_on_and_ideas_waiting():
    switches = PhoneSwitches()
    assert switches.as_dict() == {
        "see": True,
        "suggest": True,
        "mark": True,
        "comment": True,
        "place": False,
    }
    assert off_line(switches) == ""
    assert off_line(PhoneSwitches(mark=False)) == (
        "The facilitator has turned off marking and voting for now."
    )
    assert off_line(PhoneSwitches(see=False, comment=False)) == (
        "For now the facilitator has turned off: seeing the map; commenting."
    )
    assert off_line(PhoneSwitches.only(["place"])) == (
        "The facilitator has turned off everything phones can do for now."
    )


def test_phones_may_reads_a_list_or_none_and_refuses_anything_else():
    assert parse_may("see, Suggest,mark").as_dict() == {
        "see": True,
        "suggest": True,
        "mark": True,
        "comment": False,
        "place": False,
    }
    assert not any(parse_may("none").as_dict().values())
    for bad in ("vote", "see,,mark", "", "see;mark"):
        with pytest.raises(SwitchesError):
            parse_may(bad)
    with pytest.raises(SwitchesError, match="not true or false"):
        PhoneSwitches.from_dict({"see": "yes"})


def test_a_switch_turned_off_is_refused_at_the_desk_with_one_line(room):
    desk, map_id, factor = room["desk"], room["map"], room["factor"]
    _, phone = _join(desk)
    desk.set_switch("mark", False)
    with pytest.raises(PhoneError) as refused:
        desk.mark(phone, {"map": map_id, "factor": factor, "kind": "votes", "value": 1})
    assert (str(refused.value), refused.value.status, refused.value.reason) == (
        "The facilitator has turned off marking and voting for now.",
        403,
        "off",
    )
    assert room["project"].marks == {}  # nothing written
    desk.set_switch("suggest", False)
    with pytest.raises(PhoneError, match="turned off sending ideas"):
        desk.suggest(phone, {"map": map_id, "label": "Buses"})
    assert room["project"].ideas == {}
    desk.set_switch("see", False)
    with pytest.raises(PhoneError, match="turned off seeing the map"):
        desk.map_view(map_id)
    # Comments (another route) ask the same desk.
    desk.allows("comment")
    desk.set_switch("comment", False)
    with pytest.raises(PhoneError, match="turned off commenting"):
        desk.allows("comment")
    # The welcome says what is off, for the page to hide it and say so.
    welcome = desk.welcome(phone)
    assert welcome["may"] == {
        "see": False,
        "suggest": False,
        "mark": False,
        "comment": False,
        "place": False,
    }
    assert welcome["may_said"].startswith("The facilitator has turned off everything")
    # Turned back on: allowed again, and each change was kept for a restart.
    desk.set_switch("mark", True)
    answer = desk.mark(phone, {"map": map_id, "factor": factor, "kind": "votes", "value": 1})
    assert answer["votes_used"] == 1
    assert "phones: mark turned off" in room["said"]
    assert len(room["kept"]) == 1 + 5  # the join, then five switches that changed


def test_straight_onto_the_map_is_the_place_switch(room):
    desk = room["desk"]
    assert not desk.straight_onto_map
    desk.straight_onto_map = True
    assert desk.switches.place and desk.switches_view()["ideas_go"] == (
        "Your ideas go straight onto the map."
    )
    _, phone = _join(desk)
    desk.suggest(phone, {"map": room["map"], "label": "Buses"})
    (idea,) = room["project"].ideas.values()
    assert idea.status == "placed"


def test_a_phone_is_here_while_its_page_asks_and_left_after(room):
    desk, clock = room["desk"], room["clock"]
    token, _ = _join(desk)
    _join(desk, "Bo")
    assert [p["here"] for p in desk.listed()] == [True, True]
    clock.now += HERE_S + 1
    desk.phone_for(token)  # Amira's page polls; Bo's phone went to sleep
    listed = {p["name"]: p for p in desk.listed()}
    assert listed["Amira"]["here"] and listed["Amira"]["seen_s_ago"] == 0
    assert not listed["Bo"]["here"] and listed["Bo"]["seen_s_ago"] == HERE_S + 1
    assert desk.phones_here() == 1


def test_phones_kept_and_restored_carry_on_as_the_same_participant(room, tmp_path):
    desk, project = room["desk"], room["project"]
    token, phone = _join(desk)
    gone_token, gone = _join(desk, "Bo")
    desk.remove(gone.device)
    desk.set_switch("comment", False)
    held = desk.kept_phones()
    assert token not in str(held)  # digests only
    again = PhoneDesk(project, lambda: [room["map"]], session_id=lambda: None, say=print)
    again.restore(desk.switches, held["phones"], held["removed"])
    back = again.phone_for(token)
    assert (back.participant, back.device) == (phone.participant, phone.device)
    with pytest.raises(PhoneError) as refused:
        again.phone_for(gone_token)
    assert refused.value.reason == "removed"
    assert not again.switches.comment
    (listed,) = again.listed()
    assert listed["here"]  # its request just now


def test_the_kept_session_file_holds_the_phones_and_refuses_damaged_ones(room, tmp_path):
    project = room["project"]
    certificate = make_certificate("127.0.0.1")
    kept = kept_session.KeptSession(
        certificate.cert_pem.decode(), certificate.key_pem.decode(), "KXMR4PTA", None,
        "127.0.0.1", 8765, [], phone_port=8766, phone_key="0123456789abcdef01234567",
        phone_switches={"mark": False},
        phones=[{"digest": "a" * 64, "participant": "p1", "device": "d1", "joined_at": ""}],
        removed_phones=["b" * 64],
    )  # fmt: skip
    path = kept_session.save(project, kept)
    loaded = kept_session.load(project)
    assert loaded == kept
    assert kept_session.phones_from(loaded)["switches"].as_dict()["mark"] is False
    damages = {
        "phone_port": 0,
        "phones": [{"digest": "not hex", "participant": "p1", "device": "d1", "joined_at": ""}],
        "removed_phones": [1],
        "phone_switches": {"vote": True},
        "phone_key": "../../etc",
    }
    for key, value in damages.items():
        document = json.loads(path.read_text())
        document[key] = value
        path.write_text(json.dumps(document))
        with pytest.raises(kept_session.KeptSessionError, match="is damaged"):
            kept_session.load(project)
        kept_session.save(project, kept)


def test_ipsmap_host_refuses_a_wrong_switch_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["host", str(tmp_path / "w.ipsmap"), "--phones-may", "see,vote"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such thing as 'vote'" in err


def test_a_real_phone_is_refused_what_is_off_and_allowed_once_it_is_on(tmp_path):
    with Project.create(tmp_path / "p.ipsmap", "Workshop") as project:
        add_map = AddMap("Live")
        project.execute(add_map)
        factor = AddFactor("Buses")
        project.execute(factor, map_id=add_map.id)

        async def scenario() -> None:
            host = LiveHost(
                project,
                [add_map.id],
                certificate=make_certificate("127.0.0.1"),
                code="KXMR-4PTA",
                say=lambda line: None,
                phone_switches=parse_may("see,suggest"),
            )
            await host.start()
            url = host.phone_url
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as phone:
                join = {"nickname": "Amira", "group": "parent", "consent": True}
                welcome = await (await phone.post(url + "api/join", json=join, ssl=False)).json()
                assert welcome["may"]["mark"] is False
                assert welcome["may_said"] == (
                    "For now the facilitator has turned off: marking and voting; commenting."
                )
                vote = {"map": add_map.id, "factor": factor.id, "kind": "votes", "value": 1}
                refused = await phone.post(url + "api/marks", json=vote, ssl=False)
                assert refused.status == 403
                assert await refused.json() == {
                    "error": "The facilitator has turned off marking and voting for now.",
                    "reason": "off",
                }
                host.phones.desk.set_switch("mark", True)
                polled = await (await phone.get(url + "api/switches", ssl=False)).json()
                assert polled["may"]["mark"] is True and polled["may_said"] == (
                    "The facilitator has turned off commenting for now."
                )
                allowed = await phone.post(url + "api/marks", json=vote, ssl=False)
                assert allowed.status == 200
                # A phone can expire its own cookie (the page's "join again as someone new").
                forgot = await phone.post(url + "api/forget", json={}, ssl=False)
                assert forgot.status == 200 and "Max-Age=0" in forgot.headers["Set-Cookie"]
                after = await (await phone.get(url + "api/welcome", ssl=False)).json()
                assert after["me"] is None
            await host.stop()

        asyncio.run(scenario())
        (mark,) = project.marks.values()
        assert (mark.kind, mark.value) == ("votes", 1.0)
