"""Start-up benchmark: from a new Python process to the window shown on a project.

Run by hand (not in CI):

    .venv/bin/python bench/bench_startup.py            # 5 runs each, offscreen
    .venv/bin/python bench/bench_startup.py --runs 10

Each run is a fresh process (imports are what start-up mostly costs, and a warm process
would hide them). Timed inside the child: interpreter start is not counted, everything
after it is — imports, opening the project, building the window, the first shown frame.
The floor, measured the same way in the same run, is a bare PySide6 QMainWindow with one
QGraphicsView, shown: what any Qt window costs on this machine. Also printed: how much of
ipsmap's time is importing the window's modules.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import fmt_s

_IPSMAP = """
import json, sys, time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
app = QApplication([])
t1 = time.perf_counter()
from ipsmap.model.project import Project
from ipsmap.ui.main_window import MainWindow
t2 = time.perf_counter()
window = MainWindow(Project.open(sys.argv[1]), is_demo=True)
window.show()
app.processEvents()
t3 = time.perf_counter()
print(json.dumps({"total": t3 - t0, "imports": t2 - t1}))
"""

_FLOOR = """
import json, time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QGraphicsView(QGraphicsScene()))
window.resize(1400, 900)
window.show()
app.processEvents()
print(json.dumps({"total": time.perf_counter() - t0}))
"""


def _run(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    project = folder / "demo.ipsmap"
    subprocess.run(
        [sys.executable, "-m", "ipsmap", "demo", str(project)], check=True, capture_output=True
    )
    ipsmap, floor = [], []
    for _ in range(args.runs):
        ipsmap.append(_run(_IPSMAP, str(project)))
        floor.append(_run(_FLOOR))
    total = statistics.median(r["total"] for r in ipsmap)
    best = min(r["total"] for r in ipsmap)
    imports = statistics.median(r["imports"] for r in ipsmap)
    bare = statistics.median(r["total"] for r in floor)
    print("ipsmap start-up benchmark (offscreen, the demo project, fresh process per run)")
    print(f"{'figure':<52}{'ipsmap':>10}{'floor':>10}{'ratio':>7}  target")
    print(f"{'start to shown window, median of ' + str(args.runs):<52}"
          f"{fmt_s(total):>10}{fmt_s(bare):>10}{total / bare:>6.1f}x  < 1 s "
          f"{'PASS' if total < 1 else 'MISS'}")  # fmt: skip
    print(f"{'start to shown window, best':<52}{fmt_s(best):>10}")
    print(f"{'  of which importing the window, median':<52}{fmt_s(imports):>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
