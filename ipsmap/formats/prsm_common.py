"""What the PRSM reader and writer share: names, style polarity, colours, notes, labels.

See ``ipsmap.formats.prsm`` for how PRSM maps onto ipsmap's model.
"""

from __future__ import annotations

import math
import re
import textwrap
from datetime import UTC, datetime
from typing import Any

STYLE_SLOTS = 15  # group0…group14, edge0…edge14
GROUP_ATTRIBUTE = "Group"
GROUP_SEPARATOR = " | "
LABEL_ATTRIBUTE = "Label"
DEFAULT_STYLE_NAME = "Sample"

_POSITIVE = {"+", "+ve", "positive", "positive influence", "positive link", "plus", "same",
             "increases", "reinforcing"}  # fmt: skip
_NEGATIVE = {"-", "-ve", "−", "negative", "negative influence", "negative link", "minus",
             "opposite", "decreases", "balancing"}  # fmt: skip
_UNKNOWN = {"?", "unknown", "uncertain", "unclear", "complex", "unknown influence"}
_SUFFIX = re.compile(r"^(.*\S)\s+\(([+\-?])\)$")
_RGB = re.compile(r"^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\d.]+\s*)?\)$")
_LINK_EXTRAS = ("rationale", "evidence", "provenance")
_LIST_ITEM = re.compile(r"^(?:[-*•–]\s|\d+[.)]\s)")

# -- shared helpers ------------------------------------------------------------------------


def style_polarity(name: str) -> str | None:
    """The polarity a PRSM link style name implies, or None."""
    words = " ".join(name.split()).casefold()
    if words in _POSITIVE:
        return "+"
    if words in _NEGATIVE:
        return "-"
    if words in _UNKNOWN:
        return "?"
    match = _SUFFIX.match(name.strip())
    return match.group(2) if match else None


def css_colour(value: Any) -> str | None:
    """A colour as #rrggbb (rgb()/rgba() converted, #hex and names kept); None if absent."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _RGB.match(text)
    if match:
        r, g, b = (min(int(v), 255) for v in match.groups())
        return f"#{r:02x}{g:02x}{b:02x}"
    return text.lower() if text.startswith("#") else text


def delta_text(value: Any) -> tuple[str, bool]:
    """Plain text of a note (a string or a Quill Delta); True if something was dropped."""
    if value is None or value == "":
        return "", False
    if isinstance(value, str):
        return _html_text(value), False
    ops = value.get("ops") if isinstance(value, dict) else value
    if not isinstance(ops, list):
        return "", True
    parts: list[str] = []
    dropped = False
    for op in ops:
        insert = op.get("insert") if isinstance(op, dict) else None
        if isinstance(insert, str):
            parts.append(insert)
        elif insert is not None:
            dropped = True  # an embedded image or formula
    text = "".join(parts)
    if text.endswith("\n"):
        text = text[:-1]
    return text, dropped


def _html_text(text: str) -> str:
    if "<" not in text:
        return text
    text = re.sub(r"(?i)<br\s*/?>|</p>\s*<p[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", " ")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&").strip("\n")


def _iso(stamp: Any) -> str:
    if not isinstance(stamp, dict):
        return ""
    time = stamp.get("time")
    if not isinstance(time, (int, float)) or isinstance(time, bool) or not math.isfinite(time):
        return ""
    try:
        moment = datetime.fromtimestamp(time / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return ""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _epoch_ms(iso: str) -> int | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


# -- label wrapping ------------------------------------------------------------------------


def wrap_label(label: str) -> str:
    """Break a label into lines as PRSM does (about 10 characters, more for long labels)."""
    width = max(10, round(math.sqrt(len(label))))
    lines = []
    for line in label.split("\n"):
        marker = _LIST_ITEM.match(line)
        head = marker.group(0) if marker else ""
        wrapped = textwrap.wrap(
            line[len(head) :], width, break_long_words=False, break_on_hyphens=False
        )
        if wrapped:
            wrapped[0] = head + wrapped[0]
        lines.append("\n".join(wrapped) if wrapped else line)
    return "\n".join(lines)


def unwrap_label(label: str) -> str:
    """Undo PRSM's automatic line wrapping; keep breaks before list items ("- …", "• …")."""
    lines = [" ".join(line.split()) for line in label.splitlines()]
    result: list[str] = []
    for line in lines:
        if not line:
            continue
        if result and not _LIST_ITEM.match(line):
            result[-1] += " " + line
        else:
            result.append(line)
    return "\n".join(result)
