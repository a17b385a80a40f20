"""The command line, run as a user would run it (a subprocess), plus in-process checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ipsmap.cli import main


def ipsmap(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ipsmap", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ipsmap"), lines
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.ipsmap"
    result = ipsmap("demo", path)
    assert result.returncode == 0, result.stderr
    return path


def maps_json(path: Path) -> list[dict]:
    result = ipsmap("maps", path, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["maps"]


def test_demo_project_has_the_promised_maps(demo):
    maps = maps_json(demo)
    assert [m["kind"] for m in maps] == ["system", "system", "toc"]
    assert {m["site"] for m in maps if m["kind"] == "system"} == {"Glasgow", "Lambeth"}
    for m in maps:
        assert set(m) == {"id", "name", "kind", "site", "factors", "links"}
        assert isinstance(m["factors"], int) and isinstance(m["links"], int)
    for m in maps[:2]:
        assert m["factors"] >= 30 and m["links"] >= 50


def test_demo_content_uses_every_type_and_polarity(demo):
    from ipsmap.model.project import Project

    with Project.open(demo, read_only=True) as project:
        for info in project.maps():
            doc = project.document(info.id)
            used = {doc.styles[f.type].name for f in doc.factors.values()}
            assert used == {s.name for s in doc.state.factor_styles()}, info.name
            if info.kind == "system":
                assert {ln.polarity for ln in doc.links.values()} == {"+", "-", "?"}
                assert sum(bool(ln.rationale) for ln in doc.links.values()) >= 10
                assert doc.state.groups


def test_export_import_round_trip_of_every_demo_map(demo, tmp_path):
    copy = tmp_path / "copy.ipsmap"
    assert ipsmap("new", copy, "--title", "Copy").returncode == 0
    for m in maps_json(demo):
        out = tmp_path / f"{m['id']}.json"
        result = ipsmap("export", demo, "--map", m["name"], "--format", "json", "--out", out)
        assert result.returncode == 0, result.stderr
        imported = ipsmap("import", copy, out, "--json")
        assert imported.returncode == 0, imported.stderr
        (new,) = json.loads(imported.stdout)["maps"]
        assert (new["factors"], new["links"], new["name"]) == (m["factors"], m["links"], m["name"])
        again = tmp_path / f"{m['id']}-again.json"
        assert ipsmap("export", copy, "--map", new["id"], "--out", again).returncode == 0
        assert json.loads(again.read_text())["factors"] == json.loads(out.read_text())["factors"]
        assert json.loads(again.read_text())["links"] == json.loads(out.read_text())["links"]


def test_import_twice_prints_new_ids_and_history_records_it(tmp_path):
    project = tmp_path / "p.ipsmap"
    main(["new", str(project)])
    source = tmp_path / "m.json"
    source.write_text(
        '{"format": "ipsmap-map", "version": 1, "map": {"name": "Workshop"},'
        ' "factors": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],'
        ' "links": [{"id": "l", "source": "a", "target": "b"}]}'
    )
    first = ipsmap("import", project, source).stdout.strip()
    second = ipsmap("import", project, source, "--name", "Workshop copy").stdout.strip()
    assert first != second and len(first) == 36
    assert [m["name"] for m in maps_json(project)] == ["Workshop", "Workshop copy"]
    history = json.loads(ipsmap("history", project, "--json").stdout)["events"]
    assert [e["command"] for e in history][-2:] == ["Import map", "Import map"]
    only = json.loads(ipsmap("history", project, "--map", "Workshop copy", "--json").stdout)
    assert [e["map_id"] for e in only["events"]] == [second]
    text = ipsmap("history", project)
    assert text.returncode == 0 and "Import map" in text.stdout


def test_user_mistakes_are_one_line_and_exit_2(tmp_path, demo):
    missing = tmp_path / "missing.ipsmap"
    assert_user_error(ipsmap("maps", missing), str(missing), "no such file")
    assert_user_error(ipsmap("new", demo), "already exists")
    assert_user_error(
        ipsmap("export", demo, "--map", "No such map", "--out", tmp_path / "x.json"),
        "No map 'No such map'",
    )
    assert_user_error(
        ipsmap(
            "export",
            demo,
            "--map",
            "Glasgow: families' local system",
            "--out",
            tmp_path / "nofolder" / "x.json",
        ),
        "does not exist",
    )
    assert_user_error(
        ipsmap("export", demo, "--map", "x", "--format", "docx", "--out", "x"), "invalid choice"
    )
    assert_user_error(ipsmap("maps"), "required")
    assert_user_error(ipsmap("import", demo, tmp_path / "nothing.json"), "no such file")
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"format": "ipsmap-map", "version": 1, "map": {"name": "m"}, "links": [')
    assert_user_error(ipsmap("import", demo, garbage), str(garbage), "invalid JSON")
    assert_user_error(ipsmap("not-a-command-or-file"), "no such project file")


def test_open_names_only_what_is_wrong(tmp_path):
    missing = tmp_path / "missing.ipsmap"
    explicit = ipsmap("open", missing)
    assert_user_error(explicit, str(missing), "no such project file")
    assert "command" not in explicit.stderr  # `open FILE` cannot be a mistyped command
    assert_user_error(ipsmap(missing), "nor an ipsmap command")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland check")
def test_no_display_is_one_clear_line_not_a_qt_abort(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = ipsmap(env=env)
    assert_user_error(result, "no display")
    assert not (tmp_path / "data").exists()  # nothing made before saying so


def test_every_command_has_help():
    for command in ("new", "demo", "maps", "export", "import", "history", "open"):
        result = ipsmap(command, "--help")
        assert result.returncode == 0
        assert "usage: ipsmap" in result.stdout


def test_analyse_prints_metrics_loops_and_summary(demo):
    result = ipsmap("analyse", demo, "--map", "Glasgow: families' local system", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    keys = {
        "id", "label", "in_degree", "out_degree", "leverage", "betweenness",
        "betweenness_normalized", "closeness", "pagerank", "reach", "micmac_quadrant",
        "trophic_level", "community",
    }  # fmt: skip
    assert all(keys <= set(f) for f in data["factors"])
    assert len(data["factors"]) == data["summary"]["factors"] >= 30
    loops = data["loops"]
    assert loops["complete"] is True and loops["max_length"] == 6
    assert loops["count"] == loops["reinforcing"] + loops["balancing"] + loops["unknown"] > 0
    assert sum(loops["by_length"].values()) == loops["count"]
    assert {"factors", "links", "polarity", "length"} <= set(loops["items"][0])
    text = ipsmap("analyse", demo, "--map", "Glasgow: families' local system")
    assert "Feedback loops up to 6 links" in text.stdout and "[R]" in text.stdout
    focused = ipsmap(
        "analyse", demo, "--map", "Glasgow: families' local system", "--json",
        "--focus", "Parental stress", "--loops-max-length", "4",
    )  # fmt: skip
    data = json.loads(focused.stdout)
    stress = data["focus"]["factors"][0]
    assert all(stress in loop["factors"] for loop in data["loops"]["items"])
    assert_user_error(
        ipsmap("analyse", demo, "--map", "Glasgow: families' local system", "--focus", "Nope"),
        "No factor 'Nope'",
    )
    assert_user_error(
        ipsmap("analyse", demo, "--map", "x", "--loops-max-length", "0"), "must be 1 or more"
    )


def test_formats_lists_read_and_write_support():
    result = ipsmap("formats", "--json")
    assert result.returncode == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)["formats"]}
    assert rows["json"]["read"] and rows["json"]["write"]
    assert ".json" in rows["json"]["suffixes"]
    assert "json" in ipsmap("formats").stdout


def test_import_column_option_must_be_key_equals_column(demo, tmp_path):
    assert_user_error(ipsmap("import", demo, tmp_path / "x.csv", "--column", "label"), "KEY=COLUMN")
    assert_user_error(
        ipsmap("import", demo, tmp_path / "x.csv", "--nodes", tmp_path / "none.csv"),
        "no such file",
    )


GRAPHML_WITHOUT_POSITIONS = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <graph edgedefault="directed">
    <node id="a"><data key="label">Housing costs</data></node>
    <node id="b"><data key="label">Stress at home</data></node>
    <node id="c"><data key="label">GP appointments</data></node>
    <node id="d"><data key="label">Trust in services</data></node>
    <edge source="a" target="b"/><edge source="b" target="c"/><edge source="c" target="d"/>
  </graph>
</graphml>
"""


def test_import_of_a_map_without_positions_lays_it_out_and_says_so(tmp_path):
    project = tmp_path / "p.ipsmap"
    main(["new", str(project)])
    source = tmp_path / "plain.graphml"
    source.write_text(GRAPHML_WITHOUT_POSITIONS)
    result = ipsmap("import", project, source)
    assert result.returncode == 0, result.stderr
    assert "no positions" in result.stderr and "laid out" in result.stderr
    out = tmp_path / "out.json"
    assert ipsmap("export", project, "--map", "plain", "--out", out).returncode == 0
    factors = json.loads(out.read_text())["factors"]
    assert len({(f.get("x"), f.get("y")) for f in factors}) == 4
