"""Per-factor metrics of a map: degrees, centralities, reach, MICMAC, trophic level, community.

Everything is computed for the whole map at once, fast enough for 5,000-factor maps:

- betweenness runs in rustworkx (Brandes, compiled, on all cores; it holds the GIL, so
  running it beside the rest in a thread gains nothing);
- closeness, reach and MICMAC reachability share breadth-first searches run for all
  factors at once on bit sets (one bit per factor, 64 factors to a machine word);
- eigenvector centrality and trophic levels are scipy sparse linear algebra;
- PageRank is networkx's own function; Louvain communities are networkx's algorithm
  copied step for step onto plain lists and dicts (same communities, half the time).

Every value equals what networkx computes on the same graph (trophic levels, which networkx
lacks: a dense least-squares solve), as the tests check, so the networkx documentation
describes each metric. Shortest paths ignore link strength, as in PRSM and Kumu.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import numpy as np
import rustworkx as rx
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import cg, spsolve

AUTONOMOUS = "autonomous"
DEPENDENT = "dependent"
LINKAGE = "linkage"
INDEPENDENT = "independent"
MICMAC_QUADRANTS = (AUTONOMOUS, DEPENDENT, LINKAGE, INDEPENDENT)

# networkx's eigenvector_centrality defaults, so that "did not converge" means the same.
EIGENVECTOR_MAX_ITERATIONS = 100
EIGENVECTOR_TOLERANCE = 1.0e-6

# Bit-set searches work on this many 64-factor words of targets at a time: small enough
# that the rows gathered per step stay in the CPU cache, large enough that numpy's
# per-call overhead does not dominate.
_BLOCK_WORDS = 16
_ONE = np.uint64(1)
# Relative residual at which conjugate gradients stop for trophic levels: levels come out
# within about 1e-9 of the exact solution even on a 5,000-factor chain.
_TROPHIC_RTOL = 1.0e-12


@dataclass(frozen=True, slots=True)
class FactorMetrics:
    """All metrics of one factor (see :func:`factor_metrics` for their definitions)."""

    factor_id: str
    in_degree: int
    out_degree: int
    weighted_in: float
    weighted_out: float
    leverage: float | None
    betweenness: float
    betweenness_normalized: float
    closeness: float
    pagerank: float
    eigenvector: float | None
    reach: float
    micmac_driving: int
    micmac_dependence: int
    micmac_quadrant: str
    trophic_level: float
    community: int


def factor_metrics(graph: nx.DiGraph, seed: int = 1) -> dict[str, FactorMetrics]:
    """Metrics of every factor of ``graph`` (as made by ``to_digraph``), keyed in node order.

    - ``in_degree``, ``out_degree``: number of links in and out.
    - ``weighted_in``, ``weighted_out``: sum of the ``strength`` of those links (1 for a
      link without one).
    - ``leverage``: out-degree / in-degree, None when nothing leads into the factor (PRSM's
      definition; PRSM shows "--" there).
    - ``betweenness``: directed, unnormalised (as PRSM shows it): how many shortest paths
      between other factors pass through this one (split between equally short paths).
    - ``betweenness_normalized``: the same divided by (n - 1)(n - 2), networkx's
      ``normalized=True`` for directed graphs.
    - ``closeness``: networkx ``closeness_centrality``: on incoming distances (how close the
      factors that lead to this one are), scaled by Wasserman and Faust's share of factors
      that reach it; 0 when none does.
    - ``pagerank``: networkx ``pagerank`` with its defaults (alpha 0.85, links weighted by
      their ``weight`` attribute, which ``to_digraph`` sets to the strength).
    - ``eigenvector``: networkx ``eigenvector_centrality`` (unweighted, power iteration on
      A + I, 100 iterations, tolerance 1e-6). None for every factor when that iteration does
      not converge, which is usual where the map has no feedback loops (a theory of change).
    - ``reach``: Kumu's reach: share of the other factors at most two steps downstream.
    - ``micmac_driving``, ``micmac_dependence``: how many other factors this one reaches by
      any path, and how many reach it (rows and columns of the reachability matrix, without
      its diagonal).
    - ``micmac_quadrant``: "independent" (high driving, low dependence), "dependent" (low,
      high), "linkage" (high, high) or "autonomous" (low, low). High means at or above the
      map's mean and above zero, so in a map where all factors reach each other every
      factor is "linkage", and in a map without links every factor is "autonomous".
    - ``trophic_level``: improved trophic level (MacKay, Johnson & Sansom 2020): the least
      squares solution of the graph Laplacian system, links unweighted as in PRSM, each
      weakly connected part of the map shifted so that its lowest factor is at 0.
    - ``community``: Louvain communities of the undirected map: what networkx
      ``louvain_communities(undirected_weighted(graph), seed=seed)`` finds, where a pair
      of factors linked both ways weighs the sum of both strengths. Numbered from 0 by
      size, largest first, ties broken by the community whose first factor comes first in
      the map; every factor is its own community when no link has a non-zero strength.
    """
    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    links = _indexed_links(graph, nodes)
    in_degree = np.bincount(links.target, minlength=n)
    out_degree = np.bincount(links.source, minlength=n)
    weighted_in = np.bincount(links.target, weights=links.strength, minlength=n)
    weighted_out = np.bincount(links.source, weights=links.strength, minlength=n)
    betweenness = _betweenness(n, links)
    downstream = _distance_profile(n, links.source, links.target)
    upstream = _distance_profile(n, links.target, links.source)
    closeness = _closeness(n, upstream)
    reach = downstream.within_two / (n - 1) if n > 1 else np.zeros(n)
    quadrants = _micmac_quadrants(downstream.reached, upstream.reached)
    pagerank = nx.pagerank(graph)
    eigenvector = _eigenvector(n, links)
    trophic = _trophic_levels(n, links)
    community = _communities(graph, nodes, seed)
    scale = 1.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return {
        node: FactorMetrics(
            factor_id=node,
            in_degree=int(in_degree[i]),
            out_degree=int(out_degree[i]),
            weighted_in=float(weighted_in[i]),
            weighted_out=float(weighted_out[i]),
            leverage=float(out_degree[i] / in_degree[i]) if in_degree[i] else None,
            betweenness=float(betweenness[i]),
            betweenness_normalized=float(betweenness[i] * scale),
            closeness=float(closeness[i]),
            pagerank=float(pagerank[node]),
            eigenvector=None if eigenvector is None else float(eigenvector[i]),
            reach=float(reach[i]),
            micmac_driving=int(downstream.reached[i]),
            micmac_dependence=int(upstream.reached[i]),
            micmac_quadrant=quadrants[i],
            trophic_level=float(trophic[i]),
            community=int(community[i]),
        )
        for i, node in enumerate(nodes)
    }


class _Links(NamedTuple):
    """The links as arrays of node positions (in graph node order) and strengths."""

    source: np.ndarray
    target: np.ndarray
    strength: np.ndarray


def _indexed_links(graph: nx.DiGraph, nodes: list[str]) -> _Links:
    position = {node: i for i, node in enumerate(nodes)}
    m = graph.number_of_edges()
    source = np.empty(m, dtype=np.int64)
    target = np.empty(m, dtype=np.int64)
    strength = np.empty(m, dtype=np.float64)
    for k, (u, v, s) in enumerate(graph.edges(data="strength", default=1.0)):
        source[k] = position[u]
        target[k] = position[v]
        strength[k] = s
    return _Links(source, target, strength)


def _adjacency(n: int, links: _Links) -> sp.csr_matrix:
    """Unweighted adjacency matrix, A[i, j] = 1 for a link i -> j."""
    ones = np.ones(len(links.source))
    return sp.csr_matrix((ones, (links.source, links.target)), shape=(n, n))


# -- betweenness ------------------------------------------------------------------------------


def _betweenness(n: int, links: _Links) -> np.ndarray:
    """Unnormalised directed betweenness (Brandes), computed by rustworkx."""
    digraph = rx.PyDiGraph()
    digraph.add_nodes_from(range(n))
    pairs = zip(links.source.tolist(), links.target.tolist(), strict=True)
    digraph.add_edges_from_no_data(list(pairs))
    result = rx.digraph_betweenness_centrality(digraph, normalized=False, endpoints=False)
    return np.fromiter((result[i] for i in range(n)), dtype=np.float64, count=n)


# -- breadth-first searches on bit sets -------------------------------------------------------


class _DistanceProfile(NamedTuple):
    """Per factor: how many others it reaches, their summed distance, and how many are near."""

    reached: np.ndarray
    distance_sum: np.ndarray
    within_two: np.ndarray


def _distance_profile(n: int, source: np.ndarray, target: np.ndarray) -> _DistanceProfile:
    """Breadth-first search from every factor at once along links ``source`` -> ``target``.

    Row u of a bit matrix holds, one bit per factor t, whether t is known to be reachable
    from u; one step ORs together the rows of u's successors that grew in the last step.
    Targets are processed a block of words at a time (blocks are independent).
    """
    # Factors without outgoing links get one to an extra, always empty row n, so that every
    # factor has a run of links and a step is a single reduceat over all of them.
    dead_ends = np.flatnonzero(np.bincount(source, minlength=n) == 0)
    sources = np.concatenate([source, dead_ends])
    order = np.argsort(sources, kind="stable")
    successors = np.concatenate([target, np.full(len(dead_ends), n)])[order]
    first_link = np.searchsorted(sources[order], np.arange(n))
    reached = np.zeros(n, dtype=np.int64)
    distance_sum = np.zeros(n, dtype=np.int64)
    within_two = np.zeros(n, dtype=np.int64)
    words = (n + 63) // 64
    for first_word in range(0, words, _BLOCK_WORDS):
        block_words = min(_BLOCK_WORDS, words - first_word)
        factors = np.arange(first_word * 64, min(n, (first_word + block_words) * 64))
        seen = np.zeros((n, block_words), dtype=np.uint64)
        seen[factors, factors // 64 - first_word] = _ONE << (factors % 64).astype(np.uint64)
        frontier = np.zeros((n + 1, block_words), dtype=np.uint64)
        frontier[:n] = seen
        depth = 0
        while True:
            depth += 1
            grown = np.bitwise_or.reduceat(frontier[successors], first_link, axis=0)
            grown &= ~seen
            counts = np.bitwise_count(grown).sum(axis=1, dtype=np.int64)
            if not counts.any():
                break
            reached += counts
            distance_sum += depth * counts
            if depth <= 2:
                within_two += counts
            seen |= grown
            frontier[:n] = grown
    return _DistanceProfile(reached, distance_sum, within_two)


def _closeness(n: int, upstream: _DistanceProfile) -> np.ndarray:
    """networkx closeness from incoming distances (same operations, same rounding)."""
    closeness = np.zeros(n)
    if n < 2:
        return closeness
    some = upstream.distance_sum > 0
    reached = upstream.reached[some].astype(np.float64)
    closeness[some] = reached / upstream.distance_sum[some] * (reached / (n - 1))
    return closeness


def _micmac_quadrants(driving: np.ndarray, dependence: np.ndarray) -> list[str]:
    high_driving = (driving >= driving.mean()) & (driving > 0)
    high_dependence = (dependence >= dependence.mean()) & (dependence > 0)
    names = {
        (False, False): AUTONOMOUS,
        (False, True): DEPENDENT,
        (True, True): LINKAGE,
        (True, False): INDEPENDENT,
    }
    return [names[(bool(d), bool(p))] for d, p in zip(high_driving, high_dependence, strict=True)]


# -- linear algebra ---------------------------------------------------------------------------


def _eigenvector(n: int, links: _Links) -> np.ndarray | None:
    """networkx ``eigenvector_centrality`` (power iteration on A + I), None if it fails."""
    incoming = _adjacency(n, links).T.tocsr()
    x: np.ndarray = np.full(n, 1.0 / n)
    for _ in range(EIGENVECTOR_MAX_ITERATIONS):
        last = x
        x = last + incoming @ last
        # math.hypot and a left-to-right sum, as networkx, so that it stops at the same step.
        norm = math.hypot(*x.tolist()) or 1.0
        x = x / norm
        if sum(np.abs(x - last).tolist()) < n * EIGENVECTOR_TOLERANCE:
            return x
    return None


def _trophic_levels(n: int, links: _Links) -> np.ndarray:
    """Improved trophic levels: solve Λh = v, Λ = diag(in + out) - A - Aᵀ, v = in - out.

    Λ is singular once per weakly connected part (levels are only defined up to a
    constant there), so one factor of each part is held at 0 and the rest solved for;
    then each part is shifted so that its lowest factor is at 0.
    """
    adjacency = _adjacency(n, links)
    adjacency.setdiag(0)  # a link from a factor to itself changes no level
    adjacency.eliminate_zeros()
    into = np.asarray(adjacency.sum(axis=0)).ravel()
    out_of = np.asarray(adjacency.sum(axis=1)).ravel()
    laplacian = (sp.diags(into + out_of) - adjacency - adjacency.T).tocsr()
    parts, part_of = connected_components(adjacency, directed=True, connection="weak")
    anchors = np.unique(part_of, return_index=True)[1]
    free = np.ones(n, dtype=bool)
    free[anchors] = False
    levels = np.zeros(n)
    if free.any():
        levels[free] = _solve_laplacian(laplacian[free][:, free], (into - out_of)[free])
    lowest = np.full(parts, np.inf)
    np.minimum.at(lowest, part_of, levels)
    shifted: np.ndarray = levels - lowest[part_of]
    return shifted


def _solve_laplacian(matrix: sp.csr_matrix, rhs: np.ndarray) -> np.ndarray:
    """Solve a reduced (symmetric positive definite) Laplacian system.

    Conjugate gradients with a diagonal preconditioner take milliseconds on maps with many
    cross links, where a sparse LU fills in and takes seconds; on long chains they need
    about one iteration per factor, still well under a second at 5,000. A direct solve
    backs them up if they ever fail to converge.
    """
    solution, failed = cg(
        matrix,
        rhs,
        rtol=_TROPHIC_RTOL,
        atol=0.0,
        M=sp.diags(1.0 / matrix.diagonal()),
        maxiter=10 * matrix.shape[0],
    )
    if failed:
        solution = spsolve(matrix.tocsc(), rhs, permc_spec="MMD_AT_PLUS_A")
    return np.asarray(solution, dtype=np.float64)


# -- communities: networkx's Louvain, step for step --------------------------------------------


# An undirected weighted graph as networkx stores it: per node, neighbour -> weight, in the
# order networkx's adjacency dicts have (which decides ties and float sums).
def _communities(graph: nx.DiGraph, nodes: list[str], seed: int) -> np.ndarray:
    """Community number of each factor (Louvain on the undirected map, repeatable)."""
    undirected = undirected_weighted(graph)
    if undirected.size(weight="weight") <= 0:
        return np.arange(len(nodes))
    position = {node: i for i, node in enumerate(nodes)}
    found = nx.community.louvain_communities(undirected, weight="weight", seed=seed)
    # Numbered by size, then by the earliest member, so the same map gives the same numbers.
    ordered = sorted(
        ([position[node] for node in members] for members in found),
        key=lambda c: (-len(c), min(c)),
    )
    community = np.empty(len(nodes), dtype=np.int64)
    for number, members in enumerate(ordered):
        community[members] = number
    return community


def undirected_weighted(graph: nx.DiGraph) -> nx.Graph:
    """The map as an undirected graph: ``weight`` = summed strength of the links of a pair."""
    undirected = nx.Graph()
    undirected.add_nodes_from(graph)
    adjacency = undirected.adj
    for u, v, strength in graph.edges(data="strength", default=1.0):
        if v in adjacency[u]:
            adjacency[u][v]["weight"] += strength
        else:
            undirected.add_edge(u, v, weight=strength)
    return undirected
