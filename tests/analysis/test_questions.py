"""The method's questions, answered once for the Analysis panel and the exports."""

from __future__ import annotations

import networkx as nx
import pytest

from ipsmap.analysis.questions import (
    NEEDS_FOCUS,
    QUESTIONS,
    SUBMAP_QUESTIONS,
    answer_question,
)


def graph(edges: list[tuple[str, str, str]]) -> nx.DiGraph:
    g = nx.DiGraph()
    for u, v, polarity in edges:
        sign = {"+": 1, "-": -1}.get(polarity, 0)
        g.add_edge(u, v, id=f"{u}{v}", polarity=polarity, sign=sign, strength=1.0, weight=1.0)
    return g


# a → b → c → a (a reinforcing loop), c → d, e → a
G = graph([("a", "b", "+"), ("b", "c", "+"), ("c", "a", "+"), ("c", "d", "-"), ("e", "a", "+")])


def test_the_questions_and_their_kinds() -> None:
    assert list(QUESTIONS) == ["affects", "influences", "connected", "loops", "central", "whatif"]
    assert set(QUESTIONS) >= NEEDS_FOCUS and set(QUESTIONS) >= SUBMAP_QUESTIONS


def test_affects_and_influences_with_the_links_among_them() -> None:
    answer = answer_question(G, "affects", ["c"])
    assert answer.factors == {"a", "b", "c", "d"}
    assert answer.links == {"ab", "bc", "ca", "cd"}
    assert answer_question(G, "affects", ["c"], depth=1).factors == {"a", "c", "d"}
    assert answer_question(G, "influences", ["a"]).factors == {"a", "b", "c", "e"}


def test_connected_runs_from_the_first_factor_to_the_others() -> None:
    answer = answer_question(G, "connected", ["e", "d"])
    assert answer.factors == {"e", "a", "b", "c", "d"}
    assert {"ea", "ab", "bc", "cd"} <= answer.links


def test_loops_list_the_loop_and_show_its_factors() -> None:
    answer = answer_question(G, "loops", ["a"])
    assert answer.detail.count == 1
    assert answer.factors == {"a", "b", "c"} and answer.links == {"ab", "bc", "ca"}
    assert answer_question(G, "loops", ["d"]).factors == set()


def test_central_and_what_if_return_their_results() -> None:
    values = answer_question(G, "central", [], metric="out_degree").detail
    assert values["c"] == max(values.values())
    answer = answer_question(G, "whatif", ["e"], direction="up")
    assert "e" in answer.factors and "d" in answer.factors
    assert answer.detail.factors["d"].direction != "no change"


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown question"):
        answer_question(G, "why", ["a"])
