"""Closing a window while its computation runs must not take the program down.

A QThread destroyed while running aborts the process ("Destroyed while thread is still
running"), so the check runs in a child Python: a crash there is a clean test failure.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os, threading
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QWidget
    from ipsmap.ui.worker import run_in_worker, wait_for_workers

    app = QApplication([])
    release = threading.Event()
    results = []

    def compute():
        release.wait(10)
        return "done"

    window = QWidget()
    run_in_worker(window, "Working", compute, results.append, results.append)
    window.deleteLater()          # the user closes the window mid-computation
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    del window
    app.processEvents()
    release.set()
    assert wait_for_workers(5000), "the worker did not finish"
    app.processEvents()
    assert results == [], results  # nobody is left to show the result to
    print("survived")
    """
)


def test_closing_the_window_during_a_computation_does_not_abort():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout


def test_no_garbage_collection_runs_while_a_worker_computes(qtbot):
    # Collected in the worker, a closed widget in a reference cycle would be destroyed off
    # the UI thread: that crashed big exports now and then.
    import gc

    from PySide6.QtWidgets import QWidget

    from ipsmap.ui.worker import run_in_worker, wait_for_workers

    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[bool] = []
    results: list[object] = []
    assert gc.isenabled()
    run_in_worker(parent, "Working", lambda: gc.isenabled(), results.append, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    seen.append(results[0] is True)
    assert wait_for_workers(5000)
    assert seen == [False], "the collector ran during the computation"
    assert gc.isenabled(), "the collector is back on afterwards"
