"""Balance of voices against shares worked out by hand on a small workshop."""

from __future__ import annotations

import json

import pytest

from ipsmap.analysis.voices import balance_of_voices
from ipsmap.model.commands import AddFactor, AddLink, EditFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.record_commands import AddSession, MarkSpec, SetMarks
from tests.test_cli import assert_user_error, ipsmap


@pytest.fixture
def workshop(project: Project):
    """Two parents, a practitioner and a community member at one Glasgow session.

    Before the session: Pat (parent) adds A (with a note) and B; Rob (practitioner) adds C
    and the link A → B with a rationale. In the session: Pam (parent) marks A important,
    Rob marks B and C important. Carla (community member) attends and adds nothing.
    """
    people = {}
    for name, group in (
        ("Pat", "parent"),
        ("Pam", "parent"),
        ("Rob", "practitioner"),
        ("Carla", "community member"),
    ):
        command = AddParticipant(name, group, "Glasgow")
        project.execute(command)
        people[name] = command.id
    add_map = AddMap("Glasgow map", "system", "Glasgow")
    project.execute(add_map)
    doc = project.document(add_map.id)
    project.set_actor(people["Pat"])
    a, b = AddFactor("A", notes="said at the table"), AddFactor("B")
    doc.execute(a)
    doc.execute(b)
    project.set_actor(people["Rob"])
    c = AddFactor("C")
    doc.execute(c)
    link = AddLink(a.id, b.id, rationale="because")
    doc.execute(link)
    session = AddSession("Workshop 1", "2026-03-02", "Glasgow", attendees=list(people.values()))
    project.execute(session)
    project.set_session(session.id)
    project.set_actor(None)  # the facilitator enters the marks from the sheet
    project.execute(
        SetMarks(
            doc.id,
            [
                MarkSpec(people["Pam"], a.id, "important"),
                MarkSpec(people["Rob"], b.id, "important"),
                MarkSpec(people["Rob"], c.id, "important"),
            ],
        )
    )
    project.set_session(None)
    return {
        "project": project,
        "map": doc.id,
        "session": session.id,
        "ids": {"A": a.id, "B": b.id, "C": c.id, "link": link.id},
    }


def _row(result, group):
    return next(r for r in result["groups"] if r["group"] == group)


def test_map_shares_match_the_hand_count(workshop):
    result = balance_of_voices(workshop["project"], workshop["map"])
    # factors 3, links 1, notes 2, marks 3 -> 9 contributions.
    assert result["totals"] == {
        "factors": 3,
        "links": 1,
        "notes": 2,
        "marks": 3,
        "contributions": 9,
        "attendees": 4,
    }
    parent, practitioner = _row(result, "parent"), _row(result, "practitioner")
    community = _row(result, "community member")
    assert (parent["factors"], parent["notes"], parent["marks"]) == (2, 1, 1)
    assert parent["contributions_share"] == round(4 / 9, 4)
    assert practitioner["contributions_share"] == round(5 / 9, 4)
    assert practitioner["links_share"] == 1.0
    assert (parent["attendees_share"], community["attendees_share"]) == (0.5, 0.25)
    assert community["contributions"] == 0
    # B has a parent's factor and a practitioner's mark: two voices. The rest rest on one.
    single = {row["id"]: row["group"] for row in result["single_group_items"]}
    ids = workshop["ids"]
    assert single == {
        ids["A"]: "parent",
        ids["C"]: "practitioner",
        ids["link"]: "practitioner",
    }
    assert any("Community member" in w and "none" in w for w in result["warnings"])
    sites = {r["site"]: r for r in result["sites"]}
    assert sites["Glasgow"]["contributions"] == 9


def test_session_scope_counts_only_what_was_done_in_it(workshop):
    result = balance_of_voices(workshop["project"], session_id=workshop["session"])
    assert result["totals"]["factors"] == 0
    assert result["totals"]["marks"] == 3
    assert _row(result, "practitioner")["marks_share"] == round(2 / 3, 4)


def test_a_note_belongs_to_whoever_last_wrote_it(workshop):
    project = workshop["project"]
    rob = next(p.id for p in project.participants.values() if p.pseudonym == "Rob")
    project.set_actor(rob)
    project.document(workshop["map"]).execute(
        EditFactor(workshop["ids"]["A"], {"notes": "rewritten"})
    )
    result = balance_of_voices(project, workshop["map"])
    assert _row(result, "parent")["notes"] == 0
    assert _row(result, "practitioner")["notes"] == 2


def test_cli_voices_json_and_errors(workshop):
    project = workshop["project"]
    path = project.path
    project.close()
    out = ipsmap("voices", path, "--map", "Glasgow map", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["totals"]["contributions"] == 9
    assert _row(data, "parent")["contributions_share"] == round(4 / 9, 4)
    text = ipsmap("voices", path, "--session", "Workshop 1")
    assert "Practitioner" in text.stdout and text.returncode == 0
    assert_user_error(ipsmap("voices", path, "--session", "nope"), "no session")
    assert_user_error(ipsmap("voices", path, "--map", "nope"), "nope")
