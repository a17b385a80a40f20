"""A map file of another tool opened with ipsmap (the desktop's *Open with*, or `ipsmap
FILE.json`): its maps go into a new project, which the window then opens.

ipsmap keeps work in project files, so a PRSM, Mental Modeler, LOOPY, Vensim, GraphML, GEXF
or CSV file cannot be edited in place. What a user expects from *Open with* is to see that
map in ipsmap, so it is imported, as File → Import… would, into a new project beside the
file (``name.ipsmap``, or ``name (2).ipsmap`` when taken), or in the user's data folder
when that folder cannot be written. The original file is never changed, and a file that
cannot be read leaves nothing behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from ipsmap.model.project import Project
from ipsmap.model.store import remove_project_files

IMPORTED_FOLDER = "Imported"


def is_foreign_map(path: Path) -> bool:
    """Whether ``path`` is a map file of another tool that ipsmap reads (by its contents or
    name), rather than an ipsmap project."""
    if path.suffix.lower() == ".ipsmap" or not path.is_file():
        return False  # decided without loading the readers (reportlab and friends)
    from ipsmap.export.all_formats import detect_format
    from ipsmap.model.errors import IpsmapError

    try:
        return detect_format(path).read is not None
    except IpsmapError:
        return False


def project_for_foreign_map(path: Path, notes: list[str]) -> Project:
    """A new project holding the maps read from ``path``; what the window should say about
    it is added to ``notes``. A file that cannot be read raises IpsmapError, nothing made."""
    from ipsmap.ui.file_actions import read_for_import

    maps = read_for_import(path)  # read and checked whole before anything is written
    target = _free_path(path)
    project = Project.create(target, path.stem)
    try:
        for data in maps:
            project.import_map(data)
    except BaseException:
        project.close()
        remove_project_files(target)
        raise
    names = ", ".join(f"'{project.map_info(m.id).name}'" for m in project.maps())
    notes.append(
        f"Opened {path.name} as a new ipsmap project, {target} (maps: {names}); "
        f"{path.name} itself is unchanged"
    )
    for data in maps:
        notes.extend(f"{path.name}: {warning}" for warning in data.warnings)
    return project


def _free_path(path: Path) -> Path:
    """``name.ipsmap`` beside the file, or in the user's data folder if that folder cannot
    be written; ``name (2).ipsmap`` … when the name is taken."""
    folder = path.parent
    if not writable(folder):
        from ipsmap.ui.demo_copy import demo_folder

        folder = demo_folder() / IMPORTED_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
    candidate, n = folder / f"{path.stem}.ipsmap", 2
    while candidate.exists():
        candidate, n = folder / f"{path.stem} ({n}).ipsmap", n + 1
    return candidate


def writable(folder: Path) -> bool:
    """Whether a new file can be made in ``folder``."""
    return os.access(folder, os.W_OK)
