"""Find files shipped in ``resources/``, from a source checkout or an installed wheel."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """Return the shipped resource at ``resources/<parts...>``; raise if it is missing."""
    node: Traversable = resources.files("ipsmap.resources")
    for part in parts:
        node = node / part
    if not node.is_file() and not node.is_dir():
        raise FileNotFoundError(f"ipsmap resource missing: {'/'.join(parts)}")
    return node


def demo_map_files() -> list[Traversable]:
    """The demo project's map files (named NN_*.json), in a stable order.

    Other JSON files in the folder hold the demo's project records (CMOs, workshops).
    """
    folder = resource("demo")
    return sorted(
        (f for f in folder.iterdir() if f.name.endswith(".json") and f.name[:2].isdigit()),
        key=lambda f: f.name,
    )
