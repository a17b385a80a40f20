"""Progress and cancel of the long exports: real steps, and a cancel leaves nothing behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ipsmap.export.all_formats import write_map
from ipsmap.export.context import ExportContext
from ipsmap.export.progress import ExportCancelled

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from synthetic import synthetic_map

pytest.importorskip("reportlab")
pytest.importorskip("openpyxl")

SUFFIX = {"pdf": "pdf", "xlsx": "xlsx", "csv": "csv", "html": "html", "qdc": "qdc", "bundle": "zip"}


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    # Big enough that every writer takes several steps (two chunks of table rows).
    return synthetic_map(150)


def _context(progress) -> ExportContext:  # type: ignore[no-untyped-def]
    return ExportContext(project_title="Trial", map_name="Map", progress=progress)


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv", "html", "qdc"])
def test_writers_report_steps_that_only_move_forward(data, tmp_path: Path, fmt: str) -> None:
    steps: list[tuple[float, str]] = []
    write_map(
        data,
        tmp_path / f"map.{SUFFIX[fmt]}",
        fmt,
        context=_context(lambda f, m: steps.append((f, m))),
    )
    fractions = [f for f, _ in steps]
    assert len(steps) >= 2 and all(m for _, m in steps)
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0.0 and 0.9 <= fractions[-1] <= 1.0


def test_the_pdf_reports_pages_and_while_the_figure_is_drawn(data, tmp_path: Path) -> None:
    messages: list[str] = []
    write_map(data, tmp_path / "r.pdf", "pdf", context=_context(lambda f, m: messages.append(m)))
    assert "Analysing the map (metrics and loops)" in messages
    assert messages.count("Drawing the map figure") >= 2
    assert any(m.startswith("Laying out page") for m in messages)
    assert messages[-1] == "Saving the PDF"


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv", "html", "qdc", "bundle"])
def test_a_cancel_half_way_stops_the_writer_and_leaves_no_file(
    data, tmp_path: Path, fmt: str
) -> None:
    calls = {"before": 0, "after": 0}
    total: list[float] = []
    # How many steps a full export reports, then a cancel at half of them.
    (tmp_path / "full").mkdir()
    write_map(
        data,
        tmp_path / "full" / f"m.{SUFFIX[fmt]}",
        fmt,
        context=_context(lambda f, m: total.append(f)),
    )
    stop_at = max(1, len(total) // 2)

    def progress(fraction: float, message: str) -> None:
        calls["before"] += 1
        if calls["before"] >= stop_at:
            raise ExportCancelled
        calls["after"] += 1

    out = tmp_path / "cancelled"
    out.mkdir()
    with pytest.raises(ExportCancelled):
        write_map(data, out / f"m.{SUFFIX[fmt]}", fmt, context=_context(progress))
    # The writer stopped at the cancel (it did not run on to the end), and left nothing.
    assert calls["before"] == stop_at < len(total)
    assert list(out.iterdir()) == []


def test_a_keyboard_interrupt_in_a_writer_leaves_no_partial_file(data, tmp_path: Path) -> None:
    def interrupt(fraction: float, message: str) -> None:
        if message.startswith("Laying out page"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_map(data, tmp_path / "r.pdf", "pdf", context=_context(interrupt))
    assert list(tmp_path.iterdir()) == []
