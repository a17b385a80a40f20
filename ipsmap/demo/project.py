"""The built-in demo project, built from the map files shipped in resources/demo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ipsmap.demo.cmos import add_demo_cmos
from ipsmap.demo.evaluation import add_demo_adaptation_point
from ipsmap.demo.toc import add_demo_toc_notes
from ipsmap.demo.workshops import add_demo_workshops
from ipsmap.formats import ipsmap_json
from ipsmap.model.errors import IpsmapError, ProjectFileError
from ipsmap.model.project import Project
from ipsmap.model.store import creation_failure, remove_project_files
from ipsmap.resources_path import demo_map_files

DEMO_TITLE = "IPS demo project"


def create_demo_project(path: str | Path) -> Project:
    """Create a new project at ``path`` holding the demo maps, and return it open."""
    # Parsed first (a bad file leaves no project behind), imported by add_demo_workshops:
    # each site's map in that site's first workshop, as if drawn there.
    maps = [
        ipsmap_json.loads(source.read_text(encoding="utf-8"), source.name)
        for source in demo_map_files()
    ]
    project = Project.create(path, DEMO_TITLE)
    try:
        add_demo_workshops(project, maps)
        add_demo_cmos(project)
        add_demo_toc_notes(project)
        add_demo_adaptation_point(project)
    except BaseException as exc:
        project.close()
        remove_project_files(Path(path))
        if isinstance(exc, (OSError, sqlite3.Error, IpsmapError)):
            # Most likely the disk filled up half-way: say so in one line, leave nothing.
            raise ProjectFileError(path, creation_failure(exc)) from exc
        raise
    # Building the demo is not something a user should be able to undo.
    project.undo_history.clear()
    return project
