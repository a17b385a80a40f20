"""Text typed on another device (a laptop's lobby, a phone), checked before it is stored.

One rule for every boundary that takes typed text, refused with a CommandError that says
which part failed. ``strict`` is for names: no Unicode "other" character at all (controls,
format marks such as a right-to-left override that could make one name look like another,
unassigned code points). Other text may hold line breaks when it is long enough to be a
note; a control character or a lone surrogate is refused either way.
"""

from __future__ import annotations

import unicodedata

from ipsmap.model.errors import CommandError

# Below this a text is one line (a label, a name): no line breaks either.
ONE_LINE_MAX = 200


def checked_text(
    value: object, what: str, limit: int, *, required: bool = False, strict: bool = False
) -> str:
    """``value`` stripped, if it is text within ``limit`` with no control characters
    (line breaks allowed in longer texts); else a CommandError saying which rule failed."""
    if not isinstance(value, str):
        raise CommandError(f"The {what} must be text")
    text = value.strip()
    if required and not text:
        raise CommandError(f"The {what} cannot be blank")
    if len(text) > limit:
        raise CommandError(f"The {what} is longer than {limit:,} characters")
    allowed = "\n" if limit > ONE_LINE_MAX and not strict else ""
    # A lone surrogate (valid in JSON as "\ud800") cannot even be stored as UTF-8.
    refused = ("C",) if strict else ("Cc", "Cs")
    if any(unicodedata.category(ch).startswith(refused) and ch not in allowed for ch in text):
        raise CommandError(f"The {what} has control characters")
    return text
