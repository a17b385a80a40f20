"""Graphviz DOT (write only): every string quoted and escaped, parsed back by a small parser.

Fields written: map name (graph id), factor id, label, fill/border colour, shape and type
name (tooltip) from its type; link ends, polarity (label), colour and dashes from its style,
dashed for '?', pen width from strength; rankdir=LR for theory-of-change maps.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import write_map
from ipsmap.formats import dot
from ipsmap.formats.builder import MapBuilder

from .test_graph_formats import TRICKY, sample_map

STRING = r'"(?:[^"\\]|\\.)*"'
NODE = re.compile(rf"^  ({STRING}) \[(.*)\];$")
EDGE = re.compile(rf"^  ({STRING}) -> ({STRING}) \[(.*)\];$")
PAIR = re.compile(rf"(\w+)=({STRING})")


def unquote(token: str) -> str:
    assert token[0] == token[-1] == '"'
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), token[1:-1])


def parse(text: str) -> tuple[str, dict[str, dict[str, str]], list[tuple[str, str, dict]]]:
    """The graph name, nodes and edges of DOT we write; fails on any other line."""
    lines = text.split("\n")[:-1]  # only \n ends a DOT line we write
    header = re.fullmatch(rf"digraph ({STRING}) \{{", lines[0])
    assert header, lines[0]
    assert lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges = []
    for line in lines[1:-1]:
        if line in ('  rankdir="LR";', '  node [style="filled"];'):
            continue
        if match := EDGE.fullmatch(line):
            attrs = {k: unquote(v) for k, v in PAIR.findall(match.group(3))}
            edges.append((unquote(match.group(1)), unquote(match.group(2)), attrs))
        elif match := NODE.fullmatch(line):
            nodes[unquote(match.group(1))] = {
                k: unquote(v) for k, v in PAIR.findall(match.group(2))
            }
        else:
            raise AssertionError(f"unexpected DOT line: {line!r}")
    return unquote(header.group(1)), nodes, edges


def test_labels_escaped_and_parse_back(tmp_path: Path) -> None:
    data = sample_map()
    path = tmp_path / "map.gv"
    assert write_map(data, path).name == "dot"
    name, nodes, edges = parse(path.read_text("utf-8"))
    assert name == data.info.name
    assert [nodes[f.id]["label"] for f in data.factors] == TRICKY
    assert [(s, t, a["label"]) for s, t, a in edges] == [
        (ln.source, ln.target, ln.polarity) for ln in data.links
    ]
    assert "rankdir" not in path.read_text("utf-8")


def test_colours_by_type_and_dashes() -> None:
    data = sample_map()
    styles = {s.id: s for s in data.styles}
    _, nodes, edges = parse(dot.dumps(data))
    typed = data.factors[1]
    assert nodes[typed.id]["fillcolor"] == styles[typed.type or ""].color
    assert nodes[typed.id]["tooltip"] == "Intervention"
    assert edges[2][2]["style"] == "dashed"  # the '?' link


def test_theory_of_change_left_to_right() -> None:
    assert '  rankdir="LR";' in dot.dumps(sample_map("toc")).splitlines()


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_label_survives(label: str) -> None:
    builder = MapBuilder(None, label)
    builder.factor("a", "a", "a")
    builder.factor("b", "b", "b")
    builder.link("a", "b", "l")
    data = builder.build()
    # Set after building: readers remove control characters, a project may still hold them.
    data.info.name = label
    data.factors[0].label = label.strip()
    _name, nodes, edges = parse(dot.dumps(data))
    expected = "".join(
        " " if (ord(c) < 32 and c not in "\n\t") or ord(c) == 127 else c
        for c in label.strip().replace("\r", "")
    )
    assert nodes[data.factors[0].id]["label"] == expected
    assert len(edges) == 1
