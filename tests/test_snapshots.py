"""Snapshots (frozen, hashed, undeletable) and comparing maps and snapshots."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from ipsmap.demo import create_demo_project
from ipsmap.model.canonical import canonical_json, map_document
from ipsmap.model.commands import AddFactor, DeleteFactors, EditFactor, EditLink
from ipsmap.model.compare import compare_documents, normalise_label
from ipsmap.model.errors import CommandError
from ipsmap.model.snapshots import (
    list_snapshots,
    restore_snapshot,
    snapshot_document,
    take_snapshot,
)
from tests.test_cli import assert_user_error, ipsmap


@pytest.fixture
def demo(tmp_path):
    with create_demo_project(tmp_path / "demo.ipsmap") as project:
        yield project


def test_a_snapshot_freezes_the_map_with_its_sha256(demo):
    glasgow = demo.maps()[0]
    snapshot = take_snapshot(demo, glasgow.id, "Adaptation point 1", "before the summer")
    document = snapshot_document(demo, snapshot.id)
    assert document == map_document(demo.map_data(glasgow.id))
    content = canonical_json(demo.map_data(glasgow.id))
    assert snapshot.sha256 == hashlib.sha256(content.encode()).hexdigest()
    doc = demo.document(glasgow.id)
    doc.execute(AddFactor("Cost of living crisis"))
    assert snapshot_document(demo, snapshot.id) == document, "later edits don't touch it"
    # (The demo froze its site maps as "Adaptation point 1, <site>" when it was built.)
    assert [s.label for s in list_snapshots(demo, glasgow.id)][-1] == "Adaptation point 1"
    assert demo.history()[-2].command == "Take snapshot"
    assert doc.undo_stack.undo_name() != "Take snapshot"


def test_snapshots_cannot_be_changed_or_deleted_and_tampering_is_detected(demo):
    snapshot = take_snapshot(demo, demo.maps()[0].id, "AP1")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be deleted"):
        demo.store.db.execute("DELETE FROM snapshots")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        demo.store.db.execute("UPDATE snapshots SET label = 'x'")
    with pytest.raises(CommandError):
        take_snapshot(demo, demo.maps()[0].id, "  ")
    # Even with the triggers dropped by hand, an altered content no longer matches its hash.
    demo.store.db.execute("DROP TRIGGER snapshots_no_update")
    demo.store.db.execute("UPDATE snapshots SET content = replace(content, 'e', 'E')")
    with pytest.raises(CommandError, match="altered"):
        snapshot_document(demo, snapshot.id)


def test_restore_makes_a_new_map_and_leaves_the_live_one(demo):
    glasgow = demo.maps()[0]
    snapshot = take_snapshot(demo, glasgow.id, "AP1")
    doc = demo.document(glasgow.id)
    doc.execute(DeleteFactors(list(doc.factors)[:5]))
    restored = restore_snapshot(demo, snapshot.id)
    assert restored != glasgow.id
    assert demo.map_info(restored).name == f"{glasgow.name} (AP1)"
    assert len(demo.document(restored).factors) == len(doc.factors) + 5
    assert len(demo.document(restored).links) >= len(doc.links)


def test_compare_by_id_lists_added_removed_and_changed_fields(demo):
    glasgow = demo.maps()[0]
    before = map_document(demo.map_data(glasgow.id))
    doc = demo.document(glasgow.id)
    first, second = list(doc.factors)[:2]
    doc.execute(AddFactor("Cost of living crisis"))
    doc.execute(EditFactor(first, {"label": "Money worries"}))
    link = next(iter(doc.links))
    doc.execute(EditLink(link, {"polarity": "?"}))
    doc.execute(DeleteFactors([second]))
    result = compare_documents(before, map_document(demo.map_data(glasgow.id)))
    assert result["matched_by"] == "id"
    assert [a["name"] for a in result["factors"]["added"]] == ["Cost of living crisis"]
    assert len(result["factors"]["removed"]) == 1
    changed = {c["key"]: c["fields"] for c in result["factors"]["changed"]}
    assert changed[first]["label"][1] == "Money worries"
    assert any(c["fields"].get("polarity", [None, None])[1] == "?"
               for c in result["links"]["changed"])  # fmt: skip


def test_compare_across_sites_matches_by_label(demo):
    glasgow, lambeth = demo.maps()[0], demo.maps()[1]
    a = map_document(demo.map_data(glasgow.id))
    b = map_document(demo.map_data(lambeth.id))
    result = compare_documents(a, b)
    assert result["matched_by"] == "label"
    shared = {normalise_label(f["label"]) for f in a["factors"]} & {
        normalise_label(f["label"]) for f in b["factors"]
    }
    assert len(shared) >= 20
    assert len(result["factors"]["added"]) == len(b["factors"]) - len(shared)
    assert normalise_label("Parent–infant  Bond!") == "parent infant bond"


def test_cli_snapshot_snapshots_and_diff(tmp_path):
    path = tmp_path / "demo.ipsmap"
    assert ipsmap("demo", path).returncode == 0
    taken = ipsmap("snapshot", path, "--map", "Glasgow: families' local system", "--label", "AP1")
    assert taken.returncode == 0, taken.stderr
    snapshot_id, digest = taken.stdout.split()
    assert len(digest) == 64
    listed = json.loads(ipsmap("snapshots", path, "--json").stdout)["snapshots"]
    assert [(s["id"], s["sha256"], s["label"]) for s in listed][-1] == (snapshot_id, digest, "AP1")
    assert [s["label"] for s in listed][:2] == [
        "Adaptation point 1, Glasgow",
        "Adaptation point 1, Lambeth",
    ]
    same = json.loads(
        ipsmap("diff", path, snapshot_id, "Glasgow: families' local system", "--json").stdout
    )
    assert not any(same["factors"][k] for k in ("added", "removed", "changed"))
    text = ipsmap(
        "diff", path, "Glasgow: families' local system", "Lambeth: families' local system"
    )
    assert text.returncode == 0 and "Matched by label" in text.stdout
    assert_user_error(ipsmap("diff", path, "nope", snapshot_id), "No map 'nope'")
    assert_user_error(
        ipsmap("snapshot", path, "--map", "Glasgow: families' local system", "--label", " "),
        "needs a label",
    )
