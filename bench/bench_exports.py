"""Export speed: the evaluator exports of a 2,000-factor / 6,000-link map, beside a floor.

Run by hand: `.venv/bin/python bench/bench_exports.py [--quick]`. The floor is writing the
same factors and links tables with the plain ``csv`` module in the same run (no analysis,
no layout). Targets (issue 6): PDF under 10 s, HTML and Excel under 3 s each. Each export
is made with a fresh context (the analysis is not shared between them, as when a user
exports one format).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_map

from ipsmap.export.all_formats import write_map
from ipsmap.export.context import ExportContext
from ipsmap.formats.tables_writer import table_rows
from ipsmap.model.mapdata import MapData

TARGETS = {"pdf": 10.0, "html": 3.0, "xlsx": 3.0, "csv": None, "qdc": None, "bundle": None}
SUFFIXES = {"pdf": "pdf", "html": "html", "xlsx": "xlsx", "csv": "csv", "qdc": "qdc"}


def _floor(data: MapData, folder: Path) -> float:
    start = time.perf_counter()
    factor_rows, link_rows = table_rows(data)
    for name, rows in (("floor-factors.csv", factor_rows), ("floor-links.csv", link_rows)):
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return time.perf_counter() - start


def _export(data: MapData, fmt: str, folder: Path, run: int) -> float:
    context = ExportContext(project_title="Benchmark", map_name=data.info.name)
    suffix = "zip" if fmt == "bundle" else SUFFIXES[fmt]
    start = time.perf_counter()
    write_map(data, folder / f"{fmt}-{run}.{suffix}", fmt, context=context)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller map")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = 200 if args.quick else 2000
    data = synthetic_map(n)
    print(f"export benchmark: {n:,} factors / {len(data.links):,} links, best and median")
    print(f"{'format':<8} {'best':>8} {'median':>8} {'floor':>8} {'ratio':>7}  target")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor = min(_floor(data, folder) for _ in range(args.runs))
        for fmt, target in TARGETS.items():
            runs = 1 if fmt == "bundle" else args.runs
            times = [_export(data, fmt, folder, run) for run in range(runs)]
            best, median = min(times), statistics.median(times)
            verdict = ""
            if target is not None:
                ok = best < target
                failed |= not ok
                verdict = f"< {target:g} s {'PASS' if ok else 'FAIL'}"
            print(
                f"{fmt:<8} {best:>7.2f}s {median:>7.2f}s {floor:>7.3f}s "
                f"{best / floor:>6.0f}x  {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
