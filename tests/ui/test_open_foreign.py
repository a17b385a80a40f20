"""Another tool's map file opened with ipsmap (the desktop's "Open with", or `ipsmap
FILE.json`): a new project beside it holds the map, the original is unchanged, and a file
that cannot be read leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ipsmap.model.errors import IpsmapError
from ipsmap.ui import open_foreign
from ipsmap.ui.app import open_start_project

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "maps"
LOOPY = SHARED / "loopy_depression_anxiety.json"
pytestmark = pytest.mark.skipif(not LOOPY.exists(), reason="needs ../shared/data")


def test_a_loopy_file_opens_as_a_new_project_beside_it(qtbot, tmp_path):
    source = tmp_path / "loopy.json"
    shutil.copy(LOOPY, source)
    before = source.read_bytes()
    notes: list[str] = []
    project, is_demo = open_start_project(source, notes)
    try:
        assert not is_demo and project.path == tmp_path / "loopy.ipsmap"
        (info,) = project.maps()
        assert len(project.document(info.id).factors) > 3
        assert notes[0].startswith("Opened loopy.json as a new ipsmap project")
        assert "loopy.json itself is unchanged" in notes[0]
    finally:
        project.close()
    assert source.read_bytes() == before
    # Opened again: a second project, the first left as it is.
    again, _ = open_start_project(source, [])
    assert again.path == tmp_path / "loopy (2).ipsmap"
    again.close()


def test_a_file_that_is_no_map_is_refused_and_leaves_nothing(tmp_path):
    source = tmp_path / "notes.json"
    source.write_text('{"minutes": "of the meeting"}')
    with pytest.raises(IpsmapError):
        open_start_project(source, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json"]


def test_a_folder_it_cannot_write_sends_the_project_to_the_data_folder(
    qtbot, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(open_foreign, "writable", lambda folder: folder != tmp_path)
    source = tmp_path / "loopy.json"
    shutil.copy(LOOPY, source)
    project, _ = open_start_project(source, [])
    try:
        assert project.path == tmp_path / "data" / "ipsmap" / "Imported" / "loopy.ipsmap"
    finally:
        project.close()


def test_ipsmap_file_json_opens_the_window_on_the_new_project(tmp_path):
    source = tmp_path / "fire.mmp"
    shutil.copy(SHARED / "mentalmodeler_fire_model.mmp", source)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", IPSMAP_STARTUP_PROBE="1")
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    done = subprocess.run(
        [sys.executable, "-m", "ipsmap", str(source)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "window shown" in done.stdout
    assert (tmp_path / "fire.ipsmap").exists()
