"""The schema → release table, the stamp a file carries, and the newer-file refusal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ipsmap import __version__
from ipsmap.model import schema
from ipsmap.model.errors import NewerProjectError
from ipsmap.model.project import Project
from ipsmap.model.schema_releases import (
    FIRST_RELEASE_WRITING,
    NEEDS_KEY,
    plausible_release,
    release_key,
    release_writing,
)


def test_every_schema_has_its_first_release() -> None:
    # A new migration without its line here would leave older versions unable to say
    # which ipsmap to install.
    assert sorted(FIRST_RELEASE_WRITING) == list(range(1, schema.SCHEMA_VERSION + 1))


def test_releases_never_go_back_and_the_newest_is_this_one_or_older() -> None:
    keys = [release_key(FIRST_RELEASE_WRITING[v]) for v in sorted(FIRST_RELEASE_WRITING)]
    assert keys == sorted(keys)
    assert release_key(release_writing(schema.SCHEMA_VERSION)) <= release_key(__version__)


def test_a_new_project_names_the_release_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "p.ipsmap"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT value FROM project WHERE key = ?", [NEEDS_KEY]).fetchone()
    finally:
        conn.close()
    assert row == (release_writing(schema.SCHEMA_VERSION),)


def _newer_file(tmp_path: Path, stamp: str | None) -> Path:
    path = tmp_path / "newer.ipsmap"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    if stamp is None:
        conn.execute("DELETE FROM project WHERE key = ?", [NEEDS_KEY])
    else:
        conn.execute("UPDATE project SET value = ? WHERE key = ?", [stamp, NEEDS_KEY])
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def test_a_newer_file_is_refused_naming_the_release_to_install(tmp_path: Path) -> None:
    path = _newer_file(tmp_path, "0.4.2")
    before = path.read_bytes()
    with pytest.raises(NewerProjectError) as caught:
        Project.open(path)
    message = str(caught.value)
    assert "Install ipsmap 0.4.2 or later" in message
    assert f"ipsmap {__version__} reads up to {schema.SCHEMA_VERSION}" in message
    assert path.read_bytes() == before


@pytest.mark.parametrize("stamp", [None, "see http://x", "9" * 40, "1.2.3\nmore"])
def test_without_a_believable_stamp_the_message_says_a_newer_ipsmap(
    tmp_path: Path, stamp: str | None
) -> None:
    path = _newer_file(tmp_path, stamp)
    with pytest.raises(NewerProjectError) as caught:
        Project.open(path)
    assert "Install a newer ipsmap to open it" in str(caught.value)
    assert "http" not in str(caught.value)


def test_plausible_release() -> None:
    assert plausible_release("1.10.0") == "1.10.0"
    assert plausible_release("2.0") == "2.0"
    for bad in ("", "1", "v1.0", "1.0 beta", 3, None):
        assert plausible_release(bad) is None
