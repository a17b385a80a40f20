"""bench/bench_phones.py runs end to end: a real ``ipsmap host`` and three simulated phones
for 3 s, one JSON object out, everything each phone was told succeeded is in the host's
project file, and the host's loop lateness was reported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .support import REPO

pytestmark = pytest.mark.timeout(120)
BENCH = REPO / "bench" / "bench_phones.py"


def test_three_phones_for_three_seconds_lose_nothing():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--phones", "3", "--seconds", "3", "--json"],
        capture_output=True, text=True, timeout=50,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["joined"] == 3
    # Every phone's suggestion, 10 flags and 5 votes succeeded and are in the project file.
    assert result["told_succeeded"] == {"ideas": 3, "flags": 30, "votes": 15}
    assert result["lost"] == {"ideas": 0, "flags": 0, "votes": 0}
    assert result["unexpected"] == {"ideas": 0, "flags": 0, "votes": 0}
    assert result["nothing_lost"] is True and result["refusals"] == {}
    latency = result["latency_ms"]
    assert {"join", "idea", "mark", "vote", "map"} <= set(latency)
    assert latency["mark"]["count"] == 30 and latency["vote"]["count"] == 15
    mark = latency["mark"]
    assert 0 < mark["median_ms"] <= mark["p95_ms"] <= mark["max_ms"]
    assert set(result["floor_latency_ms"]) == set(latency)
    lag = result["host_loop_lag"]
    assert lag["ticks"] > 50 and 0 <= lag["median_ms"] <= lag["max_ms"]


def test_three_phones_against_the_window_hosting_lose_nothing_and_its_loop_is_measured():
    # The host inside a MainWindow (qasync: the Qt loop and the host's are one): the same
    # phones, and the window's own loop lateness reported from a 10 ms Qt timer.
    done = subprocess.run(
        [sys.executable, str(BENCH), "--phones", "3", "--seconds", "3", "--json", "--in-window"],
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["host"] == "window" and result["joined"] == 3
    assert result["told_succeeded"] == {"ideas": 3, "flags": 30, "votes": 15}
    assert result["nothing_lost"] is True and result["refusals"] == {}
    ui = result["ui_loop_lag"]
    # About 300 ticks in 3 s; a figure, not a timing assertion (the machine may be busy).
    assert ui["ticks"] > 100 and 0 <= ui["median_ms"] <= ui["p99_ms"] <= ui["max_ms"]
    assert isinstance(ui["stalls_over_100_ms"], int)


def test_the_phones_bench_refuses_no_phones_in_one_line():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--phones", "0"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "--phones must be at least 1" in done.stderr
    assert "Traceback" not in done.stderr
