"""Analysis benchmarks: feedback loops and submaps on synthetic maps, beside networkx.

Run by hand (not in CI):

    .venv/bin/python bench/bench_loops.py             # full sizes (a minute or two)
    .venv/bin/python bench/bench_loops.py --quick     # sizes shrunk 10x, a smoke run

The loop figure is measured beside ``networkx.simple_cycles(G, length_bound=6)`` on the
same graph in the same run (in a subprocess, killed after a timeout), and the loop counts
must agree. Submap and path figures stand beside the plain networkx calls closest to them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import networkx as nx
from report import fmt_s
from synthetic import synthetic_map

from ipsmap.analysis.graph import to_digraph
from ipsmap.analysis.loops import find_loops
from ipsmap.analysis.structure import summarise_structure
from ipsmap.analysis.submaps import (
    downstream,
    neighbourhood,
    on_any_path,
    shortest_paths,
    simple_paths,
    submap,
    upstream,
)
from ipsmap.model.state import MapState

MAX_LENGTH = 6
# Loops alone; the metrics the other analyses compute share the 1 s / 3 s budget.
LOOP_TARGETS_S = {2000: 0.5, 5000: 1.5}
SUBMAP_TARGET_S = 0.1
NETWORKX_TIMEOUT_S = 120
WILIAM = (
    Path(__file__).resolve().parents[1].parent / "shared/data/maps/wiliam_loop_diagram_v1_2.graphml"
)
REPEATS = 3

# Run in a subprocess so that a slow reference can be killed without losing the run.
REFERENCE_SCRIPT = """
import json, sys, time
sys.path.insert(0, {bench!r})
import networkx as nx
from synthetic import synthetic_map
from ipsmap.analysis.graph import to_digraph
from ipsmap.model.state import MapState
data = synthetic_map({n})
state = MapState.from_data(data)
graph = to_digraph(state)
start = time.perf_counter()
count = sum(1 for _ in nx.simple_cycles(graph, length_bound={length}))
print(json.dumps({{"count": count, "seconds": time.perf_counter() - start}}))
"""


class Table:
    """Rows of figure, measured, floor, ratio, target, result; floor may be a bound text."""

    HEAD = ("figure", "ipsmap", "floor", "ratio", "target", "result")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        name: str,
        value: float,
        floor: float | str | None,
        target: float | None,
    ) -> None:
        if isinstance(floor, str):
            floor_text, ratio = floor, "-"
        elif floor:
            floor_text, ratio = fmt_s(floor), f"{value / floor:.2g}x"
        else:
            floor_text, ratio = "-", "-"
        if target is None:
            verdict, target_text = "", ""
        else:
            verdict = "PASS" if value < target else "MISS"
            target_text = f"< {fmt_s(target)}"
        self.rows.append((name, fmt_s(value), floor_text, ratio, target_text, verdict))

    def add_check(self, name: str, ours: str, floor: str, ok: bool) -> None:
        self.rows.append((name, ours, floor, "", "equal", "PASS" if ok else "MISS"))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in (self.HEAD, *self.rows)) for i in range(len(self.HEAD))]
        print("  ".join(h.ljust(w) for h, w in zip(self.HEAD, widths, strict=True)))
        print("  ".join("-" * w for w in widths))
        for row in self.rows:
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) if i < 4 else c.ljust(w)
                for i, (c, w) in enumerate(zip(row[1:], widths[1:], strict=True), 1)
            ]
            print("  ".join(cells).rstrip())


def state_of(n_factors: int) -> MapState:
    """The synthetic map's state, loaded straight from its records (no project file)."""
    data = synthetic_map(n_factors)
    state = MapState.from_data(data)
    return state


def timed(func: Callable[[], Any], repeats: int = REPEATS) -> tuple[list[float], Any]:
    """Times of ``repeats`` calls and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def networkx_loops(n_factors: int) -> tuple[int | None, float | None]:
    """(count, seconds) of networkx.simple_cycles on the same map, or (None, None) on timeout."""
    script = REFERENCE_SCRIPT.format(
        bench=str(Path(__file__).resolve().parent), n=n_factors, length=MAX_LENGTH
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=NETWORKX_TIMEOUT_S,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None, None
    result = json.loads(done.stdout)
    return int(result["count"]), float(result["seconds"])


def loop_rows(table: Table, sizes: list[int], with_networkx: bool) -> None:
    for n in sizes:
        state = state_of(n)
        label = f"loops <= {MAX_LENGTH} on {n:,} / {len(state.links):,}"
        graph_times, graph = timed(partial(to_digraph, state))
        loop_times, listing = timed(partial(find_loops, graph, MAX_LENGTH))
        both = [g + lp for g, lp in zip(graph_times, loop_times, strict=True)]
        reference_count, reference_s = networkx_loops(n) if with_networkx else (None, None)
        if not with_networkx:
            floor: float | str | None = "not run"
        elif reference_s is None:
            floor = f"> {NETWORKX_TIMEOUT_S} s"
        else:
            floor = reference_s
        target = LOOP_TARGETS_S.get(n)
        table.add(f"{label}: find_loops, best of {REPEATS}", min(loop_times), floor, target)
        table.add(f"{label}: find_loops, median", statistics.median(loop_times), floor, target)
        table.add(f"{label}: + to_digraph, median", statistics.median(both), None, target)
        ours = str(listing.count) if listing.complete else f"{listing.stopped_because}!"
        if reference_count is not None:
            table.add_check(
                f"{label}: loops found (floor: networkx count)",
                ours,
                str(reference_count),
                listing.complete and listing.count == reference_count,
            )
        else:
            table.add_check(f"{label}: loops found", ours, "unknown", listing.complete)


def count_cycles(graph: nx.DiGraph, length: int) -> int:
    """How many simple cycles networkx finds up to ``length`` links."""
    return sum(1 for _ in nx.simple_cycles(graph, length_bound=length))


def wiliam_rows(table: Table) -> None:
    """Loops on a real, loop-rich map (one 53-factor strongly connected core)."""
    if not WILIAM.is_file():
        print(f"(WILIAM map not found at {WILIAM}: skipped)")
        return
    graph = nx.read_graphml(WILIAM)
    for length in (7, 9):
        label = f"loops <= {length} on WILIAM {len(graph)} / {graph.number_of_edges()}"
        times, listing = timed(partial(find_loops, graph, length, 10**7))
        reference_times, count = timed(partial(count_cycles, graph, length))
        table.add(
            f"{label}: find_loops, median",
            statistics.median(times),
            statistics.median(reference_times),
            None,
        )
        table.add_check(
            f"{label}: loops found (floor: networkx count)",
            str(listing.count),
            str(count),
            listing.complete and listing.count == count,
        )


def submap_rows(table: Table, n: int) -> None:
    graph = to_digraph(state_of(n))
    rng = random.Random(7)
    nodes = list(graph.nodes)
    a, b, c, d = rng.sample(nodes, 4)
    chosen = rng.sample(nodes, max(1, n // 10))
    label = f"on {n:,} / {graph.number_of_edges():,}"

    def add(name: str, ours: Callable[[], Any], floor: Callable[[], Any] | None) -> None:
        times, _ = timed(ours)
        floor_time = min(timed(floor)[0]) if floor else None
        table.add(f"{name} {label}, best of {REPEATS}", min(times), floor_time, SUBMAP_TARGET_S)

    add("downstream (all depths)", lambda: downstream(graph, [a]), lambda: nx.descendants(graph, a))
    add(
        "upstream depth 3",
        lambda: upstream(graph, [a], 3),
        lambda: nx.single_source_shortest_path_length(graph.reverse(copy=False), a, cutoff=3),
    )
    add(
        "downstream of 2, intersection",
        lambda: downstream(graph, [a, b], combine="intersection"),
        lambda: nx.descendants(graph, a) & nx.descendants(graph, b),
    )
    add(
        "neighbourhood radius 2, both ways",
        lambda: neighbourhood(graph, [a], 2),
        lambda: nx.ego_graph(graph, a, radius=2, undirected=True),
    )
    add(
        "shortest_paths 2 sources -> 2 targets",
        lambda: shortest_paths(graph, [a, b], [c, d]),
        lambda: [
            list(nx.all_shortest_paths(graph, s, t))
            for s in (a, b)
            for t in (c, d)
            if nx.has_path(graph, s, t)
        ],
    )
    add(
        "simple_paths <= 6 links, max 1,000",
        lambda: simple_paths(graph, [a], [c], max_length=6, max_count=1000),
        lambda: list(nx.all_simple_paths(graph, a, c, cutoff=6)),
    )
    add(
        "on_any_path 1 -> 1",
        lambda: on_any_path(graph, [a], [c]),
        lambda: graph.subgraph((nx.descendants(graph, a) | {a}) & (nx.ancestors(graph, c) | {c})),
    )
    add(
        f"submap of {len(chosen):,} factors",
        lambda: submap(graph, chosen),
        lambda: list(graph.subgraph(chosen).edges),
    )
    add(
        "summarise_structure",
        lambda: summarise_structure(graph),
        lambda: list(nx.strongly_connected_components(graph)),
    )


def run(quick: bool, with_networkx: bool) -> None:
    scale = 10 if quick else 1
    sizes = [2000 // scale, 5000 // scale]
    note = " (QUICK: sizes / 10, targets not meaningful)" if quick else ""
    print(f"ipsmap analysis benchmark{note}")
    print(
        f"python {sys.version.split()[0]}, networkx {nx.__version__}, {os.cpu_count()} cpus; "
        f"floor = networkx simple_cycles(length_bound={MAX_LENGTH}) in a subprocess "
        f"(killed after {NETWORKX_TIMEOUT_S} s)"
    )
    table = Table()
    loop_rows(table, sizes, with_networkx)
    wiliam_rows(table)
    print()
    table.print()

    print()
    print("Submaps and paths (floor = the nearest plain networkx call)")
    detail = Table()
    submap_rows(detail, sizes[-1])
    detail.print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shrink sizes 10x (smoke run)")
    parser.add_argument(
        "--no-networkx", action="store_true", help="skip the networkx reference (fast)"
    )
    args = parser.parse_args(argv)
    run(args.quick, not args.no_networkx)


if __name__ == "__main__":
    main()
