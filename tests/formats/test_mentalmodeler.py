"""Mental Modeler .mmp XML and JSON: the real files, round trips, bad files, fuzz.

Fields kept by a round trip ipsmap → file → ipsmap:
- XML (.mmp): map name; factor label, x, y, notes; link ends, polarity ('?' becomes '+'),
  strength as the nearest letter (H 1, M 0.62, L 0.25); stored scenarios.
- JSON: the same with the exact strength (a number), link notes, units/group attributes.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import detect_format, read_maps, write_map
from ipsmap.formats import mentalmodeler
from ipsmap.formats.errors import ExportWarning, FormatError

from .test_graph_formats import TRICKY, sample_map, shared

# Writers warn of what a format cannot hold; the tests named *warns* check those warnings.
pytestmark = pytest.mark.filterwarnings("ignore::ipsmap.formats.tables.ExportWarning")


def test_fire_model_counts_weights_and_scenarios() -> None:
    data = read_maps(shared("mentalmodeler_fire_model.mmp"))[0]
    assert (len(data.factors), len(data.links)) == (24, 41)
    assert data.info.name == "Fire"
    assert {ln.strength for ln in data.links} <= {1.0, 0.62, 0.25}
    assert {ln.polarity for ln in data.links} == {"+", "-"}
    natural = next(f for f in data.factors if f.label == "Natural Beauty")
    assert (natural.x, natural.y) == (735.0, 35.0)
    scenarios = data.info.attributes["mentalmodeler_scenarios"]
    assert [s["name"] for s in scenarios] == ["win game", scenarios[1]["name"]]
    assert len(scenarios) == 2
    assert any("scenario" in w for w in data.warnings)


def test_fish_wetland_json_counts_and_numeric_weights() -> None:
    path = shared("mentalmodeler_fish_wetland_ozesmi.json")
    assert detect_format(path).name == "mentalmodeler"
    data = read_maps(path)[0]
    assert (len(data.factors), len(data.links)) == (5, 11)
    labels = {f.id: f.label for f in data.factors}
    found = {
        (labels[ln.source], labels[ln.target]): (ln.polarity, ln.strength) for ln in data.links
    }
    assert found[("Amount of Wetland", "Pollution")] == ("-", pytest.approx(0.1))
    assert found[("Pollution", "Fish population")] == ("-", 1.0)
    assert ("Amount of Wetland", "Laws") not in found  # weight 0: no link
    assert any("weight 0" in w for w in data.warnings)


def test_weights() -> None:
    assert mentalmodeler.weight_from("M-") == -0.62
    assert mentalmodeler.weight_from(" l+ ") == 0.25
    assert mentalmodeler.weight_from("-0.3") == -0.3
    assert mentalmodeler.weight_from("X") is None
    assert mentalmodeler.letter_for("-", 0.5) == "M-"
    assert mentalmodeler.letter_for("?", 0.9) == "H+"


@pytest.mark.parametrize("suffix", [".mmp", ".json"])
def test_round_trip(tmp_path: Path, suffix: str) -> None:
    original = sample_map()
    path = tmp_path / f"map{suffix}"
    assert write_map(original, path, "mentalmodeler").name == "mentalmodeler"
    back = read_maps(path, "mentalmodeler")[0]
    assert back.info.name == original.info.name
    assert [(f.label, f.x, f.y, f.notes) for f in back.factors] == [
        (f.label, f.x, f.y, f.notes) for f in original.factors
    ]
    labels = {f.id: f.label for f in back.factors}
    old_labels = {f.id: f.label for f in original.factors}
    polarity = [("-" if ln.polarity == "-" else "+") for ln in original.links]
    assert [(labels[ln.source], labels[ln.target], ln.polarity) for ln in back.links] == [
        (old_labels[ln.source], old_labels[ln.target], p)
        for ln, p in zip(original.links, polarity, strict=True)
    ]
    strengths = [ln.strength for ln in original.links]  # all on the letter levels
    assert [ln.strength for ln in back.links] == strengths


@pytest.mark.parametrize("name", ["mentalmodeler_fire_model.mmp", "x.json"])
def test_real_files_round_trip(tmp_path: Path, name: str) -> None:
    source = (
        shared(name) if name.endswith(".mmp") else shared("mentalmodeler_fish_wetland_ozesmi.json")
    )
    data = read_maps(source)[0]
    for suffix in (".mmp", ".json"):
        path = tmp_path / f"copy{suffix}"
        write_map(data, path, "mentalmodeler")
        back = read_maps(path, "mentalmodeler")[0]
        assert [f.label for f in back.factors] == [f.label for f in data.factors]
        assert [ln.polarity for ln in back.links] == [ln.polarity for ln in data.links]
        assert back.info.attributes.get("mentalmodeler_scenarios") == data.info.attributes.get(
            "mentalmodeler_scenarios"
        )
        if suffix == ".json":
            assert [ln.strength for ln in back.links] == [ln.strength for ln in data.links]


def test_written_xml_escapes(tmp_path: Path) -> None:
    path = tmp_path / "m.mmp"
    write_map(sample_map(), path)
    text = path.read_text("utf-8")
    assert "&lt;b&gt;&amp;amp;" in text
    assert TRICKY[1] in text


MMP = """<?xml version="1.0"?>
<mentalModeler><info><name>t</name></info><concepts>
<concept><id>1</id><name>a</name><x>1</x><y>2</y><relationships>
<relationship><id>{target}</id><name>b</name><influence>{weight}</influence></relationship>
</relationships></concept>
<concept><id>2</id><name>b</name><x>{x}</x><y>2</y></concept>
</concepts></mentalModeler>
"""


@pytest.mark.parametrize(
    ("text", "place"),
    [
        (MMP.format(target=9, weight="H+", x=1), "concepts/concept[1].relationships[0].target"),
        (MMP.format(target=2, weight="big", x=1), "concepts/concept[1].relationships[0].influence"),
        (MMP.format(target=2, weight="H+", x="left"), "concepts/concept[2].x"),
        (MMP.format(target=2, weight="H+", x=1)[:150], "line"),
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><mentalModeler/>', "line 1"),
        ("<mentalModeler><concepts><concept></concepts>", "line 1, column"),
        ('{"concepts": [{"id": "1", "name": "a", "relationships": [{"id": "7", '
         '"influence": "1"}]}]}', "concepts[0].relationships[0].target"),
        ('{"concepts": [', "line 1"),
        ("<graphml/>", "graphml"),
    ],
)  # fmt: skip
def test_bad_files(tmp_path: Path, text: str, place: str) -> None:
    path = tmp_path / "bad.mmp"
    path.write_text(text, "utf-8")
    with pytest.raises(FormatError) as info:
        read_maps(path, "mentalmodeler")
    assert info.value.path == path
    assert info.value.place.startswith(place), info.value


def test_missing_target_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.mmp"
    path.write_text(MMP.format(target=9, weight="H+", x=1), "utf-8")
    with pytest.raises(FormatError, match="'9' is not a factor"):
        read_maps(path, "mentalmodeler")


_VALID = MMP.format(target=2, weight="M-", x=1)
_VALID_JSON = json.dumps(
    {"concepts": [{"id": "1", "name": "a", "x": "3", "relationships": [{"id": "1"}]}]}
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_only_format_errors(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from([_VALID, _VALID_JSON]))
    start = data.draw(st.integers(0, len(base)))
    end = data.draw(st.integers(start, min(len(base), start + 30)))
    text = base[:start] + data.draw(st.text(max_size=10)) + base[end:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.mmp"
        path.write_text(text, "utf-8", errors="surrogatepass")
        with contextlib.suppress(FormatError):
            mentalmodeler.read(path)


def test_writer_warns_of_unknown_polarity_and_rounding(tmp_path: Path) -> None:
    data = sample_map()
    data.links[0].strength = 0.4
    with pytest.warns(ExportWarning) as caught:
        write_map(data, tmp_path / "m.mmp")
    messages = [str(w.message) for w in caught]
    assert any("unknown polarity" in m for m in messages)
    assert any("rounded" in m for m in messages)
