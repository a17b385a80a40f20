"""PRSM .prsm files: the real samples, our fixtures, round trips, bad input and fuzzing."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import FORMATS, detect_format, read_maps, write_map
from ipsmap.formats import prsm
from ipsmap.formats.errors import FormatError
from ipsmap.formats.lzstring_utf16 import (
    LZStringError,
    compress_to_utf16,
    decompress_from_utf16,
)
from ipsmap.model.entities import Factor, Group, Link, MapInfo
from ipsmap.model.mapdata import MapData

FIXTURES = Path(__file__).parents[1] / "fixtures" / "prsm"
SHARED = Path(__file__).parents[2].parent / "shared" / "data" / "prsm"
SAMPLES = sorted((SHARED / "original").glob("*.prsm")) if SHARED.is_dir() else []
DECODED = {
    "PathsExample.prsm": "PathsExample.json",
    "User manual examples.prsm": "User_manual_examples.json",
    "clusterexamplemap.prsm": "clusterexamplemap.json",
    "npctheoryofchange191.prsm": "npctheoryofchange191.json",
}
needs_shared = pytest.mark.skipif(
    not SAMPLES, reason=f"PRSM sample files not found at {SHARED} (third-party data)"
)


def read_one(path: Path) -> MapData:
    maps = read_maps(path, "prsm")
    assert len(maps) == 1
    return maps[0]


def type_name(data: MapData, style_id: str | None, kind: str = "factor") -> str | None:
    """A type's name; no type means the map's default (first) style of that kind."""
    if style_id is None:
        ranked = sorted((s for s in data.styles if s.kind == kind), key=lambda s: s.position)
        return ranked[0].name if ranked else None
    return next((s.name for s in data.styles if s.id == style_id), None)


def summary(data: MapData) -> dict:
    """What a PRSM round trip keeps, keyed by label (ids may change)."""
    labels = {f.id: f.label for f in data.factors}
    members: dict[str, set[str]] = {}
    groups = {g.id: g.name for g in data.groups}
    for gid, fid in data.members:
        members.setdefault(labels[fid], set()).add(groups[gid])
    return {
        "name": data.info.name,
        "description": data.info.description,
        "factors": sorted(
            (
                f.label,
                type_name(data, f.type),
                f.x,
                f.y,
                f.notes,
                json.dumps(f.attributes, sort_keys=True),
            )
            for f in data.factors
        ),
        "links": sorted(
            (
                labels[ln.source],
                labels[ln.target],
                ln.polarity,
                type_name(data, ln.type, "link"),
                ln.strength >= 0.75,
                ln.notes,
                ln.confidence,
                ln.rationale,
                ln.evidence,
                ln.provenance,
                json.dumps(ln.attributes, sort_keys=True),
            )
            for ln in data.links
        ),
        "groups": {k: sorted(v) for k, v in members.items()},
    }


# -- lz-string ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_lzstring_round_trip(text: str) -> None:
    packed = compress_to_utf16(text)
    assert all(32 <= ord(ch) <= 0x801F for ch in packed)
    assert decompress_from_utf16(packed) == text


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet='ab{}":,', min_size=0, max_size=400))
def test_lzstring_round_trip_repetitive(text: str) -> None:
    assert decompress_from_utf16(compress_to_utf16(text)) == text


@needs_shared
def test_lzstring_matches_the_javascript_output() -> None:
    # Recompressing the decoded samples gives PRSM's compressed files byte for byte.
    for name in ("User manual examples.prsm", "clusterexamplemap.prsm"):
        packed = (SHARED / "original" / name).read_bytes().decode("utf-8-sig")
        text = decompress_from_utf16(packed)
        assert json.loads(text) == json.loads(
            (SHARED / "decoded-json" / DECODED[name]).read_text(encoding="utf-8")
        )
        assert compress_to_utf16(text) == packed


def test_lzstring_garbage_is_an_lzstring_error() -> None:
    with pytest.raises(LZStringError):
        decompress_from_utf16("\n\x00garbage")
    with pytest.raises(LZStringError):
        decompress_from_utf16(compress_to_utf16("hello world " * 20)[:5])


# -- the real PRSM samples -----------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_reads_with_counts_of_decoded_json(path: Path) -> None:
    assert detect_format(path).name == "prsm"
    data = read_one(path)
    decoded = json.loads((SHARED / "decoded-json" / DECODED[path.name]).read_text("utf-8"))
    assert len(data.factors) == len(decoded["nodes"])
    assert len(data.links) == len(decoded["edges"])
    metrics = json.loads((SHARED / "reference-metrics.json").read_text("utf-8"))
    entry = metrics["maps"].get(DECODED[path.name].removesuffix(".json"))
    if entry is None:  # the metrics file names the map by file stem
        entry = metrics["maps"].get(path.stem)
    if entry is not None:
        assert len(data.factors) == entry["n_nodes"]
        assert len(data.links) == entry["n_edges"]
    # PRSM's default "Untitled map" gives way to the file's name.
    expected = decoded["mapTitle"]
    assert data.info.name == (path.stem if expected == "Untitled map" else expected)
    # Every position is kept.
    by_label = {f.label: f for f in data.factors}
    for node in decoded["nodes"]:
        factor = by_label[prsm.unwrap_label(node["label"])]
        assert (factor.x, factor.y) == (node["x"] or 0, node["y"] or 0)
    # History is never silently dropped.
    if decoded.get("history"):
        assert any("history" in w for w in data.warnings)


@needs_shared
def test_cluster_example_styles_and_polarity() -> None:
    data = read_one(SHARED / "original" / "clusterexamplemap.prsm")
    factor_types = {type_name(data, f.type) for f in data.factors}
    assert factor_types == {"Nature", "Events", "Impact"}
    climate = next(f for f in data.factors if f.label == "Climate change")
    assert (climate.x, climate.y) == (-250.0, -400.0)
    assert type_name(data, climate.type) == "Nature"
    polarities = sorted((type_name(data, ln.type), ln.polarity) for ln in data.links)
    assert polarities.count(("+ve", "+")) == 5
    assert polarities.count(("-ve", "-")) == 2
    nature = next(s for s in data.styles if s.name == "Nature")
    assert nature.color == "#9adbb4"


@needs_shared
def test_npc_theory_of_change_types_labels_and_drawing_warning() -> None:
    data = read_one(SHARED / "original" / "npctheoryofchange191.prsm")
    types = {type_name(data, f.type) for f in data.factors}
    assert types == {"Activity/Quality", "Change mechanisms / journey", "Outcomes", "Impact"}
    labels = [f.label for f in data.factors]
    # PRSM's automatic line wrapping is undone; list items keep their lines.
    assert "Drop-in space for pupils for support or just take time out" in labels
    assert (
        "- Safe space\n- Non-judgemental / unpressured\n- Volunteers from the community" in labels
    )
    assert any("drawing layer" in w for w in data.warnings)


@needs_shared
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_file_to_ipsmap_to_file_is_stable(path: Path, tmp_path: Path) -> None:
    first = read_one(path)
    out = tmp_path / "again.prsm"
    write_map(first, out)
    second = read_one(out)
    assert summary(second) == summary(first)


# -- our fixtures ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["small.prsm", "small-compressed.prsm"])
def test_fixture_reads_everything(name: str) -> None:
    path = FIXTURES / name
    assert detect_format(path).name == "prsm"
    data = read_one(path)
    assert data.info.name == "Parent voice"
    assert data.info.description == "Map overview"
    factors = {f.label: f for f in data.factors}
    assert set(factors) == {"Parents feel heard", "Service changes", "Trust in staff",
                            "Waiting times"}  # fmt: skip
    heard = factors["Parents feel heard"]
    assert (heard.x, heard.y) == (-120.0, 40.0)
    assert heard.notes == "Raised in workshop 2"
    assert heard.attributes == {"Mechanism type": "reasoning"}
    assert heard.created_at == "2026-01-02T19:28:47.707Z"
    assert type_name(data, heard.type) == "Context"
    assert factors["Service changes"].notes == "Plain string note"
    assert factors["Service changes"].y == 0.0  # null coordinate
    assert type_name(data, factors["Trust in staff"].type) == "Outcome"  # numeric group 1
    assert factors["Trust in staff"].attributes == {}  # a *deleted* attribute column
    assert type_name(data, factors["Waiting times"].type) == "Context"  # no grp: group0
    outcome = next(s for s in data.styles if s.name == "Outcome")
    assert (outcome.color, outcome.border_color, outcome.shape) == ("#f5d5e0", "#a23b72",
                                                                    "ellipse")  # fmt: skip
    labels = {f.id: f.label for f in data.factors}
    links = {(labels[ln.source], labels[ln.target]): ln for ln in data.links}
    assert links["Parents feel heard", "Service changes"].polarity == "+"
    waiting = links["Waiting times", "Trust in staff"]
    assert waiting.polarity == "-"
    assert type_name(data, waiting.type) == "Negative influence"
    assert waiting.strength == 1.0  # width 4
    assert waiting.notes == "Seen in two sites"
    assert waiting.attributes == {"Label": "more waiting"}
    assert links["Trust in staff", "Parents feel heard"].polarity == "?"
    # The style's polarity wins over a "-" label, which is kept as the link's label.
    assert links["Service changes", "Trust in staff"].polarity == "+"
    members = {(g.name, labels[f]) for g in data.groups for gid, f in data.members
               if gid == g.id}  # fmt: skip
    assert members == {("Voice", "Parents feel heard"), ("Trust", "Parents feel heard"),
                       ("Trust", "Trust in staff")}  # fmt: skip
    assert "PRSM drawing layer not imported" in data.warnings
    assert any("history" in w for w in data.warnings)


def test_registry_picks_prsm_up() -> None:
    assert "prsm" in FORMATS
    fmt = FORMATS["prsm"]
    assert fmt.read is not None and fmt.write is not None
    assert fmt.suffixes == (".prsm",)


def test_sniff() -> None:
    assert prsm.sniff((FIXTURES / "small.prsm").read_bytes()[:8192])
    assert prsm.sniff((FIXTURES / "small-compressed.prsm").read_bytes()[:8192])
    assert prsm.sniff(compress_to_utf16('{"a": 1}').encode())
    assert not prsm.sniff(b'{"format": "ipsmap-map", "version": 1, "map": {}, "factors": []}')
    assert not prsm.sniff(b'{"nodes": [], "links": []}')
    assert not prsm.sniff(b'{"elements": [], "connections": []}')
    assert not prsm.sniff(b"id,label\n1,a\n")
    assert not prsm.sniff(b"")


# -- round trips -----------------------------------------------------------------------------


def sample_map() -> MapData:
    info = MapInfo(id="m", name="Round trip", description="About this map")
    from ipsmap.model.defaults import default_styles

    styles = default_styles("m", "system")
    by_name = {s.name: s.id for s in styles}
    factors = [
        Factor(id="a", map_id="m", label="Parents' voice & trust", type=by_name["Context"],
               x=1.5, y=-2.0, notes="Line 1\nLine 2 \"quoted\"",
               attributes={"Site": "Glasgow", "Score": 3}),
        Factor(id="b", map_id="m", label="A rather long label that PRSM would wrap",
               type=by_name["Outcome"], x=100.0, y=200.0),
        Factor(id="c", map_id="m", label="Waiting times", type=None, x=-50.0, y=0.0,
               notes="日本語 😀"),
        Factor(id="d", map_id="m", label="Staff turnover", type=by_name["Focal"]),
    ]  # fmt: skip
    links = [
        Link(id="l1", map_id="m", source="a", target="b", polarity="+"),
        Link(id="l2", map_id="m", source="c", target="a", polarity="-", strength=1.0,
             notes="Reported twice", confidence=0.25, rationale="Parents said so",
             evidence="Workshop 2 notes", provenance="Glasgow session"),
        Link(id="l3", map_id="m", source="b", target="c", polarity="?",
             type=by_name["Uncertain"]),
        Link(id="l4", map_id="m", source="d", target="c", polarity="-",
             type=by_name["Uncertain"], attributes={"Label": "slows"}),
    ]  # fmt: skip
    groups = [Group(id="g1", map_id="m", name="Family"), Group(id="g2", map_id="m", name="Staff")]
    members = [("g1", "a"), ("g1", "c"), ("g2", "d")]
    return MapData(info, styles, factors, links, groups, members)


@pytest.mark.parametrize("compressed", [False, True])
def test_ipsmap_to_prsm_to_ipsmap(tmp_path: Path, compressed: bool) -> None:
    """Kept: map name and description; factor labels, types by name, positions, notes,
    attributes, groups (names and members); link ends, polarity, style by name, strong or
    not, notes, label, confidence, rationale, evidence, provenance.

    Exact strengths and link confidence/rationale/evidence/provenance travel in extra edge
    fields that PRSM ignores (and drops if it saves the map again). Not kept: group colours
    and notes, map site and attributes, participants."""
    original = sample_map()
    path = tmp_path / "map.prsm"
    prsm.write(original, path, compressed=compressed)
    again = read_one(path)
    assert summary(again) == summary(original)
    # The file is what PRSM expects.
    doc = json.loads(prsm.decode_text(path.read_bytes()))
    for key in ("saved", "version", "room", "mapTitle", "lastNodeSample", "lastLinkSample",
                "buttons", "attributeTitles", "styles", "nodes", "edges"):  # fmt: skip
        assert key in doc
    assert {f"group{i}" for i in range(15)} <= set(doc["styles"]["nodes"])
    assert {f"edge{i}" for i in range(15)} <= set(doc["styles"]["edges"])
    node_ids = {n["id"] for n in doc["nodes"]}
    for node in doc["nodes"]:
        assert node["grp"] in doc["styles"]["nodes"]
    for edge in doc["edges"]:
        assert edge["grp"] in doc["styles"]["edges"]
        assert edge["from"] in node_ids and edge["to"] in node_ids
    legend = {v["groupLabel"] for k, v in doc["styles"]["edges"].items() if k.startswith("edge")}
    # "Uncertain" already means "?" to the reader, so it needs no suffix.
    assert {"Causal", "Causal (-)", "Uncertain", "Uncertain (-)"} <= legend


def test_empty_map_round_trip(tmp_path: Path) -> None:
    data = MapData(MapInfo(id="m", name="Empty"))
    path = tmp_path / "empty.prsm"
    write_map(data, path)
    again = read_one(path)
    assert (again.info.name, again.factors, again.links) == ("Empty", [], [])


# -- bad input ------------------------------------------------------------------------------


def write_doc(tmp_path: Path, doc: object, name: str = "bad.prsm") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def fixture_doc() -> dict:
    return json.loads((FIXTURES / "small.prsm").read_text(encoding="utf-8"))


def expect_error(path: Path, place: str | None, words: str) -> FormatError:
    with pytest.raises(FormatError) as caught:
        read_maps(path, "prsm")
    error = caught.value
    assert error.path == path
    if place is not None:
        assert error.place == place, str(error)
    assert words in error.problem, str(error)
    assert str(path) in str(error)
    return error


def test_truncated_plain_file(tmp_path: Path) -> None:
    text = (FIXTURES / "small.prsm").read_text(encoding="utf-8")
    path = tmp_path / "cut.prsm"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    error = expect_error(path, None, "invalid JSON")
    assert error.place.startswith("line ")


def test_truncated_compressed_file(tmp_path: Path) -> None:
    raw = (FIXTURES / "small-compressed.prsm").read_text(encoding="utf-8")
    path = tmp_path / "cut.prsm"
    path.write_text(raw[: len(raw) // 2], encoding="utf-8")
    error = expect_error(path, None, "compressed PRSM")
    assert error.place.startswith("character ")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.prsm"
    path.write_bytes(random.Random(1).randbytes(500))
    with pytest.raises(FormatError) as caught:
        read_maps(path, "prsm")
    assert caught.value.path == path


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.prsm"
    path.write_bytes(b"")
    expect_error(path, "", "empty")


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.prsm"
    path.write_text('{"nodes": [}', encoding="utf-8")
    expect_error(path, "line 1, column 12", "invalid JSON")


def test_wrong_structure(tmp_path: Path) -> None:
    expect_error(write_doc(tmp_path, [1, 2]), "", "expected a JSON object")
    expect_error(write_doc(tmp_path, {"edges": []}), "nodes", "missing")
    expect_error(write_doc(tmp_path, {"nodes": {}, "edges": []}), "nodes", "must be a list")
    expect_error(write_doc(tmp_path, {"nodes": [3], "edges": []}), "nodes[0]", "JSON object")
    doc = fixture_doc()
    doc["nodes"][2]["x"] = "left"
    expect_error(write_doc(tmp_path, doc), "nodes[2].x", "must be a number")
    doc = fixture_doc()
    doc["styles"] = []
    expect_error(write_doc(tmp_path, doc), "styles", "JSON object")


def test_edge_to_missing_node(tmp_path: Path) -> None:
    doc = fixture_doc()
    doc["edges"][3]["to"] = "nowhere"
    expect_error(write_doc(tmp_path, doc), "edges[3].to", "'nowhere' is not a factor")


def test_duplicate_ids(tmp_path: Path) -> None:
    doc = fixture_doc()
    doc["nodes"][2]["id"] = "n1"
    expect_error(write_doc(tmp_path, doc), "nodes[2].id", "duplicate factor id 'n1'")
    doc = fixture_doc()
    doc["edges"][1]["id"] = "e1"
    expect_error(write_doc(tmp_path, doc), "edges[1].id", "duplicate link id 'e1'")


def test_compressed_file_with_a_flipped_character(tmp_path: Path) -> None:
    raw = (FIXTURES / "small-compressed.prsm").read_text(encoding="utf-8")
    failures = 0
    for i in range(5, len(raw) - 2, 7):
        broken = raw[:i] + chr((ord(raw[i]) - 32) ^ 0x4000 + 32) + raw[i + 1 :]
        path = tmp_path / "flipped.prsm"
        path.write_text(broken, encoding="utf-8")
        try:
            read_maps(path, "prsm")
        except FormatError as exc:
            assert exc.path == path
            assert exc.place
            failures += 1
    assert failures > 0


def test_ipsmap_json_is_not_prsm(tmp_path: Path) -> None:
    path = write_doc(tmp_path, {"format": "ipsmap-map", "version": 1, "nodes": [], "edges": []})
    expect_error(path, "format", "ipsmap map file")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzz_only_format_errors_escape(tmp_path: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["small.prsm", "small-compressed.prsm"]))
    raw = bytearray((FIXTURES / name).read_bytes())
    cut = data.draw(st.integers(0, len(raw)))
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 4))):
        if not raw:
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path / "fuzz.prsm"
    path.write_bytes(bytes(raw))
    with contextlib.suppress(FormatError):
        read_maps(path, "prsm")


# -- font colours ----------------------------------------------------------------------------


def font_colours(data: MapData) -> dict[str, str | None]:
    return {s.name: s.font_color for s in data.styles if s.kind == "factor"}


@needs_shared
def test_npc_styles_keep_their_white_text_through_project_and_back(tmp_path: Path) -> None:
    from ipsmap.model.project import Project

    data = read_one(SHARED / "original" / "npctheoryofchange191.prsm")
    # White text on the red and the blue boxes; PRSM's default black stays the theme's.
    assert font_colours(data) == {
        "Activity/Quality": "#ffffff",
        "Change mechanisms / journey": None,
        "Outcomes": None,
        "Impact": "#ffffff",
    }
    with Project.create(tmp_path / "p.ipsmap") as project:
        map_id = project.import_map(data)
    with Project.open(tmp_path / "p.ipsmap") as project:
        stored = project.map_data(map_id)
        assert font_colours(stored) == font_colours(data)
        for name in ("again.prsm", "again.json"):
            write_map(stored, tmp_path / name)
            (back,) = read_maps(tmp_path / name)
            assert font_colours(back) == font_colours(data), name


def test_a_font_colour_is_written_to_prsm_and_read_back(tmp_path: Path) -> None:
    from ipsmap.model.entities import Style

    info = MapInfo(id="m", name="Coloured", kind="system")
    styles = [
        Style(id="s1", map_id="m", name="Alarm", color="#b71c1c", font_color="#ffffff"),
        Style(id="s2", map_id="m", name="Plain", color="#ffffff", position=1),
    ]
    factors = [
        Factor(id="a", map_id="m", label="Debt", type="s1"),
        Factor(id="b", map_id="m", label="Sleep", type="s2", x=200),
    ]
    data = MapData(info, styles, factors)
    out = tmp_path / "coloured.prsm"
    write_map(data, out)
    assert font_colours(read_one(out)) == {"Alarm": "#ffffff", "Plain": None}
