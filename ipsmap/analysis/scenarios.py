"""What-if scenarios: the map run as a fuzzy cognitive map, with some factors held up or down.

Each factor has an activation. Every step updates all factors at once with the "modified
Kosko" rule used by Mental Modeler, where a factor keeps a memory of its own value:

    A_i <- f(λ · (A_i + Σ_j w_ji · A_j))

- ``w_ji`` is the link j -> i as sign × strength: a "+" link of strength 0.5 weighs 0.5, a
  "-" link -0.5, and a "?" link (direction unknown) 0, so it carries no influence.
- ``f`` is the squashing function: "sigmoid", 1 / (1 + e^(-λx)), activations in (0, 1); or
  "tanh", tanh(λx), activations in (-1, 1).
- ``λ`` (``lam``) is the steepness of ``f``: larger values push activations towards the
  extremes faster (a step function in the limit); smaller ones keep them near the middle.
- Activations start at the middle of the range: 0.5 for sigmoid, 0 for tanh (so with tanh
  and nothing clamped nothing moves: the tanh baseline is all 0).
- Clamped factors are set to their clamp value at the start and after every step. "Up" is
  1 for both functions; "down" is 0 for sigmoid and -1 for tanh (:func:`clamp_value`).

The run stops when no activation changes by ``tolerance`` or more (converged), when a state
comes back within ``tolerance`` after 2 to 10 steps (oscillating, with that period), or
after ``max_iterations`` steps; an oscillating run reports the mean over its cycle. The
same run without clamps is the baseline, and each factor's result is its change from that
baseline: a relative direction ("up", "down", or "no change" for changes under 0.001)
under the map's own assumptions, not a prediction of what will happen.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from ipsmap.analysis.graph import polarity_sign
from ipsmap.analysis.squashing import SIGMOID, SQUASHING_FUNCTIONS, TANH

__all__ = ["SIGMOID", "SQUASHING_FUNCTIONS", "TANH"]
# Where activations start (the middle of each function's range).
START_ACTIVATION = {SIGMOID: 0.5, TANH: 0.0}
# The lowest activation of each function: the value of a factor held "down".
DOWN_ACTIVATION = {SIGMOID: 0.0, TANH: -1.0}
UP_ACTIVATION = 1.0

UP = "up"
DOWN = "down"
NO_CHANGE = "no change"
# Changes smaller than this are "no change": well above the convergence tolerance, so that
# rounding and not-quite-converged runs do not show up as effects.
DIRECTION_THRESHOLD = 1e-3
# The longest cycle the oscillation check looks for.
MAX_PERIOD = 10


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario as saved with its map: clamped factors, squashing function and λ."""

    clamps: dict[str, float] = field(default_factory=dict)
    function: str = SIGMOID
    lam: float = 1.0

    def __post_init__(self) -> None:
        _check_settings(self.function, self.lam)

    def to_dict(self) -> dict[str, Any]:
        return {"clamps": dict(self.clamps), "function": self.function, "lam": self.lam}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenarioSpec:
        """The spec from :meth:`to_dict` output (raises ValueError on bad values)."""
        clamps = data.get("clamps", {})
        if not isinstance(clamps, Mapping):
            raise ValueError("scenario clamps must be a mapping of factor id to value")
        try:
            values = {str(k): float(v) for k, v in clamps.items()}
            lam = float(data.get("lam", 1.0))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scenario clamps and λ must be numbers ({exc})") from exc
        return cls(clamps=values, function=str(data.get("function", SIGMOID)), lam=lam)


@dataclass(frozen=True)
class Simulation:
    """One run of the map: final activations and how the run ended.

    For an oscillating run ``activations`` are the mean over the last cycle.
    """

    activations: dict[str, float]
    converged: bool
    oscillating: bool
    period: int | None
    iterations: int


@dataclass(frozen=True)
class FactorChange:
    """One factor's activation in the baseline and the scenario, and the difference."""

    factor_id: str
    baseline: float
    scenario: float
    change: float
    direction: str


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario run beside its baseline, factor by factor in map order."""

    spec: ScenarioSpec
    factors: dict[str, FactorChange]
    scenario: Simulation
    baseline: Simulation
    # Clamped factor ids that are not in the map (deleted since the scenario was saved).
    ignored_clamps: tuple[str, ...] = ()

    @property
    def converged(self) -> bool:
        return self.scenario.converged

    @property
    def oscillating(self) -> bool:
        return self.scenario.oscillating

    @property
    def iterations(self) -> int:
        return self.scenario.iterations


def clamp_value(direction: str, squashing: str = SIGMOID) -> float:
    """The activation of a factor held "up" (1) or "down" (0 for sigmoid, -1 for tanh)."""
    _check_settings(squashing, 1.0)
    if direction == UP:
        return UP_ACTIVATION
    if direction == DOWN:
        return DOWN_ACTIVATION[squashing]
    raise ValueError(f"a clamp is {UP!r} or {DOWN!r}, not {direction!r}")


def run_scenario(
    graph: nx.DiGraph,
    clamps: Mapping[str, float],
    squashing: str = SIGMOID,
    lam: float = 1.0,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
) -> ScenarioResult:
    """Run the map with ``clamps`` held and without, and compare factor by factor."""
    spec = ScenarioSpec(dict(clamps), squashing, lam)
    nodes = list(graph)
    position = {node: i for i, node in enumerate(nodes)}
    low = DOWN_ACTIVATION[squashing]
    for factor_id, value in clamps.items():
        if not low <= value <= UP_ACTIVATION:
            raise ValueError(
                f"clamp {value} for {factor_id!r} is outside {squashing}'s range [{low}, 1]"
            )
    held = {position[f]: v for f, v in clamps.items() if f in position}
    ignored = tuple(f for f in clamps if f not in position)
    incoming = influence_matrix(graph, nodes).T.tocsr()
    settings = (squashing, lam, max_iterations, tolerance)
    baseline = _simulate(incoming, nodes, {}, *settings)
    scenario = _simulate(incoming, nodes, held, *settings)
    factors = {}
    for node in nodes:
        before, after = baseline.activations[node], scenario.activations[node]
        change = after - before
        factors[node] = FactorChange(node, before, after, change, _direction(change))
    return ScenarioResult(spec, factors, scenario, baseline, ignored)


def influence_matrix(graph: nx.DiGraph, nodes: list[str]) -> sp.csr_matrix:
    """W with W[j, i] = sign × strength of the link j -> i (0 for "?" links)."""
    position = {node: i for i, node in enumerate(nodes)}
    rows, columns, weights = [], [], []
    for u, v, data in graph.edges(data=True):
        sign = data.get("sign")
        if sign is None:
            sign = polarity_sign(data.get("polarity", "+"))
        rows.append(position[u])
        columns.append(position[v])
        weights.append(sign * float(data.get("strength", 1.0)))
    n = len(nodes)
    return sp.csr_matrix((weights, (rows, columns)), shape=(n, n), dtype=np.float64)


def _simulate(
    incoming: sp.csr_matrix,
    nodes: list[str],
    held: dict[int, float],
    squashing: str,
    lam: float,
    max_iterations: int,
    tolerance: float,
) -> Simulation:
    # expit is 1 / (1 + e^-x) without overflow warnings for steep λ.
    squash = expit if squashing == SIGMOID else np.tanh
    held_at = np.fromiter(held.keys(), dtype=np.int64, count=len(held))
    held_values = np.fromiter(held.values(), dtype=np.float64, count=len(held))
    state = np.full(len(nodes), START_ACTIVATION[squashing])
    state[held_at] = held_values
    # The last MAX_PERIOD states, newest last, to recognise a state that comes back.
    recent: deque[np.ndarray] = deque([state], maxlen=MAX_PERIOD)
    converged, period, iterations = len(nodes) == 0, None, 0
    while not converged and period is None and iterations < max_iterations:
        iterations += 1
        state = squash(lam * (state + incoming @ state))
        state[held_at] = held_values
        converged = bool(np.abs(state - recent[-1]).max() < tolerance)
        if not converged:
            period = _period(state, recent, tolerance)
        recent.append(state)
    final = state if period is None else np.mean(list(recent)[-period:], axis=0)
    return Simulation(
        activations=dict(zip(nodes, final.tolist(), strict=True)),
        converged=converged,
        oscillating=period is not None,
        period=period,
        iterations=iterations,
    )


def _period(state: np.ndarray, recent: deque[np.ndarray], tolerance: float) -> int | None:
    """The number of steps since ``state`` was last seen (2..MAX_PERIOD), or None."""
    for steps_back in range(2, len(recent) + 1):
        if np.abs(state - recent[-steps_back]).max() < tolerance:
            return steps_back
    return None


def _direction(change: float) -> str:
    if change >= DIRECTION_THRESHOLD:
        return UP
    if change <= -DIRECTION_THRESHOLD:
        return DOWN
    return NO_CHANGE


def _check_settings(squashing: str, lam: float) -> None:
    if squashing not in SQUASHING_FUNCTIONS:
        raise ValueError(f"squashing function is one of {SQUASHING_FUNCTIONS}, not {squashing!r}")
    if not lam > 0:
        raise ValueError(f"λ must be positive, not {lam}")
