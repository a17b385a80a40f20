"""Automatic layout: no overlapping boxes, and maps imported without positions laid out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ipsmap.analysis.layout import (
    auto_layout,
    box_size,
    factor_boxes,
    has_no_positions,
    lay_out_unplaced,
    layered_layout,
    overlapping_pairs,
)
from ipsmap.export.all_formats import read_maps
from ipsmap.model.entities import Factor, Link, MapInfo, Style
from ipsmap.model.mapdata import MapData
from ipsmap.model.state import MapState

LABELS = [
    "Housing costs",
    "Stress at home",
    "GP appointments",
    "Trust in services",
    "energy passengers transport consumption",
    "x",
    "Rent arrears and the fear of eviction",
    "Wellbeing",
]


def crowded_map(n: int = 40, kind: str = "system", at: tuple[float, float] = (0, 0)) -> MapData:
    """n factors with labels of mixed length, all on one point, linked in a ring and a star."""
    info = MapInfo(id="m", name="Crowded", kind=kind)
    factors = [
        Factor(id=f"f{i}", map_id="m", label=f"{LABELS[i % len(LABELS)]} {i}", x=at[0], y=at[1])
        for i in range(n)
    ]
    links = [
        Link(id=f"l{i}", map_id="m", source=f"f{i}", target=f"f{(i + 1) % n}") for i in range(n)
    ] + [Link(id=f"s{i}", map_id="m", source="f0", target=f"f{i}") for i in range(2, n, 3)]
    return MapData(info=info, factors=factors, links=links)


def overlaps(state: MapState, positions: dict[str, tuple[float, float]]) -> list:
    where = {fid: (f.x, f.y) for fid, f in state.factors.items()} | positions
    return overlapping_pairs(where, factor_boxes(state))


def test_box_size_grows_with_the_label_and_wraps_long_ones():
    short_w, short_h = box_size("GDP")
    long_w, long_h = box_size("energy passengers transport consumption")
    assert long_w > short_w and long_h > short_h  # wrapped onto more lines
    assert box_size("GDP", "ellipse")[0] > short_w
    assert box_size("a\nb")[1] > box_size("a b")[1]


def test_auto_layout_leaves_no_overlapping_boxes_on_a_crowded_map():
    state = MapState.from_data(crowded_map(60))
    positions = auto_layout(state)
    assert set(positions) == set(state.factors)
    assert overlaps(state, positions) == []


def test_auto_layout_is_deterministic():
    state = MapState.from_data(crowded_map(30))
    assert auto_layout(state) == auto_layout(state)


def test_layout_of_a_selection_keeps_the_others_still_and_clear_of_them():
    data = crowded_map(12)
    # The first six already laid out far apart; the rest stacked in the middle of them.
    for i, f in enumerate(data.factors[:6]):
        f.x, f.y = (i % 3) * 400.0, (i // 3) * 300.0
    state = MapState.from_data(data)
    only = [f.id for f in data.factors[6:]]
    positions = auto_layout(state, only)
    assert set(positions) == set(only)
    assert overlaps(state, positions) == []


def test_bottom_to_top_theory_of_change_columns_do_not_overlap():
    data = crowded_map(16, kind="toc")
    data.styles = [
        Style(id=f"s{level}", map_id="m", name=f"Level {level}", level=level) for level in range(3)
    ]
    data.factors = [dataclasses.replace(f, type=f"s{i % 3}") for i, f in enumerate(data.factors)]
    state = MapState.from_data(data)
    for direction in ("lr", "bt"):
        positions = auto_layout(state, direction=direction)
        assert overlaps(state, positions) == []
    # Still in columns by level: every level-0 factor left of every level-1 factor.
    layered = auto_layout(state, direction="lr")
    assert max(layered[f"f{i}"][0] for i in range(0, 16, 3)) < min(
        layered[f"f{i}"][0] for i in range(1, 16, 3)
    )
    assert layered_layout(state)  # the plain layered layout still answers on its own


def test_a_map_without_positions_is_laid_out_and_says_so():
    data = crowded_map(25)
    assert has_no_positions(data)
    assert lay_out_unplaced(data)
    state = MapState.from_data(data)
    assert len({(f.x, f.y) for f in data.factors}) == 25
    assert overlaps(state, {}) == []
    assert any("no positions" in w and "laid out" in w for w in data.warnings)


def test_all_on_one_point_that_is_not_the_origin_counts_as_no_positions():
    assert lay_out_unplaced(crowded_map(5, at=(120.0, 40.0)))


def test_a_map_with_positions_is_left_alone():
    data = crowded_map(6)
    for i, f in enumerate(data.factors):
        f.x = i * 10.0  # close together, but placed by the file
    before = [(f.x, f.y) for f in data.factors]
    assert not lay_out_unplaced(data)
    assert [(f.x, f.y) for f in data.factors] == before and data.warnings == []
    single = crowded_map(1)
    assert not lay_out_unplaced(single)


def test_a_theory_of_change_without_positions_is_laid_out_by_level():
    data = crowded_map(9, kind="toc")
    data.styles = [Style(id=f"s{lv}", map_id="m", name=f"L{lv}", level=lv) for lv in range(3)]
    data.factors = [dataclasses.replace(f, type=f"s{i % 3}") for i, f in enumerate(data.factors)]
    assert lay_out_unplaced(data)
    assert "by theory-of-change level" in data.warnings[-1]
    xs = {f.type: set() for f in data.factors}
    for f in data.factors:
        xs[f.type].add(f.x)
    assert max(xs["s0"]) < min(xs["s1"]) and max(xs["s1"]) < min(xs["s2"])


def shared_maps(root: Path) -> list[Path]:
    files = [p for p in sorted((root / "maps").glob("*.*")) if p.suffix != ".md"]
    return files + sorted((root / "prsm" / "original").glob("*.prsm"))


def test_auto_layout_leaves_no_overlapping_boxes_on_every_shared_map(shared_data):
    checked = 0
    for path in shared_maps(shared_data):
        for data in read_maps(path):
            state = MapState.from_data(data)
            positions = auto_layout(state)
            assert overlaps(state, positions) == [], path.name
            checked += 1
    assert checked >= 9


def test_the_wiliam_graphml_arrives_laid_out(shared_data):
    (data,) = read_maps(shared_data / "maps" / "wiliam_loop_diagram_v1_2.graphml")
    assert len(data.factors) == 92 and has_no_positions(data)
    assert lay_out_unplaced(data)
    assert overlaps(MapState.from_data(data), {}) == []


@pytest.mark.parametrize("name", ["wiliam_loop_diagram_v1_2.mdl"])
def test_a_map_with_sketch_positions_keeps_them(shared_data, name):
    (data,) = read_maps(shared_data / "maps" / name)
    before = [(f.x, f.y) for f in data.factors]
    assert not lay_out_unplaced(data)
    assert [(f.x, f.y) for f in data.factors] == before


def test_unlinked_factors_sit_in_a_row_below_the_rest_not_in_far_corners():
    data = crowded_map(20)
    data.factors += [Factor(id=f"loose{i}", map_id="m", label=f"Loose {i}") for i in range(4)]
    state = MapState.from_data(data)
    positions = auto_layout(state)
    linked = [positions[f"f{i}"] for i in range(20)]
    loose = [positions[f"loose{i}"] for i in range(4)]
    assert min(y for _, y in loose) > max(y for _, y in linked)
    left, right = min(x for x, _ in linked), max(x for x, _ in linked)
    assert all(left - 1 <= x <= right + 200 for x, _ in loose)
    assert overlaps(state, positions) == []


def test_a_big_map_without_positions_is_put_in_a_grid_quickly():
    import time

    data = crowded_map(3000)
    start = time.perf_counter()
    assert lay_out_unplaced(data)
    assert time.perf_counter() - start < 5
    assert "grid" in data.warnings[-1]
    assert overlaps(MapState.from_data(data), {}) == []
