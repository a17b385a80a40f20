"""Every reader at the boundary: hostile values, bombs, limits, silent drops, one error path.

The invariant: a reader given a user's file returns a map a project can store, or raises
one FormatError; nothing else escapes, memory stays bounded, and a refused import leaves
the project as it was. Readers are called directly (``hostile.read_directly``), not through
the registry's last-resort guard, so a reader's own escape fails these tests.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.cli.commands import main
from ipsmap.formats import boundary
from ipsmap.formats.base import ReadOptions
from ipsmap.formats.errors import FormatError
from ipsmap.formats.lzstring_utf16 import LZStringTooLong, compress_to_utf16, decompress_from_utf16
from ipsmap.formats.registry import read_maps
from ipsmap.model.project import Project
from tests.formats.hostile import (
    DEEP,
    DEEP_OBJECT,
    HUGE_NUMBERS,
    JSON_LABELS,
    RAW_LABELS,
    TEMPLATES,
    Template,
    assert_storable,
    read_directly,
)

MB = 1 << 20
BOMB_PEAK = 200 * MB
IDS = [t.format for t in TEMPLATES]


def _read_or_refuse(template: Template, path: Path) -> str:
    """'read' or 'refused'; any exception other than FormatError fails the test."""
    try:
        maps = read_directly(template.format, path)
    except FormatError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 1500
        return "refused"
    assert_storable(maps, keep_controls=template.format == "json")
    return "read"


def _cases(template: Template) -> list[tuple[str, str, str]]:
    attr = '"value"' if template.json else "value"
    labels = [*(JSON_LABELS if template.json else []), *RAW_LABELS]
    cases = [(label, "12.5", attr) for label in labels]
    cases += [("Alpha", number, attr) for number in HUGE_NUMBERS]
    if template.json:
        cases += [("Alpha", "3", DEEP), ("Alpha", "3", DEEP_OBJECT)]
    return cases


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_every_reader_refuses_or_reads_each_class_of_hostile_value(template, tmp_path):
    results = {}
    for i, (label, number, attr) in enumerate(_cases(template)):
        folder = tmp_path / str(i)
        folder.mkdir()
        results[(label[:12], number[:12], attr[:12])] = _read_or_refuse(
            template, template.write(folder, label, number, attr)
        )
    # The template itself reads, so the refusals above are the hostile values' doing.
    plain = tmp_path / "plain"
    plain.mkdir()
    attr = '"value"' if template.json else "value"
    assert _read_or_refuse(template, template.write(plain, "Alpha", "12.5", attr)) == "read"
    # A lone surrogate never reaches a project: where JSON can spell one, it is refused.
    if template.json:
        assert results[("\\ud800", "12.5", attr)] == "refused"


TOKENS = [
    *HUGE_NUMBERS[1:],
    "\\ud800",
    "\\udc00",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "\ufeff",
    "[" * 200,
    "{" * 200,
    '"' + "x" * 5000 + '"',
    "<!DOCTYPE x [<!ENTITY e 'y'>]>",
    "&e;",
    "NaN",
    "-Infinity",
    ",",
    '"',
    "\n",
    "\x00",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(TEMPLATES),
    st.lists(st.tuples(st.floats(0, 1), st.sampled_from(TOKENS)), min_size=1, max_size=3),
    st.floats(0, 1),
)
def test_hostile_tokens_anywhere_give_a_map_or_one_format_error(
    tmp_path_factory, template, insertions, cut
):
    folder = tmp_path_factory.mktemp("fuzz")
    path = template.write(folder, "Alpha", "12.5", '"v"' if template.json else "v")
    text = path.read_bytes().decode("utf-8")
    for where, token in insertions:
        at = int(where * len(text))
        text = text[:at] + token + text[at:]
    if cut < 0.2:  # sometimes also cut short
        text = text[: int(len(text) * cut * 5)]
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _read_or_refuse(template, path)


# -- duplicates, dangling references, self references: warnings, never silent ---------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_a_node_declared_twice_is_a_warning(fmt, tmp_path):
    template = next(t for t in TEMPLATES if t.format == fmt)
    text = template.text.replace('id="b"', 'id="a"').replace('target="b"', 'target="a"')
    path = tmp_path / f"dup{template.suffix}"
    path.write_text(text.replace("LABEL", "A").replace("NUMBER", "1").replace("ATTR", "v"))
    data = read_maps(path)[0]
    assert len(data.factors) == 1
    assert any("'a' is declared 2 times" in w for w in data.warnings)
    assert any("to itself was not imported" in w for w in data.warnings)


SECOND_ID = {
    "json": '"id": "b"',
    "prsm": '"id": "b"',
    "kumu": '"_id": "b"',
    "mentalmodeler": '"id": "2"',
}


@pytest.mark.parametrize("fmt", sorted(SECOND_ID))
def test_a_duplicate_id_in_a_json_format_is_named(fmt, tmp_path):
    template = next(t for t in TEMPLATES if t.format == fmt)
    key = SECOND_ID[fmt]
    first = "'1'" if fmt == "mentalmodeler" else "'a'"
    text = template.text.replace(key, key.replace('"b"', '"a"').replace('"2"', '"1"'))
    path = tmp_path / f"dup{template.suffix}"
    path.write_text(text.replace("LABEL", "A").replace("NUMBER", "1").replace("ATTR", '"v"'))
    try:
        data = read_directly(template.format, path)[0]
    except FormatError as exc:
        assert first in str(exc) and "duplicate" in str(exc)
    else:
        assert any(first in w for w in data.warnings), data.warnings


# -- bombs: memory bounded, refused before the work -----------------------------------------


def _peak(action) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    error = None
    try:
        action()
    except BaseException as exc:
        error = exc
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, error


def _lz_bomb(chars: int) -> str:
    # A run of one character compresses to a few codes per doubling of the dictionary.
    return compress_to_utf16('{"nodes": [], "edges": [], "x": "' + "a" * chars + '"}')


def test_an_lz_string_bomb_stops_at_its_budget_with_bounded_memory(tmp_path):
    bomb = _lz_bomb(4 * MB)
    assert len(bomb) < 5_000  # a small file that expands a thousandfold
    path = tmp_path / "bomb.prsm"
    path.write_text(bomb, encoding="utf-8")
    peak, error = _peak(lambda: read_directly("prsm", path))
    assert isinstance(error, FormatError), error
    assert "expands to more than" in str(error)
    assert peak < BOMB_PEAK, f"peak {peak / MB:.0f} MB"


def test_decompression_checks_its_limit_inside_the_loop():
    bomb = _lz_bomb(2 * MB)
    with pytest.raises(LZStringTooLong):
        decompress_from_utf16(bomb, max_chars=100_000)
    assert len(decompress_from_utf16(bomb, max_chars=3 * MB)) > 2 * MB


def _zip_bomb(path: Path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b" " * MB
            for _ in range(size // MB):
                member.write(block)


def test_a_zip_bomb_workbook_is_refused_from_its_declared_sizes(tmp_path):
    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path, 100 * MB)
    assert path.stat().st_size < 1 * MB
    peak, error = _peak(lambda: read_directly("xlsx", path))
    assert isinstance(error, FormatError), error
    assert "expands to more than" in str(error)
    assert peak < 5 * MB  # nothing unpacked, openpyxl not even imported


def test_a_table_past_the_row_limit_stops_while_reading(tmp_path):
    path = tmp_path / "links.csv"
    rows = "".join(f"f{i},f{i + 1}\n" for i in range(200_000))
    path.write_text("from,to\n" + rows)
    limits = boundary.Limits(max_factors=1_000, max_links=5_000)
    with boundary.limits_in_force(limits):
        peak, error = _peak(lambda: read_directly("csv", path))
    assert isinstance(error, FormatError), error
    assert "--max-links" in str(error)
    assert peak < BOMB_PEAK


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"{" + b" " * (2 * MB) + b"}")
    with (
        boundary.limits_in_force(boundary.Limits(max_file_bytes=1 * MB)),
        pytest.raises(FormatError, match="imports files of up to 1 MB"),
    ):
        read_directly("json", path)


@pytest.mark.parametrize("fmt", ["json", "prsm", "kumu", "loopy", "graphml", "gml", "csv"])
def test_the_factor_limit_holds_in_every_reader(fmt, tmp_path):
    template = next(t for t in TEMPLATES if t.format == fmt)
    path = template.write(tmp_path, "Alpha", "1", '"v"' if template.json else "v")
    with (
        boundary.limits_in_force(boundary.Limits(max_factors=1)),
        pytest.raises(FormatError, match=r"more than 1 factors.*--max-factors"),
    ):
        read_directly(fmt, path)
    with (
        boundary.limits_in_force(boundary.Limits(max_links=0)),
        pytest.raises(FormatError, match="--max-links"),
    ):
        read_directly(fmt, path)


def test_one_huge_cell_is_refused(tmp_path):
    path = tmp_path / "m-factors.csv"
    path.write_text("id,label\na," + "x" * (2 * MB) + "\n")
    with pytest.raises(FormatError):
        read_directly("csv", path)


def test_a_huge_cell_in_a_workbook_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Factors"
    sheet.append(["id", "label"])
    sheet.append(["a", "x" * 40_000])  # openpyxl keeps 32,767 characters, as Excel does
    made = tmp_path / "made.xlsx"
    book.save(made)
    # Another tool's workbook need not stop there.
    path = tmp_path / "m.xlsx"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"x" * 32767, b"x" * 200_000)
            out.writestr(info.filename, data)
    with pytest.raises(FormatError, match="200,000 characters"):
        read_directly("xlsx", path)


def test_deeply_nested_loopy_data_is_one_error(tmp_path):
    path = tmp_path / "deep.loopy"
    path.write_text(json.dumps({"data": "[" * 50_000 + "]" * 50_000}))
    with pytest.raises(FormatError, match="nested too deeply"):
        read_directly("loopy", path)


def test_long_digit_runs_in_extra_columns_are_kept_as_text(tmp_path):
    factors = tmp_path / "m-factors.csv"
    factors.write_text(f"id,label,code\na,A,{'7' * 5000}\nb,B,{'8' * 400}\n")
    (tmp_path / "m-links.csv").write_text("from,to\na,b\n")
    data = read_directly("csv", factors)[0]
    codes = sorted(str(f.attributes["code"]) for f in data.factors)
    assert codes == ["7" * 5000, "8" * 400]


# -- XML in any encoding --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_a_dtd_is_refused_in_every_encoding(fmt, encoding, tmp_path):
    template = next(t for t in TEMPLATES if t.format == fmt)
    text = template.text.replace("LABEL", "A").replace("NUMBER", "1").replace("ATTR", "v")
    good = tmp_path / f"good{template.suffix}"
    good.write_bytes(text.encode(encoding))
    assert len(read_directly(fmt, good)[0].factors) == 2  # the encoding itself is fine
    root = "<graphml" if fmt == "graphml" else "<gexf"
    hostile = text.replace(root, '<!DOCTYPE g [<!ENTITY e "lol">]>\n' + root, 1)
    bad = tmp_path / f"bad{template.suffix}"
    bad.write_bytes(hostile.encode(encoding))
    with pytest.raises(FormatError, match="DTD"):
        read_directly(fmt, bad)


# -- one error path, the project untouched ---------------------------------------------------


def _project_state(path: Path) -> list:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [(t, db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables]


HOSTILE_FILES = {
    "surrogate.json": '{"format": "ipsmap-map", "version": 1, "map": {"name": "\\ud800"}}',
    "digits.prsm": '{"mapTitle": "m", "nodes": [{"id": "a", "x": ' + "1" * 5000 + "}]}",
    "overflow.json": '{"elements": [{"_id": "a", "attributes": {"label": "A", "x": '
    + "1" * 400
    + "}}], "
    '"connections": []}',
    "deep.loopy": json.dumps({"data": "[" * 20_000}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_the_command_line_gives_one_line_and_leaves_the_project(name, tmp_path, capsys):
    project = tmp_path / "p.ipsmap"
    Project.create(project, "P").close()
    before = _project_state(project)
    source = tmp_path / name
    source.write_text(HOSTILE_FILES[name], encoding="utf-8")
    assert main(["import", str(project), str(source)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"ipsmap: error: {source}")
    assert _project_state(project) == before


def test_the_limits_can_be_raised_from_the_command_line(tmp_path, capsys):
    project = tmp_path / "p.ipsmap"
    Project.create(project, "P").close()
    source = tmp_path / "m-factors.csv"
    source.write_text("id,label\n" + "".join(f"f{i},F {i}\n" for i in range(30)))
    assert main(["import", str(project), str(source), "--max-factors", "20"]) == 2
    assert "--max-factors" in capsys.readouterr().err
    assert main(["import", str(project), str(source), "--max-factors", "30"]) == 0


def test_an_unexpected_reader_failure_becomes_a_format_error(tmp_path, monkeypatch):
    from ipsmap.formats import registry

    source = tmp_path / "m.gml"
    source.write_text('graph [ node [ id 0 label "A" ] ]')
    fmt = registry.get_format("gml")

    def broken(path, options):
        raise KeyError("a reader bug")

    monkeypatch.setitem(
        registry.FORMATS, "gml", registry.MapFormat(**{**vars(fmt), "read": broken})
    )
    with pytest.raises(FormatError, match=r"m\.gml: cannot be read as a GML file"):
        read_maps(source, "gml")


def test_limits_in_force_are_the_ones_readers_see():
    assert boundary.active_limits() == boundary.DEFAULT_LIMITS
    custom = boundary.Limits(max_factors=7)
    with boundary.limits_in_force(custom):
        assert boundary.active_limits().max_factors == 7
    assert boundary.active_limits() == boundary.DEFAULT_LIMITS
    # read_maps puts the options' limits in force for the read
    assert ReadOptions(limits=custom).limits is custom


def test_xlsx_rows_stream_with_their_values(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Factors"
    sheet.append(["id", "label", "n"])
    sheet.append(["a", "A", 2.0])
    sheet.append(["b", "B", 2.5])
    links = book.create_sheet("Links")
    links.append(["from", "to"])
    links.append(["a", "b"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "m.xlsx"
    path.write_bytes(buffer.getvalue())
    data = read_directly("xlsx", path)[0]
    values = {f.label: f.attributes.get("n") for f in data.factors}
    assert values == {"A": 2, "B": 2.5} and isinstance(values["A"], int)
    assert len(data.links) == 1


def test_a_merged_duplicate_is_a_warning_on_stderr(tmp_path, capsys):
    project = tmp_path / "p.ipsmap"
    Project.create(project, "P").close()
    template = next(t for t in TEMPLATES if t.format == "graphml")
    text = template.text.replace('<node id="b">', '<node id="a">').replace('"b"', '"a"')
    source = tmp_path / "dup.graphml"
    source.write_text(text.replace("LABEL", "A").replace("NUMBER", "1").replace("ATTR", "v"))
    assert main(["import", str(project), str(source)]) == 0
    err = capsys.readouterr().err
    assert f"ipsmap: warning: {source}: node id 'a' is declared 2 times" in err
