"""Is a path an ordinary file? Asked before anything opens it.

Opening a named pipe (FIFO) for reading blocks until someone writes to it, which is
forever: every command and the window would hang. A folder or a device is no better. So
a path is looked at with ``os.stat`` (which never opens it) before it is read, and
``read_head`` opens with ``O_NONBLOCK`` and checks again what it opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def not_a_file_reason(path: str | Path, noun: str = "a file") -> str | None:
    """Why ``path`` cannot be read as ``noun`` without opening it; None for a regular file."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return "no such file"
    except OSError as exc:
        return f"cannot read the file ({exc.strerror})"
    return _kind_reason(info.st_mode, noun)


def read_head(path: str | Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file, never blocking on a pipe or device.

    Raises OSError; a path that turns out not to be a regular file raises IsADirectoryError
    (a folder) or OSError with a readable ``strerror``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        reason = _kind_reason(os.fstat(fd).st_mode, "a file")
        if reason is not None:
            raise OSError(0, reason)
        chunks = []
        remaining = size
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind_reason(mode: int, noun: str) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"this is a folder, not {noun}"
    if stat.S_ISFIFO(mode):
        return f"this is a named pipe (FIFO), not {noun}"
    if stat.S_ISSOCK(mode):
        return f"this is a socket, not {noun}"
    return f"this is a device, not {noun}"
