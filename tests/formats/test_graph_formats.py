"""GraphML, GEXF and GML: the real WILIAM GraphML, round trips, escaping, bad files, fuzz.

Fields kept by a round trip ipsmap → file → ipsmap (ids are new on every read):
- graphml, gml: map name, kind, description; factor label, type (by name), x, y, notes,
  attributes; link polarity, strength, confidence, type (by name), rationale, evidence,
  notes, provenance, attributes.
- gexf: the same except the map's kind and description (GEXF has no place for them).
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import detect_format, read_maps, write_map
from ipsmap.formats import graph_formats
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import ExportWarning, FormatError
from ipsmap.model.mapdata import MapData

MAPS = Path(__file__).parents[2].parent / "shared" / "data" / "maps"

# Writers warn of what a format cannot hold; the tests named *warns* check those warnings.
pytestmark = pytest.mark.filterwarnings("ignore::ipsmap.formats.tables.ExportWarning")

TRICKY = [
    "A <b>&amp; \"quoted\" 'single'",
    "Ünïcödé – 日本語 🙂 \u200b",
    "two\nlines & a tab\tend",
    "]]> <!-- --> &lt; %22 \\ back",
]


def shared(name: str) -> Path:
    path = MAPS / name
    if not path.exists():
        pytest.skip(f"shared test map not found: {path}")
    return path


def sample_map(kind: str = "system") -> MapData:
    """A small map whose labels and notes need escaping in every format."""
    builder = MapBuilder(None, 'Map <&"> ü', kind)
    builder.info.description = "desc & <more>"
    types = [None, "Intervention", "Outcome", None] if kind == "system" else [None] * 4
    for i, label in enumerate(TRICKY):
        builder.factor(
            f"f{i}",
            label,
            f"f{i}",
            x=float(10 * i),
            y=float(-5 * i),
            notes=f"note {i} & <{label}>",
            type=builder.style("factor", types[i]),
            attributes={"source": "workshop & co", "count": i},
        )
    builder.link("f0", "f1", "l0", polarity="+", strength=1.0, confidence=0.5)
    builder.link("f1", "f2", "l1", polarity="-", strength=0.25, rationale='because "x" < y & z')
    builder.link("f2", "f3", "l2", polarity="?", strength=0.62, evidence="ev\nline 2")
    builder.link(
        "f3", "f0", "l3", polarity="-", strength=0.62, type=builder.style("link", "Causal")
    )
    return builder.build()


def style_name(data: MapData, style_id: str | None) -> str | None:
    names = {s.id: s.name for s in data.styles}
    return names.get(style_id) if style_id else None


def factor_view(data: MapData, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for f in data.factors:
        row = {k: getattr(f, k) for k in fields if k != "type"}
        if "type" in fields:
            row["type"] = style_name(data, f.type)
        rows.append(row)
    return rows


def link_view(data: MapData, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    labels = {f.id: f.label for f in data.factors}
    rows = []
    for ln in data.links:
        row: dict[str, Any] = {"ends": (labels[ln.source], labels[ln.target])}
        row |= {k: getattr(ln, k) for k in fields if k != "type"}
        if "type" in fields:
            row["type"] = style_name(data, ln.type)
        rows.append(row)
    return rows


FACTOR_FIELDS = ("label", "type", "x", "y", "notes", "attributes")
LINK_FIELDS = (
    "polarity", "strength", "confidence", "type", "rationale", "evidence", "notes",
    "provenance", "attributes",
)  # fmt: skip


# -- the real file ------------------------------------------------------------------------


def test_wiliam_graphml_counts_match_readme() -> None:
    data = read_maps(shared("wiliam_loop_diagram_v1_2.graphml"))[0]
    assert (len(data.factors), len(data.links)) == (92, 421)
    assert {f.attributes["kind"] for f in data.factors} == {"aux"}
    assert all(ln.polarity == "+" for ln in data.links)  # no polarity in the file


def test_detection_by_content() -> None:
    assert detect_format(shared("wiliam_loop_diagram_v1_2.graphml")).name == "graphml"


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "gml"])
def test_round_trip_keeps_fields(tmp_path: Path, fmt: str) -> None:
    original = sample_map()
    path = tmp_path / f"map.{fmt}"
    assert write_map(original, path).name == fmt
    back = read_maps(path)[0]
    assert back.warnings == []
    assert factor_view(back, FACTOR_FIELDS) == factor_view(original, FACTOR_FIELDS)
    assert link_view(back, LINK_FIELDS) == link_view(original, LINK_FIELDS)
    assert back.info.name == original.info.name
    if fmt != "gexf":
        assert back.info.kind == original.info.kind
        assert back.info.description == original.info.description


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "gml"])
def test_toc_kind_and_colours(tmp_path: Path, fmt: str) -> None:
    original = sample_map("toc")
    path = tmp_path / f"map.{fmt}"
    write_map(original, path)
    back = read_maps(path)[0]
    assert [f.label for f in back.factors] == TRICKY
    if fmt != "gexf":
        assert back.info.kind == "toc"


def test_wiliam_round_trips_through_every_format(tmp_path: Path) -> None:
    data = read_maps(shared("wiliam_loop_diagram_v1_2.graphml"))[0]
    for fmt in ("graphml", "gexf", "gml"):
        write_map(data, tmp_path / f"w.{fmt}")
        back = read_maps(tmp_path / f"w.{fmt}")[0]
        assert link_view(back, ("polarity",)) == link_view(data, ("polarity",))


def test_gexf_positions_in_viz(tmp_path: Path) -> None:
    path = tmp_path / "map.gexf"
    write_map(sample_map(), path)
    text = path.read_text("utf-8")
    assert "viz:position" in text and 'x="30.0"' in text
    assert "&amp;" in text and "&lt;" in text


def test_attribute_names_that_clash_are_kept(tmp_path: Path) -> None:
    data = sample_map()
    data.factors[0].attributes = {"label": "not the label", "weird key!": [1, 2]}
    for fmt in ("graphml", "gml"):
        write_map(data, tmp_path / f"m.{fmt}")
        back = read_maps(tmp_path / f"m.{fmt}")[0]
        assert back.factors[0].label == TRICKY[0]
        assert back.factors[0].attributes["label"] == "not the label"


def test_control_characters_become_replacement(tmp_path: Path) -> None:
    builder = MapBuilder(None, "m")
    builder.factor("a", "bell", "a")
    data = builder.build()
    # Set after building: readers remove control characters, a project may still hold them.
    data.factors[0].label = "bell\x07here"
    path = tmp_path / "m.graphml"
    write_map(data, path)
    assert read_maps(path)[0].factors[0].label == "bell\ufffdhere"


# -- third-party files -------------------------------------------------------------------


GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <key id="s" for="edge" attr.name="sign" attr.type="string"/>
  <key id="c" for="node" attr.name="colour" attr.type="string"/>
  <graph edgedefault="directed">
    <node id="a"><data key="c">red</data></node>
    <node id="b"/>
    <node id="c"/>
    <edge source="a" target="b"><data key="w">-0.4</data></edge>
    <edge source="b" target="c"><data key="s">positive</data></edge>
    <edge source="c" target="a"><data key="w">0</data></edge>
  </graph>
</graphml>
"""


def test_third_party_graphml(tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text(GRAPHML, "utf-8")
    data = read_maps(path)[0]
    assert [f.label for f in data.factors] == ["a", "b", "c"]
    assert data.factors[0].attributes == {"colour": "red"}
    assert [(ln.polarity, ln.strength) for ln in data.links] == [
        ("-", 0.4),
        ("+", 0.5),
        ("?", 0.5),
    ]


# -- bad files ------------------------------------------------------------------------------


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<graphml><graph><node id="&lol2;"/></graph></graphml>
"""


@pytest.mark.parametrize(
    ("fmt", "text", "place"),
    [
        ("graphml", "<graphml><graph><node id='a'></graph></graphml>", "line 1, column"),
        ("graphml", BOMB, "line 2"),
        ("graphml", GRAPHML[: len(GRAPHML) // 2], "line"),
        ("gexf", "<gexf><graph><nodes><node id='a' label='x'></nodes>", "line 1"),
        ("gexf", BOMB.replace("graphml", "gexf"), "line 2"),
        ("gml", 'graph [ node [ id 0 label "a" ', "line 2, column 1"),
        ("gml", 'graph [ node [ id 0 label "a" ] edge [ source 0 target 5 ] ]', ""),
        ("graphml", "", ""),
        ("graphml", GRAPHML.replace('target="c"', 'target="z"'), "edge 2.target"),
        (
            "gexf",
            "<gexf xmlns='http://www.gexf.net/1.2draft' version='1.2'><graph>"
            "<nodes><node id='a'/></nodes><edges>"
            "<edge source='a' target='q'/></edges></graph></gexf>",
            "edge 1.target",
        ),
    ],
)
def test_bad_files_raise_format_error(tmp_path: Path, fmt: str, text: str, place: str) -> None:
    path = tmp_path / f"bad.{fmt}"
    path.write_text(text, "utf-8")
    with pytest.raises(FormatError) as info:
        read_maps(path, fmt)
    assert info.value.path == path
    assert info.value.place.startswith(place)


def test_non_utf8_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.graphml"
    path.write_bytes(b"<graphml>\xff</graphml>")
    with pytest.raises(FormatError, match="byte"):
        read_maps(path, "graphml")


# -- fuzz ---------------------------------------------------------------------------------

READERS = {
    "graphml": graph_formats.read_graphml,
    "gexf": graph_formats.read_gexf,
    "gml": graph_formats.read_gml,
}
_VALID = {fmt: "" for fmt in ("graphml", "gexf", "gml")}


def _valid_text(fmt: str) -> str:
    if not _VALID[fmt]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"m.{fmt}"
            write_map(sample_map(), path)
            _VALID[fmt] = path.read_text("utf-8")
    return _VALID[fmt]


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> str:
    text = _valid_text(fmt)
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    insert = draw(st.text(max_size=10))
    return text[:start] + insert + text[end:]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "gml"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_only_format_errors(fmt: str, data: st.DataObject) -> None:
    text = data.draw(st.one_of(mutated(fmt), st.text(max_size=200)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz.{fmt}"
        path.write_text(text, "utf-8", errors="surrogatepass")
        with contextlib.suppress(FormatError):
            READERS[fmt](path)


def test_gexf_warns_of_what_it_cannot_hold(tmp_path: Path) -> None:
    with pytest.warns(ExportWarning, match="kind, description"):
        write_map(sample_map("toc"), tmp_path / "m.gexf")


README_MENTIONING_FORMATS = """# Test maps

A Mental Modeler file (`<mentalModeler><concepts>…`), a `<graphml>` export and a
`<gexf>` one sit in this folder.
"""


def test_a_readme_mentioning_xml_formats_is_not_taken_for_a_map(tmp_path):
    from ipsmap.export.all_formats import detect_format, read_maps
    from ipsmap.formats.errors import FormatError

    readme = tmp_path / "README.md"
    readme.write_text(README_MENTIONING_FORMATS)
    with pytest.raises(FormatError) as caught:
        read_maps(readme)
    message = str(caught.value)
    assert "not a map file ipsmap can read" in message and "XML" not in message.split(".")[0]
    for named in ("PRSM", "Kumu", "Mental Modeler", "GraphML", "GML", "Vensim", ".csv"):
        assert named in message
    # A real GraphML file with a byte-order mark and a declaration is still found.
    real = tmp_path / "map.txt"
    real.write_bytes(
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/'
        b'xmlns"><graph edgedefault="directed"><node id="a"/></graph></graphml>'
    )
    assert detect_format(real).name == "graphml"
