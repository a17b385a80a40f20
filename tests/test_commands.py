"""Edit commands, undo/redo and change notification on one map (no Qt)."""

from __future__ import annotations

import pytest

from ipsmap.model.command import Macro
from ipsmap.model.commands import (
    AddFactor,
    AddGroup,
    AddLink,
    AddStyle,
    DeleteFactors,
    DeleteGroup,
    DeleteLinks,
    DeleteStyle,
    EditFactor,
    EditFactors,
    EditLink,
    EditLinks,
    EditStyle,
    MoveFactors,
    RenameMap,
    SetGroupMembers,
)
from ipsmap.model.errors import CommandError
from ipsmap.model.project import Project


def add(doc, label, x=0.0, y=0.0, **kw):
    command = AddFactor(label, x, y, **kw)
    doc.execute(command)
    return command.id


def link(doc, a, b, polarity="+", **kw):
    command = AddLink(a, b, polarity, **kw)
    doc.execute(command)
    return command.id


def stored(project: Project, table: str) -> int:
    return project.store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_add_factor_is_stored_attributed_and_logged(project, doc):
    before = len(project.history())
    fid = add(doc, "  Housing insecurity ", 10, 20)
    factor = doc.factors[fid]
    assert factor.label == "Housing insecurity"
    assert (factor.x, factor.y) == (10.0, 20.0)
    assert doc.styles[factor.type].name == "Factor"
    assert factor.created_by == project.facilitator_id
    row = project.store.db.execute(
        "SELECT label, created_by FROM factors WHERE id=?", [fid]
    ).fetchone()
    assert row == ("Housing insecurity", project.facilitator_id)
    events = project.history()
    assert len(events) == before + 1
    assert events[-1].command == "Add factor"
    assert "Housing insecurity" in events[-1].summary
    assert events[-1].actor_name == "Facilitator"


def test_edits_are_attributed_to_the_current_participant(project, doc):
    from ipsmap.model.project_commands import AddParticipant

    person = AddParticipant("Rowan", "parent", "Glasgow")
    project.execute(person)
    project.set_actor(person.id)
    fid = add(doc, "Stigma")
    doc.execute(EditFactor(fid, {"notes": "raised by parents"}))
    assert doc.factors[fid].created_by == person.id
    assert doc.factors[fid].modified_by == person.id
    assert project.history()[-1].actor_name == "Rowan"
    project.set_actor(None)
    doc.execute(EditFactor(fid, {"label": "Stigma about services"}))
    assert doc.factors[fid].modified_by == project.facilitator_id
    assert doc.factors[fid].created_by == person.id


def test_delete_factor_removes_its_links_and_undo_restores_all_in_order(project, doc):
    a, b, c, d = (add(doc, name) for name in "ABCD")
    links = [link(doc, a, b), link(doc, c, a, "-"), link(doc, b, c), link(doc, a, d, "?")]
    doc.execute(AddGroup("Money", [a, b]))
    order_before = list(doc.links)
    doc.execute(DeleteFactors([a]))
    assert a not in doc.factors
    assert set(doc.links) == {links[2]}
    assert stored(project, "links") == 1
    assert stored(project, "group_members") == 1
    doc.undo()
    assert list(doc.factors) == [a, b, c, d]
    assert list(doc.links) == order_before
    assert stored(project, "links") == 4
    assert stored(project, "group_members") == 2
    ordered = [r[0] for r in project.store.db.execute("SELECT id FROM links ORDER BY seq")]
    assert ordered == order_before
    doc.redo()
    assert set(doc.links) == {links[2]}


def test_undo_redo_order_over_many_commands(doc):
    a = add(doc, "A")
    b = add(doc, "B", 100, 0)
    lid = link(doc, a, b)
    doc.execute(EditLink(lid, {"polarity": "-", "strength": 1.0}))
    doc.execute(MoveFactors({a: (5, 5), b: (50, 50)}))
    assert doc.undo_stack.names()[0] == [
        "Add factor",
        "Add factor",
        "Add link",
        "Edit link",
        "Move",
    ]
    doc.undo()
    assert (doc.factors[a].x, doc.factors[b].x) == (0.0, 100.0)
    doc.undo()
    assert doc.links[lid].polarity == "+"
    assert doc.links[lid].strength == 0.5
    doc.undo()
    assert lid not in doc.links
    doc.redo()
    doc.redo()
    assert doc.links[lid].polarity == "-"
    # A new command after undo discards what could be redone.
    doc.undo()
    add(doc, "C")
    assert not doc.undo_stack.can_redo()
    assert doc.links[lid].polarity == "+"


def test_move_many_factors_is_one_step_and_one_event(project, doc):
    ids = [add(doc, f"F{i}", i, i) for i in range(5)]
    events = len(project.history())
    doc.execute(MoveFactors({fid: (100.0 + i, 200.0) for i, fid in enumerate(ids)}))
    assert len(project.history()) == events + 1
    assert all(doc.factors[fid].y == 200.0 for fid in ids)
    doc.undo()
    assert [doc.factors[fid].x for fid in ids] == [0, 1, 2, 3, 4]


def test_listeners_are_told_exactly_what_changed(doc):
    seen = []
    unsubscribe = doc.subscribe(seen.append)
    a = add(doc, "A")
    b = add(doc, "B")
    lid = link(doc, a, b)
    doc.execute(EditFactor(a, {"label": "A2", "notes": "n"}))
    change = seen[-1]
    assert change.changed["factors"][a] >= {"label", "notes"}
    assert not change.added
    doc.execute(DeleteFactors([b]))
    change = seen[-1]
    assert change.removed == {"links": {lid}, "factors": {b}}
    doc.undo()
    assert seen[-1].action == "undo"
    assert seen[-1].added == {"links": {lid}, "factors": {b}}
    unsubscribe()
    add(doc, "C")
    assert len(seen) == 6


def test_invalid_edits_raise_and_change_nothing(project, doc):
    a = add(doc, "A")
    b = add(doc, "B")
    link(doc, a, b)
    events = len(project.history())
    cases = [
        AddFactor("   "),
        AddLink(a, a),
        AddLink(a, b),
        AddLink(a, "nope"),
        AddLink(b, a, "x"),
        AddLink(b, a, strength=1.5),
        EditFactor("nope", {"label": "x"}),
        EditFactor(a, {"x": float("nan")}),
        EditFactor(a, {"id": "new"}),
        EditFactor(a, {"type": "not-a-style"}),
    ]
    for command in cases:
        with pytest.raises(CommandError):
            doc.execute(command)
    assert len(project.history()) == events
    assert len(doc.factors) == 2 and len(doc.links) == 1


def test_bulk_edits_set_type_polarity_and_strength(doc):
    ids = [add(doc, name) for name in "ABC"]
    outcome = doc.state.style_named("factor", "Outcome")
    doc.execute(EditFactors(ids, {"type": outcome.id}))
    assert {doc.factors[f].type for f in ids} == {outcome.id}
    l1, l2 = link(doc, ids[0], ids[1]), link(doc, ids[1], ids[2])
    doc.execute(EditLinks([l1, l2], {"polarity": "?", "strength": 0.25}))
    assert {(doc.links[x].polarity, doc.links[x].strength) for x in (l1, l2)} == {("?", 0.25)}
    for _ in range(4):  # the bulk link edit, two links, the bulk type change
        doc.undo()
    assert doc.factors[ids[0]].type != outcome.id
    assert not doc.links


def test_styles_restyle_members_and_deleting_a_style_reassigns_them(doc):
    style = AddStyle("factor", "Barrier", color="#ff0000")
    doc.execute(style)
    fid = add(doc, "Waiting lists", type=style.id)
    doc.execute(EditStyle(style.id, {"color": "#00ff00"}))
    assert doc.styles[doc.factors[fid].type].color == "#00ff00"
    with pytest.raises(CommandError):
        doc.execute(AddStyle("factor", "barrier"))
    doc.execute(DeleteStyle(style.id))
    assert doc.styles[doc.factors[fid].type].name == "Factor"
    doc.undo()
    assert doc.factors[fid].type == style.id


def test_groups_group_ungroup_and_membership(doc):
    a, b = add(doc, "A"), add(doc, "B")
    group = AddGroup("Services", [a])
    doc.execute(group)
    doc.execute(SetGroupMembers(group.id, add=[b], remove=[a]))
    assert doc.state.group_members[group.id] == {b}
    doc.execute(DeleteGroup(group.id))
    assert group.id not in doc.state.groups
    doc.undo()
    assert doc.state.group_members[group.id] == {b}
    assert doc.state.groups_of(b) == [group.id]


def test_macro_is_one_named_step_and_rolls_back_whole_on_error(project, doc):
    a = add(doc, "A")
    first = AddFactor("B")
    macro = Macro("Add B and link it", [first, AddLink(a, first.id, "-")])
    doc.execute(macro)
    assert doc.undo_stack.undo_name() == "Add B and link it"
    assert project.history()[-1].command == "Add B and link it"
    assert len(doc.links) == 1
    doc.undo()
    assert len(doc.factors) == 1 and not doc.links
    broken = Macro("Broken", [AddFactor("C"), AddLink(a, "missing")])
    with pytest.raises(CommandError):
        doc.execute(broken)
    assert len(doc.factors) == 1
    assert stored(project, "factors") == 1


def test_rename_map_updates_project_and_undo(project, doc):
    doc.execute(RenameMap("Glasgow after workshop 2"))
    assert project.map_info(doc.id).name == "Glasgow after workshop 2"
    doc.undo()
    assert project.map_info(doc.id).name == "Glasgow workshop 1"


def test_delete_links_and_no_op_edits(project, doc):
    a, b = add(doc, "A"), add(doc, "B")
    lid = link(doc, a, b)
    events = len(project.history())
    assert doc.execute(EditFactor(a, {"label": "A"})) is None
    assert len(project.history()) == events
    doc.execute(DeleteLinks([lid]))
    assert not doc.links
    doc.undo()
    assert lid in doc.links


def test_clean_state_tracks_changes_since_open(doc):
    assert doc.undo_stack.is_clean()
    add(doc, "A")
    assert not doc.undo_stack.is_clean()
    doc.undo()
    assert doc.undo_stack.is_clean()
