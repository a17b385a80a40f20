"""History panel, the layout worker, and how the window starts (demo copy, bad files)."""

from __future__ import annotations

from pathlib import Path

from ipsmap.model.commands import AddFactor
from ipsmap.model.project_commands import AddMap


def test_history_panel_shows_who_did_what_and_the_undo_stack(qtbot, window):
    window.editor.run(AddFactor("New worry"))
    newest = window.history.log.item(0).text()
    assert "Add factor" in newest and "New worry" in newest and "Facilitator" in newest
    assert window.history.undo_list.item(0).text().endswith("Add factor")
    window.actions_by_name["undo"].trigger()
    assert "Undo: Add factor" in window.history.log.item(0).text()
    assert window.history.undo_list.item(0).text().startswith("↷")


def test_large_map_layout_runs_in_a_worker_and_is_one_step(qtbot, window, monkeypatch):
    import ipsmap.ui.layout_runner as runner

    monkeypatch.setattr(runner, "WORKER_THRESHOLD", 5)
    doc = window.document
    before = {f: (v.x, v.y) for f, v in doc.factors.items()}
    events = len(window.project.history())
    window.actions_by_name["layout"].trigger()
    qtbot.waitUntil(lambda: len(window.project.history()) == events + 1, timeout=20_000)
    assert window.project.history()[-1].command == "Auto layout"
    assert {f: (v.x, v.y) for f, v in doc.factors.items()} != before
    window.actions_by_name["undo"].trigger()
    assert {f: (v.x, v.y) for f, v in doc.factors.items()} == before


def test_demo_copy_goes_to_the_data_folder_is_kept_and_a_copy_in_use_is_left_alone(tmp_path):
    from ipsmap.ui.demo_copy import open_demo_copy

    folder = tmp_path / "data" / "ipsmap"  # XDG_DATA_HOME is tmp_path / "data" (conftest)
    first = open_demo_copy()
    try:
        assert first.path == folder / "IPS demo.ipsmap"
        assert len(first.maps()) == 3
        fresh_events = len(first.history())
        second = open_demo_copy()
        assert second.path == folder / "IPS demo 2.ipsmap"
        second.close()
        first.execute(AddMap("Mine", "system", "Glasgow"))
    finally:
        first.close()
    # Not in use any more: the next start opens the same copy, the user's change in it.
    again = open_demo_copy()
    assert again.path == folder / "IPS demo.ipsmap"
    assert len(again.history()) == fresh_events + 1
    assert "Mine" in [m.name for m in again.maps()]
    again.close()


def test_run_refuses_a_bad_project_file_with_one_line(tmp_path, capsys):
    from ipsmap.ui.app import run

    bad = tmp_path / "notes.ipsmap"
    bad.write_text("minutes of the meeting")
    assert run(Path(bad)) == 2
    err = capsys.readouterr().err
    assert err.startswith("ipsmap: error:") and "not an ipsmap project" in err


def test_a_bad_file_opened_from_a_desktop_is_refused_in_a_dialog_too(tmp_path, capsys, monkeypatch):
    # A double-clicked project (the installed app) has no terminal: the reason is shown.
    from PySide6.QtWidgets import QMessageBox

    from ipsmap.ui import app

    shown = []
    monkeypatch.setattr(app, "has_screen", lambda: True)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[1:]))
    bad = tmp_path / "notes.ipsmap"
    bad.write_text("minutes of the meeting")
    assert app.run(Path(bad)) == 2
    ((title, text),) = shown
    assert title == "ipsmap cannot open this file" and "not an ipsmap project" in text
    assert capsys.readouterr().err.startswith("ipsmap: error:")
    # Offscreen (as in the test runs), no dialog to wait on.
    monkeypatch.undo()
    assert not app.has_screen()
