"""What this ipsmap is: its version, the build it came from, the project format it writes.

A frozen app carries ``build_info.json`` beside this module (written by
packaging/build.py: the commit and its date); run from a checkout or a wheel there is none,
and the build is "source".
"""

from __future__ import annotations

import json
from importlib import resources

from ipsmap import __version__

BUILD_INFO_FILE = "build_info.json"


def build_label() -> str:
    """``abc1234 (2026-12-05)`` for a built app, ``source`` otherwise."""
    try:
        text = (resources.files("ipsmap") / BUILD_INFO_FILE).read_text(encoding="utf-8")
        info = json.loads(text)
        return f"{info['commit']} ({info['date']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "source"


def version_lines() -> list[str]:
    """The lines ``ipsmap --version`` prints and Help → About shows."""
    from ipsmap.model.schema import SCHEMA_VERSION

    return [
        f"ipsmap {__version__}",
        f"build: {build_label()}",
        f"project file format (schema): {SCHEMA_VERSION}",
    ]
