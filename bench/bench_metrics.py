"""Factor metrics benchmark: the full metrics table beside networkx computing the same values.

Run by hand (not in CI):

    .venv/bin/python bench/bench_metrics.py            # full sizes (a few minutes: networkx)
    .venv/bin/python bench/bench_metrics.py --quick    # sizes shrunk 10x, a smoke run
    .venv/bin/python bench/bench_metrics.py --no-networkx   # only ipsmap's own figures

For each synthetic map (2,000 factors / 6,000 links and 5,000 / 15,000) it times
``factor_metrics`` (best and median of 3 after one warm-up call) against a target: the time
budget of the analysis panel less the share left to the loop finder. Each networkx
quantity runs in its own subprocess with a 120 s timeout, timed inside the subprocess (the
graph is built before the clock starts), and its results are checked against ipsmap's.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import networkx as nx
import numpy as np
import rustworkx as rx
from report import fmt_s
from synthetic import synthetic_map

from ipsmap.analysis import metrics
from ipsmap.analysis.graph import to_digraph
from ipsmap.analysis.metrics import FactorMetrics, factor_metrics, undirected_weighted
from ipsmap.model.state import MapState

# Budget of the whole analysis table (metrics + loops) and the part left to the loop finder.
BUDGET_S = {2000: 1.0, 5000: 3.0}
LOOPS_SHARE_S = {2000: 0.4, 5000: 1.0}
NETWORKX_TIMEOUT_S = 120.0
REPEATS = 3
PARTS = (
    "degrees",
    "betweenness",
    "closeness",
    "pagerank",
    "eigenvector",
    "reach",
    "micmac",
    "trophic",
    "communities",
)


# -- graphs ----------------------------------------------------------------------------------


def bench_graph(n_factors: int) -> nx.DiGraph:
    data = synthetic_map(n_factors)
    state = MapState.from_data(data)
    return to_digraph(state)


# -- networkx, one quantity per subprocess -------------------------------------------------------


def networkx_part(name: str, graph: nx.DiGraph) -> Any:
    """The networkx (or plain numpy) computation of one group of metrics."""
    n = len(graph)
    if name == "degrees":
        return {
            v: (
                graph.in_degree(v),
                graph.out_degree(v),
                graph.in_degree(v, weight="strength"),
                graph.out_degree(v, weight="strength"),
                graph.out_degree(v) / graph.in_degree(v) if graph.in_degree(v) else None,
            )
            for v in graph
        }
    if name == "betweenness":
        # Normalised betweenness is the same numbers scaled; not run twice.
        return nx.betweenness_centrality(graph, normalized=False)
    if name == "closeness":
        return nx.closeness_centrality(graph)
    if name == "pagerank":
        return nx.pagerank(graph)
    if name == "eigenvector":
        try:
            return nx.eigenvector_centrality(graph)
        except nx.PowerIterationFailedConvergence:
            return None
    if name == "reach":
        return {
            v: (len(nx.single_source_shortest_path_length(graph, v, cutoff=2)) - 1) / (n - 1)
            for v in graph
        }
    if name == "micmac":
        return {v: (len(nx.descendants(graph, v)), len(nx.ancestors(graph, v))) for v in graph}
    if name == "trophic":
        return dense_trophic_levels(graph)
    if name == "communities":
        found = nx.community.louvain_communities(undirected_weighted(graph), seed=1)
        return {frozenset(c) for c in found}
    raise ValueError(name)


def dense_trophic_levels(graph: nx.DiGraph) -> dict[str, float]:
    """networkx has no improved trophic levels: a dense numpy solve, part by part."""
    levels: dict[str, float] = {}
    for part in nx.weakly_connected_components(graph):
        nodes = [v for v in graph if v in part]
        adjacency = nx.to_numpy_array(graph, nodelist=nodes, weight=None)
        np.fill_diagonal(adjacency, 0.0)
        into, out_of = adjacency.sum(axis=0), adjacency.sum(axis=1)
        laplacian = np.diag(into + out_of) - adjacency - adjacency.T
        solution = np.zeros(len(nodes))
        if len(nodes) > 1:
            solution[1:] = np.linalg.solve(laplacian[1:, 1:], (into - out_of)[1:])
        solution -= solution.min()
        levels.update(zip(nodes, solution.tolist(), strict=True))
    return levels


def run_networkx_part(name: str, n_factors: int) -> tuple[float | None, Any]:
    """(seconds, result) of one networkx part in a subprocess; (None, None) on timeout."""
    with tempfile.TemporaryDirectory(prefix="ipsmap-bench-") as workdir:
        out = Path(workdir) / "result.pickle"
        command = [sys.executable, __file__, "--networkx-part", name]
        command += ["--factors", str(n_factors), "--out", str(out)]
        try:
            subprocess.run(command, check=True, timeout=NETWORKX_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None, None
        with out.open("rb") as f:
            elapsed, result = pickle.load(f)
    return elapsed, result


def networkx_child(name: str, n_factors: int, out: Path) -> None:
    graph = bench_graph(n_factors)
    start = time.perf_counter()
    result = networkx_part(name, graph)
    elapsed = time.perf_counter() - start
    with out.open("wb") as f:
        pickle.dump((elapsed, result), f)


# -- comparing -----------------------------------------------------------------------------------


def ours_for(name: str, table: dict[str, FactorMetrics]) -> Any:
    """ipsmap's values in the shape networkx_part returns."""
    if name == "degrees":
        return {
            v: (m.in_degree, m.out_degree, m.weighted_in, m.weighted_out, m.leverage)
            for v, m in table.items()
        }
    if name == "eigenvector":
        first = next(iter(table.values()))
        return None if first.eigenvector is None else {v: m.eigenvector for v, m in table.items()}
    if name == "micmac":
        return {v: (m.micmac_driving, m.micmac_dependence) for v, m in table.items()}
    if name == "communities":
        members: dict[int, set[str]] = {}
        for v, m in table.items():
            members.setdefault(m.community, set()).add(v)
        return {frozenset(c) for c in members.values()}
    field = {"trophic": "trophic_level"}.get(name, name)
    return {v: getattr(m, field) for v, m in table.items()}


def difference(ours: Any, theirs: Any) -> str:
    """'equal', or what differs (numbers within 1e-9 relative / 1e-7 absolute are equal)."""
    if ours is None or theirs is None:
        return "equal" if ours is theirs else "DIFFERENT (one did not converge)"
    if isinstance(ours, set):
        return "equal" if ours == theirs else "DIFFERENT partitions"
    worst = 0.0
    for v, value in ours.items():
        pairs = (
            zip(value, theirs[v], strict=True) if isinstance(value, tuple) else [(value, theirs[v])]
        )
        for a, b in pairs:
            if a is None or b is None:
                if a is not b:
                    return f"DIFFERENT at {v}"
                continue
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-7):
                worst = max(worst, abs(a - b))
    return "equal" if worst == 0.0 else f"DIFFERENT (max diff {worst:.3g})"


# -- report ----------------------------------------------------------------------------------------


class Table:
    """Rows of figure, ipsmap, networkx, ratio (networkx / ipsmap), target, result."""

    HEAD = ("figure", "ipsmap", "networkx", "ratio", "target", "result")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        name: str,
        ours: float,
        theirs: float | None,
        target: float | None,
        timed_out: bool = False,
    ) -> None:
        if timed_out:
            # At least the finished parts plus the timeout of the part that did not finish.
            least = (theirs or 0.0) + NETWORKX_TIMEOUT_S
            theirs_text, ratio = f"> {fmt_s(least)}", f"> {least / ours:.0f}x"
        elif theirs is None:
            theirs_text, ratio = "-", "-"
        else:
            theirs_text, ratio = fmt_s(theirs), f"{theirs / ours:.0f}x"
        if target is None:
            verdict, target_text = "", ""
        else:
            verdict = "PASS" if ours < target else "MISS"
            target_text = f"< {fmt_s(target)}"
        self.rows.append((name, fmt_s(ours), theirs_text, ratio, target_text, verdict))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in (self.HEAD, *self.rows)) for i in range(len(self.HEAD))]
        print("  ".join(h.ljust(w) for h, w in zip(self.HEAD, widths, strict=True)).rstrip())
        print("  ".join("-" * w for w in widths))
        for row in self.rows:
            cells = [row[0].ljust(widths[0])] + [
                c.rjust(w) if i < 4 else c.ljust(w)
                for i, (c, w) in enumerate(zip(row[1:], widths[1:], strict=True), 1)
            ]
            print("  ".join(cells).rstrip())


def timed(function: Callable[[], Any], repeats: int = REPEATS) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def part_times(graph: nx.DiGraph) -> list[tuple[str, float]]:
    """Each step of factor_metrics alone (serially), best of REPEATS."""
    nodes = list(graph)
    n = len(nodes)
    links = metrics._indexed_links(graph, nodes)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("links to arrays", lambda: metrics._indexed_links(graph, nodes)),
        ("betweenness (rustworkx, parallel)", lambda: metrics._betweenness(n, links)),
        (
            "bit-set searches, both directions (closeness, reach, MICMAC)",
            lambda: (
                metrics._distance_profile(n, links.source, links.target),
                metrics._distance_profile(n, links.target, links.source),
            ),
        ),
        ("pagerank (networkx, scipy)", lambda: nx.pagerank(graph)),
        ("eigenvector (scipy power iteration)", lambda: metrics._eigenvector(n, links)),
        ("trophic levels (conjugate gradients)", lambda: metrics._trophic_levels(n, links)),
        (
            "communities (networkx louvain_communities)",
            lambda: metrics._communities(graph, nodes, 1),
        ),
    ]
    return [(name, min(timed(step)[0])) for name, step in steps]


def alternatives(graph: nx.DiGraph) -> list[tuple[str, float]]:
    """Betweenness engines measured for the choice (best of REPEATS)."""
    nodes = list(graph)
    n = len(nodes)
    links = metrics._indexed_links(graph, nodes)
    digraph = rx.PyDiGraph()
    digraph.add_nodes_from(range(n))
    digraph.add_edges_from_no_data(
        list(zip(links.source.tolist(), links.target.tolist(), strict=True))
    )
    rows = [
        (
            "betweenness, rustworkx on 1 thread",
            min(
                timed(
                    lambda: rx.digraph_betweenness_centrality(
                        digraph, normalized=False, parallel_threshold=n + 1
                    )
                )[0]
            ),
        ),
        (
            "betweenness, rustworkx on all cores",
            min(timed(lambda: rx.digraph_betweenness_centrality(digraph, normalized=False))[0]),
        ),
    ]
    try:
        import igraph  # type: ignore[import-not-found]
    except ImportError:
        print("  (igraph not installed: its figures are left out)")
        return rows
    edges = list(zip(links.source.tolist(), links.target.tolist(), strict=True))
    ig = igraph.Graph(n=n, edges=edges, directed=True)
    rows.append(("betweenness, igraph (1 thread)", min(timed(lambda: ig.betweenness())[0])))
    rows.append(("closeness, igraph", min(timed(lambda: ig.closeness(mode="in"))[0])))
    return rows


def run(quick: bool, with_networkx: bool) -> None:
    scale = 10 if quick else 1
    print(
        "ipsmap factor metrics benchmark"
        + (" (QUICK: sizes / 10, targets not meaningful)" if quick else "")
    )
    print(
        f"python {sys.version.split()[0]}, networkx {nx.__version__}, rustworkx "
        f"{version('rustworkx')}, numpy {np.__version__}, {os.cpu_count()} cpus, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    table = Table()
    details: list[tuple[str, list[tuple[str, float]]]] = []
    checks: list[tuple[str, str, str, str]] = []
    for full_size in (2000, 5000):
        n = full_size // scale
        graph = bench_graph(n)
        label = f"{n:,} / {graph.number_of_edges():,}"
        start = time.perf_counter()
        factor_metrics(graph)
        first_call = time.perf_counter() - start
        times, ours = timed(functools.partial(factor_metrics, graph))
        target = BUDGET_S[full_size] - LOOPS_SHARE_S[full_size]

        theirs: dict[str, float | None] = {}
        if with_networkx:
            for name in PARTS:
                elapsed, result = run_networkx_part(name, n)
                theirs[name] = elapsed
                if elapsed is None:
                    checks.append((label, name, f"> {NETWORKX_TIMEOUT_S:.0f} s", "not compared"))
                else:
                    verdict = difference(ours_for(name, ours), result)
                    checks.append((label, name, fmt_s(elapsed), verdict))
        timed_out = any(t is None for t in theirs.values())
        total_theirs = sum(t for t in theirs.values() if t is not None) if theirs else None
        table.add(
            f"metrics table {label}, best of {REPEATS}", min(times), total_theirs, target, timed_out
        )
        table.add(f"metrics table {label}, median", statistics.median(times), None, target)
        table.add(f"metrics table {label}, first call in the process", first_call, None, None)
        details.append((label, part_times(graph) + alternatives(graph)))

    print()
    print(
        "Targets: the analysis budget (2,000: 1 s, 5,000: 3 s) less the loop finder's share "
        f"(2,000: {LOOPS_SHARE_S[2000]} s, 5,000: {LOOPS_SHARE_S[5000]} s)."
    )
    table.print()
    if checks:
        print()
        print("networkx by quantity, and its results against ipsmap's")
        print("(numbers equal within 1e-9 relative or 1e-7 absolute):")
        for label, name, took, verdict in checks:
            print(f"  {label:<15} {name:<12} {took:>9}  {verdict}")
    print()
    print("Details (informational): each step alone, best of 3")
    for label, rows in details:
        print(f"  {label}")
        for name, seconds in rows:
            print(f"    {name:<62} {fmt_s(seconds):>9}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shrink sizes 10x (smoke run)")
    parser.add_argument("--no-networkx", action="store_true", help="skip the networkx runs")
    parser.add_argument("--networkx-part", choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument("--factors", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.networkx_part:
        networkx_child(args.networkx_part, args.factors, args.out)
    else:
        run(args.quick, not args.no_networkx)


if __name__ == "__main__":
    main()
