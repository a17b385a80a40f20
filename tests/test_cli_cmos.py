"""`ipsmap cmos`: the CMO configurations of a project, as text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def ipsmap(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ipsmap", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.ipsmap"
    result = ipsmap("demo", path)
    assert result.returncode == 0, result.stderr
    return path


def test_cmos_json_names_what_each_explains(demo):
    result = ipsmap("cmos", demo, "--json")
    assert result.returncode == 0, result.stderr
    cmos = json.loads(result.stdout)["cmos"]
    assert [c["code"] for c in cmos][:3] == ["CMO 1", "CMO 2", "CMO 3"]
    first = cmos[0]
    assert first["status"] == "supported" and first["confidence"] == 0.75
    assert first["leads_to"] == ["CMO 2", "CMO 4"]
    assert ["CMO 7", "CMO 1", "CMO 2", "CMO 3"] in first["chains"]
    kinds = {(e["kind"], e["map"]) for e in first["explains"]}
    assert ("link", "IPS team theory of change") in kinds
    assert ("factor", "Glasgow: families' local system") in kinds
    assert all(e["label"] for c in cmos for e in c["explains"])
    keys = {"source", "quote", "where"}
    references = {"session_id", "snapshot_id"}
    assert all(keys <= set(e) <= keys | references for c in cmos for e in c["evidence"])
    # The demo's second Glasgow workshop added evidence that points at the session.
    assert any("session_id" in e for c in cmos for e in c["evidence"])


def test_cmos_text_and_status_filter(demo):
    result = ipsmap("cmos", demo, "--status", "refuted")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CMO 6  [refuted, confidence 0.30]")
    assert any(line.strip().startswith("explains: “Joint working") for line in lines)
    assert not [line for line in lines if line.startswith("CMO ") and "refuted" not in line]


def test_cmos_errors_are_one_line(tmp_path):
    for args in (("cmos", tmp_path / "missing.ipsmap"), ("cmos", tmp_path, "--status", "x")):
        result = ipsmap(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_project_without_cmos(tmp_path):
    path = tmp_path / "empty.ipsmap"
    assert ipsmap("new", path).returncode == 0
    result = ipsmap("cmos", path)
    assert result.returncode == 0 and result.stdout.strip() == "no CMO configurations"
    assert json.loads(ipsmap("cmos", path, "--json").stdout) == {"cmos": []}


def test_cmo_history_grouped_by_snapshots(demo, tmp_path):
    import shutil

    from ipsmap.model.project import Project
    from ipsmap.model.record_commands import EditCMO
    from ipsmap.model.snapshots import take_snapshot

    path = tmp_path / "copy.ipsmap"
    shutil.copy(demo, path)
    with Project.open(path) as project:
        cmo = next(c for c in project.cmos.values() if c.code == "CMO 3")
        toc = next(m for m in project.maps() if m.kind == "toc")
        # The demo froze both site maps together as adaptation point 1 when it was built.
        snapshot = take_snapshot(project, toc.id, "Adaptation point 2")
        project.execute(EditCMO(cmo.id, {"status": "refined"}))
    result = ipsmap("cmos", path, "--history", "cmo 3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    date = snapshot.taken_at[:10]
    first = "Adaptation point 1, Glasgow / Adaptation point 1, Lambeth"
    assert lines[0] == "CMO 3: how it changed"
    assert lines[1] == f"Before {first} ({date})"
    assert lines[2].endswith("Facilitator: created")
    assert f"Before Adaptation point 2 ({date})" in lines
    assert f"Since Adaptation point 2 ({date})" in lines
    assert lines[-1].strip().endswith(" → refined")
    data = json.loads(ipsmap("cmos", path, "--history", "CMO 3", "--json").stdout)
    assert data["code"] == "CMO 3"
    assert [p["snapshots"] for p in data["periods"]] == [
        ["Adaptation point 1, Glasgow", "Adaptation point 1, Lambeth"],
        ["Adaptation point 2"],
        [],
    ]
    assert data["periods"][2]["changes"][0]["after"] == "refined"
    missing = ipsmap("cmos", path, "--history", "CMO 99")
    assert missing.returncode == 2 and "CMO 1, CMO 2" in missing.stderr
    assert missing.stderr.startswith("ipsmap: error:") and len(missing.stderr.splitlines()) == 1
