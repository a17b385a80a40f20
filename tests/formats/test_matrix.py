"""Adjacency matrices: reading, round trips, one map per sheet, errors.

Kept on a round trip (CSV and xlsx): factor labels and order, links, polarity + and -,
strength. Not kept: ``?`` polarity (written as 0, i.e. no link, with a warning), types,
positions, notes, confidence and everything else.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import detect_format, read_maps, write_map
from ipsmap.formats import matrix
from ipsmap.formats.base import ReadOptions
from ipsmap.formats.errors import ExportWarning, FormatError
from ipsmap.model.defaults import default_styles
from ipsmap.model.entities import Factor, Link, MapInfo
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "tables"
MOOD = 'Mood <&> "affect"'


def _links(data: MapData) -> list[tuple]:
    labels = {f.id: f.label for f in data.factors}
    return sorted(
        (labels[ln.source], labels[ln.target], ln.polarity, ln.strength) for ln in data.links
    )


def sample_map(with_unknown: bool = False) -> MapData:
    info = MapInfo(id="m", name="Ana's map: v1", kind="system")
    labels = ["Sleep 😴", MOOD, "=1+1", "Ünïcødé ‮rtl"]
    factors = [Factor(id=f"f{i}", map_id="m", label=t) for i, t in enumerate(labels)]
    links = [
        Link(id="a", map_id="m", source="f0", target="f1", polarity="+", strength=0.25),
        Link(id="b", map_id="m", source="f1", target="f0", polarity="-", strength=1.0),
        Link(id="c", map_id="m", source="f2", target="f3", polarity="-", strength=0.5),
    ]
    if with_unknown:
        links.append(Link(id="d", map_id="m", source="f3", target="f0", polarity="?"))
    return MapData(info, default_styles("m", "system"), factors, links)


@pytest.mark.parametrize("name", ["m.matrix.csv", "m.matrix.xlsx"])
def test_round_trip_keeps_labels_links_polarity_strength(tmp_path, name):
    data = sample_map()
    write_map(data, tmp_path / name)
    [back] = read_maps(tmp_path / name)
    assert [f.label for f in back.factors] == [f.label for f in data.factors]
    assert _links(back) == _links(data)
    assert back.warnings == []
    with Project.create(tmp_path / "p.ipsmap") as project:
        project.import_map(back)


def test_unknown_polarity_is_written_as_zero_with_a_warning(tmp_path):
    with pytest.warns(ExportWarning, match=r"1 link\(s\) of unknown polarity"):
        write_map(sample_map(with_unknown=True), tmp_path / "m.matrix.csv")
    [back] = read_maps(tmp_path / "m.matrix.csv")
    assert len(back.links) == 3


def test_duplicate_labels_are_told_apart_on_writing(tmp_path):
    data = sample_map()
    data.factors[1].label = data.factors[0].label
    with pytest.warns(ExportWarning, match="share a label"):
        write_map(data, tmp_path / "m.matrix.csv")
    [back] = read_maps(tmp_path / "m.matrix.csv")
    assert [f.label for f in back.factors][:2] == ["Sleep 😴", "Sleep 😴 (2)"]


def test_reads_a_weighted_matrix_with_rows_in_another_order():
    [data] = read_maps(FIXTURES / "weights.matrix.csv")
    assert data.info.name == "weights"
    assert [f.label for f in data.factors] == ["Sleep 😴", MOOD, "Screen time"]
    assert _links(data) == [
        (MOOD, "Sleep 😴", "+", 0.25),
        ("Screen time", "Sleep 😴", "-", 1.0),
        ("Sleep 😴", MOOD, "+", 0.5),
    ]
    assert any("divided by 6" in w for w in data.warnings)


def test_a_plain_csv_matrix_is_recognised_by_its_content():
    assert detect_format(FIXTURES / "plain-matrix.csv").name == "matrix"
    assert detect_format(FIXTURES / "workshop-links.csv").name == "csv"
    assert not matrix.sniff(b"from,to\na,b\nb,a\n")
    assert not matrix.sniff(b"\x00\xff garbage")


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _participant_sheets() -> dict[str, list[list]]:
    return {
        person: [[None, "Sleep", "Mood"], ["Sleep", None, sign], ["Mood", 0, None]]
        for person, sign in (("Ana", 1), ("Bo", -0.5), ("Chen", "+"))
    }


@pytest.mark.parametrize("name", ["people.matrix.xlsx", "people.xlsx"])
def test_a_workbook_of_three_participant_sheets_gives_three_maps(tmp_path, name):
    # A plain .xlsx of matrices reaches the matrix reader through the tables reader.
    maps = read_maps(_workbook(tmp_path / name, _participant_sheets()))
    assert [m.info.name for m in maps] == ["Ana", "Bo", "Chen"]
    assert [_links(m) for m in maps] == [
        [("Sleep", "Mood", "+", 1.0)],
        [("Sleep", "Mood", "-", 0.5)],
        [("Sleep", "Mood", "+", 0.5)],
    ]


@pytest.mark.parametrize(
    ("text", "place", "problem"),
    [
        ("", "", "empty"),
        (",A,B\nA,0,1\n", "", "not square: 1 rows and 2 columns"),
        (",A,B\nA,0,1\nC,1,0\n", "", "row labels differ.*rows only: \\['C'\\]"),
        (",A,B,C\nA,0,1,0\nB,1,0,0\nC,x,0,0\n", "row 4, column 'A'", "must be a number"),
        (",A,A\nA,0,1\nA,1,0\n", "row 1", "used twice"),
        (",A,B\nA,0,1\nB,1,0,7\n", "row 3", "more cells than the 2 factor labels"),
        (",A,,B\nA,0,,1\nX,,,\nB,1,,0\n", "row 1, column 3", "no factor label"),
    ],
)
def test_bad_matrices_name_file_and_place(tmp_path, text, place, problem):
    path = tmp_path / "bad.matrix.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(FormatError, match=problem) as caught:
        read_maps(path, "matrix")
    assert caught.value.path == path
    assert caught.value.place == place


def test_bad_sheet_is_named(tmp_path):
    sheets = _participant_sheets()
    sheets["Bo"][2][0] = "Other"
    with pytest.raises(FormatError) as caught:
        read_maps(_workbook(tmp_path / "p.matrix.xlsx", sheets))
    assert caught.value.place == "sheet 'Bo'"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.lists(st.sampled_from(["", "A", "B", "0", "1", "-2", "+", "x", '"', "\x00"])),
            max_size=5,
        ).map(lambda rows: "\n".join(",".join(r) for r in rows).encode()),
    )
)
def test_fuzz_matrix_reader_only_raises_format_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.matrix.csv"
        path.write_bytes(content)
        matrix.sniff(content)
        try:
            maps = matrix.read(path, ReadOptions())
        except FormatError as exc:
            assert exc.path == path
        else:
            assert len(maps) == 1
