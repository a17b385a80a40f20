"""File → Export map as…: the dialog's choices, and big exports in a worker with Cancel."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

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


def test_a_bare_file_name_is_written_to_the_project_folder_and_the_status_says_where(
    trial_window, tmp_path, monkeypatch
):
    win, ev = trial_window
    elsewhere = tmp_path / "started-here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the folder ipsmap was started from
    dialog = ExportDialog(ev.project, ev.map_id, win)
    formats = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    dialog.format.setCurrentIndex(formats.index("html"))
    dialog.path.setText("for-the-funder.html")
    project_folder = ev.project.path.resolve().parent
    expected = project_folder / "for-the-funder.html"
    assert dialog.choice().path == expected
    assert str(expected) in dialog.where.text()
    said: list[str] = []
    win.hallway.message.connect(said.append)
    assert run_export(win.hallway, win, dialog.choice()) == expected
    assert expected.exists()
    assert not (elsewhere / "for-the-funder.html").exists()
    assert any(str(expected) in text for text in said), said


def test_run_export_takes_a_relative_path_inside_the_project_folder(
    trial_window, tmp_path, monkeypatch
):
    win, ev = trial_window
    elsewhere = tmp_path / "started-here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    choice = ExportChoice("map", "", "html", Path("relative.html"), False)
    written = run_export(win.hallway, win, choice)
    assert written == ev.project.path.resolve().parent / "relative.html"
    assert written is not None and written.exists()
    assert not (elsewhere / "relative.html").exists()


def _error_texts(win) -> list[str]:
    from ipsmap.ui import file_actions

    return [box.text() for box in win.findChildren(file_actions.QMessageBox, "error-dialog")]


def test_exporting_onto_a_pipe_says_so_and_leaves_it(trial_window, tmp_path):
    import os
    import stat

    win, _ = trial_window
    target = tmp_path / "pipe.html"
    os.mkfifo(target)
    assert run_export(win.hallway, win, ExportChoice("map", "", "html", target, False)) is None
    assert any("it is a pipe (FIFO)" in text for text in _error_texts(win))
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


@pytest.mark.parametrize("big", [False, True], ids=["at-once", "in-a-worker"])
def test_a_full_disk_is_a_dialog_and_leaves_nothing(
    qtbot, trial_window, small_disk, monkeypatch, big
):
    win, _ = trial_window
    if big:
        monkeypatch.setattr(export_dialog, "BIG_MAP", 2)
    target = small_disk / "map.pdf"
    assert run_export(win.hallway, win, ExportChoice("map", "", "pdf", target, False)) is None
    qtbot.waitUntil(lambda: any("the disk is full" in t for t in _error_texts(win)), timeout=30_000)
    qtbot.waitUntil(lambda: [p.name for p in small_disk.iterdir()] == ["filler"], timeout=5000)
