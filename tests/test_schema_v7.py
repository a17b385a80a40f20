"""Schema 7: a snapshot keeps the hashes it had before a participant was forgotten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ipsmap.model import schema
from ipsmap.model.forget import backups_beside
from ipsmap.model.project import Project
from ipsmap.model.snapshots import list_snapshots, take_snapshot
from ipsmap.model.sqlite import sqlite_utils
from ipsmap.model.store import backup_path

from .test_bad_project_files import V1_MAP
from .test_schema_v6 import _user_version, build_v5_project


def build_v6_project(path: Path) -> None:
    """A version-6 project, as ipsmap before forgetting left it."""
    build_v5_project(path)
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    with db.atomic():
        schema.MIGRATIONS[6](db)
        db.execute("PRAGMA user_version = 6")
    conn.close()


def test_a_schema_6_file_gains_superseded_hashes_after_a_backup(tmp_path):
    path = tmp_path / "old.ipsmap"
    build_v6_project(path)
    with Project.open(path) as project:
        snapshot = take_snapshot(project, V1_MAP, "After the upgrade")
        assert snapshot.superseded == ()
        assert [s.superseded for s in list_snapshots(project)] == [()]
    assert _user_version(path) == schema.SCHEMA_VERSION >= 7
    backup = backup_path(path, 6)
    assert _user_version(backup) == 6
    # The copy taken before migrating is what forgetting someone must warn about.
    assert backups_beside(path) == [backup]


def test_a_schema_6_file_opened_read_only_lists_its_snapshots(tmp_path):
    path = tmp_path / "old.ipsmap"
    build_v6_project(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO snapshots (id, map_id, map_name, label, taken_at, sha256, content) "
            "VALUES ('s1', ?, 'Map', 'Before', '2026-01-01', 'abc', '{}')",
            [V1_MAP],
        )
    conn.close()
    with Project.open(path, read_only=True) as project:
        [snapshot] = list_snapshots(project)
        assert (snapshot.label, snapshot.sha256, snapshot.superseded) == ("Before", "abc", ())
    assert _user_version(path) == 6
