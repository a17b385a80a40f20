"""Writing export files safely: a private temporary file beside the target, then a rename.

The one home for how ipsmap puts a file on disk (every writer, interchange or evaluator
export, goes through ``replace_atomically``):

- only a missing path or a regular file is ever replaced: a folder, a symbolic link, a
  FIFO or a device is refused with a clear message (replacing them would destroy them, or
  write where the link points);
- the temporary file is made by ``tempfile`` in the target's folder: a unique name opened
  with ``O_EXCL`` (a planted symlink or file of the same name is never followed nor
  overwritten);
- any failure, a full disk included, removes the temporary files and raises one
  ``WriteError`` naming the file ("could not write X: no space left on device (the disk is
  full)"), never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from ipsmap.formats.errors import WriteError

__all__ = [
    "check_target",
    "os_error_problem",
    "replace_atomically",
    "write_atomically",
    "write_bytes_atomically",
    "write_text_atomically",
]

Writer = Callable[[Path], object]


def check_target(path: str | os.PathLike[str]) -> Path:
    """Raise WriteError unless ``path`` is missing or a regular file in an existing folder."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise WriteError(path, f"the folder {path.parent} does not exist") from None
        return path
    except OSError as exc:
        raise WriteError(path, os_error_problem(exc)) from exc
    if stat.S_ISREG(mode):
        return path
    if stat.S_ISLNK(mode):
        what = "it is a symbolic link (ipsmap replaces only regular files)"
    elif stat.S_ISDIR(mode):
        what = "it is a folder"
    elif stat.S_ISFIFO(mode):
        what = "it is a pipe (FIFO), not a regular file"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "it is a device, not a regular file"
    else:
        what = "it is not a regular file"
    raise WriteError(path, what)


def os_error_problem(exc: OSError) -> str:
    """One line for an OSError met while writing."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on device (the disk is full)"
    return exc.strerror or str(exc)


def _private_temp(target: Path) -> Path:
    fd, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f".writing{target.suffix}"
    )
    # (The target's suffix kept last: some writers pick their format by it.)
    os.close(fd)
    # mkstemp's file is private (0600); the finished file gets the user's usual permissions,
    # as a file they made themselves would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def replace_atomically(writes: list[tuple[Path, Writer]]) -> None:
    """Write each file with ``write(tmp)`` to a temporary file, then move all into place.

    Nothing is replaced until every file is written; on any error (or a cancel, an
    interrupt) the temporary files are removed and the targets are left as they were.
    """
    targets = [check_target(target) for target, _ in writes]
    temps: list[tuple[Path, Path]] = []
    current = targets[0] if targets else Path()
    try:
        for target, (_, write) in zip(targets, writes, strict=True):
            current = target
            tmp = _private_temp(target)
            temps.append((tmp, target))
            write(tmp)
        for tmp, target in temps:
            current = target
            check_target(target)  # again: the path may have changed while we wrote
            os.replace(tmp, target)
            temps = [t for t in temps if t[0] != tmp]
    except OSError as exc:
        raise WriteError(current, os_error_problem(exc)) from exc
    finally:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def write_atomically(target: str | os.PathLike[str], write: Writer) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``target``, then move it into place."""
    replace_atomically([(Path(target), write)])


def write_bytes_atomically(target: str | os.PathLike[str], content: bytes) -> None:
    write_atomically(target, lambda tmp: tmp.write_bytes(content))


def write_text_atomically(
    target: str | os.PathLike[str], text: str, encoding: str = "utf-8", newline: str = "\n"
) -> None:
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding=encoding, newline=newline))
