"""How far an export has got, and how it is stopped: a cooperative progress hook.

A long writer calls ``report(context, fraction, message)`` at natural points (per
section, sheet, chunk of rows, bundle member). The caller puts a ``progress(fraction,
message)`` callable in ``ExportContext.progress``; it shows the step and raises
:class:`ExportCancelled` (or KeyboardInterrupt) to stop the export. Every writer writes
to a temporary file and renames it only at the end, so a stop leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

# progress(fraction from 0 to 1, what is being done); may raise ExportCancelled.
Progress = Callable[[float, str], None]
T = TypeVar("T")


class ExportCancelled(Exception):
    """Raised by a progress callback to stop an export; nothing is left written."""


def report(context: Any, fraction: float, message: str) -> None:
    """Pass a step to ``context.progress`` (if there is one); it may raise to stop."""
    progress = getattr(context, "progress", None) if context is not None else None
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)), message)


def scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    """``progress`` for one part of a longer job: 0–1 of the part is start–end overall."""
    if progress is None:
        return None
    outer = progress

    def part(fraction: float, message: str) -> None:
        outer(start + (end - start) * fraction, message)

    return part


def checked(
    items: Iterable[T],
    context: Any,
    start: float,
    end: float,
    message: str,
    total: int,
    every: int = 200,
) -> Iterator[T]:
    """``items``, reporting (and so letting a cancel stop the loop) every ``every`` items."""
    if getattr(context, "progress", None) is None:
        yield from items
        return
    for n, item in enumerate(items):
        if n % every == 0:
            report(context, start + (end - start) * n / max(total, 1), message)
        yield item
