"""The host's notices to every device: what it did to keep the maps whole ("a link from
'Housing' to a factor deleted meanwhile was removed"), so the person whose link vanished
on their laptop reads why, not only the facilitator.

A notice travels as a JSON text frame beside presence (``{"type": "notice", "text": …}``);
a laptop checks it as strictly as any message from the network: one line of text, short.
"""

from __future__ import annotations

import json
from typing import Any

NOTICE = "notice"
MAX_NOTICE_CHARS = 300


def notice_message(text: str) -> str:
    """The frame for ``text`` (made one line and cut to length here, once)."""
    line = " ".join(str(text).split())[:MAX_NOTICE_CHARS]
    return json.dumps({"type": NOTICE, "text": line}, ensure_ascii=False)


def parse_notice(text: Any) -> str | None:
    """The notice a frame carries; None if it is not a notice (presence, or not JSON).
    A notice that is not one short line of printable text is ignored (None) too."""
    if not isinstance(text, str) or len(text) > 4 * MAX_NOTICE_CHARS + 64:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or value.get("type") != NOTICE:
        return None
    line = value.get("text")
    if not isinstance(line, str) or not 0 < len(line) <= MAX_NOTICE_CHARS:
        return None
    if not line.isprintable():
        return None
    return line
