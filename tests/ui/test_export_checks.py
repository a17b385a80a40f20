"""The export dialog's check before a map leaves, real progress and cancel for big exports,
and File → Export with a path writing the evaluator extras."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from ipsmap.export.progress import ExportCancelled
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.ui.dialogs import export_dialog
from ipsmap.ui.dialogs.export_dialog import (
    ExportChoice,
    ExportDialog,
    export_with_dialog,
    run_export,
)

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from synthetic import synthetic_map

PHONE_NOTE = "call 07700 900123"


@pytest.fixture
def phone_window(empty_window):
    """The empty workshop map with one factor whose notes hold a phone number."""
    empty_window.document.execute(AddFactor("Carer support", notes=PHONE_NOTE))
    return empty_window


def _answer(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(title)
        return answer

    monkeypatch.setattr(export_dialog.QMessageBox, "question", question)
    return asked


def _fill_and_press_export(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    """export_with_dialog's dialog, filled in and Export pressed as a user would."""

    def exec_(dialog: ExportDialog) -> int:
        dialog.format.setCurrentIndex(dialog.format.findData("html"))
        dialog.path.setText(str(out))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        return dialog.result()

    monkeypatch.setattr(ExportDialog, "exec", exec_)


def test_the_dialog_says_what_might_name_someone_and_opens_the_review(phone_window):
    win = phone_window
    dialog = ExportDialog(win.project, win.document.id, win)
    assert dialog.privacy.text().endswith("1 field might name someone")
    assert dialog.review.isVisibleTo(dialog)
    assert dialog.review.focusPolicy() & Qt.FocusPolicy.TabFocus
    dialog.show()
    # Keyboard only: Tab reaches the button, Space presses it.
    dialog.review.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(dialog.review, Qt.Key.Key_Space)
    assert dialog.review_dialog is not None
    found = dialog.review_dialog.findings
    assert [(f.field, f.match) for f in found] == [("notes", "07700 900123")]
    dialog.review_dialog.close()
    dialog.close()


def test_declining_writes_nothing_and_confirming_writes_the_file(
    phone_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "map.html"
    _fill_and_press_export(monkeypatch, out)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    assert export_with_dialog(phone_window.hallway, phone_window) is None
    assert asked == ["Export anyway?"] and not out.exists()

    # Anonymise does not clean free text, so it still asks; Yes proceeds, asked once.
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert export_with_dialog(phone_window.hallway, phone_window) == out
    assert asked == ["Export anyway?"]
    assert PHONE_NOTE in out.read_text(encoding="utf-8")


def test_a_clean_map_is_green_and_exports_without_asking(
    empty_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    empty_window.document.execute(AddFactor("Waiting times", notes="longer in winter"))
    dialog = ExportDialog(empty_window.project, empty_window.document.id, empty_window)
    assert dialog.privacy.text().endswith("No personal names or contact details found")
    assert not dialog.review.isVisibleTo(dialog)
    out = tmp_path / "clean.html"
    _fill_and_press_export(monkeypatch, out)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    assert export_with_dialog(empty_window.hallway, empty_window) == out and asked == []


def test_export_to_a_path_writes_the_evaluator_sheets(phone_window, tmp_path: Path):
    from openpyxl import load_workbook

    out = tmp_path / "map.xlsx"
    assert phone_window.files.export_map(out) == out
    book = load_workbook(out, read_only=True)
    assert {"Factors", "Links", "Loops", "Metrics", "CMOs", "Snapshot"} <= set(book.sheetnames)
    snapshot_sheet = {row[0]: row[1] for row in book["Snapshot"].iter_rows(values_only=True)}
    assert snapshot_sheet["Project"] == "Workshop"
    book.close()


class _Host(QWidget):
    """Just what run_export needs of the hallway and the window (no canvas for 2,000
    factors)."""

    def __init__(self, project: Project, map_id: str) -> None:
        super().__init__()
        self.project = project
        self.document = type("Doc", (), {"id": map_id})()
        self.messages: list[str] = []

    def say(self, text: str) -> None:
        self.messages.append(text)


@pytest.mark.skipif(sys.platform == "win32", reason="timing of the offscreen worker")
def test_cancel_stops_a_big_pdf_export_early_and_leaves_nothing(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    project = Project.create(tmp_path / "big.ipsmap", "Big")
    map_id = project.import_map(synthetic_map(2000))
    host = _Host(project, map_id)
    qtbot.addWidget(host)
    outcome: dict[str, bool] = {}
    real_write = export_dialog.write_map

    clicked = threading.Event()

    def recording_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Hold the writer at its second step until Cancel has been pressed, so a busy
        # machine cannot let it finish first (the check is *that* it stops, not how fast).
        context = args[4] if len(args) > 4 else kwargs["context"]
        report, steps = context.progress, []

        def gated(fraction: float, message: str) -> None:
            steps.append(fraction)
            report(fraction, message)
            if len(steps) == 2:
                clicked.wait(15)

        context.progress = gated
        try:
            result = real_write(*args, **kwargs)
        except ExportCancelled:
            outcome["cancelled"] = True
            raise
        outcome["finished"] = True
        return result

    monkeypatch.setattr(export_dialog, "write_map", recording_write)
    folder = tmp_path / "out"
    folder.mkdir()
    assert run_export(host, host, ExportChoice("map", "", "pdf", folder / "big.pdf", False)) is None
    thread, _ = host._worker_jobs[-1]
    worker = thread.progress
    dialog = host.findChildren(QProgressDialog, "worker-progress")[-1]
    # The bar moves in real steps (not a busy bar), then Cancel as a user presses it.
    assert dialog.maximum() == 1000
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=15_000)
    assert "Exporting" in dialog.labelText()
    dialog.findChild(QPushButton).click()
    clicked.set()
    assert dialog.isHidden()  # the UI is back at once

    qtbot.waitUntil(lambda: bool(outcome), timeout=15_000)
    # The writer itself stopped at its next step: it never reached the end.
    assert outcome == {"cancelled": True}
    assert worker.cancelled and worker.reports < 40
    qtbot.waitUntil(lambda: list(folder.iterdir()) == [], timeout=5_000)
    assert host.messages == []
    project.close()
