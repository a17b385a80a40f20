"""Ideas (schema 9): suggested from a phone, placed on the map by the facilitator."""

from __future__ import annotations

import sqlite3

import pytest

from ipsmap.model import schema
from ipsmap.model.author import Author
from ipsmap.model.errors import CommandError
from ipsmap.model.forget import REMOVED_TEXT, forget_participant
from ipsmap.model.idea_commands import AddIdea, DismissIdea, PlaceIdea, open_ideas
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.schema_check import expected_schema
from ipsmap.model.sqlite import sqlite_utils
from ipsmap.model.store import backup_path

from .test_schema_v6 import _user_version
from .test_schema_v7 import build_v6_project


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "p.ipsmap") as project:
        yield project


def _setup(project):
    add_map = AddMap("Family support")
    project.execute(add_map)
    person = AddParticipant("Sam", "parent")
    project.execute(person)
    return add_map.id, person.id


def test_a_suggestion_is_an_open_idea_credited_to_its_author_and_device(project):
    map_id, sam = _setup(project)
    idea = AddIdea(map_id, label="<script>alert(1)</script> ⚠️ מעבר", note="why\nit matters")
    project.execute(idea, author=Author(sam, "phone-device-1"))
    stored = project.ideas[idea.id]
    assert (stored.label, stored.status, stored.created_by) == (
        "<script>alert(1)</script> ⚠️ מעבר",
        "open",
        sam,
    )
    assert open_ideas(project, map_id) == [stored]
    event = project.history()[-1]
    assert (event.command, event.actor, event.origin, event.map_id) == (
        "Suggest idea",
        sam,
        "phone-device-1",
        map_id,
    )
    row = project.store.db.execute("SELECT label, status FROM ideas").fetchone()
    assert row == ("<script>alert(1)</script> ⚠️ מעבר", "open")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": ""}, "cannot be blank"),
        ({"label": "x" * 201}, "longer than 200"),
        ({"label": "ok", "note": "y" * 2001}, "longer than 2,000"),
        ({"label": "bell\x07"}, "control characters"),
        ({"label": "tab\there"}, "control characters"),
        # What a phone can send as JSON ("\ud800"), which UTF-8 cannot store.
        ({"label": "ok", "note": "lone \ud800 surrogate"}, "control characters"),
        ({"label": "ok", "kind": "vote"}, "factor or a link"),
        ({"label": "ok", "kind": "link", "source": "a", "target": "b"}, "two factors"),
    ],
)
def test_a_bad_suggestion_is_refused_and_nothing_is_written(project, fields, message):
    map_id, sam = _setup(project)
    before = len(project.history())
    with pytest.raises(CommandError, match=message):
        project.execute(AddIdea(map_id, **fields), author=Author(sam, "phone"))
    assert project.ideas == {} and len(project.history()) == before


def test_placing_an_idea_makes_the_suggesters_factor_in_one_undoable_change(project):
    map_id, sam = _setup(project)
    idea = AddIdea(map_id, label="Waiting lists", note="months")
    project.execute(idea, author=Author(sam, "phone"))
    place = PlaceIdea(idea.id)
    change = project.execute(place)
    factor = project.map_data(map_id).factors[0]
    assert (factor.id, factor.label, factor.notes, factor.created_by) == (
        place.item_id,
        "Waiting lists",
        "months",
        sam,
    )
    assert project.ideas[idea.id].status == "placed"
    assert change.actor == project.facilitator_id
    assert project.history()[-1].command == "Place idea"
    with pytest.raises(CommandError, match="already placed"):
        project.execute(PlaceIdea(idea.id))
    project.undo()
    assert project.map_data(map_id).factors == []
    assert project.ideas[idea.id].status == "open"


def test_a_link_idea_is_placed_as_the_suggesters_link(project):
    map_id, sam = _setup(project)
    for label in ("A", "B"):
        project.execute(AddIdea(map_id, label=label), author=Author(sam, "phone"))
    for idea in open_ideas(project, map_id):
        project.execute(PlaceIdea(idea.id))
    a, b = project.map_data(map_id).factors
    link = AddIdea(map_id, kind="link", source=a.id, target=b.id, polarity="-", why="less time")
    project.execute(link, author=Author(sam, "phone"))
    project.execute(PlaceIdea(link.id))
    (made,) = project.map_data(map_id).links
    assert (made.source, made.target, made.polarity, made.rationale, made.created_by) == (
        a.id,
        b.id,
        "-",
        "less time",
        sam,
    )


def test_a_dismissed_idea_is_kept_and_leaves_the_open_list(project):
    map_id, sam = _setup(project)
    idea = AddIdea(map_id, label="Off topic")
    project.execute(idea, author=Author(sam, "phone"))
    project.execute(DismissIdea(idea.id))
    assert project.ideas[idea.id].status == "dismissed"
    assert open_ideas(project) == []


def test_ideas_survive_reopening(tmp_path):
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        map_id, sam = _setup(project)
        project.execute(AddIdea(map_id, label="Kept"), author=Author(sam, "phone"))
    with Project.open(path) as project:
        (idea,) = project.ideas.values()
        assert (idea.label, idea.created_by) == ("Kept", sam)


def test_a_schema_8_file_gains_the_ideas_table_after_a_backup(tmp_path):
    path = tmp_path / "old.ipsmap"
    build_v6_project(path)
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    with db.atomic():
        schema.MIGRATIONS[7](db)
        schema.MIGRATIONS[8](db)
        db.execute("PRAGMA user_version = 8")
    conn.close()
    with Project.open(path) as project:
        assert "ideas" in project.store.db.table_names()
        assert project.ideas == {}
    assert _user_version(path) == schema.SCHEMA_VERSION >= 9
    assert _user_version(backup_path(path, 8)) == 8


def test_the_schema_check_expects_the_ideas_table():
    assert expected_schema(9).objects.get("ideas") == "table"
    assert "ideas" not in expected_schema(8).objects


def test_forgetting_a_person_removes_the_notes_of_their_ideas(project):
    map_id, sam = _setup(project)
    idea = AddIdea(map_id, label="Sam's idea", note="my son's school, Elm Road")
    project.execute(idea, author=Author(sam, "phone"))
    forget_participant(project, sam)
    row = project.store.db.execute("SELECT label, note FROM ideas").fetchone()
    assert row[1] == REMOVED_TEXT
    assert "Sam" not in row[0]
    assert project.ideas[idea.id].note == REMOVED_TEXT
