"""The host *inside the window* for bench/bench_phones.py ``--in-window``: issue 15 asks that
the facilitator's window stays responsive (no UI stall over 100 ms) while 30 phones take
part, and the window is where a workshop hosts from.

    python bench/window_phone_host.py PROJECT

Opens PROJECT in a MainWindow (offscreen unless a display is set), shows the Marks grid and
the Balance of voices (the docks phones' marks update live), hosts the project's first map
on 127.0.0.1 through the window's own Hosting (the qasync loop, as Workshop → Host a live
session… does), prints ``phones: URL`` and then runs until its stdin closes. Meanwhile a
QTimer asks for a tick every 10 ms and notes how late each came: with qasync the Qt event
loop and the host's asyncio loop are one, so anything that holds either (a request handler,
the grid refreshing, painting) shows as lateness. At the end it stops the session on purpose
and prints ``ui lag: {JSON}`` (ticks, median, p99, max, stalls over 100 ms; and, from the
main thread's CPU clock, how many gaps the window's own work filled for over 100 ms, which
tells a stall of ours from the machine lending the core to another process).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TICK_MS = 10
STALL_MS = 100.0


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSocketNotifier, QTimer
    from PySide6.QtWidgets import QApplication

    from ipsmap.model.project import Project
    from ipsmap.ui.main_window import MainWindow

    QCoreApplication.setOrganizationName("ipsmap-bench")
    QCoreApplication.setApplicationName("ipsmap-bench")
    app = QApplication(sys.argv[:1])
    window = MainWindow(Project.open(Path(sys.argv[1])))
    window.resize(1280, 800)
    window.show()
    for name in ("marks", "voices"):
        window.docks[name].show()
    window.docks["marks"].raise_()
    hosting = window.workshop.hosting
    map_id = window.project.maps()[0].id
    lateness: list[float] = []
    busy: list[float] = []  # the main thread's own CPU time in each gap (ms)
    last = [time.perf_counter(), time.thread_time()]

    def tick() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        lateness.append(max(0.0, (now - last[0]) * 1000 - TICK_MS))
        busy.append((cpu - last[1]) * 1000)
        last[0], last[1] = now, cpu

    ticker = QTimer()
    ticker.setTimerType(ticker.timerType().PreciseTimer)
    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(tick)

    def announce() -> None:
        if hosting.host is None or not hosting.host.phone_url or hosting.panel is None:
            QTimer.singleShot(20, announce)
            return
        print(f"phones: {hosting.host.phone_url}", flush=True)
        last[0], last[1] = time.perf_counter(), time.thread_time()
        ticker.start()

    def finish() -> None:
        ticker.stop()
        hosting.stop_on_purpose()
        wait_idle()

    def wait_idle() -> None:
        if not hosting.idle:
            QTimer.singleShot(20, wait_idle)
            return
        late = sorted(lateness)
        figures: dict[str, float | int] = {"ticks": len(late)}
        if late:
            figures.update(
                median_ms=round(late[len(late) // 2], 2),
                p99_ms=round(late[min(len(late) - 1, int(len(late) * 0.99))], 2),
                max_ms=round(late[-1], 2),
                stalls_over_100_ms=sum(1 for x in late if x > STALL_MS),
                # A gap the window's own work filled, not the machine giving its core to
                # another process (a busy machine stretches gaps without our CPU in them).
                busy_over_100_ms=sum(1 for x in busy if x > STALL_MS),
                max_busy_ms=round(max(busy), 2),
            )
        print(f"ui lag: {json.dumps(figures)}", flush=True)
        window.close()
        app.quit()

    # The bench closes our stdin to say "the phones are done".
    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

    def stdin_ready() -> None:
        if not os.read(sys.stdin.fileno(), 4096):
            stdin.setEnabled(False)
            finish()

    stdin.activated.connect(stdin_ready)
    QTimer.singleShot(0, lambda: hosting.start([map_id], "127.0.0.1", announce_title=False))
    QTimer.singleShot(0, announce)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
