"""Import speed per format: read + validate + import a 5,000 / 15,000 map, beside plain parsing.

Run by hand: `.venv/bin/python bench/bench_formats.py [--quick]`. The floor for each format
is parsing the same file with the plain parser alone (json.loads, csv.reader), no checks.
Target (issue 5): under 2 s for JSON, CSV and PRSM.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_map

from ipsmap.export.all_formats import read_maps, write_map
from ipsmap.model.project import Project

TARGET = 2.0


def _floor(fmt: str, path: Path) -> float:
    start = time.perf_counter()
    if fmt == "csv":
        for part in sorted(path.parent.glob(f"{path.name.split('-')[0]}-*.csv")):
            with part.open(newline="", encoding="utf-8-sig") as handle:
                list(csv.reader(handle))
    else:
        json.loads(path.read_text(encoding="utf-8-sig"))
    return time.perf_counter() - start


def _import(fmt: str, path: Path, folder: Path, run: int) -> float:
    start = time.perf_counter()
    maps = read_maps(path, fmt)
    with Project.create(folder / f"{fmt}-{run}.ipsmap") as project:
        for data in maps:
            project.import_map(data)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller map")
    args = parser.parse_args()
    n = 500 if args.quick else 5000
    data = synthetic_map(n)
    print(f"import benchmark: {n:,} factors / {len(data.links):,} links, best and median of 3")
    print(f"{'format':<8} {'ipsmap best':>12} {'median':>9} {'floor':>9} {'ratio':>6}  target")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt, name in (("json", "map.json"), ("csv", "map.csv"), ("prsm", "map.prsm")):
            path = folder / name
            write_map(data, path, fmt)
            if fmt == "csv":
                path = folder / "map-links.csv"
            times = [_import(fmt, path, folder, run) for run in range(3)]
            floors = [_floor(fmt, path) for _ in range(3)]
            best, floor = min(times), min(floors)
            verdict = "PASS" if best < TARGET else "MISS"
            print(
                f"{fmt:<8} {best:>11.2f}s {statistics.median(times):>8.2f}s {floor:>8.2f}s "
                f"{best / floor:>5.1f}x  < {TARGET:.0f} s {verdict}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
