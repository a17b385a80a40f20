"""File → Export map as…: the dialog's choices, and big exports in a worker with Cancel."""

from __future__ import annotations

import sys
import zipfile

import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton

from ipsmap.ui.dialogs import export_dialog
from ipsmap.ui.dialogs.export_dialog import ExportChoice, ExportDialog, run_export
from tests.export.evaluator_project import evaluation_project


@pytest.fixture
def trial_window(qtbot, tmp_path):
    from ipsmap.ui.main_window import MainWindow

    ev = evaluation_project(tmp_path / "trial.ipsmap")
    win = MainWindow(ev.project)
    qtbot.addWidget(win)
    win.show()
    win.show_map(ev.map_id)
    qtbot.waitExposed(win)
    yield win, ev
    win.close()


def test_dialog_offers_the_map_its_saved_views_and_snapshots(trial_window):
    win, ev = trial_window
    dialog = ExportDialog(ev.project, ev.map_id, win)
    sources = [dialog.source.itemData(i) for i in range(dialog.source.count())]
    assert sources[0] == ("map", "")
    assert ("view", "What stress affects") in sources
    assert ("snapshot", ev.second_snapshot) in sources and (
        "snapshot",
        ev.first_snapshot,
    ) in sources
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert formats[:8] == ["pdf", "html", "xlsx", "csv", "png", "svg", "qdc", "bundle"]
    dialog.format.setCurrentIndex(formats.index("bundle"))
    assert dialog.path.text().endswith(".zip")


def test_exporting_a_snapshot_view_from_the_window(trial_window, tmp_path):
    win, ev = trial_window
    out = tmp_path / "out" / "snap.zip"
    out.parent.mkdir()
    assert (
        run_export(
            win.hallway, win, ExportChoice("snapshot", ev.first_snapshot, "bundle", out, True)
        )
        == out
    )
    with zipfile.ZipFile(out) as archive:
        assert b"Adaptation point 1" in archive.read("manifest.json")
    svg = tmp_path / "out" / "view.svg"
    assert (
        run_export(win.hallway, win, ExportChoice("view", "What stress affects", "svg", svg, False))
        == svg
    )
    assert "Help-seeking" in svg.read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="timing of the offscreen worker")
def test_big_exports_run_in_a_worker_and_cancel_leaves_nothing(
    qtbot, trial_window, tmp_path, monkeypatch
):
    win, _ = trial_window
    monkeypatch.setattr(export_dialog, "BIG_MAP", 2)  # the trial map counts as big
    folder = tmp_path / "big"
    folder.mkdir()
    out = folder / "map.xlsx"
    assert run_export(win.hallway, win, ExportChoice("map", "", "xlsx", out, False)) is None
    qtbot.waitUntil(out.exists, timeout=20_000)
    qtbot.waitUntil(lambda: sorted(p.name for p in folder.iterdir()) == ["map.xlsx"], timeout=5000)

    cancelled = folder / "cancelled.pdf"
    assert run_export(win.hallway, win, ExportChoice("map", "", "pdf", cancelled, False)) is None
    progress = win.findChildren(QProgressDialog, "worker-progress")[-1]
    # The Cancel button, as a user presses it (before the worker's result arrives).
    progress.findChild(QPushButton).click()

    def only_the_first() -> bool:
        return sorted(p.name for p in folder.iterdir()) == ["map.xlsx"]

    qtbot.waitUntil(only_the_first, timeout=20_000)
    qtbot.wait(200)
    assert not cancelled.exists()
