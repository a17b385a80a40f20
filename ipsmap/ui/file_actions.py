"""File menu work: new, open (with clear errors), recent files, save as, import, export."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ipsmap.analysis.layout import is_layout_note, lay_out_unplaced
from ipsmap.export.all_formats import (
    FORMATS,
    ReadOptions,
    detect_format,
    read_maps,
    readable_formats,
    write_map,
)
from ipsmap.model.errors import IpsmapError, ProjectInUseError
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project
from ipsmap.ui.canvas.image_export import render
from ipsmap.ui.worker import run_in_worker

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.hallway import Hallway

PROJECT_FILTER = "ipsmap projects (*.ipsmap)"
RECENT_KEY = "recent/projects"
RECENT_LIMIT = 8


def _error(parent: QWidget, title: str, exc: Exception) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, str(exc), parent=parent)
    box.setObjectName("error-dialog")
    box.open()


def new_project(window: QWidget, path: str | Path | None = None) -> Project | None:
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


def open_project(window: QWidget, path: str | Path | None = None) -> Project | None:
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


def _filters(names: list[str]) -> str:
    """File-dialog filters for the given formats, most general first."""
    entries = []
    all_suffixes = []
    for name in names:
        fmt = FORMATS[name]
        patterns = " ".join(f"*{suffix}" for suffix in fmt.suffixes)
        all_suffixes += [f"*{suffix}" for suffix in fmt.suffixes]
        entries.append(f"{fmt.label} ({patterns})")
    return ";;".join([f"All map files ({' '.join(dict.fromkeys(all_suffixes))})", *entries])


TABLE_FORMATS = ("csv", "xlsx")


class ImportPreview(QDialog):
    """What a file holds before it goes into the project: maps, counts and warnings.

    For tables, the columns ipsmap should use can be changed (KEY=COLUMN, as on the command
    line) and the file read again before anything is imported.
    """

    def __init__(
        self,
        path: Path,
        maps: list[MapData],
        parent: QWidget | None = None,
        format_name: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import-preview")
        self.setWindowTitle(f"Import {path.name}")
        self.path = path
        self.maps = maps
        self.format_name = format_name
        layout = QVBoxLayout(self)
        self.contents = QLabel()
        self.contents.setObjectName("import-contents")
        layout.addWidget(self.contents)
        self.warnings = QListWidget()
        self.warnings.setObjectName("import-warnings")
        self.warnings.setWordWrap(True)
        layout.addWidget(self.warnings)
        self.columns = QLineEdit()
        self.columns.setObjectName("import-columns")
        self.columns.setAccessibleName("Column choices")
        self.columns.setPlaceholderText("e.g. label=Factor name, from=Cause, to=Effect")
        self.problem = QLabel()
        self.problem.setObjectName("import-problem")
        self.problem.setStyleSheet("color: #b71c1c")
        self.problem.setWordWrap(True)
        if format_name in TABLE_FORMATS:
            layout.addWidget(QLabel("Columns to use (KEY=COLUMN, separated by commas):"))
            row = QHBoxLayout()
            row.addWidget(self.columns)
            again = QPushButton("Read again")
            again.setObjectName("import-read-again")
            again.clicked.connect(self.read_again)
            row.addWidget(again)
            layout.addLayout(row)
            layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show()

    def _show(self) -> None:
        lines = [
            f"“{data.info.name}”: {len(data.factors)} factors, {len(data.links)} links"
            + (f", {len(data.groups)} groups" if data.groups else "")
            for data in self.maps
        ]
        found = [w for data in self.maps for w in data.warnings]
        # That a map was laid out is news, not a loss: said under the counts.
        laid_out = [w[0].upper() + w[1:] + "." for w in found if is_layout_note(w)]
        warnings_found = [w for w in found if not is_layout_note(w)]
        note = (
            f"\n{len(warnings_found)} thing(s) could not be imported as they are:"
            if warnings_found
            else ""
        )
        self.contents.setText("This file holds:\n" + "\n".join(lines + laid_out) + note)
        self.warnings.clear()
        self.warnings.addItems(warnings_found)
        self.warnings.setVisible(bool(warnings_found))

    def read_again(self) -> bool:
        """Read the file again with the column choices typed in."""
        columns: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in self.columns.text().split(","))):
            key, sep, column = item.partition("=")
            if not sep or not key.strip() or not column.strip():
                self.problem.setText(f"Write each choice as KEY=COLUMN, not “{item}”")
                return False
            columns[key.strip().lower()] = column.strip()
        try:
            self.maps = read_for_import(self.path, self.format_name, ReadOptions(columns=columns))
        except IpsmapError as exc:
            self.problem.setText(str(exc))
            return False
        self.problem.setText("")
        self._show()
        return True


def read_for_import(
    path: Path, format_name: str | None = None, options: ReadOptions | None = None
) -> list[MapData]:
    """Read a file's maps for import; one without positions is laid out (and says so)."""
    maps = read_maps(path, format_name, options)
    for data in maps:
        lay_out_unplaced(data)
    return maps


# What storing a read map can raise: the readers check every value at the boundary, so
# beyond IpsmapError these would be a value the checks missed; the user still gets a dialog.
STORE_ERRORS = (IpsmapError, sqlite3.Error, ValueError, UnicodeError, OverflowError)

# Files bigger than this are read in a worker with a progress dialog.
BIG_FILE_BYTES = 2_000_000


def _format_name(path: Path) -> str | None:
    try:
        return detect_format(path).name
    except IpsmapError:
        return None


def remember_recent(path: Path) -> None:
    settings = QSettings()
    recent = [p for p in _recent(settings) if p != str(path.resolve())]
    settings.setValue(RECENT_KEY, [str(path.resolve()), *recent][:RECENT_LIMIT])


def _recent(settings: QSettings) -> list[str]:
    value = settings.value(RECENT_KEY, [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


class FileActions:
    """The File menu: registers its actions and opens, copies, imports and exports."""

    def __init__(self, window: QMainWindow, hallway: Hallway, actions: ActionTable) -> None:
        self.window = window
        self.hallway = hallway
        actions.register_all(
            {
                "new-project": self.new_project,
                "open-project": self.open_project,
                "save-as": self.save_as,
                "import-map": self.import_map,
                "export-map": self.export_map,
                "check-personal-data": self.check_personal_data,
                "close-window": window.close,
            }
        )
        self._add_recent_menu(actions)
        hallway.project_changed.connect(self._project_opened)

    def _add_recent_menu(self, actions: ActionTable) -> None:
        file_menu = self.window.menuBar().findChild(QMenu, "menu-file")
        recent = QMenu("Open &recent", self.window)
        recent.setObjectName("menu-open-recent")
        recent.menuAction().setObjectName("action-menu-open-recent")
        recent.aboutToShow.connect(lambda: self.fill_recent_menu(recent))
        file_menu.insertMenu(actions["save-as"], recent)

    def _project_opened(self, project: Project | None) -> None:
        if project is not None:
            remember_recent(project.path)
            if project.read_only:
                why = f" ({project.read_only_reason})" if project.read_only_reason else ""
                self.hallway.say(f"{project.path.name} is open read-only{why}: nothing can change")

    def open(self, project: Project) -> None:
        """Open a project in this window, its first map shown."""
        self.hallway.open(project)

    def new_project(self, path: str | Path | None = None) -> None:
        """Create a project file, open it and ask for its first map (name, kind, site)."""
        from ipsmap.ui.dialogs.map_dialog import add_map_with_dialog

        project = new_project(self.window, path)
        if project is None:
            return
        # Opened first, so every panel already shows the new (empty) project behind the
        # dialog; cancelled, the canvas and inspector say how to add a map later.
        self.open(project)
        heading = (
            f"“{project.path.name}” is created. Its first map (you can add more with "
            "Map → New map…):"
        )
        if add_map_with_dialog(self.window, self.hallway, heading, name=project.title) is None:
            self.hallway.say("This project has no map yet: Map → New map… (Ctrl+Shift+N)")

    def open_project(self, path: str | Path | None = None) -> None:
        project = open_project(self.window, path)
        if project is not None:
            self.open(project)

    def open_dropped(self, paths: list[Path]) -> None:
        """Files dropped on the window: a project is opened, a map file imported."""
        for path in paths:
            if path.suffix.lower() == ".ipsmap":
                self.open_project(path)
            else:
                self.import_map(path)

    def check_personal_data(self) -> None:
        from ipsmap.ui.dialogs.privacy_dialog import check_personal_data

        check_personal_data(self.hallway.project, self.window)

    def save_as(self, path: str | Path | None = None) -> Path | None:
        project = self.hallway.project
        if project is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self.window, "Save a copy as", "", PROJECT_FILTER
            )
            if not chosen:
                return None
            path = chosen if chosen.endswith(".ipsmap") else chosen + ".ipsmap"
        try:
            target = project.save_as(path)
        except (IpsmapError, OSError) as exc:
            _error(self.window, "Cannot save a copy", exc)
            return None
        self.hallway.say(f"Saved a copy as {target}")
        return target

    def import_map(self, path: str | Path | None = None, confirm: bool = True) -> str | None:
        """Read a map file (any readable format), show what it holds, add it to the project.

        Returns the first new map's id when the import happened at once (small files).
        """
        project = self.hallway.project
        if project is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self.window, "Import map", "", _filters(readable_formats())
            )
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        result: list[str] = []

        def finish(maps: list[MapData]) -> None:
            if confirm:
                preview = ImportPreview(path, maps, self.window, _format_name(path))
                if preview.exec() != QDialog.DialogCode.Accepted:
                    return
                maps = preview.maps
            try:
                result.extend(project.import_map(data) for data in maps)
            except STORE_ERRORS as exc:
                # The project writes each map in one transaction: nothing half-imported.
                _error(self.window, "Cannot import the map", exc)
                return
            found = [w for data in maps for w in data.warnings]
            warnings = [w for w in found if not is_layout_note(w)]
            note = " and laid it out" if len(warnings) < len(found) else ""
            note += f" with {len(warnings)} warning(s)" if warnings else ""
            self.hallway.say(f"Imported {path.name}{note}")
            if result:
                self.hallway.show_map(result[0])

        def failed(message: str) -> None:
            _error(self.window, "Cannot import the map", IpsmapError(message))

        try:
            big = path.stat().st_size > BIG_FILE_BYTES
        except OSError:
            big = False
        if big:
            run_in_worker(
                self.window, f"Reading {path.name}…", lambda: read_for_import(path), finish, failed
            )
            return None
        try:
            maps = read_for_import(path)
        except IpsmapError as exc:
            _error(self.window, "Cannot import the map", exc)
            return None
        finish(maps)
        return result[0] if result else None

    def export_map(self, path: str | Path | None = None) -> Path | None:
        project, document = self.hallway.project, self.hallway.document
        if project is None or document is None:
            return None
        format_name = None  # from the file's suffix
        if path is None:
            # The full dialog: the map, a saved view or a snapshot, any format, anonymised.
            from ipsmap.ui.dialogs.export_dialog import export_with_dialog

            return export_with_dialog(self.hallway, self.window)
        try:
            # The evaluator context (provenance, CMOs, changes, voices) as the dialog and the
            # command line give it, for the live map or the snapshot being viewed.
            from ipsmap.export.context import build_context

            snapshot = self.hallway.snapshot
            if snapshot is not None:
                _, context = build_context(project, snapshot_id=snapshot.id)
            else:
                _, context = build_context(project, document.id)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                # The document's own project: a snapshot being viewed exports the snapshot.
                data = document.project.map_data(document.id)
                write_map(data, path, format_name, context=context, renderer=render)
        except (IpsmapError, OSError) as exc:
            _error(self.window, "Cannot export the map", exc)
            return None
        note = f" — note: {caught[0].message}" if caught else ""
        self.hallway.say(f"Exported “{document.info.name}” to {path}{note}")
        return Path(path)

    def fill_recent_menu(self, menu: QMenu) -> None:
        """Rebuilt each time the menu opens, so it always shows files that still exist."""
        menu.clear()
        paths = [p for p in _recent(QSettings()) if Path(p).exists()]
        if not paths:
            menu.addAction("No recent projects").setEnabled(False)
        for i, path in enumerate(paths):
            action = menu.addAction(Path(path).name, lambda p=path: self.open_project(p))
            action.setObjectName(f"action-open-recent-{i}")
            action.setToolTip(path)
