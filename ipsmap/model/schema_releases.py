"""Which ipsmap release first writes each project file format (schema version).

The one table of it. A file stamps the release its schema needs (``NEEDS_KEY`` in the
``project`` table) whenever it is created or migrated, so that an older ipsmap refusing a
newer file can say which version to install: it cannot know about formats made after it.
Adding a migration means adding its line here (tests/test_schema_releases.py checks).
"""

from __future__ import annotations

import re

FIRST_RELEASE_WRITING: dict[int, str] = {
    1: "0.1.0",
    2: "0.1.0",
    3: "0.1.0",
    4: "0.1.0",
    5: "0.1.0",
    6: "0.1.0",
    7: "0.1.0",
    8: "0.1.0",
    9: "0.1.0",
    10: "0.2.0",  # comments from phones: the ideas table rebuilt (issue 15)
}
# The key in the project table: the first release that can open this file.
NEEDS_KEY = "needs_ipsmap"
# A stamp read from a file that is not ours to trust is shown only if it looks like one.
_RELEASE = re.compile(r"\d{1,4}(\.\d{1,4}){1,3}")


def release_writing(schema_version: int) -> str:
    """The first ipsmap release that writes (so reads) files of ``schema_version``."""
    return FIRST_RELEASE_WRITING[schema_version]


def plausible_release(text: object) -> str | None:
    """``text`` if it reads as a release number such as 0.2.0, else None."""
    if isinstance(text, str) and _RELEASE.fullmatch(text):
        return text
    return None


def release_key(release: str) -> tuple[int, ...]:
    """A release number as a tuple that sorts in release order."""
    return tuple(int(part) for part in release.split("."))
