"""Vensim .mdl read as a causal loop diagram: WILIAM, a small fixture, bad files, fuzz.

Read only. Fields read: variable name (label, underscores as spaces), units (attribute),
comment (notes), sketch position; a link from each variable an equation uses to the
variable it defines, with the polarity marked on the sketch arrow ('?' when unmarked).
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import detect_format, read_maps
from ipsmap.formats import vensim
from ipsmap.formats.errors import FormatError

from .test_graph_formats import shared

FIXTURE = Path(__file__).parents[1] / "fixtures" / "vensim" / "population.mdl"


def edges(data) -> set[tuple[str, str]]:
    labels = {f.id: f.label for f in data.factors}
    return {(labels[ln.source], labels[ln.target]) for ln in data.links}


def test_wiliam_variables_and_links() -> None:
    """92 variables as the README says; 523 links, a superset of the GraphML's 421.

    The README's 421 (and the GraphML derived from the same file) leave out the variable
    written just before each ``\\`` line continuation inside ``A FUNCTION OF(…)`` — 102
    dependencies, 22 of which the model's own sketch draws as arrows. Dropping those names
    reproduces the GraphML edge for edge, which the second half of this test checks.
    """
    path = shared("wiliam_loop_diagram_v1_2.mdl")
    assert detect_format(path).name == "vensim"
    data = read_maps(path)[0]
    assert len(data.factors) == 92
    graph = nx.read_graphml(shared("wiliam_loop_diagram_v1_2.graphml"))
    assert sorted(f.label for f in data.factors) == sorted(
        d["label"] for _, d in graph.nodes(data=True)
    )
    ours = {(s.casefold(), t.casefold()) for s, t in edges(data)}
    assert set(graph.edges()) <= ours
    assert len(data.links) == 523
    # Every name the equations use is a variable of the model, no variable uses itself,
    # and the model has no subscripts, lookups or macros: nothing to warn about but the
    # arrows the sketch leaves unmarked.
    assert [w for w in data.warnings if "no polarity" not in w] == []
    # Every arrow the sketch draws between two variables is one of our links.
    polar = [ln for ln in data.links if ln.polarity != "?"]
    assert len(polar) == 18  # the sketch marks 10 '+' and 8 '-' among them

    text = path.read_text("utf-8")
    head, marker, sketch = text.partition(vensim.SKETCH_MARKER)
    lossy = re.sub(r'([,(]\s*)("[^"]*"|[^,"\s()]+)\\\n', r"\1\\\n", head)
    oracle = vensim.loads(lossy + marker + sketch, path)
    assert (len(oracle.factors), len(oracle.links)) == (92, 421)
    assert {(s.casefold(), t.casefold()) for s, t in edges(oracle)} == set(graph.edges())
    # The README's reference metric for the 421-link graph: its largest strongly
    # connected component holds 53 variables.
    oracle_graph = nx.DiGraph(edges(oracle))
    assert max(len(c) for c in nx.strongly_connected_components(oracle_graph)) == 53


def test_wiliam_counts_match_a_plain_reading_of_its_equations() -> None:
    """92 variables and 523 links, counted here by a reading independent of the reader.

    The file is a causal loop diagram: every record is ``name = A FUNCTION OF(a, b, …)``
    (or a control variable). Joining continuation lines, splitting records on ``|`` and
    arguments on commas outside quotes gives the variables and their inputs.
    """
    text = shared("wiliam_loop_diagram_v1_2.mdl").read_text("utf-8")
    head = text.partition(vensim.SKETCH_MARKER)[0].replace("{UTF-8}", "", 1)
    joined = re.sub(r"\\\s*\n\s*", "", head)

    def name(raw: str) -> str:
        return " ".join(raw.strip().strip('"').replace("_", " ").casefold().split())

    inputs: dict[str, set[str]] = {}
    for record in joined.split("|"):
        equation = record.split("~")[0]
        if "=" not in equation:
            continue
        left, right = equation.split("=", 1)
        arguments = re.search(r"A FUNCTION OF\((.*)\)\s*$", right, re.DOTALL)
        found = re.findall(r'"[^"]*"|[^,"]+', arguments.group(1)) if arguments else []
        inputs.setdefault(name(left), set()).update(name(a) for a in found if a.strip())
    for control in ("initial time", "final time", "time step", "saveper"):
        inputs.pop(control, None)
    pairs = {(source, target) for target, used in inputs.items() for source in used}
    assert all(source in inputs and source != target for source, target in pairs)

    data = read_maps(shared("wiliam_loop_diagram_v1_2.mdl"))[0]
    assert (len(inputs), len(pairs)) == (len(data.factors), len(data.links)) == (92, 523)
    assert {(vensim.normal(s), vensim.normal(t)) for s, t in edges(data)} == pairs


def test_fixture_equations_sketch_and_polarity() -> None:
    data = read_maps(FIXTURE)[0]
    assert [f.label for f in data.factors] == [
        "Births",
        "Population",
        "Deaths",
        "birth rate (per, year)",
        "effect of crowding",
        "Capacity",
    ]
    births, population = data.factors[0], data.factors[1]
    assert (population.x, population.y) == (300.0, 200.0)
    assert births.attributes == {"units": "people/Year"}
    assert births.notes == "Births & more < 5"
    labels = {f.id: f.label for f in data.factors}
    found = {(labels[ln.source], labels[ln.target]): ln.polarity for ln in data.links}
    assert found == {
        ("Population", "Births"): "?",
        ("birth rate (per, year)", "Births"): "?",
        ("effect of crowding", "Births"): "?",
        ("Capacity", "Births"): "?",
        ("Births", "Population"): "+",
        ("Deaths", "Population"): "-",
        ("Population", "Deaths"): "+",
        ("birth rate (per, year)", "Deaths"): "?",
    }
    assert any("no polarity" in w for w in data.warnings)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("", ""),
        ("just some words without equations", ""),
        ('{UTF-8}\n"" = 3\n~~|\n', "line 2"),
        ("{UTF-8}\na = 1 ~~|\n\\\\\\---/// Sketch\n10,1,a,left,5,1\n", "line 4"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, place: str) -> None:
    path = tmp_path / "bad.mdl"
    path.write_text(text, "utf-8")
    with pytest.raises(FormatError) as info:
        read_maps(path, "vensim")
    assert info.value.path == path
    assert info.value.place.startswith(place), info.value


def test_not_utf8_falls_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "old.mdl"
    path.write_bytes("caf\xe9 = 1 ~~|\nb = caf\xe9 * 2 ~~|\n".encode("latin-1"))
    data = read_maps(path, "vensim")[0]
    assert [f.label for f in data.factors] == ["café", "b"]
    assert len(data.links) == 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_only_format_errors(data: st.DataObject) -> None:
    base = FIXTURE.read_text("utf-8")
    start = data.draw(st.integers(0, len(base)))
    end = data.draw(st.integers(start, min(len(base), start + 40)))
    text = base[:start] + data.draw(st.text(max_size=12)) + base[end:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.mdl"
        path.write_text(text, "utf-8", errors="surrogatepass")
        with contextlib.suppress(FormatError):
            vensim.read(path)
