"""Text that every file format can hold: control characters replaced, in one place.

A label may carry a NUL or another C0 control character (pasted from a PDF, imported from
another tool). XML 1.0 (SVG, GraphML, GEXF, QDC, Mental Modeler) cannot hold them at all, a
CSV with a NUL is not a text table, and a lone surrogate cannot even be encoded as UTF-8.
``write_map`` passes every map and export context through ``clean_values`` before any
writer sees them, so no writer has to remember. Tab, line feed and carriage return stay.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")

# C0 controls but tab, LF and CR; DEL; lone surrogates; the two non-characters XML forbids.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def without_controls(text: str) -> str:
    """``text`` with each control character replaced by U+FFFD (visible, and in XML)."""
    return CONTROL_CHARACTERS.sub(REPLACEMENT, text)


def clean_values(value: T) -> T:
    """A copy of ``value`` (text, lists, dicts, dataclasses…) with every string cleaned.

    Dataclass fields that are not part of the value (``compare=False``: caches, callbacks)
    are kept as they are; anything else that is not text or a container is kept too.
    """
    return _clean(value)  # type: ignore[no-any-return]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return without_controls(value) if CONTROL_CHARACTERS.search(value) else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(_clean(v) for v in value)
    if isinstance(value, set):
        return {_clean(v) for v in value}
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _clean(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init and f.compare
        }
        return dataclasses.replace(value, **changes)
    return value
