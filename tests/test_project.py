"""Projects: many maps in one file, reopening, read-only, save as, map-level commands."""

from __future__ import annotations

import sqlite3

import pytest

from ipsmap.formats import ipsmap_json
from ipsmap.model.commands import AddFactor, AddLink, EditLink
from ipsmap.model.errors import NotFoundError, ReadOnlyError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, DeleteMap, EditParticipant


def build(project: Project) -> tuple[str, str]:
    glasgow = AddMap("Glasgow", "system", "Glasgow", "Families' local system")
    toc = AddMap("IPS theory of change", "toc", "All sites")
    project.execute(glasgow)
    project.execute(toc)
    doc = project.document(glasgow.id)
    a, b = AddFactor("Poverty", 1, 2), AddFactor("Parental stress", 3, 4)
    doc.execute(a)
    doc.execute(b)
    doc.execute(AddLink(a.id, b.id, "+", strength=1.0, rationale="Money worries"))
    return glasgow.id, toc.id


def test_reopening_restores_every_map_and_the_audit_log(tmp_path):
    path = tmp_path / "p.ipsmap"
    with Project.create(path, "Trial") as project:
        glasgow, toc = build(project)
        before = project.map_data(glasgow)
        events = project.history()
    with Project.open(path) as project:
        assert project.title == "Trial"
        assert [m.name for m in project.maps()] == ["Glasgow", "IPS theory of change"]
        assert project.map_info(toc).kind == "toc"
        assert ipsmap_json.to_dict(project.map_data(glasgow)) == ipsmap_json.to_dict(before)
        assert project.history() == events
        # The undo history belongs to the session that made it.
        assert not project.document(glasgow).undo_stack.can_undo()
        toc_doc = project.document(toc)
        assert [s.name for s in toc_doc.state.factor_styles()][:2] == ["Input", "Activity"]


def test_delete_map_and_undo_bring_the_whole_map_back(project):
    glasgow, _ = build(project)
    before = ipsmap_json.to_dict(project.map_data(glasgow))
    doc = project.document(glasgow)
    project.execute(DeleteMap(glasgow))
    assert doc.closed
    assert [m.name for m in project.maps()] == ["IPS theory of change"]
    assert project.store.db.execute("SELECT COUNT(*) FROM factors").fetchone()[0] == 0
    project.undo()
    assert ipsmap_json.to_dict(project.map_data(glasgow)) == before
    assert len(project.document(glasgow).links) == 1
    project.redo()
    assert glasgow not in {m.id for m in project.maps()}


def test_duplicate_map_has_new_ids_and_same_content(project):
    glasgow, _ = build(project)
    copy = project.duplicate_map(glasgow)
    original, duplicate = project.document(glasgow), project.document(copy)
    assert project.map_info(copy).name == "Glasgow (copy)"
    assert not set(original.factors) & set(duplicate.factors)
    assert sorted(f.label for f in duplicate.factors.values()) == ["Parental stress", "Poverty"]
    (link,) = duplicate.links.values()
    assert duplicate.factors[link.source].label == "Poverty" and link.rationale == "Money worries"


def test_find_map_by_id_or_unique_name(project):
    glasgow, _ = build(project)
    assert project.find_map("Glasgow").id == glasgow
    assert project.find_map("glasgow").id == glasgow
    assert project.find_map(glasgow).id == glasgow
    with pytest.raises(NotFoundError, match="No map"):
        project.find_map("Lambeth")


def test_find_map_by_the_start_of_its_name_when_only_one_starts_so(project):
    # What people type on a command line: `ipsmap host p.ipsmap --maps Glasgow`.
    families = AddMap("Glasgow: families")
    for command in (families, AddMap("Lambeth: families"), AddMap("Lambeth: services")):
        project.execute(command)
    assert project.find_map("glasgow:").id == families.id
    with pytest.raises(NotFoundError, match="start with 'Lambeth'"):
        project.find_map("Lambeth")
    with pytest.raises(NotFoundError, match="No map"):
        project.find_map("  ")


def test_read_only_project_refuses_edits_and_writes_nothing(tmp_path):
    path = tmp_path / "p.ipsmap"
    with Project.create(path) as project:
        glasgow, _ = build(project)
    with Project.open(path, read_only=True) as project:
        doc = project.document(glasgow)
        with pytest.raises(ReadOnlyError):
            doc.execute(AddFactor("New"))
        with pytest.raises(ReadOnlyError):
            project.execute(AddMap("Another"))
        with pytest.raises(sqlite3.OperationalError):
            project.store.db.execute("DELETE FROM factors")
        assert len(doc.factors) == 2


def test_save_as_copies_everything_and_the_original_stays_open(project, tmp_path):
    glasgow, _ = build(project)
    target = project.save_as(tmp_path / "copy.ipsmap")
    doc = project.document(glasgow)
    doc.execute(AddFactor("Only in the original"))
    with Project.open(target) as copy:
        assert len(copy.document(glasgow).factors) == 2
        assert len(copy.history()) == len(project.history()) - 1


def test_audit_log_is_append_only(project):
    build(project)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.store.db.execute("DELETE FROM events")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        project.store.db.execute("UPDATE events SET actor = NULL")


def test_audit_event_holds_enough_to_show_and_invert(project):
    glasgow, _ = build(project)
    doc = project.document(glasgow)
    (link_id,) = doc.links
    doc.execute(EditLink(link_id, {"polarity": "-"}))
    event = project.history(glasgow)[-1]
    (op,) = event.ops
    assert op["op"] == "update" and op["key"] == link_id
    assert op["before"]["polarity"] == "+" and op["after"]["polarity"] == "-"
    assert "polarity" in event.summary


def test_participant_edits_are_commands(project):
    pid = project.facilitator_id
    project.execute(EditParticipant(pid, {"site": "Glasgow"}))
    assert project.participants[pid].site == "Glasgow"
    project.undo()
    assert project.participants[pid].site == ""
