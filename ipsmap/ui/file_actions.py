"""File menu work: new, open (with clear errors), recent files, save as, import, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from ipsmap.formats.registry import read_maps, write_map
from ipsmap.model.errors import IpsmapError, ProjectInUseError
from ipsmap.model.project import Project

if TYPE_CHECKING:
    from ipsmap.ui.main_window import MainWindow

PROJECT_FILTER = "ipsmap projects (*.ipsmap)"
MAP_FILTER = "ipsmap map (*.json)"
RECENT_KEY = "recent/projects"
RECENT_LIMIT = 8


def _error(parent: QWidget, title: str, exc: Exception) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=parent)
    box.setObjectName("error-dialog")
    box.open()


def new_project(window: MainWindow, path: str | Path | None = None) -> Project | None:
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(window, "New project", "", PROJECT_FILTER)
        if not chosen:
            return None
        path = chosen if chosen.endswith(".ipsmap") else chosen + ".ipsmap"
    try:
        return Project.create(path)
    except IpsmapError as exc:
        _error(window, "Cannot create the project", exc)
        return None


def open_project(window: MainWindow, path: str | Path | None = None) -> Project | None:
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(window, "Open project", "", PROJECT_FILTER)
        if not chosen:
            return None
        path = chosen
    try:
        return Project.open(path)
    except ProjectInUseError as exc:
        answer = QMessageBox.question(
            window, "Project in use", f"{exc}\n\nOpen it read-only instead?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            try:
                return Project.open(path, read_only=True)
            except IpsmapError as again:
                _error(window, "Cannot open the project", again)
        return None
    except IpsmapError as exc:
        _error(window, "Cannot open the project", exc)
        return None


def save_as(window: MainWindow, path: str | Path | None = None) -> Path | None:
    project = window.project
    if project is None:
        return None
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(window, "Save a copy as", "", PROJECT_FILTER)
        if not chosen:
            return None
        path = chosen if chosen.endswith(".ipsmap") else chosen + ".ipsmap"
    try:
        target = project.save_as(path)
    except (IpsmapError, OSError) as exc:
        _error(window, "Cannot save a copy", exc)
        return None
    window.show_message(f"Saved a copy as {target}")
    return target


def import_map(window: MainWindow, path: str | Path | None = None) -> str | None:
    project = window.project
    if project is None:
        return None
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(window, "Import map", "", MAP_FILTER)
        if not chosen:
            return None
        path = chosen
    try:
        maps = read_maps(path)
        ids = [project.import_map(data) for data in maps]
    except IpsmapError as exc:
        _error(window, "Cannot import the map", exc)
        return None
    warnings = [w for data in maps for w in data.warnings]
    if warnings:
        window.show_message(f"Imported with {len(warnings)} warning(s): {warnings[0]}")
    return ids[0] if ids else None


def export_map(window: MainWindow, path: str | Path | None = None) -> Path | None:
    project, document = window.project, window.document
    if project is None or document is None:
        return None
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(
            window, "Export map", f"{document.info.name}.json", MAP_FILTER
        )
        if not chosen:
            return None
        path = chosen
    try:
        write_map(project.map_data(document.id), path, "json")
    except (IpsmapError, OSError) as exc:
        _error(window, "Cannot export the map", exc)
        return None
    window.show_message(f"Exported “{document.info.name}” to {path}")
    return Path(path)


def remember_recent(path: Path) -> None:
    settings = QSettings()
    recent = [p for p in _recent(settings) if p != str(path.resolve())]
    settings.setValue(RECENT_KEY, [str(path.resolve()), *recent][:RECENT_LIMIT])


def _recent(settings: QSettings) -> list[str]:
    value = settings.value(RECENT_KEY, [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


def fill_recent_menu(window: MainWindow, menu: QMenu) -> None:
    """Rebuilt each time the menu opens, so it always shows files that still exist."""
    menu.clear()
    paths = [p for p in _recent(QSettings()) if Path(p).exists()]
    if not paths:
        menu.addAction("No recent projects").setEnabled(False)
    for i, path in enumerate(paths):
        action = menu.addAction(Path(path).name, lambda p=path: window.do_open_project(p))
        action.setObjectName(f"action-open-recent-{i}")
        action.setToolTip(path)
