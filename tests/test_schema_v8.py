"""Schema 8: the live session's document updates, kept in the project file."""

from __future__ import annotations

import sqlite3

from ipsmap.model import schema
from ipsmap.model.project import Project
from ipsmap.model.schema_check import expected_schema
from ipsmap.model.sqlite import sqlite_utils
from ipsmap.model.store import backup_path

from .test_schema_v6 import _user_version
from .test_schema_v7 import build_v6_project


def test_a_schema_7_file_gains_the_live_updates_table_after_a_backup(tmp_path):
    path = tmp_path / "old.ipsmap"
    build_v6_project(path)
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    with db.atomic():
        schema.MIGRATIONS[7](db)
        db.execute("PRAGMA user_version = 7")
    conn.close()
    with Project.open(path) as project:
        assert "live_updates" in project.store.db.table_names()
    assert _user_version(path) == schema.SCHEMA_VERSION >= 8
    assert _user_version(backup_path(path, 7)) == 7


def test_the_schema_check_expects_the_live_updates_table():
    assert expected_schema(8).objects.get("live_updates") == "table"
    assert "live_updates" not in expected_schema(7).objects
