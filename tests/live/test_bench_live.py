"""bench/bench_live.py runs end to end: a host and two laptops as processes, one JSON
object out, every laptop and the host's file converged."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .support import REPO

pytestmark = pytest.mark.timeout(60)


def test_the_live_bench_prints_one_json_object_with_a_converged_session():
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_live.py"),
         "--peers", "2", "--edits", "5", "--pace", "0.1", "--json"],
        capture_output=True, text=True, timeout=50, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert set(result) >= {
        "converged", "peers", "edits", "latency_ms", "late_join_s", "reconnect_s", "rss_mb"
    }  # fmt: skip
    assert result["converged"] is True
    assert result["peers"] == 2
    assert 0 < result["edits"] <= 10
    latency = result["latency_ms"]
    assert set(latency) == {"median", "p95", "max"}
    assert 0 < latency["median"] <= latency["p95"] <= latency["max"]
    # Both timed phases finished (None would mean they timed out) and the host was measured.
    assert result["late_join_s"] > 0 and result["reconnect_s"] > 0
    assert result["rss_mb"] > 10


def test_the_live_bench_refuses_a_single_laptop_in_one_line():
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_live.py"), "--peers", "1"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert "need --peers 2 or more" in done.stderr
    assert "Traceback" not in done.stderr
