"""Every writer against hostile text: a map whose labels, notes, rationales and attributes
hold control characters, markup, quotes, spreadsheet formulas, right-to-left marks, emoji
and long runs is written in every format ipsmap writes. Each write either succeeds or says
why in one IpsmapError (never another exception, never a partial file), and every format
ipsmap can also read reads the file back to the same factors and links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ipsmap.export.all_formats import FORMATS, read_maps, writable_formats, write_map
from ipsmap.export.context import build_context
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.errors import IpsmapError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

# Characters that have broken one writer or another somewhere: markup, quotes, separators,
# control characters, bidirectional marks, a surrogate pair's emoji, formula starters.
HOSTILE = "<>&\"'`;,|\t\r\n\x00\x01\x07\x1b\x7f\u200b\u202e\u2028 =+-@#{}[]\\/💥ß"
TEXT = st.text(alphabet=st.sampled_from(list(HOSTILE) + list("abc XYZ")), max_size=60)
LONG = st.integers(min_value=0, max_value=5).map(lambda n: "word " * (n * 400))


def _renderer():
    # PNG and SVG draw through the canvas, as the CLI passes it in.
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    from ipsmap.ui.canvas.image_export import render

    return render


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    with Project.create(tmp_path_factory.mktemp("fuzz") / "p.ipsmap", "Fuzz") as opened:
        yield opened


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(label=TEXT, notes=TEXT, rationale=TEXT, key=TEXT, value=TEXT, long=LONG)
def test_every_writer_survives_hostile_text(
    project, tmp_path, label, notes, rationale, key, value, long
):
    add = AddMap("Fuzz " + label[:20], "system", "")
    project.execute(add)
    doc = project.document(add.id)
    # (a label must hold something besides blanks: the model refuses an empty one)
    first = AddFactor(label if label.strip() else "x", notes=notes + long, attributes={key: value})
    second = AddFactor(notes if notes.strip() else "y", x=200.0, y=80.0)
    doc.execute(first)
    doc.execute(second)
    doc.execute(AddLink(first.id, second.id, polarity="-", rationale=rationale))
    data, context = build_context(project, add.id)
    folder = tmp_path / f"out-{add.id[:8]}"
    folder.mkdir()
    for name in writable_formats():
        fmt = FORMATS[name]
        suffix = fmt.suffixes[0] if fmt.suffixes else f".{name}"
        path = folder / f"map-{name}{suffix}"
        renderer = _renderer() if fmt.needs_renderer else None
        try:
            write_map(data, path, name, context=context, renderer=renderer)
        except IpsmapError:
            assert not path.exists(), f"{name}: a refused write left {path.name} behind"
            continue
        if name == "csv":  # a table per kind of record; the links table names both ends
            path = folder / f"map-{name}-links.csv"
        assert path.exists() and path.stat().st_size > 0, name
        leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
        assert not leftovers, f"{name} left {leftovers}"
        if fmt.read is None:
            continue
        back = read_maps(path, name)
        assert sum(len(m.factors) for m in back) == 2, name
        assert sum(len(m.links) for m in back) == 1, name


def test_the_fuzz_covers_every_writable_format():
    # A format added later is fuzzed too: the test above walks the registry.
    assert {"csv", "xlsx", "json", "graphml", "gexf", "gml", "html", "pdf", "svg"} <= set(
        writable_formats()
    )


def test_a_written_file_is_never_left_half_written(tmp_path: Path):
    # The check the fuzz test relies on: temporary files are hidden and removed.
    with Project.create(tmp_path / "p.ipsmap", "T") as project:
        add = AddMap("M", "system", "")
        project.execute(add)
        project.document(add.id).execute(AddFactor("A"))
        data, context = build_context(project, add.id)
        write_map(data, tmp_path / "m.csv", "csv", context=context)
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
