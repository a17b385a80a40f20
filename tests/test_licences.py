"""Every runtime dependency has its licence listed for Help → About; Qt's says where its
source is."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ipsmap.licences import bundled_parts

REPO_ROOT = Path(__file__).resolve().parent.parent


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_dependencies() -> list[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [
        re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0] for spec in project["project"]["dependencies"]
    ]


def test_every_runtime_dependency_has_a_licence_entry() -> None:
    listed = {_normal(part.name) for part in bundled_parts()}
    missing = [dep for dep in _runtime_dependencies() if _normal(dep) not in listed]
    assert not missing, f"add these to resources/licences/licences.json: {missing}"


def test_every_entry_names_a_licence_and_a_source() -> None:
    parts = bundled_parts()
    assert len({p.name for p in parts}) == len(parts)
    for part in parts:
        assert part.licence.strip() and part.what.strip(), part.name
        assert "http" in part.source, part.name


def test_qt_is_lgpl_with_its_source_addresses() -> None:
    qt = next(p for p in bundled_parts() if p.name == "PySide6-Essentials")
    assert qt.licence == "LGPL-3.0-only"
    assert "https://download.qt.io/official_releases/" in qt.source
    assert "https://code.qt.io/" in qt.source
    assert "replace" in qt.notice  # the user may swap in their own Qt build
