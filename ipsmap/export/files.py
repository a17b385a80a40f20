"""Writing export files atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def write_atomically(target: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``target``, then move it into place.

    A failure (or a cancel) leaves the target as it was and no temporary file behind.
    """
    target = Path(target)
    # Not mkstemp: its file is private (0600); the writer makes this one as it would the
    # target, with the user's usual permissions.
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomically(target: str | os.PathLike[str], content: bytes) -> None:
    write_atomically(target, lambda tmp: tmp.write_bytes(content))
