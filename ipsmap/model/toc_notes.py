"""Assumptions and indicators of theory-of-change factors and links.

They live in the record's free ``attributes`` as lists of strings under "assumptions" and
"indicators", so they travel with every export, snapshot and comparison without a schema
change, and are edited through the ordinary EditFactor/EditLink commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ASSUMPTIONS = "assumptions"
INDICATORS = "indicators"
TOC_LIST_KEYS = (ASSUMPTIONS, INDICATORS)


def toc_list(attributes: Mapping[str, Any], key: str) -> list[str]:
    """The lines stored under ``key`` (a list; text from other tools is split into lines)."""
    value = attributes.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    elif not isinstance(value, (list, tuple)):
        value = [value]
    return [str(line).strip() for line in value if str(line).strip()]


def with_toc_list(attributes: Mapping[str, Any], key: str, lines: Iterable[str]) -> dict[str, Any]:
    """A copy of ``attributes`` with ``key`` set to ``lines`` (removed when there are none)."""
    result = dict(attributes)
    cleaned = [line.strip() for line in lines if line.strip()]
    if cleaned:
        result[key] = cleaned
    else:
        result.pop(key, None)
    return result


def toc_badge(attributes: Mapping[str, Any]) -> str:
    """A short count for the canvas, e.g. "A2 · I1" ("" when there are none)."""
    parts = []
    for key, letter in ((ASSUMPTIONS, "A"), (INDICATORS, "I")):
        n = len(toc_list(attributes, key))
        if n:
            parts.append(f"{letter}{n}")
    return " · ".join(parts)


def toc_tooltip(attributes: Mapping[str, Any]) -> str:
    """The assumptions and indicators as plain text for a tooltip ("" when there are none)."""
    blocks = []
    for key, title in ((ASSUMPTIONS, "Assumptions"), (INDICATORS, "Indicators")):
        lines = toc_list(attributes, key)
        if lines:
            blocks.append(title + ":\n" + "\n".join(f"• {line}" for line in lines))
    return "\n\n".join(blocks)
