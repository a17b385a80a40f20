"""Bad project files are refused with a clear error and left exactly as they were.

For each kind of bad file, ``Project.open`` (for writing and read-only) and ``ipsmap maps``
must fail with the right ProjectFileError naming the file, without changing a byte of it
or leaving anything new beside it. A bad map file given to ``ipsmap import`` must leave
the project as it was. An old (version 1) project is migrated forward after a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from ipsmap.model import schema
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.errors import (
    DamagedProjectError,
    NewerProjectError,
    NotAProjectError,
    ProjectFileError,
)
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.store import backup_path

# -- helpers ---------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[tuple[str, int]]:
    """Names and sizes of everything in ``folder``."""
    return sorted((p.name, p.stat().st_size if p.is_file() else -1) for p in folder.iterdir())


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ipsmap", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *must_contain: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
    line = lines[0]
    assert line.startswith("ipsmap: error:"), line
    for text in must_contain:
        assert text in line, f"{text!r} not in {line!r}"
    return line


def checkpoint(path: Path) -> None:
    """Fold any WAL into the main file and check nothing is left beside it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm", "-journal"):
        assert not path.with_name(path.name + suffix).exists(), suffix


def build_real_project(path: Path) -> None:
    """A real project: two maps with factors and links, made through the API."""
    with Project.create(path, "Real project") as project:
        for m in range(2):
            command = AddMap(f"Map {m}", "system" if m == 0 else "toc", "Glasgow")
            project.execute(command)
            document = project.document(command.id)
            ids = []
            for i in range(40):
                add = AddFactor(f"Factor {m}.{i} " + "text " * 20, x=float(i), y=float(m))
                document.execute(add)
                ids.append(add.id)
            for i in range(25):
                document.execute(AddLink(ids[i], ids[i + 1], rationale="because " * 10))
    checkpoint(path)


@pytest.fixture(scope="module")
def real_project_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("real") / "real.ipsmap"
    build_real_project(path)
    data = path.read_bytes()
    assert len(data) >= 40 * 4096, "the project should span many pages"
    return data


def page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


# -- the bad files -----------------------------------------------------------------------

Maker = Callable[[Path, bytes], Path]


def make_text_file(folder: Path, real: bytes) -> Path:
    path = folder / "notes.ipsmap"
    path.write_text("These are my workshop notes, not a project.\n" * 20, encoding="utf-8")
    return path


def make_empty_file(folder: Path, real: bytes) -> Path:
    path = folder / "empty.ipsmap"
    path.write_bytes(b"")
    return path


def make_other_sqlite(folder: Path, real: bytes) -> Path:
    path = folder / "other.ipsmap"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO customers (name) VALUES (?)", [("Ann",), ("Bob",)])
    conn.commit()
    conn.close()
    return path


def make_other_sqlite_wal(folder: Path, real: bytes) -> Path:
    path = folder / "other-wal.ipsmap"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    checkpoint(path)
    return path


def make_truncated_half(folder: Path, real: bytes) -> Path:
    path = folder / "half.ipsmap"
    path.write_bytes(real[: len(real) // 2])
    return path


def make_truncated_few_pages(folder: Path, real: bytes) -> Path:
    path = folder / "three-pages.ipsmap"
    path.write_bytes(real[: 3 * page_size(real)])
    return path


def make_truncated_in_header(folder: Path, real: bytes) -> Path:
    path = folder / "header-only.ipsmap"
    path.write_bytes(real[:60])
    return path


def _overwrite_page(real: bytes, page_number: int) -> bytes:
    size = page_size(real)
    garbage = random.Random(page_number).randbytes(size)
    start = (page_number - 1) * size
    assert start + size <= len(real)
    return real[:start] + garbage + real[start + size :]


def make_garbage_middle_page(folder: Path, real: bytes) -> Path:
    path = folder / "garbage-middle.ipsmap"
    pages = len(real) // page_size(real)
    path.write_bytes(_overwrite_page(real, pages // 2))
    return path


def make_garbage_factors_root(folder: Path, real: bytes) -> Path:
    path = folder / "garbage-factors.ipsmap"
    scratch = folder / "scratch.db"
    scratch.write_bytes(real)
    conn = sqlite3.connect(scratch)
    [(root,)] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'factors'")
    conn.close()
    scratch.unlink()
    for suffix in ("-wal", "-shm"):
        scratch.with_name(scratch.name + suffix).unlink(missing_ok=True)
    path.write_bytes(_overwrite_page(real, root))
    return path


def make_newer(folder: Path, real: bytes) -> Path:
    path = folder / "newer.ipsmap"
    path.write_bytes(real)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    checkpoint(path)
    return path


def make_folder(folder: Path, real: bytes) -> Path:
    path = folder / "folder.ipsmap"
    path.mkdir()
    (path / "inside.txt").write_text("x")
    return path


def make_missing(folder: Path, real: bytes) -> Path:
    return folder / "missing.ipsmap"


# (maker, expected error classes, text the message must contain)
CASES: dict[str, tuple[Maker, tuple[type[ProjectFileError], ...], str]] = {
    "text-file": (make_text_file, (NotAProjectError,), "not an ipsmap project"),
    "empty-file": (make_empty_file, (NotAProjectError,), "empty"),
    "other-sqlite": (make_other_sqlite, (NotAProjectError,), "not an ipsmap project"),
    "other-sqlite-wal": (make_other_sqlite_wal, (NotAProjectError,), "not an ipsmap project"),
    "truncated-half": (make_truncated_half, (DamagedProjectError,), "damaged"),
    "truncated-3-pages": (make_truncated_few_pages, (DamagedProjectError,), "damaged"),
    "truncated-in-header": (
        make_truncated_in_header,
        (NotAProjectError, DamagedProjectError),
        "",
    ),
    "garbage-middle-page": (make_garbage_middle_page, (DamagedProjectError,), "damaged"),
    "garbage-factors-root": (make_garbage_factors_root, (DamagedProjectError,), "damaged"),
    "newer-version": (make_newer, (NewerProjectError,), "newer"),
    "folder": (make_folder, (ProjectFileError,), ""),
    "missing": (make_missing, (ProjectFileError,), "no such file"),
}


@pytest.fixture(params=list(CASES))
def bad_file(request: pytest.FixtureRequest, tmp_path: Path, real_project_bytes: bytes):
    maker, errors, text = CASES[request.param]
    folder = tmp_path / "projects"
    folder.mkdir()
    path = maker(folder, real_project_bytes)
    return request.param, path, errors, text


def _state(path: Path) -> tuple[str | None, list[tuple[str, int]]]:
    digest = sha256(path) if path.is_file() else None
    return digest, listing(path.parent)


@pytest.mark.parametrize("read_only", [False, True], ids=["write", "read-only"])
def test_open_refuses_bad_file_and_leaves_its_bytes(bad_file, read_only: bool) -> None:
    name, path, errors, text = bad_file
    digest_before = sha256(path) if path.is_file() else None
    with pytest.raises(ProjectFileError) as caught:
        Project.open(path, read_only=read_only)
    assert isinstance(caught.value, errors), f"{name}: got {type(caught.value).__name__}"
    message = str(caught.value)
    assert str(path) in message, message
    assert text.casefold() in message.casefold(), message
    assert caught.value.path == path
    if digest_before is None:
        assert not path.is_file(), "opening must not create the file"
    else:
        assert sha256(path) == digest_before, f"{name}: the refused file was changed"


def test_newer_project_message_names_the_versions(tmp_path: Path, real_project_bytes: bytes):
    path = make_newer(tmp_path, real_project_bytes)
    with pytest.raises(NewerProjectError) as caught:
        Project.open(path)
    message = str(caught.value)
    assert "newer version of ipsmap" in message
    assert "99" in message
    assert str(schema.SCHEMA_VERSION) in message


def test_open_leaves_nothing_beside_a_refused_file(bad_file) -> None:
    """No -wal, -shm or other file appears (or disappears) next to a refused file."""
    name, path, _, _ = bad_file
    before = _state(path)
    for read_only in (False, True):
        with pytest.raises(ProjectFileError):
            Project.open(path, read_only=read_only)
        assert _state(path) == before, f"{name} (read_only={read_only}): folder changed"
    result = run_cli("maps", str(path))
    assert result.returncode == 2
    assert _state(path) == before, f"{name}: 'ipsmap maps' changed the folder"


def test_cli_maps_refuses_bad_file_in_one_line(bad_file) -> None:
    name, path, _, text = bad_file
    digest_before = sha256(path) if path.is_file() else None
    result = run_cli("maps", str(path))
    line = assert_one_line_error(result, str(path))
    assert text.casefold() in line.casefold(), line
    assert result.stdout == ""
    if digest_before is None:
        assert not path.is_file()
    else:
        assert sha256(path) == digest_before, f"{name}: 'ipsmap maps' changed the file"


def test_a_real_project_is_accepted(tmp_path: Path, real_project_bytes: bytes) -> None:
    """The control case: the same bytes, unharmed, open fine (so the cases above are bad)."""
    path = tmp_path / "good.ipsmap"
    path.write_bytes(real_project_bytes)
    with Project.open(path, read_only=True) as project:
        assert [m.name for m in project.maps()] == ["Map 0", "Map 1"]
        assert all(count == (40, 25) for count in project.counts().values())
    result = run_cli("maps", "--json", str(path))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["maps"]) == 2


# -- a bad map file given to `ipsmap import` --------------------------------------------


def _good_map() -> dict:
    return {
        "format": "ipsmap-map",
        "version": 1,
        "map": {"name": "Imported workshop", "kind": "system"},
        "factors": [
            {"id": "a", "label": "Housing"},
            {"id": "b", "label": "Employment"},
        ],
        "links": [{"id": "l1", "source": "a", "target": "b", "polarity": "+"}],
    }


def _bad_maps() -> dict[str, tuple[str, str]]:
    """name -> (file text, the place the error must name)."""
    wrong_format = _good_map() | {"format": "kumu-export"}
    missing_factor = _good_map()
    missing_factor["links"] = [{"id": "l1", "source": "zz", "target": "b"}]
    duplicate = _good_map()
    duplicate["factors"] = [{"id": "a", "label": "Housing"}, {"id": "a", "label": "Again"}]
    newer = _good_map() | {"version": 99}
    return {
        "invalid-json": ('{"format": "ipsmap-map", "version": 1,\n  "map": {"name": ', "line 2"),
        "wrong-format": (json.dumps(wrong_format), "format"),
        "link-to-missing-factor": (json.dumps(missing_factor), "links[0].source"),
        "duplicate-factor-ids": (json.dumps(duplicate), "factors[1].id"),
        "version-99": (json.dumps(newer), "version"),
    }


BAD_MAPS = _bad_maps()


@pytest.fixture(scope="module")
def import_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import") / "target.ipsmap"
    with Project.create(path, "Import target") as project:
        command = AddMap("Existing map")
        project.execute(command)
        project.document(command.id).execute(AddFactor("Existing factor"))
    checkpoint(path)
    return path


def _project_state(path: Path) -> tuple[str, int, str]:
    maps = run_cli("maps", "--json", str(path))
    assert maps.returncode == 0, maps.stderr
    with Project.open(path, read_only=True) as project:
        events = len(project.history())
    return maps.stdout, events, sha256(path)


@pytest.mark.parametrize("case", list(BAD_MAPS))
def test_import_of_bad_map_file_changes_nothing(
    case: str, import_project: Path, tmp_path: Path
) -> None:
    text, place = BAD_MAPS[case]
    bad = tmp_path / f"{case}.json"
    bad.write_text(text, encoding="utf-8")
    before = _project_state(import_project)
    result = run_cli("import", str(import_project), str(bad))
    line = assert_one_line_error(result, str(bad), place)
    if case == "version-99":
        assert "newer" in line
    assert _project_state(import_project) == before, f"{case}: the project changed"
    # The map file itself is not touched either.
    assert bad.read_text(encoding="utf-8") == text


def test_import_of_good_map_file_changes_the_project(tmp_path: Path) -> None:
    """The control case: a valid file is imported (so an unchanged project means refusal)."""
    path = tmp_path / "control.ipsmap"
    Project.create(path, "Control").close()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_good_map()), encoding="utf-8")
    before = _project_state(path)
    result = run_cli("import", "--json", str(path), str(good))
    assert result.returncode == 0, result.stderr
    maps_json, events, _ = _project_state(path)
    assert maps_json != before[0]
    assert events == before[1] + 1
    [info] = json.loads(maps_json)["maps"]
    assert (info["name"], info["factors"], info["links"]) == ("Imported workshop", 2, 1)


# -- migration from version 1 -------------------------------------------------------------

V1_MAP = "11111111-1111-4111-8111-111111111111"
V1_FACTOR_STYLE = "22222222-2222-4222-8222-222222222222"
V1_LINK_STYLE = "33333333-3333-4333-8333-333333333333"
V1_FACTORS = {
    "44444444-4444-4444-8444-444444444401": ("Parental stress", 10.0, 20.0),
    "44444444-4444-4444-8444-444444444402": ("Access to childcare", -5.5, 7.25),
    "44444444-4444-4444-8444-444444444403": ("Employment", 0.0, 0.0),
}
V1_LINK = "55555555-5555-4555-8555-555555555501"


def build_v1_project(path: Path) -> None:
    """A version-1 project file made by hand, as ipsmap 1 would have left it."""
    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    with db.atomic():
        schema.MIGRATIONS[1](db)
        db.execute("PRAGMA user_version = 1")
    with db.atomic():
        db.execute(
            "INSERT INTO project (key, value) VALUES ('title', 'Old project'), "
            "('created_at', '2023-05-01T10:00:00.000Z')"
        )
        db.execute(
            "INSERT INTO maps (id, name, kind, site, description, attributes, position, "
            "created_at) VALUES (?, 'Old map', 'system', 'Lambeth', 'from v1', '{}', 0, "
            "'2023-05-01T10:00:00.000Z')",
            [V1_MAP],
        )
        db.execute(
            "INSERT INTO styles (id, map_id, kind, name, position) VALUES "
            "(?, ?, 'factor', 'Factor', 0), (?, ?, 'link', 'Causal', 0)",
            [V1_FACTOR_STYLE, V1_MAP, V1_LINK_STYLE, V1_MAP],
        )
        for seq, (fid, (label, x, y)) in enumerate(V1_FACTORS.items()):
            db.execute(
                "INSERT INTO factors (id, map_id, label, type, x, y, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [fid, V1_MAP, label, V1_FACTOR_STYLE, x, y, seq],
            )
        source, target = list(V1_FACTORS)[:2]
        db.execute(
            "INSERT INTO links (id, map_id, source, target, polarity, strength, confidence, "
            "type, rationale, seq) VALUES (?, ?, ?, ?, '-', 0.75, 0.5, ?, 'said in session', 0)",
            [V1_LINK, V1_MAP, source, target, V1_LINK_STYLE],
        )
    conn.close()
    checkpoint(path)


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def v1_project(tmp_path: Path) -> tuple[Path, str, list[str]]:
    path = tmp_path / "old.ipsmap"
    build_v1_project(path)
    assert _user_version(path) == 1
    return path, sha256(path), _dump(path)


def test_v1_project_is_migrated_and_readable(v1_project) -> None:
    path, _, _ = v1_project
    assert schema.SCHEMA_VERSION > 1
    with Project.open(path) as project:
        assert [m.name for m in project.maps()] == ["Old map"]
        document = project.document(V1_MAP)
        assert document.info.site == "Lambeth"
        assert {fid: (f.label, f.x, f.y) for fid, f in document.factors.items()} == V1_FACTORS
        link = document.links[V1_LINK]
        source, target = list(V1_FACTORS)[:2]
        assert (link.source, link.target, link.polarity) == (source, target, "-")
        assert (link.strength, link.confidence, link.rationale) == (0.75, 0.5, "said in session")
        version = project.store.db.execute("PRAGMA user_version").fetchone()[0]
        assert version == schema.SCHEMA_VERSION
        tables = set(project.store.db.table_names())
        assert "sessions" in tables
        assert "session_id" in project.store.db["events"].columns_dict
        # The migrated project can be edited.
        document.execute(AddFactor("Added after migration"))
    assert _user_version(path) == schema.SCHEMA_VERSION
    with Project.open(path, read_only=True) as project:
        assert len(project.document(V1_MAP).factors) == 4


def test_v1_migration_keeps_an_exact_backup(v1_project) -> None:
    path, original_digest, original_dump = v1_project
    Project.open(path).close()
    backup = backup_path(path, 1)
    assert backup.is_file(), f"no backup at {backup}"
    assert backup.parent == path.parent
    # The backup is the old file as it was: same content, still version 1...
    assert _user_version(backup) == 1
    assert _dump(backup) == original_dump
    # ...byte for byte.
    assert sha256(backup) == original_digest, "the pre-migration backup is not an exact copy"


def test_v1_project_opened_read_only_is_not_migrated(v1_project) -> None:
    path, original_digest, _ = v1_project
    before = listing(path.parent)
    with Project.open(path, read_only=True) as project:
        assert [m.name for m in project.maps()] == ["Old map"]
        assert len(project.document(V1_MAP).factors) == 3
    assert sha256(path) == original_digest
    assert not backup_path(path, 1).exists()
    assert _user_version(path) == 1
    assert [n for n, _ in listing(path.parent)] == [n for n, _ in before]


def test_migration_is_not_repeated(v1_project) -> None:
    path, _, _ = v1_project
    Project.open(path).close()
    backup = backup_path(path, 1)
    stamp = (backup.stat().st_mtime_ns, sha256(backup))
    os.utime(backup, ns=(1_000_000_000, 1_000_000_000))
    Project.open(path).close()
    assert backup.stat().st_mtime_ns == 1_000_000_000, "the backup was rewritten"
    assert sha256(backup) == stamp[1]
    assert not backup_path(path, schema.SCHEMA_VERSION).exists()
