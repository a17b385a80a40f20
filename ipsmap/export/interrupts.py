"""Turning SIGTERM into an interrupt while an export runs, so its clean-up code runs.

By default SIGTERM ends Python at once, skipping ``finally`` blocks: a bundle's private
folder (the full report, web page, JSON and workbook) and temporary files would stay on
disk. Within ``terminate_as_interrupt()`` SIGTERM raises KeyboardInterrupt instead, as
Ctrl+C does, and every writer's clean-up runs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt inside the block (main thread only; else no change)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
