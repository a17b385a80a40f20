"""The user's copy of the demo project: kept between starts, replaced only when asked.

``ipsmap`` with no file opens the copy in the user data folder (creating it the first
time), so a facilitator who tries the tool keeps what they added. A fresh demo is asked for
(Help → Reset the demo); the copy it replaces is kept beside it under a dated name.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from ipsmap.model.errors import IpsmapError
from ipsmap.model.file_kind import not_a_file_reason
from ipsmap.model.project import Project

DEMO_NAME = "IPS demo"
MAX_COPIES = 100


def demo_folder() -> Path:
    """The user's data folder (platformdirs: ``$XDG_DATA_HOME/ipsmap`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("ipsmap", appauthor=False))


def demo_copy_path(n: int = 1) -> Path:
    """Where the demo copy lives (``IPS demo.ipsmap``; a second window's is ``IPS demo 2``)."""
    return demo_folder() / (f"{DEMO_NAME}.ipsmap" if n == 1 else f"{DEMO_NAME} {n}.ipsmap")


def is_demo_copy(path: Path) -> bool:
    """True for the demo copies the window makes (not for kept or user-saved copies)."""
    path = Path(path)
    if path.suffix != ".ipsmap" or path.resolve().parent != demo_folder().resolve():
        return False
    rest = path.stem.removeprefix(DEMO_NAME)
    return rest != path.stem and (rest == "" or rest.strip().isdigit())


def open_demo_copy(notes: list[str] | None = None) -> Project:
    """The user's demo copy, as they left it; created from the built-in demo if missing.

    A copy open in another window is left to it: this window takes the next one
    (``IPS demo 2.ipsmap``…), so two windows never share a file. What the user should be
    told (a copy that could not be opened was set aside) is added to ``notes``. When the
    data folder cannot hold a copy (not writable, a full disk, a folder or a pipe where
    the copy should be), a temporary demo is opened instead and ``notes`` says why.
    """
    try:
        return _open_kept_copy(notes)
    except (OSError, IpsmapError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        project = _temporary_demo()
        if notes is not None:
            notes.append(
                f"Your demo copy cannot be kept in {demo_folder()} ({reason}); this is a "
                "temporary demo, and what you add to it is lost when ipsmap closes"
            )
        return project


def _open_kept_copy(notes: list[str] | None) -> Project:
    from ipsmap.model.store import project_in_use

    for n in range(1, MAX_COPIES):
        path = demo_copy_path(n)
        if not path.exists() and not path.is_symlink():
            return _create(path)
        reason = not_a_file_reason(path, "a demo project file")
        if reason is not None:
            # Not ours to rename or delete: the user is told what is in the way.
            raise IpsmapError(f"{path}: {reason}")
        if project_in_use(path):
            continue
        try:
            return Project.open(path)
        except IpsmapError as exc:
            # Unreadable (damaged, or written by a newer ipsmap): set it aside, never delete.
            kept = set_aside(path, "unreadable")
            if notes is not None:
                notes.append(f"Your demo copy could not be opened ({exc}); it is kept as {kept}")
            return _create(path)
    raise IpsmapError("too many demo projects are open at once")


def _temporary_demo() -> Project:
    """A demo project in a fresh temporary folder, removed when the program ends."""
    folder = Path(tempfile.mkdtemp(prefix="ipsmap-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    from ipsmap.demo import create_demo_project

    return create_demo_project(folder / f"{DEMO_NAME}.ipsmap")


def kept_copy_path(path: Path, why: str = "kept") -> Path:
    """A free name beside ``path`` for an old copy: ``IPS demo (kept 2026-12-05 14.30)``."""
    stamp = datetime.now().strftime("%Y-%m-%d %H.%M")
    for n in range(1, MAX_COPIES):
        suffix = "" if n == 1 else f" {n}"
        candidate = path.with_name(f"{path.stem} ({why} {stamp}{suffix}).ipsmap")
        if not candidate.exists():
            return candidate
    raise IpsmapError(f"too many kept copies of {path.name}")


def set_aside(path: Path, why: str = "kept") -> Path:
    """Rename a closed project file (and any SQLite side files) to a kept name."""
    target = kept_copy_path(path, why)
    for side in ("-wal", "-shm"):
        if Path(f"{path}{side}").exists():
            Path(f"{path}{side}").rename(f"{target}{side}")
    path.rename(target)
    return target


def reset_demo_copy(path: Path) -> tuple[Project, Path | None]:
    """Replace the (closed) demo copy at ``path`` with a fresh demo, keeping the old one.

    Returns the fresh project, open, and where the old copy went (None: there was none).
    """
    kept = set_aside(path) if path.exists() else None
    return _create(path), kept


def _create(path: Path) -> Project:
    from ipsmap.demo import create_demo_project

    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise IpsmapError(f"the folder {path.parent} is not writable")
    _remove(path)  # leftovers of a half-written copy (side files without their file)
    return create_demo_project(path)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
