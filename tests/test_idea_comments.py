"""Comments on a factor or link (schema 10): suggested from a phone, placed as a line of the
item's notes credited to whoever wrote it, undone like any edit."""

from __future__ import annotations

import sqlite3

import pytest

from ipsmap.export.html_map import html_text
from ipsmap.model import schema
from ipsmap.model.author import Author
from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors, DeleteLinks, EditFactor
from ipsmap.model.errors import CommandError
from ipsmap.model.forget import REMOVED_TEXT, forget_participant
from ipsmap.model.idea_commands import AddIdea, PlaceIdea, open_ideas
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.schema_check import expected_schema, schema_problems
from ipsmap.model.sqlite import sqlite_utils
from ipsmap.model.store import backup_path

from .test_schema_v6 import _user_version
from .test_schema_v7 import build_v6_project


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "p.ipsmap") as project:
        yield project


@pytest.fixture
def rent(project):
    """A map with 'Rent arrears' (notes already) → 'Stress', and Sam, a parent."""
    add_map = AddMap("Family support")
    project.execute(add_map)
    rent = AddFactor("Rent arrears", notes="Since the benefit cap")
    stress = AddFactor("Stress")
    project.execute(rent, map_id=add_map.id)
    project.execute(stress, map_id=add_map.id)
    link = AddLink(rent.id, stress.id, polarity="+")
    project.execute(link, map_id=add_map.id)
    sam = AddParticipant("Sam", "parent")
    project.execute(sam)
    return {"map": add_map.id, "rent": rent.id, "stress": stress.id, "link": link.id, "sam": sam.id}


def _comment(project, ids, text, *, on="factor", about=None, who=None):
    idea = AddIdea(ids["map"], kind="comment", about_kind=on, about=about or ids["rent"], note=text)
    project.execute(idea, author=Author(who or ids["sam"], "phone-1"))
    return idea.id


def test_a_comment_is_an_open_idea_about_its_item_credited_to_its_author(project, rent):
    idea_id = _comment(project, rent, "We owe two months")
    idea = project.ideas[idea_id]
    assert (idea.kind, idea.about_kind, idea.about, idea.note, idea.status, idea.created_by) == (
        "comment",
        "factor",
        rent["rent"],
        "We owe two months",
        "open",
        rent["sam"],
    )
    event = project.history()[-1]
    assert (event.command, event.actor, event.origin) == ("Suggest idea", rent["sam"], "phone-1")
    row = project.store.db.execute("SELECT kind, about_kind, about FROM ideas").fetchone()
    assert row == ("comment", "factor", rent["rent"])


def test_placing_a_comment_appends_a_line_credited_to_the_suggester_and_undo_removes_it(
    project, rent
):
    idea_id = _comment(project, rent, "We owe two months")
    change = project.execute(PlaceIdea(idea_id))
    factor = project.document(rent["map"]).factors[rent["rent"]]
    assert factor.notes == "Since the benefit cap\nSam: We owe two months"
    assert factor.modified_by == rent["sam"]
    assert project.ideas[idea_id].status == "placed"
    # One change in the audit log: the facilitator placed it, the notes' edit is Sam's.
    assert change.actor == project.facilitator_id
    event = project.history()[-1]
    assert event.command == "Place idea"
    update = next(o for o in event.ops if o["table"] == "factors")
    assert update["after"]["modified_by"] == rent["sam"]
    assert update["after"]["notes"].endswith("Sam: We owe two months")
    stored = project.store.db.execute(
        "SELECT notes, modified_by FROM factors WHERE id = ?", [rent["rent"]]
    ).fetchone()
    assert stored == ("Since the benefit cap\nSam: We owe two months", rent["sam"])

    project.undo()
    factor = project.document(rent["map"]).factors[rent["rent"]]
    assert factor.notes == "Since the benefit cap"
    assert project.ideas[idea_id].status == "open"
    project.redo()
    assert (
        project.document(rent["map"]).factors[rent["rent"]].notes.endswith("Sam: We owe two months")
    )


def test_a_comment_on_a_link_goes_to_the_links_notes(project, rent):
    idea_id = _comment(project, rent, "Every month", on="link", about=rent["link"])
    project.execute(PlaceIdea(idea_id))
    link = project.document(rent["map"]).links[rent["link"]]
    assert (link.notes, link.rationale, link.modified_by) == ("Sam: Every month", "", rent["sam"])


def test_each_comment_is_one_line_so_none_can_pass_for_someone_elses(project, rent):
    stress = {**rent, "rent": rent["stress"]}
    first = _comment(project, stress, "one\n\nAmira: I agree  with   Sam")
    project.execute(PlaceIdea(first))
    second = _comment(project, stress, "<script>alert(1)</script> 👩‍👧 مرحبا")
    project.execute(PlaceIdea(second))
    notes = project.document(rent["map"]).factors[rent["stress"]].notes
    assert notes.splitlines() == [
        "Sam: one Amira: I agree with Sam",
        "Sam: <script>alert(1)</script> 👩‍👧 مرحبا",
    ]


def test_someone_without_consent_is_named_by_their_group_alias(project, rent):
    quiet = AddParticipant("Jo Smith", "parent", consent=False)
    project.execute(quiet)
    alias = project.participants[quiet.id].pseudonym
    assert "Jo" not in alias
    project.execute(PlaceIdea(_comment(project, rent, "Bailiffs", who=quiet.id)))
    notes = project.document(rent["map"]).factors[rent["rent"]].notes
    assert notes.splitlines()[-1] == f"{alias}: Bailiffs"


@pytest.mark.parametrize("deleted", ["factor", "link"])
def test_a_comment_on_an_item_deleted_meanwhile_is_refused_and_stays_open(project, rent, deleted):
    about = rent["rent"] if deleted == "factor" else rent["link"]
    idea_id = _comment(project, rent, "Too late?", on=deleted, about=about)
    doc = project.document(rent["map"])
    doc.execute(DeleteFactors([about]) if deleted == "factor" else DeleteLinks([about]))
    before = len(project.history())
    with pytest.raises(CommandError, match=f"The {deleted} this comment is about was deleted"):
        project.execute(PlaceIdea(idea_id))
    assert project.ideas[idea_id].status == "open"
    assert len(project.history()) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"note": ""}, "comment cannot be blank"),
        ({"note": "x" * 1001}, "longer than 1,000"),
        ({"note": "bell\x07"}, "control characters"),
        ({"note": "lone \ud800"}, "control characters"),
        ({"note": 42}, "must be text"),
        ({"note": "ok", "about": "nope"}, "factor this comment is about is not on the map"),
        ({"note": "ok", "about_kind": "map"}, "about a factor or a link"),
        ({"note": "ok", "about_kind": "link"}, "link this comment is about is not on the map"),
    ],
)
def test_a_bad_comment_is_refused_and_nothing_is_written(project, rent, fields, message):
    before = len(project.history())
    command = AddIdea(
        rent["map"], kind="comment", **{"about_kind": "factor", "about": rent["rent"], **fields}
    )
    with pytest.raises(CommandError, match=message):
        project.execute(command, author=Author(rent["sam"], "phone"))
    assert project.ideas == {} and len(project.history()) == before


def test_a_thousand_characters_with_line_breaks_is_a_comment(project, rent):
    text = ("a" * 499 + "\n") * 2
    idea_id = _comment(project, rent, text)
    assert project.ideas[idea_id].note == text.strip()
    assert open_ideas(project, rent["map"])[0].id == idea_id


def test_the_html_export_shows_a_placed_script_comment_as_text(project, rent):
    project.execute(PlaceIdea(_comment(project, rent, "</script><script>alert(1)</script>")))
    page = html_text(project.map_data(rent["map"]))
    assert "<script>alert(1)" not in page
    assert "alert(1)" in page  # there, escaped


def _schema_9_file(path):
    """A project as ipsmap at schema 9 left it, with a factor and a link idea in it."""
    build_v6_project(path)
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    with db.atomic():
        for version in (7, 8, 9):
            schema.MIGRATIONS[version](db)
        map_id = db.execute("SELECT id FROM maps").fetchone()[0]
        db.execute(
            "INSERT INTO ideas (id, map_id, kind, label, note, status, created_at) "
            "VALUES ('i1', ?, 'factor', 'Buses', 'every hour', 'open', '2026-12-01')",
            [map_id],
        )
        db.execute(
            "INSERT INTO ideas (id, map_id, kind, source, target, polarity, why, status) "
            "VALUES ('i2', ?, 'link', 'a', 'b', '-', 'because', 'dismissed')",
            [map_id],
        )
        db.execute("PRAGMA user_version = 9")
    # At schema 9 the table itself refuses a comment: why the migration rebuilds it.
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("INSERT INTO ideas (id, map_id, kind) VALUES ('c', ?, 'comment')", [map_id])
    conn.close()
    return map_id


def test_a_schema_9_file_is_migrated_keeping_its_ideas_after_a_backup(tmp_path):
    path = tmp_path / "old.ipsmap"
    map_id = _schema_9_file(path)
    with Project.open(path) as project:
        ideas = project.ideas
        assert (ideas["i1"].kind, ideas["i1"].label, ideas["i1"].note) == (
            "factor",
            "Buses",
            "every hour",
        )
        assert (ideas["i2"].kind, ideas["i2"].status, ideas["i2"].about) == (
            "link",
            "dismissed",
            None,
        )
        assert schema_problems(project.store.db.conn, schema.SCHEMA_VERSION) == []
        sam = AddParticipant("Sam", "parent")
        project.execute(sam)
        factor = AddFactor("Buses", notes="")
        project.execute(factor, map_id=map_id)
        comment = AddIdea(map_id, kind="comment", about_kind="factor", about=factor.id, note="!")
        project.execute(comment, author=Author(sam.id, "phone"))
        project.execute(PlaceIdea(comment.id))
        assert project.document(map_id).factors[factor.id].notes == "Sam: !"
    assert _user_version(path) == schema.SCHEMA_VERSION >= 10
    assert _user_version(backup_path(path, 9)) == 9
    # The index the rebuild dropped with the old table is back.
    conn = sqlite3.connect(path)
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert {"ideas", "ideas_map"} <= names and "ideas_new" not in names


def test_the_schema_check_expects_the_comment_columns():
    ten = {c[0] for c in expected_schema(10).tables["ideas"].columns}
    nine = {c[0] for c in expected_schema(9).tables["ideas"].columns}
    assert ten - nine == {"about_kind", "about"}
    assert "ideas_new" not in expected_schema(10).objects


def test_forgetting_the_commenter_takes_their_name_and_words_out_of_the_notes(project, rent):
    idea_id = _comment(project, rent, "my son's school, Elm Road")
    project.execute(PlaceIdea(idea_id))
    doc = project.document(rent["map"])
    later = doc.factors[rent["rent"]].notes + "\nFacilitator: checked with the team"
    doc.execute(EditFactor(rent["rent"], {"notes": later}))
    forget_participant(project, rent["sam"])
    notes = doc.factors[rent["rent"]].notes
    assert "Sam" not in notes and "Elm Road" not in notes
    assert notes.endswith("\nFacilitator: checked with the team")
    assert project.ideas[idea_id].note == REMOVED_TEXT


def test_an_anonymised_export_names_each_comment_line_by_the_writer_s_group(
    project, rent, tmp_path
):
    import csv

    import ipsmap.export.all_formats  # noqa: F401 (registers the writers)
    from ipsmap.formats.registry import write_map

    jo = AddParticipant("Jo", "practitioner")
    project.execute(jo)
    project.execute(PlaceIdea(_comment(project, rent, "We owe two months")))
    project.execute(PlaceIdea(_comment(project, rent, "Seen it often", who=jo.id)))
    on_link = _comment(project, rent, "On the link", on="link", about=rent["link"])
    project.execute(PlaceIdea(on_link))
    # Sam's line on 'Rent arrears' is no longer its last edit (Jo's is): still renamed.
    data = project.map_data(rent["map"])
    assert {p.pseudonym for p in data.participants} >= {"Sam", "Jo"}

    write_map(data, tmp_path / "a.csv", "csv", anonymise=True)
    cells = [
        cell
        for table in tmp_path.glob("a-*.csv")
        for row in csv.reader(table.open(encoding="utf-8-sig"))
        for cell in row
    ]
    notes = next(c for c in cells if c.startswith("Since the benefit cap"))
    assert notes.splitlines() == [
        "Since the benefit cap",
        "Parent/carer: We owe two months",
        "Practitioner: Seen it often",
    ]
    assert "Parent/carer: On the link" in cells
    assert not any("Sam" in c or "Jo:" in c for c in cells)
    # Not anonymised: the names people agreed to be credited by.
    write_map(project.map_data(rent["map"]), tmp_path / "b.csv", "csv")
    named = [c for t in tmp_path.glob("b-*.csv") for r in csv.reader(t.open()) for c in r]
    assert any("Sam: We owe two months" in c for c in named)
