"""The asyncio loop that runs inside Qt's own event loop (qasync), made when first needed.

The window starts on Qt's plain loop; only hosting a session needs asyncio, so qasync (and the
live core) are imported then, and start-up stays as it was. qasync's ``already_running`` mode
joins the Qt loop that is already turning (``app.exec()``, or a test's ``qtbot.wait``); plain
asyncio only, as ``anyio.sleep_forever()`` raises under qasync.
"""

from __future__ import annotations

import asyncio

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
