"""Run a long computation off the UI thread, with a progress dialog that can cancel it.

By default Cancel only drops the result (the computation runs to its end). A computation
started with ``steps=True`` is given a :class:`WorkerProgress`: it reports real steps to
the dialog and stops itself when ``cancelled`` turns true (cooperative cancellation).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

# The progress dialog's range when the computation reports steps (per mille).
STEPS = 1000


class _Job(QObject):
    finished = Signal(object)
    failed = Signal(str)
    progressed = Signal(int, str)

    def __init__(self, compute: Callable[..., Any], steps: bool = False) -> None:
        super().__init__()
        self._compute = compute
        self.progress = WorkerProgress(self) if steps else None

    def run(self) -> None:
        try:
            args = () if self.progress is None else (self.progress,)
            self.finished.emit(self._compute(*args))
        except Exception as exc:
            self.failed.emit(str(exc))


class WorkerProgress:
    """What a computation started with ``steps=True`` is given: report steps, see a cancel.

    Both methods are safe to call from the worker thread.
    """

    def __init__(self, job: _Job) -> None:
        self._job = job
        self._cancel = threading.Event()
        self._last: tuple[int, str] | None = None
        self.reports = 0  # how many steps were reported (tests look)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, fraction: float, message: str = "") -> None:
        """Show how far the work is (0–1) and what it is doing (queued to the dialog)."""
        self.reports += 1
        step = (int(min(1.0, max(0.0, fraction)) * STEPS), message)
        if step != self._last:  # a repeated step would only flood the UI thread
            self._last = step
            self._job.progressed.emit(*step)


class _Receiver(QObject):
    """Lives in the UI thread, so results are shown there (queued from the worker)."""

    def __init__(
        self, on_done, on_error, dialog: QProgressDialog, label: str, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._on_done = on_done
        self._on_error = on_error
        self._dialog = dialog
        self._label = label
        self.cancelled = False

    @Slot(int, str)
    def progressed(self, step: int, message: str) -> None:
        if self.cancelled:
            return
        self._dialog.setValue(min(step, STEPS - 1))  # the maximum would close the dialog
        self._dialog.setLabelText(f"{self._label}\n{message}" if message else self._label)

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
    compute: Callable[..., Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
    steps: bool = False,
) -> QThread:
    """Start ``compute()`` in a thread; ``on_done(result)`` runs in the UI thread.

    ``compute`` must not touch Qt objects or the project's database connection: give it
    plain data (a copy of the map's state or a networkx graph). With ``steps``, it is
    called as ``compute(progress)`` with a :class:`WorkerProgress` (also the returned
    thread's ``progress`` attribute); otherwise the dialog shows a busy bar.
    """
    thread = QThread(parent)
    job = _Job(compute, steps)
    job.moveToThread(thread)
    dialog = QProgressDialog(label, "Cancel", 0, STEPS if steps else 0, parent)
    dialog.setObjectName("worker-progress")
    dialog.setMinimumDuration(400)
    dialog.setAutoReset(False)
    receiver = _Receiver(on_done, on_error, dialog, label, parent)
    progress = job.progress  # not through ``job``, which is deleted when the thread ends

    def cancel() -> None:
        # The dialog returns at once and the result is dropped; a computation with steps
        # also stops itself at its next step.
        receiver.cancelled = True
        if progress is not None:
            progress.cancel()

    dialog.canceled.connect(cancel)
    job.progressed.connect(receiver.progressed)
    job.finished.connect(receiver.done)
    job.failed.connect(receiver.error)
    job.finished.connect(thread.quit)
    job.failed.connect(thread.quit)
    thread.started.connect(job.run)
    thread.finished.connect(job.deleteLater)
    thread.finished.connect(receiver.deleteLater)
    thread.finished.connect(thread.deleteLater)
    parent._worker_jobs = [*getattr(parent, "_worker_jobs", []), (thread, job)]  # keep alive
    thread.progress = progress  # type: ignore[attr-defined]
    thread.start()
    return thread
