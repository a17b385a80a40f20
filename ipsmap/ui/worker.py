"""Run a long computation off the UI thread, with a progress dialog that can cancel it.

By default Cancel only drops the result (the computation runs to its end). A computation
started with ``steps=True`` is given a :class:`WorkerProgress`: it reports real steps to
the dialog and stops itself when ``cancelled`` turns true (cooperative cancellation).
"""

from __future__ import annotations

import atexit
import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

# The progress dialog's range when the computation reports steps (per mille).
STEPS = 1000
# Workers computing now, and whether the collector was on before the first began.
_PAUSES: list = [0, True]
_PAUSE_LOCK = threading.Lock()
# Worker threads still running, with their jobs (kept alive here, see run_in_worker).
_RUNNING: dict[QThread, QObject] = {}
_EXIT_HOOKED: list[bool] = []


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
            with _collector_paused():
                result = self._compute(*args)
            self.finished.emit(result)
        except Exception as exc:
            self.failed.emit(str(exc))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a worker computes.

    The collector runs in whichever thread happens to allocate; run here, it may free a
    closed dialog or widget left in a reference cycle, and destroying Qt GUI objects off
    the UI thread crashes the program (seen as rare segfaults during big exports). The
    pause is process-wide and counted, so overlapping workers resume it only at the end;
    the UI thread collects again as soon as the last worker is done.
    """
    with _PAUSE_LOCK:
        if _PAUSES[0] == 0:
            _PAUSES[1] = gc.isenabled()
            gc.disable()
        _PAUSES[0] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _PAUSES[0] -= 1
            if _PAUSES[0] == 0 and _PAUSES[1]:
                gc.enable()


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
    # Not parented to the window: closing it mid-computation would destroy a running
    # QThread, which aborts the whole program. Running threads are kept here instead and
    # waited for when the program ends.
    for finished in [t for t in _RUNNING if t.isFinished()]:
        del _RUNNING[finished]  # dropped here, in the UI thread, once truly done
    thread = QThread()
    job = _Job(compute, steps)
    _RUNNING[thread] = job
    _wait_at_exit()
    job.moveToThread(thread)
    dialog = QProgressDialog(label, "Cancel", 0, STEPS if steps else 0, parent)
    dialog.setObjectName("worker-progress")
    dialog.setMinimumDuration(400)
    dialog.setAutoReset(False)
    receiver = _Receiver(on_done, on_error, dialog, label, parent)
    progress = job.progress

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
    # Direct: quit() is thread-safe, and a queued call would wait for the UI thread's event
    # loop, which wait_for_workers() (at exit) is blocking.
    job.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    job.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.started.connect(job.run)
    thread.finished.connect(receiver.deleteLater)
    parent._worker_jobs = [*getattr(parent, "_worker_jobs", []), (thread, job)]  # tests look
    thread.progress = progress  # type: ignore[attr-defined]
    thread.start()
    return thread


def wait_for_workers(timeout_ms: int = 10_000) -> bool:
    """Let running computations end (a cancelled one stops at its next step); True if all did."""
    for thread in list(_RUNNING):
        progress = getattr(thread, "progress", None)
        if progress is not None:
            progress.cancel()
    deadline = time.monotonic() + timeout_ms / 1000
    # Poll with sleeps (which release the GIL) rather than one long QThread.wait(): the
    # worker needs the GIL to finish its Python.
    while any(t.isRunning() for t in list(_RUNNING)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not any(t.isRunning() for t in list(_RUNNING))


def _wait_at_exit() -> None:
    if _EXIT_HOOKED:
        return
    _EXIT_HOOKED.append(True)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(wait_for_workers)
    atexit.register(wait_for_workers)
