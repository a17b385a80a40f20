"""A colour is a colour: the one check, applied when a map is read and when it is written."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from ipsmap.export.all_formats import read_maps, write_map
from ipsmap.formats import ipsmap_json
from ipsmap.formats.errors import ExportWarning
from ipsmap.model.colors import checked_color, checked_style, is_color
from ipsmap.model.entities import Style

FIXTURES = Path(__file__).parent.parent / "fixtures"
HOSTILE = [
    "url(http://127.0.0.1:9/x)",
    "red;background:url(http://e/x)",
    "#fff) url(x",
    "expression(alert(1))",
    "#12345",
    "rgb(1,2,3)",  # readers convert rgb() to #rrggbb first; written as such it is refused
    "",
    None,
    42,
    "red\x00",
]


@pytest.mark.parametrize("value", ["#fff", "#A23B72", "#a23b72cc", "red", "RebeccaPurple"])
def test_colours_are_colours(value):
    assert is_color(value)
    assert checked_color(value, "#000000") in (value, value.lower())


@pytest.mark.parametrize("value", HOSTILE)
def test_anything_else_is_the_default(value):
    assert not is_color(value)
    assert checked_color(value, "#000000") == "#000000"


def test_a_style_is_checked_field_by_field_with_a_warning_each():
    said: list[str] = []
    style = Style(
        id="s",
        kind="link",
        name="Odd",
        color="url(x)",
        border_color="Navy",
        shape="box\" onload='x'",
        dashes="yes",  # type: ignore[arg-type]
        font_color="url(y)",
    )
    checked = checked_style(style, said.append)
    assert (checked.color, checked.border_color, checked.font_color) == ("#4a4a4a", "navy", None)
    assert checked.shape == "box" and checked.dashes is False
    assert len(said) == 3


def _prsm_with(colour: str, tmp_path: Path) -> Path:
    document = json.loads((FIXTURES / "prsm" / "small.prsm").read_text(encoding="utf-8"))
    document["styles"]["nodes"]["group1"]["color"] = {"background": colour, "border": colour}
    document["styles"]["edges"]["edge1"]["color"] = {"color": colour}
    path = tmp_path / "odd.prsm"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_prsm_import_drops_a_bad_colour_with_a_warning(tmp_path):
    (data,) = read_maps(_prsm_with("url(http://e/x)", tmp_path))
    looks = [v for s in data.styles for v in (s.color, s.border_color, s.font_color)]
    assert all(v is None or is_color(v) for v in looks)
    assert any("'url(http://e/x)' is not a colour" in w for w in data.warnings)
    outcome = next(s for s in data.styles if s.name == "Outcome")
    assert outcome.color == "#ffffff"


def test_ipsmap_json_import_drops_a_bad_colour_with_a_warning(tmp_path):
    (data,) = read_maps(_prsm_with("#abcdef", tmp_path))
    document = ipsmap_json.to_dict(data)
    document["styles"][0]["color"] = "url(http://e/x)"
    document["groups"] = [{"id": "g", "name": "G", "color": "x:url(y)", "members": []}]
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    (back,) = read_maps(path)
    assert all(is_color(s.color) for s in back.styles)
    assert back.groups[0].color == "#dddddd"
    assert sum("is not a colour" in w for w in back.warnings) == 2


def test_graphml_import_drops_a_bad_colour(tmp_path):
    (data,) = read_maps(_prsm_with("#abcdef", tmp_path))
    path = tmp_path / "m.graphml"
    write_map(data, path, "graphml")
    text = path.read_text(encoding="utf-8").replace("#abcdef", "url(http://e/x)")
    text = text.replace(">Outcome<", ">Odd type<")  # a type the reader makes, with the colour
    path.write_text(text, encoding="utf-8")
    (back,) = read_maps(path)
    assert all(is_color(s.color) for s in back.styles)
    assert any("'Odd type'" in w and "is not a colour" in w for w in back.warnings)


@pytest.mark.parametrize("fmt", ["html", "prsm", "json", "graphml", "gexf", "dot", "kumu", "pdf"])
def test_every_export_writes_checked_colours(tmp_path, fmt):
    (data,) = read_maps(_prsm_with("#abcdef", tmp_path))
    for style in data.styles:
        style.color = "url(http://evil.example/c)"
        style.border_color = "evil.example"
    path = tmp_path / f"out.{fmt}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_map(data, path, fmt)
    assert any(issubclass(w.category, ExportWarning) for w in caught)
    assert b"evil.example" not in path.read_bytes()
