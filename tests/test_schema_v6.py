"""Schema 6: a style keeps its label's font colour (migration from 5)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ipsmap.model import schema
from ipsmap.model.commands import EditStyle
from ipsmap.model.project import Project
from ipsmap.model.sqlite import sqlite_utils
from ipsmap.model.store import backup_path

from .test_bad_project_files import V1_FACTOR_STYLE, V1_MAP
from .test_schema_v5 import build_v4_project


def build_v5_project(path: Path) -> None:
    """A version-5 project, as ipsmap before font colours left it."""
    build_v4_project(path)
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    with db.atomic():
        schema.MIGRATIONS[5](db)
        db.execute("PRAGMA user_version = 5")
    conn.close()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_schema_5_file_gains_font_colours_and_keeps_its_styles(tmp_path):
    path = tmp_path / "old.ipsmap"
    build_v5_project(path)
    with Project.open(path) as project:
        document = project.document(V1_MAP)
        style = document.state.styles[V1_FACTOR_STYLE]
        assert (style.name, style.font_color) == ("Factor", None)
        document.execute(EditStyle(V1_FACTOR_STYLE, {"font_color": "#ffffff"}))
    # Schema 7 (superseded snapshot hashes) came later: the file reaches the newest version.
    assert _user_version(path) == schema.SCHEMA_VERSION >= 6
    assert _user_version(backup_path(path, 5)) == 5
    with Project.open(path) as project:
        document = project.document(V1_MAP)
        assert document.state.styles[V1_FACTOR_STYLE].font_color == "#ffffff"
        document.execute(EditStyle(V1_FACTOR_STYLE, {"font_color": None}))
        assert document.state.styles[V1_FACTOR_STYLE].font_color is None
