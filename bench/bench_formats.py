"""Import speed per format: read + validate + import a 5,000 / 15,000 map, beside plain parsing.

Run by hand: `.venv/bin/python bench/bench_formats.py [--quick]`. The floor for each format
is parsing the same file with the plain parser alone (json.loads, csv.reader), no checks.
Target (issue 5): under 2 s for JSON, CSV and PRSM.

`--limits` (issue 13): for every readable format, the largest map the default import limits
accept (10,000 factors / 50,000 links, or less where the file would pass the size limit), read in a
child process of its own: wall time and peak resident memory of the read.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
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


# One read in a fresh interpreter: its peak RSS is the read's, not the writer's before it.
_CHILD = """
import sys, time
from pathlib import Path
from ipsmap.export.all_formats import read_maps
start = time.perf_counter()
try:
    maps = read_maps(Path(sys.argv[1]), sys.argv[2])
    outcome = f"{len(maps[0].factors)} {len(maps[0].links)}"
except Exception as exc:
    outcome = "refused " + str(exc).replace(chr(10), " ")[-120:]
took = time.perf_counter() - start
# VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec.
status = Path("/proc/self/status").read_text()
peak = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmHWM"))) / 1024
print(f"{took:.2f} {peak:.0f} {outcome}")
"""

# (format, file name, factors): the matrix holds N x N cells, so its largest map is smaller.
LIMIT_FORMATS = [
    ("json", "map.json", 10_000),
    ("prsm", "map.prsm", 10_000),
    ("kumu", "map.json", 10_000),
    ("mentalmodeler", "map.mmp", 10_000),
    ("loopy", "map.loopy", 10_000),
    ("graphml", "map.graphml", 10_000),
    ("gexf", "map.gexf", 10_000),
    ("gml", "map.gml", 10_000),
    ("csv", "map.csv", 10_000),
    ("xlsx", "map.xlsx", 10_000),
    ("matrix", "map.matrix.csv", 2_000),
]


def _child_read(path: Path, fmt: str) -> tuple[float, float, str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), fmt],
        capture_output=True,
        text=True,
        check=True,
    )
    took, peak, outcome = done.stdout.strip().split(" ", 2)
    return float(took), float(peak), outcome


def limits_main(quick: bool) -> int:
    import warnings

    from ipsmap.formats.boundary import DEFAULT_LIMITS

    baseline = subprocess.run(
        [sys.executable, "-c", "import ipsmap.export.all_formats, pathlib; print(int(next("
         "l.split()[1] for l in pathlib.Path('/proc/self/status').read_text().splitlines() "
         "if l.startswith('VmHWM'))) / 1024)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(
        f"largest accepted import per format (limits: {DEFAULT_LIMITS.max_factors:,} factors, "
        f"{DEFAULT_LIMITS.max_links:,} links, {DEFAULT_LIMITS.max_file_bytes >> 20} MB files); "
        f"a child that only imports ipsmap peaks at {float(baseline.stdout):.0f} MB"
    )
    print(f"{'format':<14} {'factors':>8} {'links':>7} {'file':>8} {'read':>7} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt, name, most in LIMIT_FORMATS:
            n = most // 10 if quick else most
            while n >= 100:
                data = synthetic_map(n, links_per_factor=5 if fmt != "matrix" else 3)
                path = folder / fmt / name
                path.parent.mkdir(exist_ok=True)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # what a format cannot hold
                    write_map(data, path, fmt)
                if fmt == "csv":
                    path = path.parent / "map-links.csv"
                size = sum(p.stat().st_size for p in path.parent.iterdir())
                took, peak, outcome = _child_read(path, fmt)
                if outcome.startswith("refused"):
                    print(f"{fmt:<14} {n:>8,} {'':>7} {size / 2**20:>6.1f}MB  {outcome[:60]}")
                    n //= 2
                    continue
                factors, links = (int(x) for x in outcome.split())
                print(
                    f"{fmt:<14} {factors:>8,} {links:>7,} {size / 2**20:>6.1f}MB "
                    f"{took:>6.2f}s {peak:>7.0f}MB"
                )
                break
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x smaller map")
    parser.add_argument(
        "--limits", action="store_true", help="the largest accepted import of every format"
    )
    args = parser.parse_args()
    if args.limits:
        return limits_main(args.quick)
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
