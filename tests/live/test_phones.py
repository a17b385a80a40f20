"""What the host does for phones (phones.py), without HTTP: joining, limits, the map."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsmap.live.phones import IDEAS_PER_MINUTE, PhoneDesk, PhoneError, phone_key
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import Clock


@pytest.fixture
def room(tmp_path: Path):
    with Project.create(tmp_path / "w.ipsmap", "Workshop") as project:
        shared, private = AddMap("Shared"), AddMap("Not for phones")
        project.execute(shared)
        project.execute(private)
        withheld = AddParticipant("Real Name", "parent", consent=False)
        project.execute(withheld)
        project.execute(AddFactor("Housing", notes="damp"), map_id=shared.id)
        project.set_actor(withheld.id)
        project.execute(AddFactor("Money worries"), map_id=shared.id)
        project.set_actor(None)
        clock, said = Clock(), []
        desk = PhoneDesk(
            project, lambda: [shared.id], session_id=lambda: None, say=said.append, clock=clock
        )
        yield {"desk": desk, "project": project, "map": shared.id, "private": private.id,
               "clock": clock, "said": said}  # fmt: skip


def _join(desk, nickname="Amira", consent=True):
    token, welcome = desk.join({"nickname": nickname, "group": "parent", "consent": consent})
    return desk.phone_for(token), welcome


def test_a_joined_phone_is_its_participant_on_its_own_device(room):
    desk, project = room["desk"], room["project"]
    phone, welcome = _join(desk)
    assert welcome["me"] == {"name": "Amira", "group": "Parent/carer"}
    person = project.participants[phone.participant]
    assert (person.pseudonym, person.stakeholder_group, person.consent) == (
        "Amira",
        "parent",
        True,
    )
    other, _ = _join(desk, "Bo")
    assert other.device != phone.device
    assert desk.phone_for("a made-up token") is None
    assert desk.phone_for("") is None
    assert room["said"][0].startswith("joined from a phone: Amira")


def test_no_consent_joins_as_a_group_alias(room):
    _, welcome = _join(room["desk"], "Secret Name", consent=False)
    assert welcome["me"]["name"] == "Parent/carer 2"  # "Parent/carer 1" is on the list
    assert "Secret Name" not in {p.pseudonym for p in room["project"].participants.values()}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"nickname": "A", "group": "facilitator", "consent": True}, "Choose the group"),
        ({"nickname": "A", "group": "parent", "consent": "yes"}, "whether your name"),
        ({"nickname": "", "group": "parent", "consent": True}, "cannot be blank"),
        ({"nickname": "x" * 61, "group": "parent", "consent": True}, "longer than 60"),
        ({"nickname": "a\u202eb\x00", "group": "parent", "consent": True}, "control"),
        ({"nickname": "A", "group": "parent", "consent": True, "admin": 1}, "Unknown field"),
        (["not", "an", "object"], "unreadable"),
    ],
)
def test_a_bad_join_is_refused_in_one_line(room, body, message):
    before = set(room["project"].participants)
    with pytest.raises(PhoneError, match=message) as refused:
        room["desk"].join(body)
    assert "\n" not in str(refused.value)
    assert set(room["project"].participants) == before


def test_a_taken_name_is_refused_with_a_clear_message(room):
    _join(room["desk"], "Amira")
    with pytest.raises(PhoneError, match="already called 'amira': pick another name"):
        _join(room["desk"], "amira")


def test_ideas_are_limited_per_phone_per_minute_and_refusals_do_not_count(room):
    desk, clock = room["desk"], room["clock"]
    phone, _ = _join(desk)
    other, _ = _join(desk, "Bo")
    with pytest.raises(PhoneError, match="longer than 200"):
        desk.suggest(phone, {"label": "x" * 201})
    for n in range(IDEAS_PER_MINUTE):
        desk.suggest(phone, {"label": f"idea {n}"})
    with pytest.raises(PhoneError, match="wait a little") as limited:
        desk.suggest(phone, {"label": "one too many"})
    assert limited.value.status == 429
    desk.suggest(other, {"label": "someone else's phone is not held back"})
    clock.now += 61
    desk.suggest(phone, {"label": "a minute later"})
    assert len(desk.my_ideas(phone)) == IDEAS_PER_MINUTE + 1


def test_a_phone_reads_only_shared_maps_and_public_names(room):
    desk = room["desk"]
    phone, welcome = _join(desk)
    assert [m["name"] for m in welcome["maps"]] == ["Shared"]
    view = desk.map_view(room["map"])
    by_label = {f["label"]: f for f in view["factors"]}
    assert by_label["Housing"]["notes"] == "damp"
    assert by_label["Money worries"]["by"] == "Parent/carer 1"  # never "Real Name"
    assert "Real Name" not in str(view)
    with pytest.raises(PhoneError, match="not shared") as refused:
        desk.map_view(room["private"])
    assert refused.value.status == 404
    with pytest.raises(PhoneError, match="not shared"):
        desk.suggest(phone, {"map": room["private"], "label": "sneaked in"})
    assert room["project"].ideas == {}


def test_the_phone_key_is_stable_and_does_not_reveal_the_code():
    key = phone_key("ABCD2345", "f" * 64)
    assert key == phone_key("ABCD2345", "f" * 64)
    assert key != phone_key("ABCD2346", "f" * 64) != phone_key("ABCD2345", "e" * 64)
    assert "ABCD" not in key.upper() and len(key) == 24


def test_marks_and_votes_are_the_phones_participants_within_the_budget(room):
    desk, project = room["desk"], room["project"]
    phone, welcome = _join(desk)
    assert [f["kind"] for f in welcome["flags"]] == ["important", "controllable", "vulnerable"]
    housing = next(f.id for f in project.document(room["map"]).factors.values()
                   if f.label == "Housing")  # fmt: skip
    mine = desk.mark(
        phone, {"map": room["map"], "factor": housing, "kind": "important", "value": 1}
    )
    assert mine["marks"] == {housing: {"important": 1.0}}
    mine = desk.mark(phone, {"map": room["map"], "factor": housing, "kind": "votes", "value": 5})
    assert (mine["votes_used"], mine["votes_budget"]) == (5.0, 5)
    with pytest.raises(PhoneError, match="used all your 5 votes"):
        desk.mark(phone, {"map": room["map"], "factor": housing, "kind": "votes", "value": 6})
    (important,) = [m for m in project.marks.values() if m.kind == "important"]
    assert important.participant == important.created_by == phone.participant
    event = project.history()[-1]
    assert (event.command, event.actor, event.origin) == (
        "Set marks",
        phone.participant,
        phone.device,
    )
    mine = desk.mark(
        phone, {"map": room["map"], "factor": housing, "kind": "important", "value": 0}
    )
    assert mine["marks"] == {housing: {"votes": 5.0}}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "confidence", "value": 1}, "important, controllable"),
        ({"kind": "votes", "value": -1}, "whole number"),
        ({"kind": "votes", "value": 1.5}, "whole number"),
        ({"kind": "important", "value": True}, "whole number"),
        ({"kind": "important", "value": 2}, "yes \\(1\\) or no \\(0\\)"),
        ({"kind": "important", "value": 1, "factor": "gone"}, "not on the map"),
    ],
)
def test_a_bad_mark_is_refused_in_one_line(room, fields, message):
    desk, project = room["desk"], room["project"]
    phone, _ = _join(desk)
    factor = next(iter(project.document(room["map"]).factors))
    body = {"map": room["map"], "factor": factor, **fields}
    with pytest.raises(PhoneError, match=message):
        desk.mark(phone, body)
    assert project.marks == {}


def test_a_polling_phone_is_told_unchanged_until_the_project_changes(room):
    desk, project = room["desk"], room["project"]
    first = desk.map_view(room["map"])
    assert desk.map_view(room["map"], since=str(first["version"])) == {
        "unchanged": True,
        "version": first["version"],
    }
    project.execute(AddFactor("New"), map_id=room["map"])
    later = desk.map_view(room["map"], since=str(first["version"]))
    assert later["version"] > first["version"]
    assert "New" in {f["label"] for f in later["factors"]}
    # A phone's marks and votes do not change the map it draws: still "unchanged".
    phone, _ = _join(desk, "Bo")
    factor = next(f["id"] for f in later["factors"])
    desk.mark(phone, {"map": room["map"], "factor": factor, "kind": "important", "value": 1})
    desk.mark(phone, {"map": room["map"], "factor": factor, "kind": "votes", "value": 2})
    desk.suggest(phone, {"map": room["map"], "label": "An idea"})
    version = desk.map_view(room["map"])["version"]
    desk.mark(phone, {"map": room["map"], "factor": factor, "kind": "votes", "value": 3})
    assert desk.map_view(room["map"], since=str(version)).get("unchanged") is True
    desk.close()
    project.execute(AddFactor("Unheard"), map_id=room["map"])
    assert desk.version == version  # closed: no longer following the project


def test_a_phone_suggests_a_link_between_two_factors_of_the_map(room):
    desk, project = room["desk"], room["project"]
    phone, _ = _join(desk)
    housing, money = (f.id for f in project.document(room["map"]).factors.values())
    link = {"kind": "link", "source": housing, "target": money, "polarity": "-", "why": "rent"}
    desk.suggest(phone, link)
    assert desk.my_ideas(phone)[0]["label"] == "Housing leads to less Money worries"
    (idea,) = project.ideas.values()
    assert (idea.kind, idea.source, idea.target, idea.why) == ("link", housing, money, "rent")
    for bad, message in [
        ({**link, "target": housing}, "two different factors"),
        ({**link, "target": None}, "Choose the two factors"),
        ({**link, "source": "elsewhere"}, "two factors of the map"),
        ({**link, "polarity": "++"}, "Polarity"),
        ({**link, "kind": "vote"}, "factor or a link"),
    ]:
        with pytest.raises(PhoneError, match=message):
            desk.suggest(phone, bad)
    assert len(project.ideas) == 1


def test_straight_onto_the_map_places_a_phone_s_idea_credited_to_its_sender(room):
    desk, project, map_id = room["desk"], room["project"], room["map"]
    phone, _ = _join(desk)
    waiting = desk.suggest(phone, {"map": map_id, "label": "Play sessions"})
    assert project.ideas[waiting["idea"]].status == "open"  # by default: the Ideas panel
    desk.straight_onto_map = True
    answer = desk.suggest(phone, {"map": map_id, "label": "Respite care", "note": "weekends"})
    assert project.ideas[answer["idea"]].status == "placed"
    (factor,) = [f for f in project.document(map_id).factors.values() if f.label == "Respite care"]
    assert (factor.notes, factor.created_by) == ("weekends", phone.participant)
    listed = {i["label"]: i["status"] for i in answer["ideas"]}
    assert listed == {"Respite care": "placed", "Play sessions": "open"}  # as the phone says
    event = project.history(map_id)[-1]
    assert (event.actor, event.origin) == (phone.participant, phone.device)
