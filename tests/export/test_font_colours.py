"""A factor type's own label colour (kept from PRSM styles) in the PDF figure and the HTML page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ipsmap.export.html_map import html_text
from ipsmap.export.pdf_figure import map_drawing
from ipsmap.formats.prsm_reader import read
from ipsmap.model.colors import as_hex
from ipsmap.model.entities import Factor, MapInfo, Style
from ipsmap.model.mapdata import MapData

NPC_MAP = Path("prsm") / "original" / "npctheoryofchange191.prsm"


def _npc(shared_data: Path) -> MapData:
    (data,) = read(shared_data / NPC_MAP)
    return data


def _one_factor_map(font_color: str | None, fill: str = "#3924d6") -> MapData:
    style = Style(id="t", kind="factor", name="Impact", color=fill, font_color=font_color)
    return MapData(
        info=MapInfo(id="m", name="Colours"),
        styles=[style],
        factors=[Factor(id="f", label="Wellbeing", x=0, y=0, type="t", seq=0)],
    )


def _strings(drawing) -> list:  # type: ignore[no-untyped-def]
    """Every text node of a reportlab drawing, groups included."""
    from reportlab.graphics.shapes import Group, String

    found = []
    stack = list(drawing.contents)
    while stack:
        node = stack.pop()
        if isinstance(node, String):
            found.append(node)
        elif isinstance(node, Group):
            stack.extend(node.contents)
    return found


def _hex(color) -> str:  # type: ignore[no-untyped-def]
    return "#" + color.hexval()[2:].lower()


def _nodes(page: str) -> dict[str, dict]:
    match = re.search(r"var nodeList = (\[.*?\]);\n", page)
    assert match
    return {node["id"]: node for node in json.loads(match.group(1))}


# -- which colours may be drawn -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#FFFFFF", "#ffffff"),
        ("#fff", "#ffffff"),
        (" white ", "#ffffff"),
        ("DarkBlue", "#00008b"),
        ("#1c5f1b", "#1c5f1b"),
        ("#12345", None),
        ("#ggghhh", None),
        ("red;background:url(http://x)", None),
        ('"/><script>', None),
        ("transparent", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_as_hex_accepts_only_hex_and_names(value: object, expected: str | None) -> None:
    assert as_hex(value) == expected


# -- the PDF figure -----------------------------------------------------------------------


def test_pdf_labels_take_the_types_font_colour(shared_data: Path) -> None:
    pytest.importorskip("reportlab")
    data = _npc(shared_data)
    styles = {s.id: s for s in data.styles}
    drawing = map_drawing(data, 760, 480, "Helvetica", "Helvetica-Bold", False)
    colours_by_text: dict[str, set[str]] = {}
    for node in _strings(drawing):
        colours_by_text.setdefault(node.text, set()).add(_hex(node.fillColor))
    checked = {"#ffffff": 0, "#111111": 0}
    for factor in data.factors:
        style = styles[factor.type or ""]
        expected = "#ffffff" if style.font_color == "#ffffff" else "#111111"
        # The label's first word starts its first drawn line.
        first_word = factor.label.split()[0]
        lines = [t for t in colours_by_text if t.startswith(first_word)]
        assert lines, factor.label
        assert any(expected in colours_by_text[t] for t in lines), (factor.label, expected)
        checked[expected] += 1
    # The red Activity/Quality and blue Impact boxes have white text, the others dark.
    assert checked["#ffffff"] == 9
    assert checked["#111111"] == 13


@pytest.mark.parametrize("bad", ["not-a-colour", "#12", "rgb(1,2,3)", "url(x)"])
def test_pdf_label_colour_that_is_not_a_colour_falls_back(bad: str) -> None:
    pytest.importorskip("reportlab")
    drawing = map_drawing(_one_factor_map(bad), 400, 300, "Helvetica", "Helvetica-Bold", False)
    label = [s for s in _strings(drawing) if s.text == "Wellbeing"]
    assert label and _hex(label[0].fillColor) == "#111111"


def test_pdf_label_colour_by_name() -> None:
    pytest.importorskip("reportlab")
    drawing = map_drawing(_one_factor_map("White"), 400, 300, "Helvetica", "Helvetica-Bold", False)
    label = [s for s in _strings(drawing) if s.text == "Wellbeing"]
    assert label and _hex(label[0].fillColor) == "#ffffff"


# -- the HTML page ------------------------------------------------------------------------


def test_html_nodes_carry_the_types_font_colour(shared_data: Path) -> None:
    pytest.importorskip("pyvis")
    data = _npc(shared_data)
    styles = {s.id: s for s in data.styles}
    nodes = _nodes(html_text(data))
    white = 0
    for factor in data.factors:
        style = styles[factor.type or ""]
        expected = "#ffffff" if style.font_color == "#ffffff" else "#222222"
        assert nodes[factor.id]["font"]["color"] == expected, factor.label
        assert nodes[factor.id]["color"]["background"] == style.color.lower()
        white += expected == "#ffffff"
    assert white == 9


def test_html_never_pastes_a_stored_colour_that_is_not_one() -> None:
    pytest.importorskip("pyvis")
    hostile = 'red;background:url(http://example.org/x)"/><script>'
    data = _one_factor_map(hostile, fill=hostile)
    page = html_text(data)
    node = _nodes(page)["f"]
    assert node["font"]["color"] == "#222222"
    assert node["color"]["background"] == "#ffffff"
    assert "example.org" not in page
    assert "url(http" not in page


def test_custom_drawn_factors_use_the_font_colour_too() -> None:
    pytest.importorskip("pyvis")
    data = _one_factor_map("#ffffff")
    data.styles[0].shape = "hexagon"
    page = html_text(data)
    assert _nodes(page)["f"]["font"]["color"] == "#ffffff"
    # The page's own renderer reads the node's font colour rather than a fixed one.
    assert "node.font.color" in page
