"""The Vensim reader on hostile input: a map or a FormatError, never another exception.

Random text made of Vensim's own punctuation and keywords (so the fuzz reaches the
equation and sketch readers, not just the "no variables" check), random bytes from a
file, parentheses nested far deeper than any recursion could take, huge numbers, lone
surrogates and control characters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.formats import vensim
from ipsmap.formats.errors import FormatError
from ipsmap.model.mapdata import MapData

PIECES = [
    "x",
    "y",
    '"q |~ name"',
    '"',
    "'",
    "=",
    "==",
    ":=",
    ":IS:",
    ":EXCEPT:",
    ":",
    "->",
    "<->",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "~",
    "|",
    ",",
    "\\\n",
    "\n",
    "\t",
    " ",
    ":MACRO: M(a)",
    ":END OF MACRO:",
    "M(",
    "INTEG(",
    "GET XLS DATA('f', 's')",
    "A FUNCTION OF(",
    ":THE CONDITION:",
    ":NA:",
    "1e999",
    "9" * 400,
    "-1.5e-3",
    "\\\\\\---///\n",
    "10,1,x,",
    "1,2,1,1,0,43,0",
    "*View 1\n",
    "\x00",
    "\x7f",
    "\ud800",
    "\udfff",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
]
VENSIM_TEXT = st.lists(
    st.sampled_from(PIECES) | st.text(st.characters(exclude_categories=()), max_size=6),
    max_size=60,
).map("".join)


def outcome(read, *args) -> MapData | None:
    """What the reader gives: a map, or None after a FormatError with a one-line message."""
    try:
        data = read(*args)
    except FormatError as exc:
        assert "\n" not in exc.problem, exc.problem
        return None
    assert data.factors
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=VENSIM_TEXT)
def test_random_vensim_text_gives_a_map_or_a_format_error(text: str) -> None:
    outcome(vensim.loads, "{UTF-8}\n" + text)
    outcome(vensim.loads, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=400))
def test_random_bytes_give_a_map_or_a_format_error(tmp_path_factory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "random.mdl"
    path.write_bytes(b"{UTF-8}\n" + raw)
    outcome(vensim.read, path)


@pytest.mark.parametrize(
    "rhs",
    [
        "(" * 100_000 + "b" + ")" * 100_000,
        "(" * 100_000 + "b",
        "b" + ")" * 100_000,
        "f(" * 50_000 + "b" + ")" * 50_000,
        "b {" + "{" * 50_000 + "}" * 50_001,
    ],
)
def test_deep_nesting_is_read_without_recursion(rhs: str) -> None:
    data = outcome(vensim.loads, f"b = 1 ~~|\na = {rhs} ~~|\n")
    assert data is not None and [f.label for f in data.factors] == ["b", "a"]


def test_huge_numbers() -> None:
    digits = "9" * 5000
    data = vensim.loads(f"b = 1e999999 * {digits} ~~|\na = b * {digits}.5e-99999 ~~|\n")
    assert len(data.links) == 1
    with pytest.raises(FormatError, match="not numeric"):
        vensim.loads("a = 1 ~~|\n\\\\\\---///\n10,1,a,1e999,5,1,1\n")
    sketch = f"a = 1 ~~|\n\\\\\\---///\n10,1,a,1,5\n1,2,1,1,0,{digits},0\n"
    assert len(vensim.loads(sketch).factors) == 1


def test_lone_surrogates_and_control_characters() -> None:
    with pytest.raises(FormatError, match="line 2: the text holds an invalid character"):
        vensim.loads("a = 1 ~~|\nb\ud800 = a ~~|\n")
    data = vensim.loads('a\x00b = 1 ~~|\n"c\x1b[1m" = a\x00b ~~|\n')
    assert [f.label for f in data.factors] == ["a b", "c [1m"]
    assert len(data.links) == 1


def test_a_file_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "image.mdl"
    path.write_bytes(bytes(range(256)) * 4)
    assert outcome(vensim.read, path) is None
