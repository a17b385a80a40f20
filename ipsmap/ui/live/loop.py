"""The asyncio loop that runs inside Qt's own event loop (qasync), made when first needed.

The window starts on Qt's plain loop; only hosting a session needs asyncio, so qasync (and the
live core) are imported then, and start-up stays as it was. qasync's ``already_running`` mode
joins the Qt loop that is already turning (``app.exec()``, or a test's ``qtbot.wait``); plain
asyncio only, as ``anyio.sleep_forever()`` raises under qasync.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import QApplication


def window_loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop of this thread, running inside Qt's (made the first time)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    import qasync

    # qasync sets itself as this thread's running loop and cleans up on aboutToQuit.
    return qasync.QEventLoop(QApplication.instance(), already_running=True)


class WindowTasks:
    """Coroutines run on the window's loop, kept until done (the loop holds only weak
    references to its tasks), with one place to hear of any that failed."""

    def __init__(self, failed: Callable[[BaseException], None]) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._failed = failed

    @property
    def idle(self) -> bool:
        """Every coroutine begun so far has finished."""
        return not self._tasks

    def run(self, work: Coroutine[Any, Any, Any]) -> None:
        task = window_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._failed(exc)
