"""Real read-only places and real full disks for tests.

As an ordinary user a read-only file or folder is made with chmod. Root ignores file
modes, so as root the same is done with a read-only bind mount (of the file alone, or of
the folder), and a full disk is a small tmpfs. Where neither works the test is skipped.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount ({result.stderr.strip()})")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """Make ``path`` (a file or a folder) read-only for this process while inside."""
    if IS_ROOT:
        _mount("--bind", str(path), str(path))
        try:
            _mount("-o", "remount,bind,ro", str(path))
            assert not os.access(path, os.W_OK)
            yield path
        finally:
            _umount(path)
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    path.chmod(mode & ~0o222)
    try:
        yield path
    finally:
        path.chmod(mode)


@contextmanager
def small_disk(folder: Path, size_kib: int) -> Iterator[Path]:
    """A real file system of ``size_kib`` KiB mounted at ``folder`` (root only)."""
    if not IS_ROOT:
        pytest.skip("a small file system needs root (tmpfs mount)")
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _umount(folder)


def fill(folder: Path, leave_kib: int) -> None:
    """Fill the file system of ``folder`` until about ``leave_kib`` KiB are left."""
    free = os.statvfs(folder)
    left = free.f_bavail * free.f_frsize - leave_kib * 1024
    if left > 0:
        (folder / "filler.bin").write_bytes(b"\0" * left)
