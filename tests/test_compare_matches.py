"""Matching factors of independently made maps by label: near matches, accept and reject."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ipsmap.model.compare import compare_documents, match_factors


def factor(fid: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"id": fid, "label": label, "type": None, "x": 0.0, "y": 0.0, "notes": "",
            "attributes": {}, **extra}  # fmt: skip


def link(lid: str, source: str, target: str, polarity: str = "+") -> dict[str, Any]:
    return {"id": lid, "source": source, "target": target, "polarity": polarity,
            "strength": 0.5, "confidence": None, "type": None, "rationale": "",
            "evidence": "", "notes": ""}  # fmt: skip


def document(factors: list[dict], links: list[dict] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    return {"styles": [], "factors": factors, "links": list(links)}


@pytest.fixture
def two_sites() -> tuple[dict, dict]:
    a = document(
        [
            factor("a1", "Parental stress"),
            factor("a2", "Stigma"),
            factor("a3", "Housing insecurity"),
            factor("a4", "Trust in services"),
            factor("a5", "Child wellbeing"),
        ],
        [link("la1", "a1", "a5", "-"), link("la2", "a3", "a1"), link("la3", "a4", "a2", "-")],
    )
    b = document(
        [
            factor("b1", "parental  STRESS"),  # the same after normalising
            factor("b2", "Stigma of asking for help"),  # a's words are a subset
            factor("b3", "Housing insecurety"),  # a typo: near by ratio
            factor("b4", "Food bank use"),  # nothing like anything in a
            factor("b5", "Child wellbeing"),
        ],
        [link("lb1", "b1", "b5", "-"), link("lb2", "b3", "b1"), link("lb3", "b4", "b1")],
    )
    return a, b


def proposal(result: dict, a_id: str) -> dict:
    (found,) = [p for p in result["proposed_matches"] if p["a_id"] == a_id]
    return found


def test_near_matches_are_proposed_not_applied(two_sites):
    a, b = two_sites
    result = compare_documents(a, b)
    assert result["matched_by"] == "label"
    exact = proposal(result, "a1")
    assert (exact["b_id"], exact["decision"], exact["matched"]) == ("b1", "auto", True)
    assert exact["a"] == "Parental stress" and exact["b"] == "parental  STRESS"
    subset = proposal(result, "a2")
    assert (subset["b_id"], subset["decision"], subset["matched"]) == ("b2", "proposed", False)
    assert "words" in subset["reason"]
    typo = proposal(result, "a3")
    assert typo["b_id"] == "b3" and typo["decision"] == "proposed"
    assert typo["score"] >= 0.85 and "alike" in typo["reason"]
    # Nothing proposed for the ones that share no likeness; identical labels need no review.
    assert {p["a_id"] for p in result["proposed_matches"]} == {"a1", "a2", "a3"}
    # Unaccepted proposals stay added/removed.
    assert sorted(x["name"] for x in result["factors"]["removed"]) == [
        "Housing insecurity",
        "Stigma",
        "Trust in services",
    ]
    assert sorted(x["a_id"] for x in result["factors"]["removed"]) == ["a2", "a3", "a4"]
    assert all(x["b_id"] is None for x in result["factors"]["removed"])
    # The stress → wellbeing link matched through its ends; housing → stress did not yet.
    assert [x["name"] for x in result["links"]["removed"]] == [
        "Housing insecurity → Parental stress",
        "Trust in services → Stigma",
    ]
    assert not result["links"]["changed"]


def test_accepting_a_pair_matches_it_and_its_links(two_sites):
    a, b = two_sites
    result = compare_documents(a, b, "label", pairs=[("a3", "b3"), ("a2", "b2")])
    assert proposal(result, "a3")["decision"] == "accepted"
    assert proposal(result, "a3")["matched"] is True
    removed = {x["name"] for x in result["factors"]["removed"]}
    assert removed == {"Trust in services"}
    changed = {c["a_id"]: c for c in result["factors"]["changed"]}
    assert changed["a3"]["b_id"] == "b3"
    assert changed["a3"]["fields"]["label"] == ["Housing insecurity", "Housing insecurety"]
    # Housing → stress now exists on both sides.
    assert [x["name"] for x in result["links"]["removed"]] == ["Trust in services → Stigma"]
    assert [x["b_id"] for x in result["links"]["added"]] == ["lb3"]


def test_rejecting_overrides_even_an_identical_label(two_sites):
    a, b = two_sites
    result = compare_documents(a, b, "label", rejected=[("a5", "b5"), ("a2", "b2")])
    assert {x["a_id"] for x in result["factors"]["removed"]} >= {"a5", "a2"}
    assert {x["b_id"] for x in result["factors"]["added"]} >= {"b5", "b2"}
    refused = proposal(result, "a5")
    assert refused["decision"] == "rejected" and refused["matched"] is False
    assert proposal(result, "a2")["decision"] == "rejected"
    # Keys stay distinct although the labels are the same on both sides.
    keys = [x["key"] for x in result["factors"]["added"] + result["factors"]["removed"]]
    assert len(keys) == len(set(keys))
    assert "Parental stress → Child wellbeing" in [x["name"] for x in result["links"]["removed"]]


def test_a_factor_is_matched_at_most_once():
    a = document([factor("a1", "Stress"), factor("a2", "stress")])
    b = document([factor("b1", "STRESS"), factor("b2", "Parental stress")])
    matching = match_factors(a["factors"], b["factors"])
    assert matching["matched"] == {"a1": "b1"}
    # a2 is left with a near proposal to b2 (its word is in b2's), not a second b1.
    near = [p for p in matching["proposals"] if p["decision"] == "proposed"]
    assert [(p["a_id"], p["b_id"]) for p in near] == [("a2", "b2")]
    assert len(set(matching["key_a"].values())) == 2


def test_accepted_pair_with_an_unknown_id_is_ignored(two_sites):
    a, b = two_sites
    plain = compare_documents(a, b, "label")
    assert compare_documents(a, b, "label", pairs=[("zz", "b1")]) == plain


def test_matching_by_id_is_unchanged_and_ignores_pairs(two_sites):
    a, _ = two_sites
    b = document([factor("a1", "Parental stress"), factor("a9", "New")], [])
    result = compare_documents(a, b, pairs=[("a2", "a9")])
    assert result["matched_by"] == "id"
    assert "proposed_matches" not in result
    assert [x["b_id"] for x in result["factors"]["added"]] == ["a9"]
    with pytest.raises(ValueError):
        compare_documents(a, b, "labels")


def test_cli_diff_accept_and_reject(tmp_path, capsys):
    from ipsmap.cli import main
    from ipsmap.model.commands import AddFactor
    from ipsmap.model.project import Project
    from ipsmap.model.project_commands import AddMap

    path = tmp_path / "sites.ipsmap"
    ids = {}
    with Project.create(path) as project:
        for name, label in (("A", "Housing insecurity"), ("B", "Housing insecurety")):
            command = AddMap(name)
            project.execute(command)
            add = AddFactor(label)
            project.document(command.id).execute(add)
            ids[name] = add.id
    assert main(["diff", str(path), "A", "B"]) == 0
    assert f"{ids['A']}={ids['B']}" in capsys.readouterr().out
    pair = f"{ids['A']}={ids['B']}"
    assert main(["diff", str(path), "A", "B", "--json", "--accept", pair]) == 0
    accepted = json.loads(capsys.readouterr().out)
    assert not accepted["factors"]["added"] and not accepted["factors"]["removed"]
    assert main(["diff", str(path), "A", "B", "--json", "--reject", pair]) == 0
    rejected = json.loads(capsys.readouterr().out)
    assert rejected["proposed_matches"][0]["decision"] == "rejected"
    assert main(["diff", str(path), "A", "B", "--accept", "nonsense"]) == 2
    assert "A_ID=B_ID" in capsys.readouterr().err
