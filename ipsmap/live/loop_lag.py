"""How late the host's asyncio loop runs a 10 ms tick: its stalls, for bench/bench_phones.py.

Off unless the environment has ``IPSMAP_BENCH_LOOP_LAG=1`` (the bench sets it for the
``ipsmap host`` it starts). A task sleeps ``TICK_S`` again and again and notes how much later
than asked it woke: anything that holds the loop (a slow request handler, a big write) shows
as lateness. This is the headless host's loop, not the window's Qt event loop, which under
the window is the same loop (qasync) but also has painting to do.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

ENVIRONMENT = "IPSMAP_BENCH_LOOP_LAG"
TICK_S = 0.010


def wanted() -> bool:
    return os.environ.get(ENVIRONMENT) == "1"


class LoopLag:
    """``start`` on the running loop, ``stop`` for the figures (one JSON line's worth)."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            asked = time.perf_counter() + TICK_S
            await asyncio.sleep(TICK_S)
            self.lateness.append(max(0.0, time.perf_counter() - asked))

    def stop(self) -> dict[str, float | int]:
        if self._task is not None:
            self._task.cancel()
        late = sorted(self.lateness)
        if not late:
            return {"ticks": 0}
        return {
            "ticks": len(late),
            "median_ms": round(late[len(late) // 2] * 1000, 2),
            "p99_ms": round(late[min(len(late) - 1, int(len(late) * 0.99))] * 1000, 2),
            "max_ms": round(late[-1] * 1000, 2),
            "over_100ms": sum(1 for x in late if x > 0.100),
        }

    def line(self) -> str:
        return "loop lag: " + json.dumps(self.stop())
