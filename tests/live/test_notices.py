"""The host's notices as a laptop reads them: one short printable line, or ignored."""

from __future__ import annotations

import json

import pytest

from ipsmap.live.notices import MAX_NOTICE_CHARS, notice_message, parse_notice


def test_a_notice_round_trips_as_one_line_cut_to_length():
    assert parse_notice(notice_message("a link from 'Housing'\n\nwas removed")) == (
        "a link from 'Housing' was removed"
    )
    long = parse_notice(notice_message("x" * 5000))
    assert long == "x" * MAX_NOTICE_CHARS


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "presence", "map": null}',  # presence: not a notice
        "not json",
        "[]",
        json.dumps({"type": "notice", "text": 42}),
        json.dumps({"type": "notice", "text": ""}),
        json.dumps({"type": "notice", "text": "y" * (MAX_NOTICE_CHARS + 1)}),
        json.dumps({"type": "notice", "text": "bell\x07and\nnewline"}),
        "[" * 100_000,
        None,
    ],
)
def test_anything_else_is_not_a_notice(frame):
    assert parse_notice(frame) is None
