"""bench/bench_phone_journey.py walks scan → join → map → factor → vote in the system
Chromium, once each way, and reports every step (a figure, not a timing assertion)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .support import REPO

pytestmark = [
    pytest.mark.timeout(150),
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs the system Chromium"),
]
BENCH = REPO / "bench" / "bench_phone_journey.py"
STEPS = ["page shown", "joined", "map drawn", "factor opened", "vote counted"]


def test_one_journey_each_way_reports_every_step():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--json"],
        capture_output=True, text=True, timeout=140,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for condition in ("phone", "floor"):
        steps = result["steps_s"][condition]
        assert list(steps) == STEPS and all(seconds > 0 for seconds in steps.values())
        assert result["total_s"][condition] == pytest.approx(sum(steps.values()), abs=0.01)
    assert result["taps"] == 7 and result["conditions"]["cpu_slowdown"] == 4


def test_the_journey_bench_refuses_no_runs_in_one_line():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "0"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2 and "--runs must be at least 1" in done.stderr
    assert "Traceback" not in done.stderr
