"""A project file from anyone: its schema must be exactly ipsmap's, or it is refused unused.

Each hostile file below passes the older checks (SQLite, our application id, a known
version, no damage). It must now be refused with a ForeignSchemaError naming what is
wrong, by ``Project.open`` (for writing and read-only) and by ``ipsmap maps``/``import``
as one line with exit 2, without a byte of it changing or anything appearing beside it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from ipsmap.model import connection
from ipsmap.model.connection import database_error_message
from ipsmap.model.errors import ForeignSchemaError
from ipsmap.model.project import Project
from ipsmap.model.schema import SCHEMA_VERSION
from ipsmap.model.schema_check import expected_schema, read_schema
from ipsmap.model.store import backup_path

from .test_bad_project_files import (
    _good_map,
    assert_one_line_error,
    build_real_project,
    build_v1_project,
    checkpoint,
    listing,
    run_cli,
    sha256,
)


@pytest.fixture(scope="module")
def real_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("real") / "real.ipsmap"
    build_real_project(path)
    return path


def _tamper(path: Path, script: str) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.executescript(script)
    finally:
        conn.close()
    checkpoint(path)


RECURSIVE_VIEW = """
ALTER TABLE maps RENAME TO maps_kept;
CREATE VIEW maps AS
    WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever)
    SELECT maps_kept.* FROM maps_kept, forever;
"""
PLANTED_TRIGGER = """
CREATE TRIGGER tidy_labels AFTER INSERT ON factors BEGIN
    UPDATE factors SET label = 'nothing to see' WHERE id = new.id;
    DELETE FROM marks;
END;
"""
EXTRA_TABLE = "CREATE TABLE notes_for_later (id INTEGER PRIMARY KEY, body TEXT);"
EXTRA_COLUMN = "ALTER TABLE factors ADD COLUMN secret TEXT;"
MISSING_TRIGGER = "DROP TRIGGER events_no_delete;"
CHANGED_TRIGGER = """
DROP TRIGGER snapshots_no_delete;
CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots BEGIN SELECT 1; END;
"""

# name: (script, text the message must contain)
HOSTILE: dict[str, tuple[str, str]] = {
    "recursive-view": (RECURSIVE_VIEW, "'maps' is a view"),
    "planted-trigger": (PLANTED_TRIGGER, "unexpected trigger 'tidy_labels' on 'factors'"),
    "extra-table": (EXTRA_TABLE, "unexpected table 'notes_for_later'"),
    "extra-column": (EXTRA_COLUMN, "unexpected column 'secret'"),
    "missing-trigger": (MISSING_TRIGGER, "trigger 'events_no_delete' is missing"),
    "changed-trigger": (CHANGED_TRIGGER, "'snapshots_no_delete' does not do what"),
}


@pytest.fixture(params=list(HOSTILE))
def hostile(request: pytest.FixtureRequest, tmp_path: Path, real_project: Path):
    script, text = HOSTILE[request.param]
    folder = tmp_path / "projects"
    folder.mkdir()
    path = folder / "shared-with-me.ipsmap"
    shutil.copyfile(real_project, path)
    _tamper(path, script)
    return path, text


@pytest.mark.timeout(60)
@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
def test_open_refuses_a_hostile_schema_and_leaves_the_file_as_it_was(hostile, read_only):
    path, text = hostile
    before = sha256(path), listing(path.parent)
    with pytest.raises(ForeignSchemaError) as caught:
        Project.open(path, read_only=read_only)
    message = str(caught.value)
    assert "not ipsmap's" in message and text in message, message
    assert "has not been changed" in message
    assert (sha256(path), listing(path.parent)) == before


@pytest.mark.timeout(120)
def test_cli_refuses_a_hostile_schema_in_one_line(hostile, tmp_path: Path) -> None:
    path, text = hostile
    before = sha256(path), listing(path.parent)
    assert_one_line_error(run_cli("maps", str(path)), "not ipsmap's", text)
    map_file = tmp_path / "good.json"
    map_file.write_text(json.dumps(_good_map()), encoding="utf-8")
    assert_one_line_error(run_cli("import", str(path), str(map_file)), "not ipsmap's", text)
    assert (sha256(path), listing(path.parent)) == before


def test_an_old_file_with_a_planted_trigger_is_refused_before_any_migration(tmp_path: Path):
    path = tmp_path / "old.ipsmap"
    build_v1_project(path)
    _tamper(path, PLANTED_TRIGGER)
    before = sha256(path), listing(tmp_path)
    with pytest.raises(ForeignSchemaError, match="tidy_labels"):
        Project.open(path)
    # Checked against schema 1 as it is: no backup made, nothing migrated.
    assert not backup_path(path, 1).exists()
    assert (sha256(path), listing(tmp_path)) == before


def test_the_expected_schema_is_what_a_new_project_and_a_migrated_one_have(tmp_path: Path):
    with Project.create(tmp_path / "new.ipsmap") as new:
        assert read_schema(new.store.db.conn) == expected_schema(SCHEMA_VERSION)
    old = tmp_path / "old.ipsmap"
    build_v1_project(old)
    with Project.open(old) as migrated:
        assert read_schema(migrated.store.db.conn) == expected_schema(SCHEMA_VERSION)
        assert migrated.maps()  # and its content is there


def test_every_connection_distrusts_the_schema(project: Project) -> None:
    conn = project.store.db.conn
    [(trusted,)] = conn.execute("PRAGMA trusted_schema").fetchall()
    assert trusted == 0
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if defensive is not None:  # Python 3.12+; older ones cannot set it (see connection.py)
        assert conn.getconfig(defensive)


@pytest.mark.timeout(60)
def test_a_runaway_query_is_stopped_with_a_clear_error(project: Project, monkeypatch) -> None:
    monkeypatch.setattr(connection, "QUERY_TIME_LIMIT", 0.5)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError) as caught:
        project.store.db.execute(
            "WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever) "
            "SELECT count(*) FROM forever"
        ).fetchall()
    assert time.monotonic() - started < 10
    assert "was stopped" in database_error_message(caught.value)
    # The next statement has its own time: ordinary work goes on.
    assert project.store.db.execute("SELECT count(*) FROM maps").fetchone() == (0,)
