"""What-if scenarios (fuzzy cognitive map): steps checked by hand, convergence, oscillation."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from ipsmap.analysis.scenarios import (
    DOWN,
    NO_CHANGE,
    SIGMOID,
    TANH,
    UP,
    ScenarioSpec,
    clamp_value,
    run_scenario,
)

SHARED = Path(__file__).parents[2].parent / "shared"
FISH_WETLAND = SHARED / "data" / "maps" / "mentalmodeler_fish_wetland_ozesmi.json"
# Concept ids in the Mental Modeler file.
WETLAND, FISH, POLLUTION, LIVELIHOOD, LAWS = "2", "3", "4", "5", "6"


def signed(edges: dict[tuple[str, str], float], nodes: list[str] | None = None) -> nx.DiGraph:
    """A graph as to_digraph makes it, from {(source, target): sign × strength}."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes or [])
    for (u, v), weight in edges.items():
        sign = (weight > 0) - (weight < 0)
        polarity = {1: "+", -1: "-", 0: "?"}[sign]
        graph.add_edge(u, v, polarity=polarity, sign=sign, strength=abs(weight))
    return graph


@pytest.fixture(scope="module")
def fish_wetland() -> nx.DiGraph:
    """Özesmi's fish and wetland model: concepts with weighted relationships in -1..1."""
    if not FISH_WETLAND.is_file():
        pytest.skip(f"Mental Modeler sample not found at {FISH_WETLAND} (../shared is absent)")
    model = json.loads(FISH_WETLAND.read_text(encoding="utf-8"))
    weights = {
        (concept["id"], relation["id"]): float(relation["influence"])
        for concept in model["concepts"]
        for relation in concept["relationships"]
    }
    graph = signed(weights, [concept["id"] for concept in model["concepts"]])
    assert (len(graph), graph.number_of_edges()) == (5, 12)
    return graph


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def fish_wetland_step(
    a: dict[str, float], f: Callable[[float], float] = sigmoid
) -> dict[str, float]:
    """One step of A_i <- f(A_i + sum_j w_ji A_j), written out from the model file."""
    return {
        WETLAND: f(a[WETLAND] - 0.2 * a[POLLUTION] + 0.2 * a[LAWS]),
        FISH: f(a[FISH] + 1.0 * a[WETLAND] - 1.0 * a[POLLUTION] + 0.5 * a[LAWS]),
        POLLUTION: f(a[POLLUTION] - 0.1 * a[WETLAND] - 0.5 * a[LAWS]),
        LIVELIHOOD: f(
            a[LIVELIHOOD] + 0.8 * a[WETLAND] + 1.0 * a[FISH] - 0.2 * a[POLLUTION] - 0.2 * a[LAWS]
        ),
        # Wetland -> Laws has influence 0.
        LAWS: f(a[LAWS] + 0.0 * a[WETLAND]),
    }


def activations_after(
    graph: nx.DiGraph, clamps: dict[str, float], steps: int, **settings: Any
) -> tuple[dict[str, float], dict[str, float]]:
    """Baseline and scenario activations after ``steps`` steps."""
    result = run_scenario(graph, clamps, max_iterations=steps, **settings)
    return result.baseline.activations, result.scenario.activations


# -- by hand ------------------------------------------------------------------------------------


def test_first_two_sigmoid_steps_by_hand(fish_wetland: nx.DiGraph) -> None:
    start = dict.fromkeys(fish_wetland, 0.5)
    step1 = fish_wetland_step(start)
    # Spelled out once: Fish = sigmoid(0.5 + 0.5 - 0.5 + 0.25), and
    # Livelihood = sigmoid(0.5 + 0.4 + 0.5 - 0.1 - 0.1).
    assert step1[FISH] == pytest.approx(1 / (1 + math.exp(-0.75)))
    assert step1[LIVELIHOOD] == pytest.approx(1 / (1 + math.exp(-1.2)))
    step2 = fish_wetland_step(step1)
    for steps, expected in ((1, step1), (2, step2)):
        baseline, _ = activations_after(fish_wetland, {}, steps)
        assert baseline == pytest.approx(expected, rel=1e-12)

    # Laws held up: 1 from the start and after every step.
    held = {**start, LAWS: 1.0}
    step1 = {**fish_wetland_step(held), LAWS: 1.0}
    step2 = {**fish_wetland_step(step1), LAWS: 1.0}
    for steps, expected in ((1, step1), (2, step2)):
        _, scenario = activations_after(fish_wetland, {LAWS: 1.0}, steps)
        assert scenario == pytest.approx(expected, rel=1e-12)


def test_first_tanh_steps_by_hand_with_steepness(fish_wetland: nx.DiGraph) -> None:
    lam = 2.0

    def steep_tanh(x: float) -> float:
        return math.tanh(lam * x)

    # tanh starts at 0; Pollution held down at -1.
    start = {**dict.fromkeys(fish_wetland, 0.0), POLLUTION: -1.0}
    step1 = {**fish_wetland_step(start, steep_tanh), POLLUTION: -1.0}
    assert step1[FISH] == pytest.approx(math.tanh(2.0))
    step2 = {**fish_wetland_step(step1, steep_tanh), POLLUTION: -1.0}
    for steps, expected in ((1, step1), (2, step2)):
        baseline, scenario = activations_after(
            fish_wetland, {POLLUTION: -1.0}, steps, squashing=TANH, lam=lam
        )
        assert scenario == pytest.approx(expected, rel=1e-12)
        assert baseline == dict.fromkeys(fish_wetland, 0.0)


# -- runs to the end ------------------------------------------------------------------------------


def test_fish_wetland_laws_up(fish_wetland: nx.DiGraph) -> None:
    result = run_scenario(fish_wetland, {LAWS: clamp_value(UP)})
    assert result.converged and result.baseline.converged
    assert not result.oscillating
    assert result.iterations < 100
    directions = {f: change.direction for f, change in result.factors.items()}
    assert directions == {WETLAND: UP, FISH: UP, POLLUTION: DOWN, LIVELIHOOD: UP, LAWS: UP}
    assert result.factors[LAWS].scenario == 1.0
    for change in result.factors.values():
        assert change.change == pytest.approx(change.scenario - change.baseline)
    # Converged: one more step moves nothing by the tolerance or more.
    state = result.scenario.activations
    step = {**fish_wetland_step(state), LAWS: 1.0}
    assert max(abs(step[f] - state[f]) for f in state) < 1e-5


def test_chain_converges_and_spreads_downstream() -> None:
    graph = signed({("a", "b"): 1.0, ("b", "c"): -0.5}, ["a", "b", "c", "elsewhere"])
    result = run_scenario(graph, {"a": 1.0}, squashing=TANH)
    assert result.converged
    assert result.scenario.activations["a"] == 1.0
    directions = [change.direction for change in result.factors.values()]
    assert directions == [UP, UP, DOWN, NO_CHANGE]
    # tanh baseline: nothing moves from 0.
    assert result.baseline.iterations == 1
    assert set(result.baseline.activations.values()) == {0.0}


def test_down_clamps() -> None:
    graph = signed({("a", "b"): 1.0})
    for squashing, low in ((SIGMOID, 0.0), (TANH, -1.0)):
        assert clamp_value(DOWN, squashing) == low
        result = run_scenario(graph, {"a": clamp_value(DOWN, squashing)}, squashing=squashing)
        assert result.scenario.activations["a"] == low
        assert result.factors["b"].direction == DOWN


def test_unknown_links_carry_no_influence() -> None:
    graph = nx.DiGraph()
    graph.add_edge("a", "b", polarity="?", sign=0, strength=1.0)
    graph.add_edge("a", "c", polarity="+", strength=1.0)  # no sign: taken from polarity
    result = run_scenario(graph, {"a": 1.0}, squashing=TANH)
    assert result.factors["b"].scenario == 0.0
    assert result.factors["b"].direction == NO_CHANGE
    assert result.factors["c"].direction == UP


def test_negative_feedback_loop_oscillates() -> None:
    # x raises y, y lowers x; each factor's -1 link to itself cancels its memory term, so
    # x' = tanh(λ(z - y)) and y' = tanh(λx). With z held up and a steep λ the values are
    # exactly 0 or 1: (x, y) goes (0, 0) -> (1, 0) -> (1, 1) -> (0, 1) -> (0, 0).
    graph = signed({("z", "x"): 1, ("x", "y"): 1, ("y", "x"): -1, ("x", "x"): -1, ("y", "y"): -1})
    steep = run_scenario(graph, {"z": 1.0}, squashing=TANH, lam=100)
    assert steep.oscillating and not steep.converged
    assert (steep.scenario.period, steep.iterations) == (4, 4)
    # Reported as the mean over the cycle.
    assert steep.scenario.activations == {"z": 1.0, "x": 0.5, "y": 0.5}
    assert steep.baseline.converged and not steep.baseline.oscillating
    # At λ = 1 the same loop settles into a cycle of the same length after a while.
    gentle = run_scenario(graph, {"z": 1.0}, squashing=TANH, lam=1.0)
    assert gentle.oscillating and gentle.scenario.period == 4
    assert gentle.iterations < 100


def test_iteration_cap() -> None:
    graph = signed({("a", "b"): 1.0, ("b", "a"): 1.0})
    result = run_scenario(graph, {}, max_iterations=3)
    assert result.iterations == 3
    assert not result.converged and not result.oscillating


def test_clamps_are_checked() -> None:
    graph = signed({("a", "b"): 1.0})
    with pytest.raises(ValueError, match="outside"):
        run_scenario(graph, {"a": -1.0}, squashing=SIGMOID)
    with pytest.raises(ValueError, match="squashing"):
        run_scenario(graph, {"a": 1.0}, squashing="relu")
    with pytest.raises(ValueError, match="λ"):
        run_scenario(graph, {"a": 1.0}, lam=0.0)
    with pytest.raises(ValueError):
        clamp_value("sideways")
    result = run_scenario(graph, {"a": 1.0, "deleted": 1.0})
    assert result.ignored_clamps == ("deleted",)
    assert list(result.factors) == ["a", "b"]


def test_empty_map() -> None:
    result = run_scenario(nx.DiGraph(), {})
    assert result.factors == {}
    assert result.converged and result.iterations == 0


def test_spec_round_trip() -> None:
    spec = ScenarioSpec({"a": 1.0, "b": -1.0}, TANH, 2.5)
    saved = json.loads(json.dumps(spec.to_dict()))
    assert saved == {"clamps": {"a": 1.0, "b": -1.0}, "function": "tanh", "lam": 2.5}
    assert ScenarioSpec.from_dict(saved) == spec
    assert ScenarioSpec.from_dict({}) == ScenarioSpec({}, SIGMOID, 1.0)
    with pytest.raises(ValueError):
        ScenarioSpec.from_dict({"function": "relu"})
    with pytest.raises(ValueError):
        ScenarioSpec.from_dict({"clamps": ["a"]})
    with pytest.raises(ValueError):
        ScenarioSpec.from_dict({"lam": -1})
    with pytest.raises(ValueError):
        ScenarioSpec.from_dict({"clamps": {"a": None}})
    assert run_scenario(signed({("a", "b"): 1.0}), {"a": 1.0}).spec == ScenarioSpec({"a": 1.0})
