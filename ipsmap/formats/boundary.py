"""The checks a user's file passes at the border: sizes, numbers, text and nesting.

Every reader goes through these, so a hostile or damaged file ends in one FormatError
naming the file, never in a traceback, a frozen window or a project that cannot be shown.
The limits are stated here (and in docs/formats.md) and enforced before the costly work:
the file's size before it is read, an expansion (lz-string, zip) while it expands, the
number of factors and links as each one is added.

``read_maps`` puts a ``Limits`` in force for one read (``limits_in_force``); readers and the
map builder ask ``active_limits()``. The command line raises the counts with
``--max-factors`` and ``--max-links``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ipsmap.formats.errors import FormatError

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How much one import may hold; a file beyond any of these is refused, not truncated."""

    # A workshop map has 20–300 factors, a merged one a few thousand; the window and the
    # analyses stay quick up to these.
    max_factors: int = 10_000
    max_links: int = 50_000
    # The file as it lies on disk.
    max_file_bytes: int = 64 * MB
    # What a compressed file (a .prsm in lz-string, an .xlsx zip) may expand to, in all…
    max_expanded_bytes: int = 64 * MB
    # …and relative to its compressed size, once past a small allowance (a bomb expands
    # thousands of times; real maps five to twenty).
    max_expansion_ratio: int = 100
    expansion_allowance_bytes: int = 1 * MB
    # One text value (a label, a note, a cell).
    max_text_chars: int = 100_000
    # Nested lists and objects inside one attribute value.
    max_depth: int = 32
    # Digits in one number: more than any measurement or position needs (a longer run of
    # digits in a table is kept as text, e.g. an identifier).
    max_digits: int = 30

    def expansion_budget(self, compressed_size: int) -> int:
        """The most a file of ``compressed_size`` may expand to."""
        by_ratio = max(self.expansion_allowance_bytes, compressed_size * self.max_expansion_ratio)
        return min(self.max_expanded_bytes, by_ratio)


DEFAULT_LIMITS = Limits()
_ACTIVE: ContextVar[Limits] = ContextVar("ipsmap_read_limits", default=DEFAULT_LIMITS)


def active_limits() -> Limits:
    """The limits of the read under way (the defaults outside ``limits_in_force``)."""
    return _ACTIVE.get()


@contextmanager
def limits_in_force(limits: Limits | None) -> Iterator[Limits]:
    """Make ``limits`` the ones every reader and builder uses until the block ends."""
    token = _ACTIVE.set(limits or DEFAULT_LIMITS)
    try:
        yield _ACTIVE.get()
    finally:
        _ACTIVE.reset(token)


# -- sizes ---------------------------------------------------------------------------------


def check_file_size(path: Path) -> None:
    """Refuse a file bigger than the limit before reading it."""
    limit = active_limits().max_file_bytes
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says what is wrong with a file it cannot open
    if size > limit:
        raise FormatError(
            path, "", f"the file is {_size(size)}; ipsmap imports files of up to {_size(limit)}"
        )


def expansion_error(path: Path | str | None, what: str, budget: int) -> FormatError:
    """The error for a compressed file that expands past its budget."""
    return FormatError(
        path,
        "",
        f"{what} expands to more than {_size(budget)} (the limit for a file of this size); "
        "it is damaged or not a map",
    )


def count_error(path: Path | str | None, what: str, limit: int, option: str) -> FormatError:
    """The error for a file with more factors or links than an import may hold."""
    return FormatError(
        path,
        "",
        f"the file holds more than {limit:,} {what}, the most one import takes "
        f"(the command line's {option} raises it)",
    )


def _size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


# -- numbers in JSON -------------------------------------------------------------------------


class _BadNumber(ValueError):
    """A number in JSON text that no map needs (raised inside json.loads, turned into a
    FormatError by ``parse_json``)."""


def json_int(text: str) -> int:
    """json.loads' ``parse_int``: refuses digit runs longer than the limit."""
    if len(text.lstrip("-")) > active_limits().max_digits:
        raise _BadNumber(f"a number with {len(text.lstrip('-'))} digits")
    return int(text)


def json_float(text: str) -> float:
    """json.loads' ``parse_float``: refuses numbers too long or too large for a float."""
    mantissa = re.split("[eE]", text, maxsplit=1)[0]
    if sum(c.isdigit() for c in mantissa) > active_limits().max_digits:
        raise _BadNumber(f"a number with {len(mantissa)} digits")
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"the number {text[:40]} is too large")
    return value


def json_constant(text: str) -> Any:
    """json.loads' ``parse_constant``: NaN and Infinity are not JSON numbers."""
    raise _BadNumber(f"{text} is not a JSON number")


BAD_NUMBER = _BadNumber


# -- text and values -------------------------------------------------------------------------

# C0 controls other than tab, line feed and carriage return, DEL, and the C1 controls:
# invisible in a label, and some of them cannot be written to XML or a spreadsheet.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Either of the above: one search finds the common case, a text with neither, quickly.
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """``text`` with the control characters a reader removes taken out."""
    return _CONTROL.sub("", text)


class _Place:
    """Where a record is, spelled out only when an error or a nested value needs it."""

    def __init__(self, kind: str, index: int, record: Any) -> None:
        self.kind, self.index, self.record = kind, index, record

    def __format__(self, spec: str) -> str:
        if self.kind == "map":
            return "map"
        label = getattr(self.record, "label", None) or getattr(self.record, "name", None)
        where = f"{self.kind} {self.index + 1}"
        return where + (f" {label[:40]!r}" if isinstance(label, str) and label else "")


class _Cleaner:
    """Walks a finished map: refuses what cannot be stored, removes control characters."""

    def __init__(self, path: Path | str | None, keep_controls: bool) -> None:
        self.path = path
        self.keep_controls = keep_controls
        self.limits = active_limits()
        self.removed = 0

    def text(self, value: str, place: Any) -> str:
        """``value`` checked; ``place`` (a string or a ``_Place``) is spelled out on error."""
        if len(value) > self.limits.max_text_chars:
            raise FormatError(
                self.path,
                _spell(place),
                f"a text of {len(value):,} characters (the most one value may hold is "
                f"{self.limits.max_text_chars:,})",
            )
        if _SUSPECT.search(value) is None:
            return value
        if _SURROGATE.search(value):
            raise FormatError(
                self.path,
                _spell(place),
                "the text is not valid Unicode (it holds a lone surrogate)",
            )
        if self.keep_controls:
            return value
        cleaned = _CONTROL.sub("", value)
        if cleaned != value:
            self.removed += 1
        return cleaned

    def value(self, value: Any, place: Any, depth: int = 0) -> Any:
        """An attribute value made safe to store as JSON."""
        if depth > self.limits.max_depth:
            raise FormatError(
                self.path,
                _spell(place),
                f"values nested more than {self.limits.max_depth} levels deep",
            )
        kind = type(value)
        if value is None or kind is bool:
            return value
        if kind is str:
            return self.text(value, place)
        if kind is int:
            if value.bit_length() > 100:
                raise FormatError(self.path, _spell(place), "a whole number too large to hold")
            return value
        if kind is float:
            if not math.isfinite(value):
                raise FormatError(self.path, _spell(place), f"{value} is not a finite number")
            return value
        if isinstance(value, (list, tuple)):
            return [self.value(v, (place, i), depth + 1) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {
                self.text(str(k), place): self.value(v, (place, k), depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, (int, float)):  # a subclass (numpy's, a bool-like): its value
            return self.value(float(value) if isinstance(value, float) else int(value), place)
        # Dates, decimals and the like from a spreadsheet: kept as their text.
        return self.text(str(value), place)

    def record(self, record: Any, kind: str, index: int = 0) -> None:
        """Clean a record's text fields and attributes in place; check its numbers."""
        where = _Place(kind, index, record)
        # Exact type tests and no write-back of unchanged text: this runs over every field
        # of every record of a map of tens of thousands.
        for name, current in vars(record).items():
            kind_of = type(current)
            if kind_of is str:
                if len(current) > 64 or _SUSPECT.search(current) is not None:
                    cleaned = self.text(current, (where, name))
                    if cleaned is not current:
                        setattr(record, name, cleaned)
            elif kind_of is float:
                if not math.isfinite(current):
                    raise FormatError(
                        self.path, _spell((where, name)), f"{current} is not a finite number"
                    )
            elif kind_of is int:
                if current.bit_length() > 100:
                    raise FormatError(
                        self.path, _spell((where, name)), "a whole number too large to hold"
                    )
            elif kind_of is dict and current:
                setattr(record, name, self.value(current, (where, name)))


def _spell(place: Any) -> str:
    """A place built as nested (parent, key) pairs, as text: factor 3 'Rent'.attributes.k[0]."""
    if isinstance(place, tuple):
        parent, key = place
        return f"{_spell(parent)}[{key}]" if isinstance(key, int) else f"{_spell(parent)}.{key}"
    return format(place)


def check_map(data: Any, path: Path | str | None, keep_controls: bool = False) -> Any:
    """Check a map a reader built before anyone stores it; returns it, cleaned in place.

    Refuses more factors or links than the limits, text that is not valid Unicode (a lone
    surrogate cannot be written to the project), over-long text, numbers that are not finite
    or absurdly large, attributes nested too deeply. Control characters are removed, with a
    warning, unless ``keep_controls``: our own map file holds exactly what a project held,
    and its round trip keeps every character a project can hold.
    """
    limits = active_limits()
    if len(data.factors) > limits.max_factors:
        raise count_error(path, "factors", limits.max_factors, "--max-factors")
    if len(data.links) > limits.max_links:
        raise count_error(path, "links", limits.max_links, "--max-links")
    cleaner = _Cleaner(path, keep_controls)
    cleaner.record(data.info, "map")
    for kind, records in (
        ("style", data.styles),
        ("factor", data.factors),
        ("link", data.links),
        ("group", data.groups),
        ("participant", data.participants),
    ):
        for i, record in enumerate(records):
            cleaner.record(record, kind, i)
    if cleaner.removed:
        note = f"control characters removed from {cleaner.removed} text(s)"
        if note not in data.warnings:
            data.warnings.append(note)
    return data
