"""The one writer: checked ops, provenance in the audit log, and per-person selective undo."""

from __future__ import annotations

import json
import sqlite3

import pytest

from ipsmap.cli import main
from ipsmap.model import ops as op
from ipsmap.model.author import Author
from ipsmap.model.command import EditContext, Macro
from ipsmap.model.commands import (
    AddFactor,
    AddLink,
    DeleteFactors,
    EditFactor,
    EditLink,
    MoveFactors,
)
from ipsmap.model.errors import ConflictError, ReadOnlyError
from ipsmap.model.history import Scope
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant
from ipsmap.model.record_commands import AddCMO, AddSession, EditCMO, MarkSpec, SetMarks


def _person(project: Project, name: str) -> str:
    command = AddParticipant(name, "parent", "Glasgow")
    project.execute(command)
    return command.id


def _factor(doc, label: str) -> str:
    command = AddFactor(label, 10.0, 20.0)
    doc.execute(command)
    return command.id


def _row(project: Project, table: str, key: str) -> dict:
    rows = list(project.store.rows(table, "id = ?", [key]))
    return rows[0] if rows else {}


def _event_count(project: Project) -> int:
    return len(project.history())


# -- ops are checked ------------------------------------------------------------------------


def test_an_update_expecting_an_old_value_is_refused_whole(project: Project, doc):
    a, b = _factor(doc, "Housing"), _factor(doc, "Stress")
    doc.execute(EditFactor(a, {"label": "Housing costs"}))
    events = _event_count(project)
    stale = [
        op.update("factors", b, {"label": "Stress"}, {"label": "Worry"}),
        op.update("factors", a, {"label": "Housing"}, {"label": "Rent"}),
    ]
    with pytest.raises(ConflictError) as refused:
        project.apply(stale, name="Rename two", map_id=doc.id)
    assert refused.value.key == a and refused.value.field == "label"
    assert "'label'" in str(refused.value) and "Housing costs" in str(refused.value)
    # Nothing written: not the first (valid) op, not an audit event, not the in-memory map.
    assert _row(project, "factors", b)["label"] == "Stress"
    assert doc.factors[b].label == "Stress"
    assert doc.factors[a].label == "Housing costs"
    assert _event_count(project) == events


def test_a_delete_of_a_changed_or_missing_row_and_an_insert_of_an_existing_id_are_refused(
    project: Project, doc
):
    a = _factor(doc, "Housing")
    old_row = doc.factors[a].to_row()
    doc.execute(EditFactor(a, {"notes": "rent arrears"}))
    with pytest.raises(ConflictError, match="notes"):
        project.apply([op.delete("factors", old_row)], name="Delete", map_id=doc.id)
    assert a in doc.factors and _row(project, "factors", a)
    with pytest.raises(ConflictError, match="already exists"):
        project.apply([op.insert("factors", old_row)], name="Again", map_id=doc.id)
    ghost = {**old_row, "id": "not-there"}
    with pytest.raises(ConflictError, match="no longer there"):
        project.apply([op.delete("factors", ghost)], name="Delete ghost", map_id=doc.id)


def test_commands_are_pure_and_a_macro_leaves_the_live_map_alone(project: Project, doc):
    a = _factor(doc, "Housing")
    before = dict(doc.factors)
    add = AddFactor("Stress", 5.0, 5.0)
    macro = Macro("Add and link", [add, AddLink(a, add.id, "+")])
    ctx = EditContext(project.actor_id, "2026-01-01T00:00:00Z", doc.state, project)
    first, second = macro.ops(ctx), macro.ops(ctx)
    assert doc.factors == before and not doc.links  # computing ops changed nothing live
    assert [o.key for o in first] == [o.key for o in second]
    assert macro.commands[0] is add and add.label == "Stress"


# -- provenance -----------------------------------------------------------------------------


def test_an_op_batch_from_another_device_is_logged_with_its_actor_origin_and_session(
    project: Project, doc, capsys
):
    rowan = _person(project, "Rowan")
    session = AddSession("Workshop 2", "2026-03-01")
    project.execute(session)
    a = _factor(doc, "Housing")
    seen = []
    doc.subscribe(seen.append)
    remote = Author(rowan, "laptop-2", session.id)
    factor = AddFactor("Debt", 1.0, 2.0)
    ops = factor.ops(EditContext(rowan, "2026-03-01T10:00:00Z", doc.state, project))
    ops.append(op.update("factors", a, {"label": "Housing"}, {"label": "Housing costs"}))
    change = project.apply(ops, name="Add factor", author=remote, map_id=doc.id, scope="map")

    assert change.actor == rowan and change.origin == "laptop-2"
    assert seen == [change]  # the open map hears of it once
    assert factor.id in doc.factors and doc.factors[a].label == "Housing costs"
    last = project.history()[-1]
    assert (last.actor, last.origin, last.session_id) == (rowan, "laptop-2", session.id)
    # Only its author can undo it: the facilitator here has nothing of Rowan's to undo.
    assert project.undo(Scope(doc.id)) is not None  # the facilitator's own "Add factor"
    assert a not in doc.factors or doc.factors[a].label == "Housing costs"
    assert factor.id in doc.factors
    undone = project.undo(Scope(doc.id), author=remote)
    assert undone is not None and undone.actor == rowan and factor.id not in doc.factors

    assert main(["history", str(project.path), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    local = project.device_id
    assert {"actor", "origin", "session"} <= set(events[-1])
    assert events[-1]["origin"] == "laptop-2" and events[-1]["session"] == session.id
    assert events[-1]["actor"] == rowan and events[-1]["action"] == "undo"
    assert local and all(e["origin"] in (local, "laptop-2") for e in events)


def test_this_device_has_a_stable_id_kept_in_the_project(tmp_path):
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        device = project.device_id
        project.execute(AddParticipant("Ann"))
        assert project.history()[-1].origin == device
    with Project.open(path) as again:
        assert again.device_id == device


# -- one history per person, selective undo --------------------------------------------------


def test_interleaved_edits_of_two_people_are_each_undone_without_touching_the_other(
    project: Project, doc
):
    ann, rowan = _person(project, "Ann"), _person(project, "Rowan")
    as_ann, as_rowan = Author(ann, project.device_id), Author(rowan, "laptop-2")
    add_a, add_b = AddFactor("Housing"), AddFactor("Stress")
    project.execute(add_a, doc.id, as_ann)
    project.execute(add_b, doc.id, as_rowan)
    link = AddLink(add_a.id, add_b.id, "+")
    project.execute(link, doc.id, as_ann)
    project.execute(EditFactor(add_a.id, {"label": "Housing costs"}), doc.id, as_ann)
    project.execute(EditFactor(add_a.id, {"notes": "Rowan's note"}), doc.id, as_rowan)
    project.execute(EditLink(link.id, {"strength": 0.9}), doc.id, as_rowan)
    project.execute(MoveFactors({add_b.id: (50.0, 60.0)}), doc.id, as_ann)

    # Ann undoes her move, her rename, her link: Rowan's note and factor stay.
    assert project.undo(Scope(doc.id), as_ann).command == "Move"
    assert (doc.factors[add_b.id].x, doc.factors[add_b.id].y) == (0.0, 0.0)
    assert project.undo(Scope(doc.id), as_ann).command == "Edit factor"
    assert doc.factors[add_a.id].label == "Housing"
    assert doc.factors[add_a.id].notes == "Rowan's note"
    undo_link = project.undo(Scope(doc.id), as_ann)
    # Rowan changed the link's strength since Ann drew it: it stays, and she is told.
    assert link.id in doc.links and doc.links[link.id].strength == 0.9
    assert any("was changed since by Rowan" in note for note in undo_link.notes)
    # Rowan's undo of his strength edit is his own, untouched by Ann's steps.
    assert project.undo(Scope(doc.id), as_rowan).command == "Edit link"
    # Ann's redo puts back exactly what her undo changed.
    project.redo(Scope(doc.id), as_ann)
    assert doc.factors[add_a.id].label == "Housing costs"
    assert doc.factors[add_a.id].notes == "Rowan's note"
    stored = _row(project, "factors", add_a.id)
    assert (stored["label"], stored["notes"]) == ("Housing costs", "Rowan's note")


def test_an_undo_never_overwrites_a_later_edit_of_the_same_field(project: Project, doc):
    ann, rowan = _person(project, "Ann"), _person(project, "Rowan")
    as_ann, as_rowan = Author(ann), Author(rowan)
    add = AddFactor("Poverty")
    project.execute(add, doc.id, as_ann)
    project.execute(EditFactor(add.id, {"label": "Low income"}), doc.id, as_ann)
    project.execute(EditFactor(add.id, {"label": "Cost of living"}), doc.id, as_rowan)
    events = _event_count(project)

    result = project.undo(Scope(doc.id), as_ann)
    assert result is not None
    assert result.notes == [
        "not undone: 'label' of factor 'Cost of living' was changed since by Rowan"
    ]
    assert doc.factors[add.id].label == "Cost of living"
    assert _row(project, "factors", add.id)["label"] == "Cost of living"
    assert _event_count(project) == events  # nothing applied, nothing logged
    # The step is spent: Ann's next undo reaches her "Add factor", which now deletes a
    # factor Rowan renamed: refused too, so the factor stays.
    second = project.undo(Scope(doc.id), as_ann)
    assert add.id in doc.factors and "not undone" in second.notes[0]


def test_undo_of_a_delete_leaves_out_links_whose_other_end_is_gone(project: Project, doc):
    ann, rowan = _person(project, "Ann"), _person(project, "Rowan")
    as_ann, as_rowan = Author(ann), Author(rowan)
    a, b, c = (AddFactor(x) for x in ("A", "B", "C"))
    for command in (a, b, c):
        project.execute(command, doc.id, as_ann)
    ab, bc = AddLink(a.id, b.id, "+"), AddLink(b.id, c.id, "-")
    project.execute(ab, doc.id, as_ann)
    project.execute(bc, doc.id, as_ann)
    project.execute(DeleteFactors([b.id]), doc.id, as_ann)  # takes both links with it
    project.execute(DeleteFactors([c.id]), doc.id, as_rowan)
    result = project.undo(Scope(doc.id), as_ann)
    assert b.id in doc.factors and ab.id in doc.links
    assert bc.id not in doc.links and c.id not in doc.factors
    assert any("cannot come back" in note for note in result.notes)
    integrity = project.store.db.execute("PRAGMA foreign_key_check").fetchall()
    assert integrity == []


def test_marks_and_cmos_of_two_people_undo_independently(project: Project, doc):
    ann, rowan = _person(project, "Ann"), _person(project, "Rowan")
    as_ann, as_rowan = Author(ann), Author(rowan)
    a = _factor(doc, "Housing")
    project.execute(SetMarks(doc.id, [MarkSpec(ann, a, "votes", 2)]), author=as_ann)
    project.execute(SetMarks(doc.id, [MarkSpec(rowan, a, "votes", 3)]), author=as_rowan)
    cmo = AddCMO({"context": "Trust"})
    project.execute(cmo, author=as_ann)
    project.execute(EditCMO(cmo.id, {"outcome": "Engagement"}), author=as_rowan)
    project.execute(EditCMO(cmo.id, {"status": "supported"}), author=as_ann)

    assert project.undo(author=as_ann).command == "Edit CMO"
    assert project.cmos[cmo.id].status == "initial"
    assert project.cmos[cmo.id].outcome == "Engagement"
    # Ann's "Add CMO": Rowan edited it since, so it stays (with his outcome).
    kept = project.undo(author=as_ann)
    assert cmo.id in project.cmos and "not undone" in kept.notes[0]
    # Ann's votes go; Rowan's stay.
    project.undo(author=as_ann)
    votes = {(m.participant, m.value) for m in project.marks_of(doc.id)}
    assert votes == {(rowan, 3.0)}
    assert project.undo(author=as_rowan).command == "Edit CMO"
    assert project.cmos[cmo.id].outcome == ""


def test_a_snapshot_document_refuses_edits_through_its_read_only_stand_in(project: Project, doc):
    from ipsmap.model.frozen import frozen_document, is_frozen
    from ipsmap.model.project_view import ProjectView

    a = _factor(doc, "Housing")
    frozen = frozen_document(project.map_data(doc.id), reason="A snapshot never changes")
    stand_in: ProjectView = frozen.project
    assert is_frozen(frozen) and stand_in.read_only
    with pytest.raises(ReadOnlyError, match="never changes"):
        frozen.execute(EditFactor(a, {"label": "X"}))
    assert frozen.undo() is None and frozen.factors[a].label == "Housing"


def test_the_audit_log_still_refuses_rewrites(project: Project, doc):
    _factor(doc, "Housing")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.store.db.execute("UPDATE events SET origin = 'x'")
