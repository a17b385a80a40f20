"""Shared fixtures. Qt tests run offscreen; the Qt-free tier needs no display at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


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
