"""ipsmap/live/loop_lag.py: a stall of the loop shows as lateness; off unless asked for."""

from __future__ import annotations

import asyncio
import json
import time

from ipsmap.live import loop_lag


def test_a_blocked_loop_shows_as_a_late_tick():
    async def scenario() -> dict:
        lag = loop_lag.LoopLag()
        lag.start()
        await asyncio.sleep(0.1)
        time.sleep(0.15)  # something holding the loop, as a slow handler would
        await asyncio.sleep(0.1)
        return json.loads(lag.line().removeprefix("loop lag: "))

    figures = asyncio.run(scenario())
    assert figures["ticks"] >= 5
    assert figures["max_ms"] >= 100
    assert figures["over_100ms"] == 1
    assert figures["median_ms"] < 100


def test_only_on_under_the_environment_variable(monkeypatch):
    monkeypatch.delenv(loop_lag.ENVIRONMENT, raising=False)
    assert not loop_lag.wanted()
    monkeypatch.setenv(loop_lag.ENVIRONMENT, "1")
    assert loop_lag.wanted()
