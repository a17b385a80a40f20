"""The parts the app carries and their licences (resources/licences/licences.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ipsmap.resources_path import resource


@dataclass(frozen=True)
class BundledPart:
    """One part of the app: its name, what it does for ipsmap, its licence, its source."""

    name: str
    what: str
    licence: str
    source: str
    notice: str = ""


def bundled_parts() -> list[BundledPart]:
    """Every part listed, in the file's order (Qt first)."""
    text = resource("licences", "licences.json").read_text(encoding="utf-8")
    return [BundledPart(**part) for part in json.loads(text)["parts"]]
