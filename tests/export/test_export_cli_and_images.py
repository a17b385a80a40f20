"""``ipsmap export`` with snapshots, saved views and --anonymise; the PNG and SVG pictures."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.export.evaluator_project import NAMED, TRICKY_LABEL, evaluation_project

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ev = evaluation_project(tmp_path_factory.mktemp("cli") / "trial.ipsmap")
    ev.project.close()  # the CLI opens it itself
    return ev


def ipsmap(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ipsmap", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_user_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ipsmap"), result.stderr
    assert "error:" in lines[0] and "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_cli_exports_a_snapshot_bundle(trial, tmp_path: Path):
    out = tmp_path / "b.zip"
    result = ipsmap(
        "export", trial.project.path, "--snapshot", "Adaptation point 2", "--format", "bundle",
        "-o", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "snapshot 'Adaptation point 2'" in result.stdout
    with zipfile.ZipFile(out) as archive:
        assert "manifest.json" in archive.namelist()
        assert b"Adaptation point 2" in archive.read("manifest.json")


def test_cli_exports_a_saved_view_anonymised_as_svg(trial, tmp_path: Path):
    out = tmp_path / "view.svg"
    result = ipsmap(
        "export", trial.project.path, "--map", "Glasgow systems map",
        "--view", "What stress affects", "--anonymise", "-o", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    root = ET.parse(out).getroot()  # well-formed: labels are escaped
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Help-seeking" in text
    assert "Trust in the family worker" not in text  # not downstream of the focus
    assert NAMED not in out.read_text(encoding="utf-8")


def test_cli_errors_are_one_line(trial, tmp_path: Path):
    project = trial.project.path
    assert_user_error(
        ipsmap("export", project, "--snapshot", "nope", "-o", tmp_path / "x.pdf"),
        "no snapshot 'nope'",
    )
    assert_user_error(
        ipsmap(
            "export", project, "--map", trial.map_id, "--view", "nope", "-o", tmp_path / "x.pdf"
        ),
        "No saved view 'nope'",
        "What stress affects",
    )
    assert_user_error(ipsmap("export", project, "-o", tmp_path / "x.pdf"), "--map", "--snapshot")
    assert_user_error(
        ipsmap("export", project, "--map", trial.map_id, "--format", "docx", "-o", tmp_path / "x"),
        "invalid choice",
    )


def test_png_and_svg_draw_the_canvas_scene_with_its_key(trial, tmp_path: Path):
    pytest.importorskip("PySide6")
    from PySide6.QtGui import QImage

    from ipsmap.export.all_formats import write_map
    from ipsmap.export.context import build_context
    from ipsmap.model.project import Project
    from ipsmap.ui.canvas.image_export import render

    with Project.open(trial.project.path, read_only=True) as project:
        data, context = build_context(project, trial.map_id)
    png, svg = tmp_path / "m.png", tmp_path / "m.svg"
    write_map(data, png, context=context, renderer=render)
    write_map(data, svg, context=context, renderer=render)
    image = QImage(str(png))
    assert not image.isNull()
    assert image.pixelColor(2, 2).name() == "#ffffff"  # white ground
    assert image.width() > 1000  # two pixels per map unit
    root = ET.parse(svg).getroot()
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    joined = " ".join(texts)
    for label in ("Help-seeking", "Peer support", "same direction", "opposite direction"):
        assert label in joined, label
    assert '"worry"' in joined and "<stress>" in joined  # escaped in the file, intact here
    assert not list(root.iter(f"{SVG}image"))  # vectors, not cached pixmaps
    assert TRICKY_LABEL.split(" ")[0] in joined


def test_picture_key_lists_only_the_polarities_the_map_uses(tmp_path: Path):
    pytest.importorskip("PySide6")
    from ipsmap.model.entities import Factor, Link, MapInfo, Style
    from ipsmap.model.mapdata import MapData
    from ipsmap.ui.canvas.image_export import render

    data = MapData(
        info=MapInfo(id="m", name="Only plus"),
        styles=[
            Style(id="t", kind="factor", name="Factor", position=0),
            Style(id="t2", kind="factor", name="Unused type", position=1),
            Style(id="c", kind="link", name="Causal", position=0),
            Style(id="u", kind="link", name="Unused line", dashes=True, position=1),
        ],
        factors=[
            Factor(id="a", label="Sleep", x=0, y=0, type="t", seq=0),
            Factor(id="b", label="Mood", x=300, y=0, type="t", seq=1),
        ],
        links=[Link(id="l", source="a", target="b", polarity="+", type="c", seq=0)],
    )
    root = ET.fromstring(render(data, "svg"))
    joined = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "same direction" in joined and "Causal" in joined
    for unused in ("opposite direction", "unknown or complex", "Unused type", "Unused line"):
        assert unused not in joined, unused
