"""Writing export files atomically and safely (the one home is ``formats.target_files``)."""

from __future__ import annotations

from ipsmap.formats.target_files import (
    check_target,
    replace_atomically,
    write_atomically,
    write_bytes_atomically,
    write_text_atomically,
)

__all__ = [
    "check_target",
    "replace_atomically",
    "write_atomically",
    "write_bytes_atomically",
    "write_text_atomically",
]
