"""Schema 5: the audit log records the device each edit came from (migration from 4)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ipsmap.cli import main
from ipsmap.model import schema
from ipsmap.model.commands import AddFactor
from ipsmap.model.project import Project
from ipsmap.model.sqlite import sqlite_utils
from ipsmap.model.store import backup_path

from .test_bad_project_files import V1_MAP, build_v1_project


def build_v4_project(path: Path) -> None:
    """A version-4 project with an audit history, as ipsmap before schema 5 left it."""
    build_v1_project(path)
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    for version in (2, 3, 4):
        with db.atomic():
            schema.MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
    with db.atomic():
        db.execute(
            "INSERT INTO participants (id, pseudonym, stakeholder_group) "
            "VALUES ('p1', 'Eilidh', 'parent')"
        )
        db.execute(
            "INSERT INTO sessions (id, title, date) VALUES ('s1', 'Workshop 1', '2026-01-10')"
        )
        db.execute(
            "INSERT INTO events (at, actor, map_id, action, command, summary, ops, session_id) "
            "VALUES ('2026-01-10T10:00:00Z', 'p1', ?, 'do', 'Edit map', 'renamed', '[]', 's1')",
            [V1_MAP],
        )
    conn.close()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_a_schema_4_file_is_migrated_with_a_backup_and_its_events_credited_to_this_device(
    tmp_path, capsys
):
    path = tmp_path / "old.ipsmap"
    build_v4_project(path)
    with Project.open(path) as project:
        device = project.device_id
        assert device
        history = project.history()  # the event made by hand, then the facilitator's
        assert (history[0].actor, history[0].origin, history[0].session_id) == (
            "p1",
            device,
            "s1",
        )
        project.document(V1_MAP).execute(AddFactor("After the migration"))
        assert project.history()[-1].origin == device
    # Later schemas (6: font colours, 7: superseded snapshot hashes) follow on.
    assert _user_version(path) == schema.SCHEMA_VERSION >= 6
    assert _user_version(backup_path(path, 4)) == 4

    assert main(["history", str(path), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    first = events[0]
    assert (first["actor"], first["origin"], first["session"]) == ("p1", device, "s1")
    assert all(e["origin"] == device for e in events)
    # The migration lifted the append-only guard only for its backfill.
    conn = sqlite3.connect(path)
    try:
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    finally:
        conn.close()
    assert {"events_no_update", "events_no_delete"} <= triggers
