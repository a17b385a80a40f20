"""The offline interactive HTML export of one map."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from ipsmap.demo import create_demo_project
from ipsmap.export.html_map import FORMATS, html_text, write_html
from ipsmap.model.commands import AddFactor
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant

REMOTE = re.compile(r"""src=["']?https?:|href=["']?https?:|url\(\s*["']?https?:|@import""", re.I)
SCRIPT_OPEN = re.compile(r"<script\b", re.I)


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = create_demo_project(tmp_path / "d.ipsmap")
    yield project
    project.close()


def _data(project: Project) -> MapData:
    return project.map_data(project.maps()[0].id)


def _json_escaped(label: str) -> str:
    """How a label appears inside the page's node data."""
    text = json.dumps(label, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def test_every_factor_label_appears(project: Project) -> None:
    data = _data(project)
    assert data.factors
    page = html_text(data)
    for factor in data.factors:
        assert _json_escaped(factor.label) in page, factor.label


def test_no_external_urls(project: Project) -> None:
    page = html_text(_data(project), snapshot_label="Round 1", sha256="ab" * 32)
    assert not REMOTE.search(page), REMOTE.search(page)
    assert "cdnjs" not in page and "jsdelivr" not in page and "bootstrap" not in page.lower()


def test_vis_network_is_inlined(project: Project) -> None:
    page = html_text(_data(project))
    assert "new vis.Network(" in page
    # The library itself, not just the call: a large inline script defining vis-network.
    assert "vis-network" in page and len(page) > 400_000
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)


def test_header_shows_map_snapshot_and_hash(project: Project) -> None:
    data = _data(project)
    page = html_text(data, snapshot_label="After <workshop> 2", sha256="0f" * 32)
    assert html.escape(data.info.name) in page
    assert "After &lt;workshop&gt; 2" in page
    assert "0f" * 32 in page
    assert "Polarity" in page


def test_script_in_label_cannot_break_out(project: Project) -> None:
    data = _data(project)
    before = len(SCRIPT_OPEN.findall(html_text(data)))
    map_id = data.info.id
    evil = 'a</script><script>alert(1)</script> & "q" \'s\nline2'
    project.document(map_id).execute(AddFactor(evil, x=10, y=20))
    page = html_text(project.map_data(map_id))
    assert len(SCRIPT_OPEN.findall(page)) == before
    assert "alert(1)</script>" not in page
    assert _json_escaped(evil) in page


def test_positions_fixed_and_physics_off(project: Project) -> None:
    data = _data(project)
    page = html_text(data)
    match = re.search(r"var options = (\{.*?\});\n", page)
    assert match
    options = json.loads(match.group(1))
    assert options["physics"]["enabled"] is False
    nodes_match = re.search(r"var nodeList = (\[.*?\]);\n", page)
    assert nodes_match
    nodes = {n["id"]: n for n in json.loads(nodes_match.group(1))}
    for factor in data.factors:
        assert nodes[factor.id]["x"] == factor.x
        assert nodes[factor.id]["y"] == factor.y
        assert nodes[factor.id]["physics"] is False


def test_edges_carry_polarity_width_and_dashes(project: Project) -> None:
    data = _data(project)
    page = html_text(data)
    match = re.search(r"var edges = new vis\.DataSet\((\[.*?\])\);\n", page)
    assert match
    edges = json.loads(match.group(1))
    assert len(edges) == len(data.links)
    for edge, link in zip(edges, sorted(data.links, key=lambda ln: ln.seq), strict=True):
        assert edge["from"] == link.source and edge["to"] == link.target
        assert edge["arrows"] == "to"
        # The polarity is a mark drawn on the line (shape by sign), not a text label.
        assert edge["ipsPolarity"] == link.polarity
        assert edge["ipsMark"] == {"+": "circle", "-": "square", "?": "diamond"}[link.polarity]
        assert "label" not in edge
        assert edge["width"] == pytest.approx(1 + 3 * link.strength)
        if link.confidence is not None and link.confidence < 0.5:
            assert edge["dashes"] is True


def test_non_consenting_participant_shown_by_group(project: Project) -> None:
    map_id = project.maps()[0].id
    skye = AddParticipant("Skye", "parent", consent=False)
    project.execute(skye)
    project.set_actor(skye.id)
    project.document(map_id).execute(AddFactor("x"))
    page = html_text(project.map_data(map_id))
    assert "Skye" not in page
    # Named as every export names them (ipsmap.model.privacy.public_name).
    assert "Parent/carer" in page


def test_consenting_participant_shown_by_pseudonym(project: Project) -> None:
    map_id = project.maps()[0].id
    robin = AddParticipant("Robin", "practitioner", consent=True)
    project.execute(robin)
    project.set_actor(robin.id)
    project.document(map_id).execute(AddFactor("y"))
    assert "Added by: Robin" in html_text(project.map_data(map_id))


def test_write_html_is_atomic_and_complete(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")
    write_html(_data(project), out, snapshot_label="S1", sha256="c" * 64)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".map.html")] == []


def test_format_entry() -> None:
    (fmt,) = FORMATS
    assert fmt.name == "html" and fmt.read is None and fmt.write is write_html
    assert ".html" in fmt.suffixes


def test_hexagons_and_focal_factors_carry_their_label_inside(project: Project) -> None:
    # vis puts the label of its own hexagon/star below the symbol, where neighbours'
    # labels collide; ours are drawn by the page's renderer with the label inside.
    data = _data(project)
    shapes = {s.id: s.shape for s in data.styles}
    drawn = [f for f in data.factors if shapes.get(f.type or "") in ("hexagon", "star")]
    assert drawn, "the demo map has interventions and focal factors"
    page = html_text(data)
    start = page.index("var nodeList = ") + len("var nodeList = ")
    nodes = json.loads(page[start : page.index(";\n", start)])
    by_id = {n["id"]: n for n in nodes}
    for factor in drawn:
        node = by_id[factor.id]
        assert node["shape"] == "custom" and node["label"] == " "
        assert node["ipsLabel"] == factor.label
        assert node["ipsShape"] == shapes[factor.type or ""]
    assert "ctxRenderer = ipsRenderer(n)" in page
