"""Export files are put down safely: only regular files are replaced, temporary files are
unique and never follow a planted link, and any failure (a full disk included) leaves
nothing behind and says so in one line."""

from __future__ import annotations

import errno
import itertools
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ipsmap.export.all_formats import get_format, writable_formats, write_map
from ipsmap.export.workbook import csv_paths
from ipsmap.formats.errors import WriteError
from ipsmap.formats.target_files import replace_atomically, write_text_atomically
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap


def fake_renderer(data, kind: str) -> bytes:
    # The picture's bytes only: these tests are about where files go, not how they look.
    return (b"\x89PNG" if kind == "png" else b"<svg/>") + b"\0" * 400_000


@pytest.fixture(scope="module")
def big_map(tmp_path_factory):
    """A map whose every export is larger than the small file system below."""
    folder = tmp_path_factory.mktemp("big")
    with Project.create(folder / "p.ipsmap", "Disk full") as project:
        add = AddMap("Big map", "system", "Glasgow")
        project.execute(add)
        doc = project.document(add.id)
        ids = []
        for i in range(60):
            command = AddFactor(f"Factor {i}", notes="long note " * 300)
            doc.execute(command)
            ids.append(command.id)
        for a, b in itertools.pairwise(ids):
            doc.execute(AddLink(a, b, rationale="because " * 100))
        yield doc.state.to_data()


def _write(data, path: Path, fmt: str) -> None:
    renderer = fake_renderer if get_format(fmt).needs_renderer else None
    write_map(data, path, fmt, renderer=renderer)


def _target(folder: Path, fmt: str) -> Path:
    return folder / f"export{get_format(fmt).suffixes[0]}"


@pytest.mark.parametrize("fmt", ["json", "csv", "graphml", "prsm", "html"])
def test_a_fifo_is_refused_and_stays_a_fifo(big_map, tmp_path, fmt):
    target = _target(tmp_path, fmt)
    os.mkfifo(target)
    with pytest.raises(WriteError, match="pipe"):
        _write(big_map, target, fmt)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_device_is_refused_and_left_alone(big_map):
    with pytest.raises(WriteError, match="device"):
        write_map(big_map, Path("/dev/null"), "json")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("fmt", ["json", "pdf", "xlsx", "bundle"])
def test_a_folder_is_refused_with_nothing_left(big_map, tmp_path, fmt):
    target = _target(tmp_path, fmt)
    target.mkdir()
    (target / "inside.txt").write_text("keep")
    with pytest.raises(WriteError, match="it is a folder"):
        _write(big_map, target, fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
    assert (target / "inside.txt").read_text() == "keep"


def test_a_symlink_target_is_refused(big_map, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "export.json"
    target.symlink_to(victim)
    with pytest.raises(WriteError, match="symbolic link"):
        write_map(big_map, target, "json")
    assert victim.read_text() == "precious"
    assert target.is_symlink()


@pytest.mark.parametrize("fmt", ["json", "prsm", "graphml", "csv", "html"])
def test_a_planted_link_at_the_old_temporary_name_is_not_followed(big_map, tmp_path, fmt):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = _target(tmp_path, fmt)
    written = csv_paths(target, with_extras=False) if fmt == "csv" else [target]
    # The names the writers used to write to, predictably.
    for one in written:
        for name in (f".{one.name}.writing", f".{one.name}.writing{one.suffix}"):
            (tmp_path / name).symlink_to(victim)
    _write(big_map, target, fmt)
    assert victim.read_text() == "precious"
    for one in written:
        assert one.is_file() and not one.is_symlink()


def test_temporary_files_are_gone_after_an_error_and_targets_untouched(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    second.write_text("old")

    def fails(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(WriteError) as caught:
        replace_atomically([(first, lambda p: p.write_text("new")), (second, fails)])
    assert str(caught.value) == (
        f"could not write {second}: no space left on device (the disk is full)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv"]
    assert second.read_text() == "old"


def test_the_finished_file_has_the_users_usual_permissions(tmp_path):
    target = tmp_path / "x.json"
    write_text_atomically(target, "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_every_format_on_a_full_disk_says_so_and_leaves_nothing(big_map, small_disk):
    for fmt in writable_formats():
        target = _target(small_disk, fmt)
        with pytest.raises(WriteError) as caught:
            _write(big_map, target, fmt)
        assert "no space left on device (the disk is full)" in str(caught.value), fmt
        assert "\n" not in str(caught.value)
        assert [p.name for p in small_disk.iterdir()] == ["filler"], fmt


def test_cli_on_a_full_disk_exits_2_with_one_line(big_map, small_disk, tmp_path):
    from ipsmap.formats import ipsmap_json

    source = tmp_path / "map.json"
    ipsmap_json.write(big_map, source)
    project = tmp_path / "p.ipsmap"
    run = [sys.executable, "-m", "ipsmap"]
    subprocess.run([*run, "new", str(project)], check=True, capture_output=True)
    subprocess.run([*run, "import", str(project), str(source)], check=True, capture_output=True)
    out = subprocess.run(
        [*run, "export", str(project), "--map", "Big map", "-o", str(small_disk / "m.graphml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [
        f"ipsmap: error: could not write {small_disk / 'm.graphml'}: "
        "no space left on device (the disk is full)"
    ]
    assert [p.name for p in small_disk.iterdir()] == ["filler"]


def test_a_bundle_export_killed_with_sigterm_leaves_nothing(big_map, tmp_path):
    import signal
    import time

    from ipsmap.formats import ipsmap_json

    source = tmp_path / "map.json"
    ipsmap_json.write(big_map, source)
    project = tmp_path / "p.ipsmap"
    private_tmp = tmp_path / "tmp"
    out = tmp_path / "out"
    private_tmp.mkdir()
    out.mkdir()
    run = [sys.executable, "-m", "ipsmap"]
    subprocess.run([*run, "new", str(project)], check=True, capture_output=True)
    subprocess.run([*run, "import", str(project), str(source)], check=True, capture_output=True)
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    child = subprocess.Popen(
        [*run, "export", str(project), "--map", "Big map", "-o", str(out / "b.zip")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Wait until the bundle has written a member into its private folder, then kill.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if any(f.is_file() for f in private_tmp.glob("ipsmap-bundle-*/*")):
            break
        time.sleep(0.01)
    assert child.poll() is None, "the export finished before it could be killed"
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=60)
    assert child.returncode != 0
    assert list(private_tmp.iterdir()) == []
    assert list(out.iterdir()) == []


def test_a_bundle_folder_left_by_a_dead_process_is_removed(tmp_path):
    from ipsmap.export.bundle import remove_stale_folders

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f"ipsmap-bundle-{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "report.pdf").write_bytes(b"%PDF")
    alive = tmp_path / f"ipsmap-bundle-{os.getpid()}-def"
    alive.mkdir()
    assert remove_stale_folders(str(tmp_path)) == [stale]
    assert not stale.exists() and alive.is_dir()
