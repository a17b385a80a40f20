"""A phone comments on a factor or link (PhoneDesk.comment, no HTTP): what is kept, what is
refused in one line, and what the map shows once a comment is placed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsmap.live.phones import IDEAS_PER_MINUTE, PhoneDesk, PhoneError
from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors
from ipsmap.model.idea_commands import PlaceIdea, open_ideas
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

from .support import Clock

HOSTILE = "<script>alert(1)</script> 👩‍👧 مرحبا بالعالم \u202eRTL"


@pytest.fixture
def room(tmp_path: Path):
    with Project.create(tmp_path / "w.ipsmap", "Workshop") as project:
        shared, private = AddMap("Shared"), AddMap("Not for phones")
        project.execute(shared)
        project.execute(private)
        rent = AddFactor("Rent arrears", notes="Since the cap")
        stress = AddFactor("Stress")
        hidden = AddFactor("Private matter")
        project.execute(rent, map_id=shared.id)
        project.execute(stress, map_id=shared.id)
        project.execute(hidden, map_id=private.id)
        link = AddLink(rent.id, stress.id, polarity="+")
        project.execute(link, map_id=shared.id)
        said: list[str] = []
        desk = PhoneDesk(
            project, lambda: [shared.id], session_id=lambda: None, say=said.append, clock=Clock()
        )
        token, _ = desk.join({"nickname": "Sam", "group": "parent", "consent": True})
        yield {"desk": desk, "project": project, "phone": desk.phone_for(token),
               "map": shared.id, "private": private.id, "rent": rent.id, "stress": stress.id,
               "link": link.id, "hidden": hidden.id, "said": said}  # fmt: skip


def _send(room, text, on="factor", item=None, **extra):
    body = {"map": room["map"], "on": on, "item": item or room["rent"], "text": text, **extra}
    return room["desk"].comment(room["phone"], body)


def test_a_comment_waits_as_the_phones_idea_and_is_listed_readably(room):
    answer = _send(room, "We owe two months")
    idea = room["project"].ideas[answer["idea"]]
    assert (idea.kind, idea.about_kind, idea.about, idea.created_by) == (
        "comment",
        "factor",
        room["rent"],
        room["phone"].participant,
    )
    assert answer["placed"] is False
    assert answer["ideas"][0] == {
        "label": "On 'Rent arrears': We owe two months",
        "note": "We owe two months",
        "status": "open",
    }
    link = _send(room, "Every month", on="link", item=room["link"])
    assert link["ideas"][0]["label"] == "On the link 'Rent arrears' → 'Stress': Every month"
    event = room["project"].history()[-1]
    assert (event.command, event.actor, event.origin) == (
        "Suggest idea",
        room["phone"].participant,
        room["phone"].device,
    )
    assert room["said"][-1] == "comment from a phone: Sam on a link"


def test_hostile_text_is_kept_as_typed(room):
    answer = _send(room, HOSTILE)
    assert room["project"].ideas[answer["idea"]].note == HOSTILE
    room["project"].execute(PlaceIdea(answer["idea"]))
    view = room["desk"].map_view(room["map"])
    rent = next(f for f in view["factors"] if f["id"] == room["rent"])
    assert rent["notes"] == f"Since the cap\nSam: {HOSTILE}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"text": "x" * 10_000}, "The comment is longer than 1,000 characters."),
        ({"text": "bell\x07"}, "The comment has control characters."),
        ({"text": "tab\there"}, "The comment has control characters."),
        ({"text": "   "}, "The comment cannot be blank."),
        ({"text": ["a list"]}, "The comment must be text."),
        ({"text": "ok", "on": "map"}, "A comment is about a factor or a link."),
        ({"text": "ok", "item": "no-such-id"}, "That factor is not on the map any more"),
        ({"text": "ok", "item": 7}, "That factor is not on the map any more"),
        ({"text": "ok", "on": "link", "item": "rent"}, "That link is not on the map any more"),
        ({"text": "ok", "map": "private"}, "That map is not shared with phones."),
        ({"text": "ok", "item": "hidden"}, "That factor is not on the map any more"),
        ({"text": "ok", "author": "facilitator"}, "Unknown field 'author'."),
    ],
)
def test_bad_comments_are_refused_in_one_line_and_nothing_is_kept(room, body, message):
    # Ids by name: the private map, its factor, this map's factor (where a link is wanted).
    for key in ("map", "item"):
        if body.get(key) in ("private", "hidden", "rent"):
            body[key] = room[body[key]]
    before = len(room["project"].history())
    with pytest.raises(PhoneError, match="^" + message.replace("(", r"\(")) as refused:
        _send(room, **body)
    assert "\n" not in str(refused.value)
    assert room["project"].ideas == {} and len(room["project"].history()) == before
    # A refused comment does not count against the phone's limit.
    assert len(room["phone"].ideas_sent) == 0


def test_not_an_object_is_unreadable(room):
    with pytest.raises(PhoneError, match="unreadable"):
        room["desk"].comment(room["phone"], "text")


def test_comments_and_ideas_share_the_phones_limit(room):
    room["desk"].suggest(room["phone"], {"label": "Buses"})
    for n in range(IDEAS_PER_MINUTE - 1):
        _send(room, f"comment {n}")
    with pytest.raises(PhoneError, match="ideas and comments in a minute") as refused:
        _send(room, "one more")
    assert refused.value.status == 429
    assert len(open_ideas(room["project"])) == IDEAS_PER_MINUTE


def test_straight_onto_the_map_places_the_comment_at_once(room):
    room["desk"].straight_onto_map = True
    answer = _send(room, "Bailiffs came", on="link", item=room["link"])
    assert answer["placed"] is True
    assert answer["ideas"][0]["status"] == "placed"
    link = room["project"].document(room["map"]).links[room["link"]]
    assert (link.notes, link.modified_by) == ("Sam: Bailiffs came", room["phone"].participant)
    view = room["desk"].map_view(room["map"])
    assert view["links"][0]["notes"] == "Sam: Bailiffs came"


def test_a_comment_whose_factor_was_deleted_is_listed_so_and_cannot_be_placed(room):
    answer = _send(room, "Still here?")
    room["project"].execute(DeleteFactors([room["rent"]]), map_id=room["map"])
    listed = room["desk"].my_ideas(room["phone"])[0]
    assert listed["label"] == "On a factor since deleted: Still here?"
    with pytest.raises(Exception, match="was deleted from the map"):
        room["project"].execute(PlaceIdea(answer["idea"]))
    assert room["project"].ideas[answer["idea"]].status == "open"


def test_comments_turned_off_by_the_facilitator_are_refused_and_nothing_is_kept(room):
    room["desk"].set_switch("comment", False)
    before = dict(room["project"].ideas)
    with pytest.raises(PhoneError) as refused:
        _send(room, "Not now")
    assert refused.value.status == 403 and "turned off commenting" in str(refused.value)
    assert room["project"].ideas == before
    room["desk"].set_switch("comment", True)
    assert _send(room, "Now")["placed"] is False
