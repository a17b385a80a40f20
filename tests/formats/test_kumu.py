"""Kumu blueprints: reading exported and flat JSON, loops, round trips, errors.

Kept on a round trip: factor labels, types (by name), notes, positions, attributes; link
ends, polarity, strength, confidence, type (by name), rationale, evidence, notes,
attributes; Kumu loops (map attribute ``kumu_loops``). Not kept: colours, groups, ids,
provenance.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import detect_format, read_maps, write_map
from ipsmap.formats import kumu
from ipsmap.formats.base import ReadOptions
from ipsmap.formats.errors import FormatError
from ipsmap.model.defaults import default_styles
from ipsmap.model.entities import Factor, Link, MapInfo
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "kumu"
FUNDING = 'Funding <&> "grants"'


def _names(data: MapData) -> dict[str, str]:
    return {s.id: s.name for s in data.styles}


def _links(data: MapData) -> list[tuple]:
    labels = {f.id: f.label for f in data.factors}
    return [(labels[ln.source], labels[ln.target], ln.polarity, ln.strength) for ln in data.links]


def test_reads_an_exported_blueprint():
    assert detect_format(FIXTURES / "blueprint.json").name == "kumu"
    [data] = read_maps(FIXTURES / "blueprint.json")
    names = _names(data)
    first = data.factors[0]
    assert [f.label for f in data.factors] == [FUNDING, "Staff morale ✨", "Service quality"]
    assert (names[first.type], first.notes, first.x, first.y) == (
        "Intervention",
        "Core money",
        10,
        20,
    )
    assert first.attributes == {"tags": ["money", "core"], "budget": 1200}
    assert (data.factors[2].x, data.factors[2].y) == (0.0, 0.0)
    assert _links(data) == [
        (FUNDING, "Staff morale ✨", "+", 0.2),
        ("Staff morale ✨", "Service quality", "+", 0.5),
        ("Service quality", "Staff morale ✨", "+", 0.5),
        ("Service quality", FUNDING, "-", 1.0),
    ]
    assert names[data.links[0].type] == "Causal" and data.links[0].rationale == "more staff"
    # "positive" as a connection type is the polarity, not a style.
    assert data.links[1].type is None
    assert data.links[3].confidence == 0.25
    assert data.info.attributes["kumu_loops"] == [
        {"label": "R1 morale", "elements": ["Staff morale ✨", "Service quality"]}
    ]
    warnings = " ".join(data.warnings)
    assert "kumu_loops" in warnings and "mutual" in warnings and "divided by 4" in warnings


def test_reads_the_flat_form():
    [data] = read_maps(FIXTURES / "flat.json", "kumu")
    assert _links(data) == [("A", "B", "-", 0.5)]
    assert _names(data)[data.factors[1].type] == "Context"


def sample_map() -> MapData:
    info = MapInfo(id="m", name="Kumu", kind="system")
    styles = default_styles("m", "system")
    outcome = next(s.id for s in styles if s.name == "Outcome")
    uncertain = next(s.id for s in styles if s.name == "Uncertain")
    factors = [
        Factor(id="a", map_id="m", label="<&\"'> ☃", type=outcome, x=1.5, y=-2, notes="n",
               attributes={"tags": ["x"], "n": 3}),
        Factor(id="b", map_id="m", label="B 𝔘𝔫𝔦"),
        Factor(id="c", map_id="m", label="C"),
    ]  # fmt: skip
    links = [
        Link(id="l1", map_id="m", source="a", target="b", polarity="-", strength=0.25,
             confidence=0.5, type=uncertain, rationale="r", evidence="e", notes="no",
             attributes={"k": "v"}),
        Link(id="l2", map_id="m", source="b", target="c", polarity="?", strength=1.0),
        Link(id="l3", map_id="m", source="c", target="b", polarity="+", strength=0.5),
    ]  # fmt: skip
    info.attributes["kumu_loops"] = [{"label": "B1", "elements": ["B 𝔘𝔫𝔦", "C"]}]
    return MapData(info, styles, factors, links)


def _summary(data: MapData) -> dict:
    names = _names(data)
    return {
        "factors": [
            (f.label, names.get(f.type or ""), f.x, f.y, f.notes, f.attributes)
            for f in data.factors
        ],
        "links": [
            (
                *link,
                ln.confidence,
                names.get(ln.type or ""),
                ln.rationale,
                ln.evidence,
                ln.notes,
                ln.attributes,
            )
            for link, ln in zip(_links(data), data.links, strict=True)
        ],
        "loops": data.info.attributes.get("kumu_loops"),
    }


def test_round_trip(tmp_path):
    data = sample_map()
    data.factors[2].notes = "long " * 3000  # connections start after the first 8 KiB
    path = tmp_path / "map.json"
    write_map(data, path, "kumu")
    written = json.loads(path.read_text("utf-8"))
    assert set(written) >= {"elements", "connections", "loops"}
    assert detect_format(path).name == "kumu"
    [back] = read_maps(path)
    assert _summary(back) == _summary(data)
    with Project.create(tmp_path / "p.ipsmap") as project:
        project.import_map(back)


@pytest.mark.parametrize(
    ("content", "place", "problem"),
    [
        ("", "", "empty"),
        ("{", "line 1, column 2", "invalid JSON"),
        ("[]", "", "not a Kumu blueprint"),
        ('{"elements": [], "connections": []}', "elements", "no elements"),
        ('{"elements": {}, "connections": []}', "elements", "must be a list"),
        ('{"elements": [3], "connections": []}', "elements[0]", "JSON object"),
        ('{"elements": [{"_id": "a", "attributes": {"label": "A"}}, {"_id": "a"}]}',
         "elements[1]._id", "duplicate"),
        ('{"elements": [{"label": "A"}], "connections": [{"from": "A", "to": "Z"}]}',
         "connections[0].to", "'Z' is not the id or label"),
        ('{"elements": [{"label": "A"}, {"label": "B"}], '
         '"connections": [{"from": "A", "to": "B", "sign": "sideways"}]}',
         "connections[0].sign", "unknown polarity"),
        ('{"elements": [{"label": "A"}, {"label": "B"}], '
         '"connections": [{"from": "A", "to": "B", "strength": "huge"}]}',
         "connections[0].strength", "must be a number"),
        ('{"elements": [{"label": "A"}], "connections": [], "loops": [{"elements": ["Q"]}]}',
         "loops[0].elements[0]", "not the id or label"),
    ],
)  # fmt: skip
def test_bad_blueprints_name_file_and_place(tmp_path, content, place, problem):
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    with pytest.raises(FormatError, match=problem) as caught:
        kumu.read(path, ReadOptions())
    assert caught.value.path == path
    assert caught.value.place == place


def test_sniff():
    assert kumu.sniff(b'{"elements": [], "connections": []}')
    assert not kumu.sniff(b'{"format": "ipsmap-map", "factors": []}')
    assert not kumu.sniff(b"\xff\xfe")
    # A long file whose connections come after the first 8 KiB.
    long = b'{"elements": [{"_id": "a", "attributes": {"label": "' + b"x" * 9000
    assert kumu.sniff(long[:8192])
    assert not kumu.sniff(b'{"elements": [{"data": {"id": "a"}}' + b" " * 9000)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.sampled_from(["A", "B", "+", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["_id", "label", "from", "to", "sign", "strength", "attributes",
                         "elements", "position", "x", "direction", "element"]),
        inner, max_size=4,
    ),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elements=_json, connections=_json, loops=_json, maps=_json)
def test_fuzz_kumu_reader_only_raises_format_error(elements, connections, loops, maps):
    doc = {"elements": elements, "connections": connections, "loops": loops, "maps": maps}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.json"
        path.write_text(json.dumps(doc), "utf-8")
        try:
            kumu.read(path, ReadOptions())
        except FormatError as exc:
            assert exc.path == path
