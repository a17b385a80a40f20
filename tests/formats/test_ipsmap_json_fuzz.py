"""Mutated and random input to our own JSON reader: only its clear error may escape."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ipsmap.formats import ipsmap_json
from ipsmap.formats.errors import FormatError

SEED = json.dumps(
    {
        "format": "ipsmap-map",
        "version": 1,
        "map": {"name": "Fuzz <&\">'", "kind": "system"},
        "factors": [
            {"id": "a", "label": "Rent & arrears", "x": 1e308, "y": -0.0, "type": "Context"},
            {"id": "b", "label": "“Stress” 😟", "attributes": {"n": 1, "deep": [[[1]]]}},
        ],
        "links": [{"id": "l", "source": "a", "target": "b", "polarity": "-", "strength": 1}],
        "groups": [{"id": "g", "name": "Money", "members": ["a"]}],
    }
).encode()


def _read(data: bytes, tmp_path) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(data)
    with contextlib.suppress(FormatError):  # the one error allowed; anything else fails
        ipsmap_json.read(path)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED) - 1), st.binary(max_size=4))
def test_truncated_and_mutated_files_give_only_format_errors(tmp_path_factory, cut, at, junk):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    _read(SEED[:cut], tmp_path)
    _read(SEED[:at] + junk + SEED[at + 1 :], tmp_path)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=6), children, max_size=3)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_values_give_only_format_errors(tmp_path_factory, value):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    document = {"format": "ipsmap-map", "version": 1, "map": {"name": "m"}, "factors": value}
    _read(json.dumps(document).encode(), tmp_path)
    _read(json.dumps(value).encode(), tmp_path)
