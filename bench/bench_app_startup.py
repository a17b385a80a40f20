"""Start-up of the built app: from launching ``dist/ipsmap/ipsmap`` to the window shown.

Run by hand after ``python packaging/build.py`` (not in CI):

    .venv/bin/python bench/bench_app_startup.py               # 7 runs, offscreen
    .venv/bin/python bench/bench_app_startup.py --app path/to/ipsmap --runs 10

Timed from outside, as a person sees it: from the launch (the bootloader unpacking nothing
in one-folder mode, then Python, the imports, the user's demo copy opened, the window
built) to the line the window prints once its first frame is drawn (IPSMAP_STARTUP_PROBE;
the window then quits). No file is given, so the app opens the user's demo copy, made by
one untimed run first. The floor, measured the same way in the same run, is the same
program answering ``--version``: what launching the app costs before any window work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import fmt_s

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 1.5


def _time(command: list[str], env: dict[str, str], until: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if until in line:
            took = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"bench: {command[0]} never printed {until!r}")
    process.wait(timeout=60)
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=REPO / "dist" / "ipsmap" / "ipsmap")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not args.app.is_file():
        raise SystemExit(f"bench: no app at {args.app} (python packaging/build.py)")
    home = Path(tempfile.mkdtemp())
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "IPSMAP_STARTUP_PROBE": "1",
    }
    program = [str(args.app)]
    _time(program, env, "window shown")  # makes the demo copy; the runs open it
    shown, floor = [], []
    for _ in range(args.runs):
        shown.append(_time(program, env, "window shown"))
        floor.append(_time([*program, "--version"], env, "ipsmap "))
    total, bare = statistics.median(shown), statistics.median(floor)
    print("ipsmap app start-up (built app, offscreen, the user's demo copy, fresh process per run)")
    print(f"{'figure':<44}{'app':>10}{'floor':>10}{'ratio':>7}  target")
    print(f"{'launch to shown window, median of ' + str(args.runs):<44}"
          f"{fmt_s(total):>10}{fmt_s(bare):>10}{total / bare:>6.1f}x  < {TARGET_S} s "
          f"{'PASS' if total < TARGET_S else 'MISS'}")  # fmt: skip
    print(f"{'launch to shown window, best / worst':<44}"
          f"{fmt_s(min(shown)):>10} / {fmt_s(max(shown))}")  # fmt: skip
    print(f"(floor: the same program printing --version; {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
