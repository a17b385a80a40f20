"""Run a long computation off the UI thread, with a progress dialog that can cancel it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget


class _Job(QObject):
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, compute: Callable[[], Any]) -> None:
        super().__init__()
        self._compute = compute

    def run(self) -> None:
        try:
            self.finished.emit(self._compute())
        except Exception as exc:
            self.failed.emit(str(exc))


class _Receiver(QObject):
    """Lives in the UI thread, so results are shown there (queued from the worker)."""

    def __init__(self, on_done, on_error, dialog: QProgressDialog, parent: QObject) -> None:
        super().__init__(parent)
        self._on_done = on_done
        self._on_error = on_error
        self._dialog = dialog
        self.cancelled = False

    @Slot(object)
    def done(self, result: object) -> None:
        self._dialog.reset()
        if not self.cancelled:
            self._on_done(result)

    @Slot(str)
    def error(self, message: str) -> None:
        self._dialog.reset()
        if not self.cancelled:
            self._on_error(message)


def run_in_worker(
    parent: QWidget,
    label: str,
    compute: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> QThread:
    """Start ``compute()`` in a thread; ``on_done(result)`` runs in the UI thread.

    ``compute`` must not touch Qt objects or the project's database connection: give it
    plain data (a copy of the map's state or a networkx graph).
    """
    thread = QThread(parent)
    job = _Job(compute)
    job.moveToThread(thread)
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setObjectName("worker-progress")
    dialog.setMinimumDuration(400)
    receiver = _Receiver(on_done, on_error, dialog, parent)

    def cancel() -> None:
        # The computation finishes in the background; its result is dropped.
        receiver.cancelled = True

    dialog.canceled.connect(cancel)
    job.finished.connect(receiver.done)
    job.failed.connect(receiver.error)
    job.finished.connect(thread.quit)
    job.failed.connect(thread.quit)
    thread.started.connect(job.run)
    thread.finished.connect(job.deleteLater)
    thread.finished.connect(receiver.deleteLater)
    thread.finished.connect(thread.deleteLater)
    parent._worker_jobs = [*getattr(parent, "_worker_jobs", []), (thread, job)]  # keep alive
    thread.start()
    return thread
