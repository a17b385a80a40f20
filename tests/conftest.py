"""Shared fixtures. Qt tests run offscreen; the Qt-free tier needs no display at all."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_data_folder(tmp_path: Path, monkeypatch):
    # The user's data folder (a hosted live session is kept there, the demo copy too) is a
    # throwaway one, for this process and the hosts and laptops it starts.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))


@pytest.fixture
def project(tmp_path: Path):
    """A new empty project file, closed after the test."""
    with Project.create(tmp_path / "test.ipsmap", "Test project") as opened:
        yield opened


@pytest.fixture
def doc(project: Project):
    """The document of a new, empty systems map."""
    command = AddMap("Glasgow workshop 1", "system", "Glasgow")
    project.execute(command)
    return project.document(command.id)


@pytest.fixture
def shared_data() -> Path:
    """The third-party map files in ../shared/data (skips when absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def small_disk(tmp_path):
    """A real 96 KiB file system (needs root to mount; skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root)")
    try:
        # Filled to the last byte: every export, small or large, meets a full disk.
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
