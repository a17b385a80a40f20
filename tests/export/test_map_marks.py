"""Polarity marks, two-way links, arrowheads and the key in the drawn exports (PDF, HTML)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from ipsmap.export import html_map
from ipsmap.export.map_key import MARK_SHAPES, map_key
from ipsmap.export.pdf_figure import (
    LinkShape,
    _BoxGrid,
    link_shape,
    map_drawing,
    place_mark,
)
from ipsmap.export.pdf_shapes import mark_nodes
from ipsmap.model.entities import Factor, Link, MapInfo, Style
from ipsmap.model.mapdata import MapData

pytest.importorskip("reportlab")


def _map(links: list[tuple[str, str, str]], types: dict[str, str] | None = None) -> MapData:
    """Factors a, b, c in a row (c close to b) and the links given as (source, target, sign)."""
    styles = [
        Style(id="t-context", kind="factor", name="Context", color="#e3f2fd", position=0),
        Style(id="t-outcome", kind="factor", name="Outcome", color="#fce4ec", position=1),
        Style(id="t-mechanism", kind="factor", name="Mechanism", shape="ellipse", position=2),
        Style(id="t-unused", kind="factor", name="Never used", position=3),
        Style(id="l-causal", kind="link", name="Causal", color="#37474f", position=0),
        Style(id="l-guess", kind="link", name="Guessed", dashes=True, position=1),
    ]
    types = types or {}
    factors = [
        Factor(id=fid, label=f"Factor {fid}", x=x, y=y, type=types.get(fid), seq=i)
        for i, (fid, x, y) in enumerate((("a", 0, 0), ("b", 400, 0), ("c", 400, 110)))
    ]
    return MapData(
        info=MapInfo(id="m", name="Marks"),
        styles=styles,
        factors=factors,
        links=[
            Link(id=f"l{i}", source=s, target=t, polarity=p, seq=i, type="l-causal")
            for i, (s, t, p) in enumerate(links)
        ],
    )


BOX_A = (100.0, 100.0, 60.0, 20.0, "box")
BOX_B = (260.0, 100.0, 60.0, 20.0, "box")


def _inside(point: tuple[float, float], box: tuple[float, float, float, float, str]) -> bool:
    cx, cy, w, h, _ = box
    return abs(point[0] - cx) < w / 2 and abs(point[1] - cy) < h / 2


def _distance(p: tuple[float, float], q: tuple[float, float]) -> float:
    return math.hypot(p[0] - q[0], p[1] - q[1])


def test_reciprocal_links_curve_apart_with_their_marks_separate() -> None:
    grid = _BoxGrid([BOX_A, BOX_B], 4.0)
    there = link_shape(BOX_A, BOX_B, True, 1.2, 4.0, grid)
    back = link_shape(BOX_B, BOX_A, True, 1.2, 4.0, grid)
    assert there is not None and back is not None
    assert there.control is not None and back.control is not None
    # The two curves bow to opposite sides of the line between the factors.
    assert (there.control[1] - 100.0) * (back.control[1] - 100.0) < 0
    assert _distance(there.control, back.control) > 20
    # Their marks do not touch each other.
    assert _distance(there.mark, back.mark) > there.mark_r + back.mark_r + 2
    # A one-way link stays straight.
    one_way = link_shape(BOX_A, BOX_B, False, 1.2, 4.0, grid)
    assert one_way is not None and one_way.control is None


@pytest.mark.parametrize("gap", [4.0, 12.0, 24.0, 60.0])
def test_a_short_link_is_never_hidden_under_its_mark_nor_its_arrowhead(gap: float) -> None:
    a = (100.0, 100.0, 60.0, 20.0, "box")
    b = (100.0 + 60.0 + gap, 100.0, 60.0, 20.0, "box")
    shape = link_shape(a, b, False, 1.5, 5.0, _BoxGrid([a, b], 5.0))
    assert shape is not None
    # The arrowhead is outside the target box, so no box covers it.
    assert not _inside(shape.tip, b)
    assert _distance(shape.base, shape.tip) >= 2.5
    if shape.mark_beside:
        # Off the line, so the line and its arrowhead stay in sight.
        assert abs(shape.mark[1] - 100.0) >= shape.mark_r
    else:
        # On the line, with some line showing between it and the start and the arrowhead.
        assert _distance(shape.mark, shape.start) > shape.mark_r
        assert _distance(shape.mark, shape.base) > shape.mark_r


def test_plus_and_minus_marks_have_different_shapes() -> None:
    from reportlab.graphics.shapes import Circle, Line, Polygon, Rect

    plus, minus, unclear = (mark_nodes(p, 0, 0, 5) for p in ("+", "-", "?"))
    assert isinstance(plus[0], Circle) and isinstance(minus[0], Rect)
    assert isinstance(unclear[0], Polygon)
    # The signs are strokes: a cross of two lines, and one line.
    assert sum(isinstance(n, Line) for n in plus) == 2
    assert sum(isinstance(n, Line) for n in minus) == 1
    assert len({MARK_SHAPES[p] for p in ("+", "-", "?")}) == 3


def test_on_the_demo_maps_marks_clear_of_factors_never_overlap_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipsmap.demo import create_demo_project
    from ipsmap.export import pdf_figure

    placed: list[LinkShape] = []

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        shape = place_mark(*args, **kwargs)
        placed.append(shape)
        return shape

    monkeypatch.setattr(pdf_figure, "place_mark", recording)
    project = create_demo_project(tmp_path / "demo.ipsmap")
    try:
        for info in project.maps():
            placed.clear()
            map_drawing(project.map_data(info.id), 770, 440, "Helvetica", "Helvetica-Bold", False)
            clear = [s for s in placed if s.mark_clear]
            assert len(clear) >= 0.9 * len(placed), info.name
            for i, a in enumerate(clear):
                for b in clear[i + 1 :]:
                    assert _distance(a.mark, b.mark) >= a.mark_r + b.mark_r, info.name
                # Nor over any link's arrowhead.
                for other in placed:
                    middle = (
                        (other.base[0] + other.tip[0]) / 2,
                        (other.base[1] + other.tip[1]) / 2,
                    )
                    head = _distance(other.base, other.tip)
                    assert _distance(a.mark, middle) >= a.mark_r + head / 2, info.name
    finally:
        project.close()


def _strings(drawing) -> list[str]:  # type: ignore[no-untyped-def]
    from reportlab.graphics.shapes import String

    return [n.text for n in drawing.contents if isinstance(n, String)]


def test_the_pdf_key_lists_only_the_types_and_styles_the_map_uses() -> None:
    data = _map([("a", "b", "+"), ("b", "a", "-")], {"a": "t-context", "b": "t-outcome"})
    key = map_key(data)
    assert [s.name for s in key.factor_styles] == ["Context", "Outcome"]
    assert [s.name for s in key.link_styles] == ["Causal"]
    assert key.polarities == ("+", "-") and not key.dashed
    texts = _strings(map_drawing(data, 500, 400, "Helvetica", "Helvetica-Bold", False))
    assert "Context" in texts and "Outcome" in texts and "Causal" in texts
    for unused in ("Mechanism", "Never used", "Guessed", "unclear or mixed effect"):
        assert unused not in texts
    assert not any("low confidence" in t for t in texts)


def test_every_arrowhead_is_drawn_above_the_factors() -> None:
    from reportlab.graphics.shapes import Polygon, Rect

    data = _map([("a", "b", "+"), ("b", "a", "-"), ("b", "c", "?")])
    drawing = map_drawing(data, 500, 400, "Helvetica", "Helvetica-Bold", False)
    contents = drawing.contents
    last_factor = max(i for i, n in enumerate(contents) if isinstance(n, Rect) and n.width > 40)
    arrowheads = [
        i
        for i, n in enumerate(contents)
        if isinstance(n, Polygon) and len(n.points) == 6 and n.fillColor == n.strokeColor
    ]
    assert len(arrowheads) == 3
    assert min(arrowheads) > last_factor


# --- The HTML page ---------------------------------------------------------------------


def _edges(page: str) -> list[dict]:  # type: ignore[type-arg]
    found = re.search(r"var edges = new vis\.DataSet\((\[.*?\])\);", page)
    assert found is not None
    return json.loads(found.group(1))


def test_html_edges_carry_distinct_mark_shapes_and_no_bare_sign_label() -> None:
    data = _map([("a", "b", "+"), ("b", "a", "-"), ("b", "c", "?")])
    edges = {e["ipsPolarity"]: e for e in _edges(html_map.html_text(data))}
    assert set(edges) == {"+", "-", "?"}
    shapes = {p: e["ipsMark"] for p, e in edges.items()}
    assert shapes["+"] != shapes["-"] and len(set(shapes.values())) == 3
    # No "−" or "+" drawn as plain text on the line, where it reads as a dash or a cross.
    for edge in edges.values():
        assert edge.get("label", "").strip() in ("", None)
    # Two-way links bend to opposite sides (vis curves each edge clockwise), further than
    # a one-way link, so their marks stand apart.
    assert all(e.get("smooth", {}).get("type", "curvedCW") == "curvedCW" for e in edges.values())
    assert edges["+"]["smooth"]["roundness"] == edges["-"]["smooth"]["roundness"]
    assert edges["+"]["smooth"]["roundness"] > html_map.ROUNDNESS
    assert "smooth" not in edges["?"]


def test_html_key_lists_only_what_the_map_uses() -> None:
    data = _map([("a", "b", "+")], {"a": "t-context", "b": "t-outcome"})
    page = html_map.html_text(data)
    aside = page[page.index("<aside>") : page.index("</aside>")]
    assert "Context" in aside and "Outcome" in aside and "Causal" in aside
    for unused in ("Mechanism", "Never used", "Guessed", "unclear or mixed", "opposite"):
        assert unused not in aside
    assert "low confidence" not in aside
    # Each mark in the key is drawn as it is on the map: an inline SVG, no remote file.
    assert 'data-mark="circle"' in aside
