"""Sessions, CMO configurations and marks: commands, undo, the file and the audit log."""

from __future__ import annotations

import pytest

from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors
from ipsmap.model.errors import CommandError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant, DeleteMap, EditParticipant
from ipsmap.model.record_commands import (
    AddCMO,
    AddSession,
    DeleteCMO,
    DeleteSession,
    EditCMO,
    MarkSpec,
    SetMarks,
)


def _two_factors(doc):
    a, b = AddFactor("Housing"), AddFactor("Stress")
    doc.execute(a)
    doc.execute(b)
    link = AddLink(a.id, b.id, "+")
    doc.execute(link)
    return a.id, b.id, link.id


def _person(project: Project, name: str, group: str = "parent", consent: bool = True) -> str:
    command = AddParticipant(name, group, "Glasgow", consent)
    project.execute(command)
    return command.id


def test_cmo_is_stored_edited_chained_and_undone(project: Project, doc):
    a, _, link = _two_factors(doc)
    first = AddCMO({"area": "Trust", "context": "Families fear removal", "explains": [a, link]})
    project.execute(first)
    second = AddCMO({"context": "Trust built", "status": "supported", "confidence": 0.75})
    project.execute(second)
    project.execute(EditCMO(first.id, {"leads_to": [second.id], "status": "refined"}))

    assert project.cmos[first.id].code == "CMO 1"
    assert project.cmos[second.id].code == "CMO 2"
    reopened = Project.open(project.path, read_only=True)
    try:
        stored = reopened.cmos[first.id]
        assert stored.explains == [a, link]
        assert stored.leads_to == [second.id]
        assert stored.status == "refined"
    finally:
        reopened.close()

    # Deleting the second cuts the chain; undo brings both back.
    project.execute(DeleteCMO(second.id))
    assert project.cmos[first.id].leads_to == []
    project.undo()
    assert project.cmos[first.id].leads_to == [second.id]
    assert project.cmos[second.id].confidence == 0.75
    commands = [e.command for e in project.history()]
    assert commands.count("Edit CMO") == 1 and "Delete CMO" in commands
    edit = next(e for e in project.history() if e.command == "Edit CMO")
    assert edit.summary == "CMO 'CMO 1' changed (leads_to, status)"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"status": "proven"}, "status"),
        ({"confidence": 2}, "0 to 1"),
        ({"explains": ["nope"]}, "no factor or link"),
        ({"leads_to": ["nope"]}, "no CMO"),
        ({"created_by": "x"}, "cannot be changed"),
    ],
)
def test_bad_cmo_fields_are_refused_and_nothing_is_written(project: Project, fields, message):
    before = len(project.history())
    with pytest.raises(CommandError, match=message):
        project.execute(AddCMO(fields))
    assert project.cmos == {}
    assert len(project.history()) == before


def test_marks_votes_budget_and_clearing(project: Project, doc):
    a, b, link = _two_factors(doc)
    ann = _person(project, "Ann")
    project.execute(
        SetMarks(doc.id, [MarkSpec(ann, a, "important"), MarkSpec(ann, link, "confidence", 0.5)])
    )
    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "votes", 3), MarkSpec(ann, b, "votes", 2)]))
    marks = {(m.target, m.kind): m.value for m in project.marks_of(doc.id)}
    assert marks == {
        (a, "important"): 1,
        (link, "confidence"): 0.5,
        (a, "votes"): 3,
        (b, "votes"): 2,
    }

    with pytest.raises(CommandError, match="only 5 votes"):
        project.execute(SetMarks(doc.id, [MarkSpec(ann, b, "votes", 3)]))
    with pytest.raises(CommandError, match="Links are not marked"):
        project.execute(SetMarks(doc.id, [MarkSpec(ann, link, "important")]))
    with pytest.raises(CommandError, match="Confidence"):
        project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "confidence", 0.5)]))

    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "votes", None)]))
    assert (a, "votes") not in {(m.target, m.kind) for m in project.marks_of(doc.id)}
    project.undo()
    rows = list(project.store.rows("marks"))
    assert len(rows) == 4 and {r["kind"] for r in rows} == {"important", "confidence", "votes"}


def test_marks_record_the_session_and_go_with_their_map(project: Project, doc):
    a, _, _ = _two_factors(doc)
    ann = _person(project, "Ann")
    session = AddSession("Workshop 1", "2026-03-02", "Glasgow", attendees=[ann])
    project.execute(session)
    project.set_session(session.id)
    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "important")]))
    (mark,) = project.marks_of(doc.id)
    assert mark.session_id == session.id
    event = next(project.store.db.query("SELECT session_id FROM events ORDER BY seq DESC LIMIT 1"))
    assert event["session_id"] == session.id

    project.execute(DeleteSession(session.id))
    assert project.marks_of(doc.id)[0].session_id is None
    project.set_session(None)
    project.execute(DeleteMap(doc.id))
    assert list(project.store.rows("marks")) == []
    project.undo()
    assert len(project.marks_of(doc.id)) == 1


def test_marks_on_a_deleted_factor_stay_in_the_file(project: Project, doc):
    a, _, _ = _two_factors(doc)
    ann = _person(project, "Ann")
    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "important")]))
    doc.execute(DeleteFactors([a]))
    assert len(project.marks_of(doc.id)) == 1


def test_session_validation(project: Project):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        project.execute(AddSession("Workshop", "2 March"))
    with pytest.raises(CommandError, match="attendee"):
        project.execute(AddSession("Workshop", "2026-03-02", attendees=["ghost"]))


def test_without_consent_only_the_group_is_kept(project: Project):
    pid = _person(project, "Jo Bloggs", "parent", consent=False)
    assert project.participants[pid].pseudonym == "Parent/carer 1"
    other = _person(project, "Sam", "parent")
    project.execute(EditParticipant(other, {"consent": False, "notes": "lives on X street"}))
    person = project.participants[other]
    assert person.pseudonym == "Parent/carer 2" and person.notes == ""
    stored = {r["id"]: r for r in project.store.rows("participants")}
    assert stored[other]["pseudonym"] == "Parent/carer 2"


def test_undoing_marks_is_logged_against_their_map(project: Project, doc):
    a, _, _ = _two_factors(doc)
    ann = _person(project, "Ann")
    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "votes", 2)]))
    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "votes", 3)]))
    project.undo()
    project.redo()
    last = project.history()[-3:]
    assert [e.action for e in last] == ["do", "undo", "redo"]
    assert {e.map_id for e in last} == {doc.id}
