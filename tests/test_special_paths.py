"""Special paths: pipes, folders, read-only places, a full disk.

A named pipe where a project, a map file or the demo should be is refused without being
opened (opening one for reading waits forever): every case runs under a timeout, so a
regression fails instead of hanging. A project this user cannot write opens read-only and
every reading command works. A full disk on ``ipsmap new``/``demo`` is one line and
leaves nothing behind. Every CLI refusal is one ``ipsmap: error:`` line and exit 2.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ipsmap.model.commands import AddFactor
from ipsmap.model.errors import NotAProjectError, ProjectFileError, ReadOnlyError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

from .filesystems import fill, read_only, small_disk
from .test_bad_project_files import (
    _good_map,
    assert_one_line_error,
    checkpoint,
    listing,
    run_cli,
    sha256,
)

pytestmark = pytest.mark.timeout(120)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.ipsmap"
    with Project.create(path, "Small") as project:
        command = AddMap("Workshop map", "system", "Glasgow")
        project.execute(command)
        project.document(command.id).execute(AddFactor("Housing"))
    checkpoint(path)
    return path


# -- pipes and folders -------------------------------------------------------------------


@needs_fifo
def test_a_pipe_as_project_is_refused_unopened(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.ipsmap"
    os.mkfifo(pipe)
    for command in (["maps"], ["history"], ["open"]):
        assert_one_line_error(run_cli(*command, str(pipe)), "named pipe")
    with pytest.raises(NotAProjectError, match="named pipe"):
        Project.open(pipe)
    with pytest.raises(NotAProjectError, match="named pipe"):
        Project.open(pipe, read_only=True)


@needs_fifo
def test_a_pipe_as_map_file_or_factors_table_is_refused_unopened(
    tmp_path: Path, small_project: Path
) -> None:
    pipe = tmp_path / "map.json"
    os.mkfifo(pipe)
    before = sha256(small_project)
    assert_one_line_error(run_cli("import", str(small_project), str(pipe)), "named pipe")
    links = tmp_path / "links.csv"
    links.write_text("from,to\nA,B\n", encoding="utf-8")
    assert_one_line_error(
        run_cli("import", str(small_project), str(links), "--nodes", str(pipe)), "named pipe"
    )
    assert sha256(small_project) == before


@needs_fifo
def test_new_and_demo_refuse_a_pipe_or_a_folder_in_the_way(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.ipsmap"
    os.mkfifo(pipe)
    folder = tmp_path / "folder.ipsmap"
    folder.mkdir()
    for command in ("new", "demo"):
        assert_one_line_error(run_cli(command, str(pipe)), "named pipe")
        assert_one_line_error(run_cli(command, str(folder)), "folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.ipsmap", "pipe.ipsmap"]


# -- read-only projects ------------------------------------------------------------------


@pytest.fixture(params=["file", "folder"])
def read_only_project(request: pytest.FixtureRequest, tmp_path: Path, small_project: Path):
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "small.ipsmap"
    shutil.copyfile(small_project, path)
    with read_only(path if request.param == "file" else folder):
        yield path, request.param


def test_a_read_only_project_opens_read_only_and_refuses_edits(read_only_project) -> None:
    path, _ = read_only_project
    before = sha256(path), listing(path.parent)
    with Project.open(path) as project:
        assert project.read_only
        # (As root the folder is a read-only mount, so the file in it is read-only too.)
        assert project.read_only_reason in ("the file is read-only", "its folder is read-only")
        [info] = project.maps()
        assert [f.label for f in project.document(info.id).factors.values()] == ["Housing"]
        with pytest.raises(ReadOnlyError, match=r"open read-only .* changes are not allowed"):
            project.document(info.id).execute(AddFactor("Rent"))
    assert (sha256(path), listing(path.parent)) == before


def test_reading_commands_work_on_a_read_only_project(read_only_project, tmp_path: Path):
    path, _ = read_only_project
    before = sha256(path), listing(path.parent)
    maps = run_cli("maps", "--json", str(path))
    assert maps.returncode == 0, maps.stderr
    [info] = json.loads(maps.stdout)["maps"]
    assert (info["name"], info["factors"]) == ("Workshop map", 1)
    history = run_cli("history", str(path))
    assert history.returncode == 0 and "Add factor" in history.stdout, history.stderr
    out = tmp_path / "out.json"
    export = run_cli("export", str(path), "--map", "Workshop map", "-o", str(out))
    assert export.returncode == 0, export.stderr
    assert "Housing" in out.read_text(encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_good_map()), encoding="utf-8")
    assert_one_line_error(run_cli("import", str(path), str(good)), "read-only")
    assert (sha256(path), listing(path.parent)) == before


# -- a full disk -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["new", "demo"])
def test_a_full_disk_on_new_or_demo_is_one_line_and_leaves_nothing(command, tmp_path: Path):
    with small_disk(tmp_path / "disk", 512) as disk:
        fill(disk, leave_kib=64 if command == "new" else 256)
        before = listing(disk)
        target = disk / "workshop.ipsmap"
        assert_one_line_error(run_cli(command, str(target)), "the disk is full")
        assert listing(disk) == before  # no project, no .creating file, no side files


def test_a_full_disk_on_create_raises_a_project_file_error(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 256) as disk:
        fill(disk, leave_kib=16)
        before = listing(disk)
        with pytest.raises(ProjectFileError, match="the disk is full"):
            Project.create(disk / "new.ipsmap")
        assert listing(disk) == before


def _left_by_a_crashed_writer(folder: Path) -> Path:
    """A project whose last map is only in its -wal (copied while the writer had it open)."""
    live, path = folder / "live.ipsmap", folder / "crashed.ipsmap"
    project = Project.create(live, "Crashed")
    try:
        project.execute(AddMap("Only in the WAL", "system", ""))
        for suffix in ("", "-wal", "-shm"):
            shutil.copyfile(f"{live}{suffix}", f"{path}{suffix}")
    finally:
        project.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    assert Path(f"{path}-wal").stat().st_size > 0
    return path


def test_a_read_only_folder_with_a_wal_is_read_through_it(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = _left_by_a_crashed_writer(folder)
    with read_only(folder):
        before = listing(folder), sha256(path)
        result = run_cli("maps", str(path))
        assert result.returncode == 0, result.stderr
        assert "Only in the WAL" in result.stdout  # committed pages in the WAL are read
        assert (listing(folder), sha256(path)) == before


def test_a_read_only_folder_with_a_wal_but_no_shm_is_a_clear_refusal(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    path = _left_by_a_crashed_writer(folder)
    Path(f"{path}-shm").unlink()
    with read_only(folder):
        # Reading the file alone would silently miss the map in the WAL: refused instead.
        assert_one_line_error(run_cli("maps", str(path)), "-wal")


def test_new_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    with read_only(folder):
        assert_one_line_error(run_cli("new", str(folder / "x.ipsmap")), "is read-only")
        assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("what", "pages"), [("new", 3), ("demo", 60)])
def test_a_database_that_cannot_grow_is_reported_as_full_and_leaves_nothing(
    what: str, pages: int, tmp_path: Path, monkeypatch
) -> None:
    """Without root (no small tmpfs): SQLite's own page limit gives a real SQLITE_FULL.

    3 pages cannot hold the schema (fails while creating); 60 hold a new project but not
    the demo's maps (fails while the demo is imported, after the file got its real name).
    """
    from ipsmap.demo import create_demo_project
    from ipsmap.model import connection, store

    real_harden = connection.harden

    def capped(conn):
        real_harden(conn)
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(connection, "harden", capped)
    monkeypatch.setattr(store, "harden", capped)
    target = tmp_path / "workshop.ipsmap"
    with pytest.raises(ProjectFileError, match="the disk is full"):
        if what == "new":
            Project.create(target)
        else:
            create_demo_project(target)
    assert list(tmp_path.iterdir()) == []
