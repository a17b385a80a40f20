"""Text that could turn an export against its reader: spreadsheet formulas in CSV cells,
control characters in XML and CSV."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ipsmap.export.all_formats import read_maps, write_map
from ipsmap.export.context import build_context
from ipsmap.formats.table_cells import runs_as_formula, spreadsheet_safe, unguarded
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.record_commands import AddCMO

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x","click")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",
    "'=already guarded once",
]
HARMLESS = ["-3", "+0.5", "-", "+", "Housing", "it's = fine", "'quoted'"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_guarded_and_read_back(text):
    assert runs_as_formula(text)
    written = spreadsheet_safe(text)
    assert written.startswith("'")
    assert unguarded(written) == text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_and_numbers_are_left_alone(text):
    assert spreadsheet_safe(text) == text
    assert unguarded(text) == text
    assert spreadsheet_safe(-3) == -3


@pytest.fixture
def hostile(tmp_path):
    with Project.create(tmp_path / "p.ipsmap", "Hostile") as project:
        add = AddMap("Hostile map", "system", "")
        project.execute(add)
        doc = project.document(add.id)
        ids = []
        for i, label in enumerate(FORMULAS):
            command = AddFactor(
                label,
                notes="=1+1",
                attributes={"=evil()": "@x", "score": -3, "mood": f"-{i}"},
            )
            doc.execute(command)
            ids.append(command.id)
        doc.execute(AddFactor("bell\x00here\x07", notes="nul \x00 inside"))
        doc.execute(AddLink(ids[0], ids[1], polarity="-", rationale="=HYPERLINK(1)"))
        doc.execute(AddLink(ids[1], ids[2], polarity="+", strength=0.5))
        project.execute(AddCMO({"context": "=WEBSERVICE(1)", "explains": [ids[0]]}))
        data, context = build_context(project, add.id)
        yield data, context


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _live(cell: str) -> bool:
    """Whether a spreadsheet would run this cell."""
    return runs_as_formula(cell) and not cell.startswith("'")


def test_no_csv_export_holds_a_live_formula(hostile, tmp_path):
    data, context = hostile
    write_map(data, tmp_path / "t.csv", "csv", context=context)
    write_map(data, tmp_path / "m.csv", "matrix", context=context)
    files = sorted(tmp_path.glob("*.csv"))
    assert {p.name for p in files} >= {"t-factors.csv", "t-links.csv", "t-cmos.csv", "m.csv"}
    for path in files:
        cells = _cells(path)
        assert not [c for c in cells if _live(c)], path.name
        assert "\x00" not in path.read_text(encoding="utf-8-sig"), path.name
    factors = _cells(tmp_path / "t-factors.csv")
    assert "'=evil()" in " ".join(factors)  # the header from an attribute key
    assert "-3" in factors  # a number is written as a number
    assert "'=WEBSERVICE(1)" in _cells(tmp_path / "t-cmos.csv")
    assert "-" in _cells(tmp_path / "t-links.csv")  # a polarity stays as it is


def test_ipsmap_reads_its_own_csv_back_to_the_same_text(hostile, tmp_path):
    data, _context = hostile
    write_map(data, tmp_path / "t.csv", "csv")
    (back,) = read_maps(tmp_path / "t-factors.csv")
    labels = sorted(f.label for f in back.factors)
    # (The tables reader trims spaces, tabs and returns around a label, as it always has.)
    assert labels == sorted([*(t.strip() for t in FORMULAS), "bell\ufffdhere\ufffd"])
    first = next(f for f in back.factors if f.label == FORMULAS[0])
    assert first.notes == "=1+1"
    assert first.attributes["=evil()"] == "@x"
    assert back.links[0].rationale == "=HYPERLINK(1)" or back.links[1].rationale == (
        "=HYPERLINK(1)"
    )
    write_map(data, tmp_path / "m.csv", "matrix")
    (matrix,) = read_maps(tmp_path / "m.csv", "matrix")
    assert sorted(f.label for f in matrix.factors) == labels


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "qdc", "mentalmodeler"])
def test_xml_exports_stay_well_formed_and_read_back(hostile, tmp_path, fmt):
    from ipsmap.export.all_formats import get_format

    data, context = hostile
    path = tmp_path / f"x{get_format(fmt).suffixes[0]}"
    write_map(data, path, fmt, context=context)
    ET.parse(path)  # well-formed
    assert "\x00" not in path.read_text(encoding="utf-8")
    if get_format(fmt).read is not None:
        (back,) = read_maps(path, fmt)
        assert "bell\ufffdhere\ufffd" in {f.label for f in back.factors}


def test_svg_of_a_label_with_a_nul_is_well_formed(hostile, tmp_path):
    from ipsmap.ui.canvas.image_export import render

    data, _context = hostile
    path = tmp_path / "x.svg"
    write_map(data, path, "svg", renderer=render)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
