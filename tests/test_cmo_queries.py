"""CMO queries (what explains an item, chains, history), ToC notes and the demo CMOs."""

from __future__ import annotations

import pytest

from ipsmap.demo.cmos import DEMO_CMOS, DemoContentError, add_demo_cmos
from ipsmap.model.cmo_queries import (
    ChainGraph,
    chain_graph,
    chain_paths,
    chain_text,
    cmo_chain,
    cmo_evolution,
    cmo_history,
    cmos_explaining,
    cmos_in_order,
    describe_item,
    evidence_where,
    evolution_text,
    format_value,
)
from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors
from ipsmap.model.project import Project
from ipsmap.model.record_commands import AddCMO, DeleteCMO, EditCMO
from ipsmap.model.toc_notes import toc_badge, toc_list, toc_tooltip, with_toc_list


def _map_with_link(doc):
    a, b = AddFactor("Fear of removal"), AddFactor("Trust")
    doc.execute(a)
    doc.execute(b)
    link = AddLink(a.id, b.id, "-")
    doc.execute(link)
    return a.id, b.id, link.id


def _cmo(project: Project, **fields) -> str:
    command = AddCMO(fields)
    project.execute(command)
    return command.id


def test_cmos_explaining_an_item_in_display_order(project, doc):
    a, b, link = _map_with_link(doc)
    first = _cmo(project, explains=[a, link])
    second = _cmo(project, explains=[link])
    _cmo(project, explains=[b])
    assert [c.id for c in cmos_explaining(project, link)] == [first, second]
    assert [c.id for c in cmos_explaining(project, a)] == [first]
    assert cmos_explaining(project, "no-such-id") == []


def test_chains_upstream_and_downstream_survive_cycles(project):
    one, two, three, four = (_cmo(project) for _ in range(4))
    project.execute(EditCMO(one, {"leads_to": [two]}))
    project.execute(EditCMO(two, {"leads_to": [three]}))
    project.execute(EditCMO(four, {"leads_to": [two]}))
    project.execute(EditCMO(three, {"leads_to": [one]}))  # a cycle 1 → 2 → 3 → 1
    chain = cmo_chain(project, two)
    assert chain.downstream == [three, one]
    assert set(chain.upstream) == {one, four, three}
    assert two not in chain.upstream and two not in chain.downstream
    paths = chain_paths(project, two)
    assert paths and all(two in p for p in paths)
    assert all(len(p) == len(set(p)) for p in paths), "no CMO twice on a path"
    assert "[CMO 2]" in chain_text(project, two)
    assert cmo_chain(project, "gone").upstream == []


def test_branching_chains_are_listed_as_separate_paths(project):
    a, b, c, d = (_cmo(project) for _ in range(4))
    project.execute(EditCMO(a, {"leads_to": [b, c]}))
    project.execute(EditCMO(d, {"leads_to": [b]}))
    assert sorted(chain_paths(project, b)) == sorted([[a, b], [d, b]])
    assert chain_text(project, a).splitlines() == ["[CMO 1] → CMO 2", "[CMO 1] → CMO 3"]


def test_history_shows_each_field_change_with_who_and_undo(project, doc):
    a, _, link = _map_with_link(doc)
    cmo = _cmo(project, context="Fear", status="initial")
    project.execute(EditCMO(cmo, {"status": "supported", "confidence": 0.5}))
    project.execute(EditCMO(cmo, {"explains": [a, link]}))
    project.undo()
    other = _cmo(project)
    project.execute(EditCMO(other, {"status": "refuted"}))  # not this CMO's history
    history = cmo_history(project, cmo)
    kinds = [(h.kind, h.field, h.action) for h in history]
    assert kinds == [
        ("created", "", "do"),
        ("changed", "status", "do"),
        ("changed", "confidence", "do"),
        ("changed", "explains", "do"),
        ("changed", "explains", "undo"),
    ]
    assert history[1].before == "initial" and history[1].after == "supported"
    assert all(h.who == "Facilitator" for h in history)
    lines = [h.text(project) for h in history]
    assert "Status: initial → supported" in lines[1]
    assert "“Fear of removal”, “Fear of removal → Trust”" in lines[3]
    assert lines[4].endswith("(undo)")


def test_history_records_deletion_and_chain_cuts(project):
    one, two = _cmo(project), _cmo(project)
    project.execute(EditCMO(one, {"leads_to": [two]}))
    project.execute(DeleteCMO(two))
    assert [h.kind for h in cmo_history(project, two)] == ["created", "deleted"]
    last = cmo_history(project, one)[-1]
    assert last.field == "leads_to" and last.after == []


def test_describe_item_and_values_in_plain_words(project, doc):
    a, _, link = _map_with_link(doc)
    ref = describe_item(project, link)
    assert ref is not None
    assert (ref.kind, ref.label, ref.map_name) == ("link", "Fear of removal → Trust", doc.info.name)
    assert describe_item(project, a).kind == "factor"
    doc.execute(DeleteFactors([a]))
    assert describe_item(project, a) is None
    assert format_value(project, "explains", [a]) == "(deleted item)"
    assert format_value(project, "confidence", 0.5) == "0.50"
    assert format_value(project, "status", None) == "—"
    assert format_value(project, "evidence", [{"source": "Workshop"}]) == "1 (Workshop)"


def test_toc_notes_live_in_attributes_as_lists():
    attributes = with_toc_list({"colour": "red"}, "assumptions", ["Families stay", " ", "B"])
    assert attributes == {"colour": "red", "assumptions": ["Families stay", "B"]}
    attributes = with_toc_list(attributes, "indicators", ["Visits kept"])
    assert toc_badge(attributes) == "A2 · I1"
    assert "• Families stay" in toc_tooltip(attributes)
    assert with_toc_list(attributes, "assumptions", []) == {
        "colour": "red",
        "indicators": ["Visits kept"],
    }
    # Text from other tools (e.g. a CSV cell) reads as lines.
    assert toc_list({"indicators": "One\nTwo"}, "indicators") == ["One", "Two"]
    assert toc_badge({}) == ""


def test_demo_cmos_resolve_to_demo_items(tmp_path):
    from ipsmap.demo import create_demo_project

    with create_demo_project(tmp_path / "demo.ipsmap") as project:
        cmos = cmos_in_order(project)
        assert len(cmos) == len(DEMO_CMOS) >= 6
        assert {c.status for c in cmos} == {"initial", "supported", "refined", "refuted"}
        for cmo, entry in zip(cmos, DEMO_CMOS, strict=True):
            assert cmo.code == entry["code"]
            assert len(cmo.explains) == len(entry["explains"])
            assert all(project.item_exists(i) for i in cmo.explains)
            assert cmo.evidence and all(e["where"] for e in cmo.evidence)
        assert sum(1 for c in cmos if c.leads_to) >= 2
        kinds = {project.locate_item(i)[1] for c in cmos for i in c.explains}
        assert kinds == {"factors", "links"}
        # Building the demo is not undoable.
        assert not project.undo_stack.can_undo()


def test_demo_cmos_fail_loudly_on_a_missing_label(tmp_path):
    from ipsmap.demo import create_demo_project

    broken = [dict(DEMO_CMOS[0], explains=[{"map": "IPS team theory of change", "factor": "X"}])]
    with create_demo_project(tmp_path / "demo.ipsmap") as project:
        with pytest.raises(DemoContentError, match="no factor 'X'"):
            add_demo_cmos(project, broken)
        reversed_link = {"map": "IPS team theory of change", "link": ["Impact", "Input"]}
        bad_link = [dict(DEMO_CMOS[0], explains=[reversed_link])]
        with pytest.raises(DemoContentError):
            add_demo_cmos(project, bad_link)
        with pytest.raises(DemoContentError, match="unknown CMO"):
            add_demo_cmos(project, [dict(DEMO_CMOS[0], explains=[], leads_to=["CMO 99"])])


def test_history_reads_only_events_newer_than_the_last_call(project, monkeypatch):
    cmo = _cmo(project, context="Fear")
    project.execute(EditCMO(cmo, {"status": "supported"}))
    full = project.history
    reads: list[tuple[int, int]] = []

    def spy(map_id=None, after=0):
        events = full(map_id, after)
        reads.append((after, len(events)))
        return events

    monkeypatch.setattr(project, "history", spy)
    first = cmo_history(project, cmo)
    assert cmo_history(project, cmo) == first
    assert reads[-1][1] == 0, "nothing new: no event read again"
    project.execute(EditCMO(cmo, {"context": "Trust"}))
    project.undo()
    second = cmo_history(project, cmo)
    assert reads[-1][0] > 0 and reads[-1][1] == 2, "only the edit and its undo are read"
    assert second[: len(first)] == first
    assert [(c.field, c.action) for c in second[len(first) :]] == [
        ("context", "do"),
        ("context", "undo"),
    ]
    monkeypatch.undo()
    from ipsmap.model import cmo_queries

    cmo_queries._history_caches.clear()
    assert cmo_history(project, cmo) == second, "same answer as reading the whole log"


def test_history_names_people_as_they_are_called_now(project):
    from ipsmap.model.project_commands import EditParticipant

    cmo = _cmo(project)
    assert cmo_history(project, cmo)[0].who == "Facilitator"
    project.execute(EditParticipant(project.actor_id, {"pseudonym": "Lead facilitator"}))
    assert cmo_history(project, cmo)[0].who == "Lead facilitator"


def test_evolution_groups_changes_by_the_snapshots_in_between(project, doc):
    from ipsmap.model.project_commands import AddMap
    from ipsmap.model.snapshots import take_snapshot

    toc = AddMap("ToC", "toc")
    project.execute(toc)
    early = take_snapshot(project, doc.id, "Baseline")  # before the CMO: no period
    cmo = _cmo(project, context="Fear")
    project.execute(EditCMO(cmo, {"status": "supported"}))
    first = take_snapshot(project, doc.id, "Adaptation point 1")
    take_snapshot(project, toc.id, "Adaptation point 1, ToC")  # same point
    second = take_snapshot(project, doc.id, "Adaptation point 2")  # nothing changed before it
    project.execute(EditCMO(cmo, {"status": "refined"}))
    periods = cmo_evolution(project, cmo)
    date = first.taken_at[:10]
    assert [p.heading for p in periods] == [
        f"Before Adaptation point 1 / Adaptation point 1, ToC ({date})",
        f"Before Adaptation point 2 ({second.taken_at[:10]})",
        f"Since Adaptation point 2 ({second.taken_at[:10]})",
    ]
    assert [c.kind for c in periods[0].changes] == ["created", "changed"]
    assert periods[1].changes == []
    assert [c.after for c in periods[2].changes] == ["refined"]
    text = evolution_text(project, cmo)
    assert "    (no changes)" in text and "Status: supported → refined" in text
    assert early.label not in text
    assert cmo_evolution(project, _cmo(project))[0].heading.startswith("Since Adaptation point 2")


def test_evolution_without_snapshots_is_one_period(project):
    cmo = _cmo(project)
    [period] = cmo_evolution(project, cmo)
    assert period.heading == "All changes (no snapshot taken yet)"
    assert period.as_json(project)["changes"][0]["kind"] == "created"


def test_evidence_names_a_session_or_snapshot_by_reference(project, doc):
    from ipsmap.model.errors import CommandError
    from ipsmap.model.record_commands import AddSession, DeleteSession, EditSession
    from ipsmap.model.snapshots import take_snapshot

    session = AddSession("Workshop 1", "2026-03-02")
    project.execute(session)
    snapshot = take_snapshot(project, doc.id, "Adaptation point 1")
    entries = [
        {"source": "Notes", "where": "Workshop 1", "session_id": session.id},
        {"source": "Map", "where": "old text", "snapshot_id": snapshot.id, "stray": "x"},
        {"source": "Survey", "where": "Online", "session_id": ""},
    ]
    cmo = _cmo(project, evidence=entries)
    stored = project.cmos[cmo].evidence
    assert stored[0] == {
        "source": "Notes",
        "quote": "",
        "where": "Workshop 1",
        "session_id": session.id,
    }
    assert stored[1]["snapshot_id"] == snapshot.id and "stray" not in stored[1]
    assert "session_id" not in stored[2]
    project.execute(EditSession(session.id, {"title": "Glasgow workshop"}))
    assert evidence_where(project, stored[0]) == "Glasgow workshop"
    assert (
        evidence_where(project, stored[1]) == "Snapshot: Adaptation point 1 (" + doc.info.name + ")"
    )
    assert evidence_where(project, stored[2]) == "Online"
    with pytest.raises(CommandError, match="no session"):
        _cmo(project, evidence=[{"source": "X", "session_id": "nope"}])
    with pytest.raises(CommandError, match="no snapshot"):
        _cmo(project, evidence=[{"source": "X", "snapshot_id": "nope"}])
    # A deleted session falls back to the text; the CMO can still be edited.
    project.execute(DeleteSession(session.id))
    assert evidence_where(project, stored[0]) == "Workshop 1"
    project.execute(EditCMO(cmo, {"evidence": [*stored, {"source": "More"}]}))
    assert project.cmos[cmo].evidence[0]["session_id"] == session.id


def test_chain_graph_columns_run_left_to_right_and_survive_cycles(project):
    a, b, c, d, e = (_cmo(project) for _ in range(5))
    project.execute(EditCMO(a, {"leads_to": [b, c]}))
    project.execute(EditCMO(c, {"leads_to": [b]}))  # a → c → b: b is two steps on
    project.execute(EditCMO(d, {"leads_to": [a]}))
    project.execute(EditCMO(b, {"leads_to": [a]}))  # closes a cycle back to a
    graph = chain_graph(project, a)
    assert graph.columns == [[d], [a], [c], [b]]
    assert graph.center == 1
    assert set(graph.edges) == {(a, b), (a, c), (c, b), (d, a), (b, a)}
    assert chain_graph(project, e) == ChainGraph([[e]], [], 0)
    assert chain_graph(project, "gone").columns == []


def test_exports_name_referenced_workshops_as_they_are_called_now(project, doc):
    from ipsmap.export.context import build_context, evidence_text
    from ipsmap.model.record_commands import AddSession, EditSession

    a, _, _ = _map_with_link(doc)
    session = AddSession("Workshop 1", "2026-03-02")
    project.execute(session)
    evidence = [{"source": "Notes", "where": "Workshop 1", "session_id": session.id}]
    cmo = _cmo(project, explains=[a], evidence=evidence)
    project.execute(EditSession(session.id, {"title": "Glasgow workshop"}))
    _, context = build_context(project, doc.id)
    assert evidence_text(context.cmos[0]) == "Notes, Glasgow workshop"
    assert project.cmos[cmo].evidence[0]["where"] == "Workshop 1", "the project is unchanged"
