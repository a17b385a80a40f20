"""``ipsmap export``: progress on stderr only on a terminal, and Ctrl+C leaves no file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ipsmap.cli import commands as cli
from tests.export.evaluator_project import evaluation_project

pytest.importorskip("reportlab")


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ev = evaluation_project(tmp_path_factory.mktemp("cli") / "trial.ipsmap")
    ev.project.close()  # the command opens it itself
    return ev


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _export(trial, out: Path, fmt: str) -> int:  # type: ignore[no-untyped-def]
    return cli.main(
        ["export", str(trial.project.path), "--map", trial.map_id, "--format", fmt, "-o", str(out)]
    )


def test_no_progress_when_stderr_is_not_a_terminal(trial, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "EXPORT_PROGRESS_FROM", 1)  # the trial map counts as big
    assert _export(trial, tmp_path / "r.pdf", "pdf") == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "wrote" in captured.out


def test_progress_on_a_terminal_ends_with_a_clean_line(trial, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(cli, "EXPORT_PROGRESS_FROM", 1)
    terminal = _Terminal()
    monkeypatch.setattr(cli.sys, "stderr", terminal)
    assert _export(trial, tmp_path / "r.pdf", "pdf") == 0
    text = terminal.getvalue()
    assert "\r" in text and "%" in text and "Saving the PDF" in text
    assert text.endswith("\r") and text.rsplit("\r", 2)[-2].strip() == ""


def test_small_maps_show_no_progress_even_on_a_terminal(trial, tmp_path: Path, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(cli.sys, "stderr", terminal)
    assert _export(trial, tmp_path / "r.html", "html") == 0
    assert terminal.getvalue() == ""


def test_ctrl_c_half_way_through_the_csv_tables_leaves_no_file(
    trial, tmp_path: Path, monkeypatch, capsys
):
    from ipsmap.export import workbook

    real = workbook._text_writer
    written: list[str] = []

    def interrupted_writer(text: str):  # type: ignore[no-untyped-def]
        write = real(text)

        def maybe_interrupt(path: Path) -> None:
            written.append(path.name)
            if len(written) == 3:  # two temporary files written, the third half-way
                path.write_text(text[: len(text) // 2], encoding="utf-8")
                raise KeyboardInterrupt
            write(path)

        return maybe_interrupt

    monkeypatch.setattr(workbook, "_text_writer", interrupted_writer)
    folder = tmp_path / "out"
    folder.mkdir()
    assert _export(trial, folder / "tables.csv", "csv") == 130
    assert len(written) == 3
    assert list(folder.iterdir()) == []
    assert "interrupted" in capsys.readouterr().err


def test_ctrl_c_while_the_pdf_pages_are_laid_out_leaves_no_file(trial, tmp_path: Path, monkeypatch):
    from ipsmap.export import pdf_report

    def interrupt(self, kind: str, value: int) -> None:  # type: ignore[no-untyped-def]
        if kind == "PAGE" and value == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(pdf_report._Progress, "on_build", interrupt)
    monkeypatch.setattr(pdf_report._Progress, "active", property(lambda self: True))
    folder = tmp_path / "out"
    folder.mkdir()
    assert _export(trial, folder / "r.pdf", "pdf") == 130
    assert list(folder.iterdir()) == []
