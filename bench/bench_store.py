"""Store benchmarks: import, load and single edits, each beside a plain-sqlite3 floor.

Run by hand (not in CI):

    .venv/bin/python bench/bench_store.py            # full sizes (about a minute)
    .venv/bin/python bench/bench_store.py --quick    # sizes shrunk 10x, a smoke run
    .venv/bin/python bench/bench_store.py --profile edits   # cProfile one figure

Every figure is measured beside a floor taken in the same run on the same disk: what
plain ``sqlite3`` needs for the same work, so the ratio says how much ipsmap adds.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import os
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import fmt_s
from synthetic import synthetic_map

from ipsmap.model.command import Command
from ipsmap.model.commands import (
    AddFactor,
    AddLink,
    DeleteFactors,
    EditFactor,
    EditLink,
    MoveFactors,
)
from ipsmap.model.entities import POLARITIES, Factor, Link, MapInfo, Style, now_iso
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project

# Targets (for the full sizes).
IMPORT_TARGET_S = 2.0
LOAD_TARGET_S = 1.0
EDIT_P95_TARGET_MS = 10.0

REPEATS = 3
PROJECT_NAME = "bench.ipsmap"


# -- helpers ---------------------------------------------------------------------------


@contextmanager
def fresh_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ipsmap-bench-") as name:
        yield Path(name)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def bare_connect(path: Path) -> sqlite3.Connection:
    """A plain connection with the same PRAGMAs as an ipsmap project (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


_SQL_TYPES = {"int": "INTEGER", "float": "REAL", "str": "TEXT", "bool": "INTEGER"}


def bare_table_sql(record_type: type, table: str) -> str:
    """CREATE TABLE with the record's columns, ``id`` as primary key, nothing else."""
    columns = []
    for f in dataclasses.fields(record_type):
        if f.name == "id":
            columns.append("id TEXT PRIMARY KEY")
        else:
            # Annotations are strings here ("str | None", "dict[str, Any]": JSON text).
            base = str(f.type).split("|")[0].split("[")[0].strip()
            columns.append(f"{f.name} {_SQL_TYPES.get(base, 'TEXT')}")
    return f"CREATE TABLE [{table}] ({', '.join(columns)})"


def record_tuples(records: list[Any]) -> list[tuple]:
    """Records as the tuples the store would write (JSON fields encoded, bools as ints)."""
    out = []
    for record in records:
        row = []
        for f in dataclasses.fields(record):
            value = getattr(record, f.name)
            if f.name in record.JSON_FIELDS:
                value = json.dumps(value or {}, ensure_ascii=False)
            elif isinstance(value, bool):
                value = int(value)
            row.append(value)
        out.append(tuple(row))
    return out


def as_imported(data: MapData) -> MapData:
    """``data`` with the seq numbers and timestamps the import would store, so that the
    floor writes the very rows ipsmap writes (the import keeps given timestamps)."""
    now = now_iso()
    data.factors = [
        dataclasses.replace(f, seq=i, created_at=now, modified_at=now)
        for i, f in enumerate(data.factors, 1)
    ]
    data.links = [
        dataclasses.replace(ln, seq=i, created_at=now, modified_at=now)
        for i, ln in enumerate(data.links, 1)
    ]
    return data


# -- import ------------------------------------------------------------------------------


def time_import(data: MapData, workdir: Path) -> tuple[float, str, Path]:
    """Create an empty project (untimed), then time project.import_map(data)."""
    path = workdir / PROJECT_NAME
    with Project.create(path) as project:
        start = time.perf_counter()
        map_id = project.import_map(data)
        elapsed = time.perf_counter() - start
    return elapsed, map_id, path


def floor_import(data: MapData, workdir: Path, schema_sql: list[str] | None = None) -> float:
    """executemany of the same rows into bare tables of a fresh file, one transaction.

    Tables are created and rows turned into tuples before the clock starts; the timed part
    is BEGIN, four executemany (maps, styles, factors, links) and COMMIT. With
    ``schema_sql`` the tables are the real ipsmap ones (indexes, foreign keys, checks).
    """
    path = workdir / "floor.sqlite"
    conn = bare_connect(path)
    tables = [(MapInfo, "maps"), (Style, "styles"), (Factor, "factors"), (Link, "links")]
    if schema_sql is None:
        for record_type, table in tables:
            conn.execute(bare_table_sql(record_type, table))
    else:
        conn.execute("PRAGMA foreign_keys = ON")
        for statement in schema_sql:
            conn.execute(statement)
    info = dataclasses.replace(data.info, created_by=None)
    rows = {
        "maps": record_tuples([info]),
        "styles": record_tuples(data.styles),
        "factors": record_tuples(data.factors),
        "links": record_tuples(data.links),
    }
    sqls = {
        table: f"INSERT INTO [{table}] ({', '.join(f.name for f in dataclasses.fields(rt))}) "
        f"VALUES ({', '.join('?' for _ in dataclasses.fields(rt))})"
        for rt, table in tables
    }
    start = time.perf_counter()
    conn.execute("BEGIN")
    for _, table in tables:
        conn.executemany(sqls[table], rows[table])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def ipsmap_schema_sql() -> list[str]:
    """The CREATE statements of the real project schema (from a freshly created project)."""
    with fresh_dir() as workdir:
        path = workdir / PROJECT_NAME
        Project.create(path).close()
        conn = sqlite3.connect(path)
        wanted = ("maps", "styles", "factors", "links")
        statements = [
            sql
            for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN "
                f"({', '.join('?' for _ in wanted)}) ORDER BY rowid",
                wanted,
            )
        ]
        conn.close()
    # Foreign keys to participants stay declared but are satisfied by NULLs.
    return ["CREATE TABLE participants (id TEXT PRIMARY KEY)", *statements]


# -- load ----------------------------------------------------------------------------------


def time_load(path: Path, map_id: str, expect: tuple[int, int]) -> float:
    """Time Project.open(path) + project.document(map_id); close untimed."""
    start = time.perf_counter()
    project = Project.open(path)
    document = project.document(map_id)
    elapsed = time.perf_counter() - start
    got = (len(document.factors), len(document.links))
    project.close()
    assert got == expect, (got, expect)
    return elapsed


def floor_load(path: Path, map_id: str, expect: tuple[int, int]) -> float:
    """Time connect + SELECT * of the map's factor and link rows into tuples."""
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    factors = conn.execute("SELECT * FROM factors WHERE map_id = ?", [map_id]).fetchall()
    links = conn.execute("SELECT * FROM links WHERE map_id = ?", [map_id]).fetchall()
    elapsed = time.perf_counter() - start
    conn.close()
    assert (len(factors), len(links)) == expect
    return elapsed


# -- single edits --------------------------------------------------------------------------

EDIT_MIX = (
    ("edit label", 20),
    ("move one", 25),
    ("add factor", 10),
    ("add link", 10),
    ("edit link", 15),
    ("delete new factor", 10),
    ("undo", 10),
)


class EditDriver:
    """Picks a realistic next edit from the current state of the map (untimed)."""

    def __init__(self, document: Any, seed: int = 1) -> None:
        self.doc = document
        self.rng = random.Random(seed)
        self.kinds = [k for k, _ in EDIT_MIX]
        self.weights = [w for _, w in EDIT_MIX]
        self.fresh: list[str] = []  # factors added during the run and still there
        self.counter = 0

    def next(self, first: bool) -> tuple[str, Command | None]:
        """(kind, command); command None means doc.undo()."""
        rng, doc = self.rng, self.doc
        self.fresh = [f for f in self.fresh if f in doc.factors]
        while True:
            kind = rng.choices(self.kinds, self.weights)[0]
            if kind == "undo" and first:
                continue
            if kind == "delete new factor" and not self.fresh:
                continue
            break
        self.counter += 1
        if kind == "edit label":
            factor_id = rng.choice(list(doc.factors))
            return kind, EditFactor(factor_id, {"label": f"Edited factor {self.counter}"})
        if kind == "move one":
            factor = doc.factors[rng.choice(list(doc.factors))]
            x, y = factor.x + rng.uniform(-40, 40), factor.y + rng.uniform(-40, 40)
            return kind, MoveFactors({factor.id: (x, y)})
        if kind == "add factor":
            x, y = rng.uniform(0, 8000), rng.uniform(0, 8000)
            command = AddFactor(f"New factor {self.counter}", x, y)
            self.fresh.append(command.id)
            return kind, command
        if kind == "add link":
            ids = list(doc.factors)
            while True:
                source, target = rng.choice(ids), rng.choice(ids)
                if source != target and doc.state.link_between(source, target) is None:
                    return kind, AddLink(source, target, rng.choice(POLARITIES))
        if kind == "edit link":
            link = doc.links[rng.choice(list(doc.links))]
            polarity = rng.choice([p for p in POLARITIES if p != link.polarity])
            strength = rng.choice((0.25, 0.5, 1.0))
            return kind, EditLink(link.id, {"polarity": polarity, "strength": strength})
        if kind == "delete new factor":
            factor_id = self.fresh.pop(rng.randrange(len(self.fresh)))
            return kind, DeleteFactors([factor_id])
        return kind, None


class FloorCommit:
    """The edit floor: one bare INSERT + COMMIT into a small table of a plain connection
    on its own file (same PRAGMAs). Taken right after each ipsmap edit, so that both see
    the same disk conditions (an fsync's latency drifts with what else the machine does).
    """

    def __init__(self, workdir: Path) -> None:
        self.conn = bare_connect(workdir / "floor.sqlite")
        self.conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
        self.times: list[float] = []

    def once(self) -> None:
        start = time.perf_counter()
        self.conn.execute("BEGIN")
        self.conn.execute("INSERT INTO t (label) VALUES (?)", [f"Factor {len(self.times)}"])
        self.conn.execute("COMMIT")
        self.times.append(time.perf_counter() - start)

    def close(self) -> None:
        self.conn.close()


@contextmanager
def floor_commits() -> Iterator[FloorCommit]:
    with fresh_dir() as workdir:
        floor = FloorCommit(workdir)
        try:
            yield floor
        finally:
            floor.close()


def time_edits(
    n_factors: int, n_edits: int, workdir: Path, floor: FloorCommit
) -> dict[str, list[float]]:
    """Import a map, reopen it, then time n_edits single edits; seconds by kind.

    Each edit is followed by one floor commit.
    """
    data = synthetic_map(n_factors, seed=2)
    path = workdir / PROJECT_NAME
    with Project.create(path) as project:
        map_id = project.import_map(data)
    times: dict[str, list[float]] = {k: [] for k, _ in EDIT_MIX}
    with Project.open(path) as project:
        doc = project.document(map_id)
        driver = EditDriver(doc)
        for i in range(n_edits):
            kind, command = driver.next(first=i == 0)
            if command is None:
                start = time.perf_counter()
                change = doc.undo()
                elapsed = time.perf_counter() - start
            else:
                start = time.perf_counter()
                change = doc.execute(command)
                elapsed = time.perf_counter() - start
            assert change is not None, kind
            times[kind].append(elapsed)
            floor.once()
    return times


def time_delete_undo(
    n_factors: int, n_rounds: int, workdir: Path, floor: FloorCommit
) -> tuple[list[float], list[float]]:
    """Delete an original factor (with its links) then undo it; seconds of each, n_rounds times.

    Not part of the mix above (which deletes only freshly added factors): undoing the
    delete of an older factor puts records back in the middle of the creation order.
    Each delete and each undo is followed by one floor commit.
    """
    data = synthetic_map(n_factors, seed=3)
    path = workdir / PROJECT_NAME
    with Project.create(path) as project:
        map_id = project.import_map(data)
    deletes, undos = [], []
    rng = random.Random(3)
    with Project.open(path) as project:
        doc = project.document(map_id)
        victims = rng.sample(list(doc.factors), n_rounds)
        for factor_id in victims:
            command = DeleteFactors([factor_id])
            start = time.perf_counter()
            doc.execute(command)
            deletes.append(time.perf_counter() - start)
            floor.once()
            start = time.perf_counter()
            doc.undo()
            undos.append(time.perf_counter() - start)
            floor.once()
            assert factor_id in doc.factors
    return deletes, undos


# -- report ---------------------------------------------------------------------------------


HEAD = ("figure", "ipsmap", "floor", "ratio", "target", "result")


class Table:
    def __init__(self, head: tuple[str, ...] = HEAD) -> None:
        self.head = head
        self.rows: list[tuple[str, ...]] = []

    def add(self, name: str, value: float, floor: float | None, target: float | None) -> None:
        ratio = f"{value / floor:.1f}x" if floor else "-"
        if target is None:
            verdict, target_text = "", ""
        else:
            verdict = "PASS" if value < target else "MISS"
            target_text = f"< {fmt_s(target)}"
        self.rows.append(
            (name, fmt_s(value), fmt_s(floor) if floor else "-", ratio, target_text, verdict)
        )

    def print(self) -> None:
        widths = [max(len(r[i]) for r in (self.head, *self.rows)) for i in range(len(self.head))]
        line = "  ".join("-" * w for w in widths)
        print("  ".join(h.ljust(w) for h, w in zip(self.head, widths, strict=True)))
        print(line)
        for row in self.rows:
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) if i < 4 else c.ljust(w)
                for i, (c, w) in enumerate(zip(row[1:], widths[1:], strict=True), 1)
            ]
            print("  ".join(cells).rstrip())


def run(quick: bool) -> None:
    scale = 10 if quick else 1
    n_import = 5000 // scale
    n_edit_map = 2000 // scale
    n_edits = 1000 // scale

    print(
        f"ipsmap store benchmark{' (QUICK: sizes / 10, targets not meaningful)' if quick else ''}"
    )
    print(
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} cpus, temp dir {tempfile.gettempdir()}"
    )
    data = as_imported(synthetic_map(n_import))
    expect = (len(data.factors), len(data.links))
    schema = ipsmap_schema_sql()

    imports, import_floors, schema_floors, loads, load_floors = [], [], [], [], []
    sizes, event_sizes = [], []
    for _ in range(REPEATS):
        with fresh_dir() as workdir:
            elapsed, map_id, path = time_import(data, workdir)
            imports.append(elapsed)
            sizes.append(path.stat().st_size + _wal_size(path))
            event_sizes.append(_import_event_size(path))
            loads.append(time_load(path, map_id, expect))
            load_floors.append(floor_load(path, map_id, expect))
        with fresh_dir() as workdir:
            import_floors.append(floor_import(data, workdir))
        with fresh_dir() as workdir:
            schema_floors.append(floor_import(data, workdir, schema))

    with fresh_dir() as workdir, floor_commits() as floor:
        edit_times = time_edits(n_edit_map, n_edits, workdir, floor)
        edit_floor = floor.times
    with fresh_dir() as workdir, floor_commits() as floor:
        deletes, undos = time_delete_undo(n_edit_map, max(10, n_edits // 10), workdir, floor)
        delete_floor = floor.times
    all_edits = [t for ts in edit_times.values() for t in ts]

    table = Table()
    label = f"import {expect[0]:,} factors / {expect[1]:,} links"
    table.add(f"{label}, best of {REPEATS}", min(imports), min(import_floors), IMPORT_TARGET_S)
    median_import = statistics.median(imports)
    table.add(f"{label}, median", median_import, statistics.median(import_floors), IMPORT_TARGET_S)
    label = f"load (open + document) {expect[0]:,} / {expect[1]:,}"
    table.add(f"{label}, best of {REPEATS}", min(loads), min(load_floors), LOAD_TARGET_S)
    table.add(
        f"{label}, median", statistics.median(loads), statistics.median(load_floors), LOAD_TARGET_S
    )
    label = f"single edit on {n_edit_map:,} / {3 * n_edit_map:,} map ({len(all_edits)} edits)"
    table.add(f"{label}, median", statistics.median(all_edits), statistics.median(edit_floor), None)
    table.add(
        f"{label}, p95",
        percentile(all_edits, 95),
        percentile(edit_floor, 95),
        EDIT_P95_TARGET_MS / 1000,
    )
    print()
    table.print()

    print()
    print("Details (informational)")
    detail = Table(("figure", "measured", "floor", "ratio", "target", "result"))
    detail.add(
        "import floor with the real ipsmap schema (indexes, FKs, checks), median",
        statistics.median(schema_floors),
        statistics.median(import_floors),
        None,
    )
    floor_median, floor_p95 = statistics.median(edit_floor), percentile(edit_floor, 95)
    for kind, ts in edit_times.items():
        if ts:
            label = f"edit '{kind}' (n={len(ts)})"
            detail.add(f"{label}, median", statistics.median(ts), floor_median, None)
            detail.add(f"{label}, p95", percentile(ts, 95), floor_p95, None)
    detail.add("single edit, max", max(all_edits), max(edit_floor), None)
    target = EDIT_P95_TARGET_MS / 1000
    floor_median, floor_p95 = statistics.median(delete_floor), percentile(delete_floor, 95)
    label = f"outside the mix: delete an original factor (n={len(deletes)})"
    detail.add(f"{label}, median", statistics.median(deletes), floor_median, None)
    detail.add(f"{label}, p95", percentile(deletes, 95), floor_p95, target)
    label = f"outside the mix: undo of that delete (n={len(undos)})"
    detail.add(f"{label}, median", statistics.median(undos), floor_median, None)
    detail.add(f"{label}, p95", percentile(undos, 95), floor_p95, target)
    detail.print()
    print(
        f"\nproject file after the import: {statistics.median(sizes) / 1e6:.1f} MB (db + wal), "
        "of which the import's one audit event (ops JSON): "
        f"{statistics.median(event_sizes) / 1e6:.1f} MB"
    )


def _import_event_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT length(ops) FROM events WHERE command = 'Import map'").fetchone()
    finally:
        conn.close()
    return int(row[0]) if row else 0


def _wal_size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


# -- profiling ------------------------------------------------------------------------------


def profile(which: str, quick: bool, top: int) -> None:
    scale = 10 if quick else 1
    profiler = cProfile.Profile()
    with fresh_dir() as workdir:
        if which in ("import", "load"):
            data = synthetic_map(5000 // scale)
            path = workdir / PROJECT_NAME
            with Project.create(path) as project:
                if which == "import":
                    profiler.enable()
                map_id = project.import_map(data)
                profiler.disable()
            if which == "load":
                profiler.enable()
                with Project.open(path) as project:
                    project.document(map_id)
                profiler.disable()
        else:
            _profile_edits(profiler, 2000 // scale, 1000 // scale, workdir)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _profile_edits(profiler: cProfile.Profile, n_factors: int, n_edits: int, workdir: Path) -> None:
    data = synthetic_map(n_factors, seed=2)
    path = workdir / PROJECT_NAME
    with Project.create(path) as project:
        map_id = project.import_map(data)
    with Project.open(path) as project:
        doc = project.document(map_id)
        driver = EditDriver(doc)
        for i in range(n_edits):
            _, command = driver.next(first=i == 0)
            profiler.enable()
            if command is None:
                doc.undo()
            else:
                doc.execute(command)
            profiler.disable()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shrink sizes 10x (smoke run)")
    parser.add_argument(
        "--profile",
        choices=("import", "load", "edits"),
        help="instead of the table, cProfile one measurement and print the top functions",
    )
    parser.add_argument("--top", type=int, default=25, help="rows of profile output")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile, args.quick, args.top)
    else:
        run(args.quick)


if __name__ == "__main__":
    main()
