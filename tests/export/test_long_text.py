"""Ordinary long text (a long rationale, a pasted label) never breaks the PDF report and
never makes a picture of absurd proportions."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from ipsmap.export.all_formats import write_map
from ipsmap.export.context import build_context
from ipsmap.model.commands import AddFactor, AddLink, EditMap
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.record_commands import AddCMO


def _text(length: int, spaced: bool) -> str:
    if spaced:
        return ("cold homes worry parents " * (length // 25 + 1))[:length]
    return "x" * length


def _long_map(tmp_path, length: int, spaced: bool, where: str):
    long = _text(length, spaced)
    with Project.create(tmp_path / "p.ipsmap", "Long text") as project:
        add = AddMap(long if where == "all" else "Map", "system", "")
        project.execute(add)
        doc = project.document(add.id)
        if where == "all":
            doc.execute(EditMap({"description": long}))
        a = AddFactor(long if where in ("label", "all") else "Housing", notes=long)
        doc.execute(a)
        b = AddFactor("Stress", x=200)
        doc.execute(b)
        doc.execute(
            AddLink(
                a.id,
                b.id,
                rationale=long if where in ("rationale", "all") else "",
                evidence=long if where == "all" else "",
            )
        )
        project.execute(AddCMO({"context": long, "outcome": long, "explains": [a.id]}))
        return build_context(project, add.id)


@pytest.mark.parametrize(
    ("length", "where"),
    [(1_800, "rationale"), (3_000, "label"), (100_000, "label"), (100_000, "all")],
)
@pytest.mark.parametrize("spaced", [True, False], ids=["words", "one-word"])
def test_the_pdf_report_holds_long_text(tmp_path, length, where, spaced):
    data, context = _long_map(tmp_path, length, spaced, where)
    path = tmp_path / "r.pdf"
    write_map(data, path, "pdf", context=context)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "CMO configurations" in text
        if length > 3_000:
            assert "more characters" in text  # the cut is said, not silent


def _png_size(raw: bytes) -> tuple[int, int]:
    assert raw.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", raw[16:24])


@pytest.mark.parametrize("spaced", [True, False], ids=["words", "one-word"])
def test_a_huge_label_keeps_the_picture_in_proportion(tmp_path, spaced):
    from ipsmap.ui.canvas.image_export import render

    data, _context = _long_map(tmp_path, 100_000, spaced, "label")
    png = tmp_path / "m.png"
    write_map(data, png, "png", renderer=render)
    width, height = _png_size(png.read_bytes())
    assert 200 <= width <= 4_000 and 100 <= height <= 4_000, (width, height)
    assert 0.2 <= width / height <= 8, (width, height)
    svg = tmp_path / "m.svg"
    write_map(data, svg, "svg", renderer=render)
    assert svg.stat().st_size < 200_000


def test_the_canvas_shows_a_cut_label_and_keeps_the_whole_one():
    from ipsmap.ui.canvas.items import SHOWN_LABEL_CHARACTERS, shown_label

    assert shown_label("Housing costs") == "Housing costs"
    long = shown_label("y" * 1000)
    assert long.endswith("\u2026")
    assert len(long.replace("\u200b", "")) == SHOWN_LABEL_CHARACTERS + 1
    assert "\u200b" in long  # breakable for word wrap
