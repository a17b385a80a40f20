"""File → Export map as…: what to export (the map, a saved view, a snapshot), how, where.

The export context (snapshot provenance, CMOs, changes, voices) is gathered here in the UI
thread, because it reads the project; big maps (more than BIG_MAP factors) are then
written in a worker with a progress dialog that moves with the writer's real steps, into a
temporary folder whose files are moved into place only when the export completes. Cancel
stops the writer at its next step (``ExportContext.progress`` raises ExportCancelled) and
leaves nothing behind. Pictures (PNG, SVG) draw a Qt scene and are always made in the UI
thread.

Before anything leaves, the dialog runs the personal-data check on the map and says what
it found; with findings, Export asks once more (anonymise names people by group but does
not clean free text, so it asks then too).
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from ipsmap.export.all_formats import FORMATS, writable_formats, write_map
from ipsmap.export.context import build_context
from ipsmap.export.progress import ExportCancelled
from ipsmap.formats.errors import WriteError
from ipsmap.formats.target_files import check_target, os_error_problem
from ipsmap.model.errors import IpsmapError
from ipsmap.model.privacy import Finding, personal_data_check
from ipsmap.ui.canvas.image_export import render
from ipsmap.ui.file_actions import _error
from ipsmap.ui.worker import WorkerProgress, run_in_worker

if TYPE_CHECKING:
    from ipsmap.model.project import Project
    from ipsmap.ui.hallway import Hallway

# From this many factors an export runs in a worker with progress and Cancel.
BIG_MAP = 500
# Drawn with Qt: never off the UI thread.
QT_FORMATS = ("png", "svg")
# The evaluator exports first, then the interchange formats.
PREFERRED = ("pdf", "html", "xlsx", "csv", "png", "svg", "qdc", "bundle")
# The personal-data line: amber with findings, green without (dark enough to read).
AMBER = "#8a5200"
GREEN = "#1b5e20"


@dataclass(frozen=True)
class ExportChoice:
    """What the dialog was asked for."""

    source: str  # "map", "view" or "snapshot"
    name: str  # the view's name or the snapshot's id ("" for the map)
    format_name: str
    path: Path
    anonymise: bool


def _format_order() -> list[str]:
    names = writable_formats()
    return [n for n in PREFERRED if n in names] + [n for n in names if n not in PREFERRED]


class ExportDialog(QDialog):
    """Source (map / saved view / snapshot), format, anonymise, file."""

    def __init__(self, project: Project, map_id: str, parent: QWidget | None = None) -> None:
        from ipsmap.model.snapshots import list_snapshots

        super().__init__(parent)
        self.setObjectName("export-dialog")
        self.setWindowTitle("Export map")
        info = project.map_info(map_id)
        self.map_name = info.name
        # A bare file name goes beside the project, not into whatever folder ipsmap was
        # started from (a facilitator would never find it there).
        self.folder = project.path.resolve().parent
        form = QFormLayout(self)

        self.source = QComboBox()
        self.source.setObjectName("export-source")
        self.source.setAccessibleName("What to export")
        self.source.addItem(f"The map as it is now: {info.name}", ("map", ""))
        for view in info.attributes.get("views", []) or []:
            name = str(view.get("name", "")).strip() if isinstance(view, dict) else ""
            if name:
                self.source.addItem(f"Saved view: {name}", ("view", name))
        for snap in reversed(list_snapshots(project, map_id)):
            self.source.addItem(
                f"Snapshot: {snap.label} ({snap.taken_at[:10]})", ("snapshot", snap.id)
            )
        form.addRow("Export", self.source)

        self.format = QComboBox()
        self.format.setObjectName("export-format")
        self.format.setAccessibleName("Format")
        for name in _format_order():
            self.format.addItem(f"{FORMATS[name].label} ({FORMATS[name].suffixes[0]})", name)
        self.format.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format", self.format)

        self.anonymise = QCheckBox("Name people by stakeholder group only (anonymise)")
        self.anonymise.setObjectName("export-anonymise")
        form.addRow("", self.anonymise)

        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("export-path")
        self.path.setAccessibleName("File to write")
        browse = QPushButton("Choose…")
        browse.setObjectName("export-browse")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path)
        row.addWidget(browse)
        form.addRow("File", row)
        self.where = QLabel()
        self.where.setObjectName("export-where")
        self.where.setWordWrap(True)
        self.where.setStyleSheet("color: #555555")
        self.path.textChanged.connect(self._show_where)
        form.addRow("", self.where)

        self._add_privacy_row(project, map_id, form)

        self.problem = QLabel()
        self.problem.setObjectName("export-problem")
        self.problem.setStyleSheet("color: #b71c1c")
        self.problem.setWordWrap(True)
        form.addRow(self.problem)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._format_changed()

    def _add_privacy_row(self, project: Project, map_id: str, form: QFormLayout) -> None:
        """The check before it leaves: fields of this map (and the project's CMOs and
        session notes) that might name someone; participant notes are never exported."""
        self.project, self.map_id = project, map_id
        self.findings: list[Finding] = [
            f
            for f in personal_data_check(project, [map_id])
            if not (f.where.startswith("participant ") and f.field == "notes")
        ]
        self.confirmed = False
        self.review_dialog: QDialog | None = None
        row = QHBoxLayout()
        self.privacy = QLabel()
        self.privacy.setObjectName("export-privacy")
        self.privacy.setWordWrap(True)
        self.privacy.setToolTip(
            "Checked on the map as it is now, its CMOs and session notes. Exports name "
            "people by pseudonym (or group), but free text goes out as typed."
        )
        self.review = QPushButton("&Review…")
        self.review.setObjectName("export-privacy-review")
        self.review.setAccessibleName("Review the fields that might name someone")
        self.review.clicked.connect(self._review)
        count = len(self.findings)
        if count:
            fields = "field" if count == 1 else "fields"
            self.privacy.setText(f"\u26a0 {count} {fields} might name someone")
            self.privacy.setStyleSheet(f"color: {AMBER}")
        else:
            self.privacy.setText("\u2713 No personal names or contact details found")
            self.privacy.setStyleSheet(f"color: {GREEN}")
            self.review.setVisible(False)
        self.privacy.setAccessibleName(self.privacy.text()[2:])
        row.addWidget(self.privacy, 1)
        row.addWidget(self.review)
        form.addRow("Personal data", row)

    def _review(self) -> None:
        from ipsmap.ui.dialogs.privacy_dialog import PrivacyCheckDialog

        self.review_dialog = PrivacyCheckDialog(self.project, self, map_ids=[self.map_id])
        self.review_dialog.open()

    def _confirm_findings(self) -> bool:
        """Ask once whether to export although fields might name someone."""
        if not self.findings or self.confirmed:
            return True
        count = len(self.findings)
        fields = "field" if count == 1 else "fields"
        first = self.findings[0]
        answer = QMessageBox.question(
            self,
            "Export anyway?",
            f"{count} {fields} of this map might name someone or hold contact details "
            f"(for example {first.where}, {first.field}: \u201c{first.match}\u201d, "
            f"{first.reason}).\n\nFree text goes out as typed, also in an anonymised "
            "export. Export anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        self.confirmed = answer == QMessageBox.StandardButton.Yes
        if not self.confirmed:
            self.problem.setText("Not exported. Review… lists the fields to reword.")
        return self.confirmed

    def choice(self) -> ExportChoice:
        source, name = self.source.currentData()
        return ExportChoice(
            source,
            name,
            self.format.currentData(),
            self.target(),
            self.anonymise.isChecked(),
        )

    def target(self) -> Path:
        """The file to write, in full: a name without a folder is in the project's folder."""
        text = self.path.text().strip()
        if not text:
            return Path()
        return resolve_target(Path(text).expanduser(), self.folder)

    def _show_where(self) -> None:
        target = self.target()
        self.where.setText(f"Will be written to {target}" if target.name else "")

    def _suffix(self) -> str:
        return FORMATS[self.format.currentData()].suffixes[0]

    def _format_changed(self) -> None:
        text = self.path.text().strip()
        stem = Path(text).with_suffix("") if text else Path(_safe_name(self.map_name))
        self.path.setText(f"{stem}{self._suffix()}")

    def _browse(self) -> None:
        fmt = FORMATS[self.format.currentData()]
        patterns = " ".join(f"*{s}" for s in fmt.suffixes)
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export to", str(self.target()), f"{fmt.label} ({patterns})"
        )
        if chosen:
            if not chosen.lower().endswith(fmt.suffixes):
                chosen += self._suffix()
            self.path.setText(chosen)

    def _accept(self) -> None:
        path = self.choice().path
        if not str(path) or not path.name:
            self.problem.setText("Choose the file to write.")
            return
        if not path.parent.is_dir():
            self.problem.setText(f"The folder {path.parent} does not exist.")
            return
        if not self._confirm_findings():
            return
        self.accept()


def resolve_target(path: Path, folder: Path) -> Path:
    """``path`` as an absolute path; a relative one is taken inside ``folder``."""
    return path if path.is_absolute() else folder / path


def _safe_name(name: str) -> str:
    """A file name people can read: "Glasgow - families local system", not "Glasgow_ …"."""
    text = name.replace(":", " -").replace("/", " - ")
    text = "".join(c for c in text if c.isalnum() or c in " -_(),.&")
    return " ".join(text.split()).strip(" .-") or "map"


def export_with_dialog(hallway: Hallway, window: QWidget) -> Path | None:
    """Ask what to export, then export it (in a worker for big maps)."""
    project, document = hallway.project, hallway.document
    if project is None or document is None:
        return None
    dialog = ExportDialog(project, document.id, window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return run_export(hallway, window, dialog.choice())


def run_export(hallway: Hallway, window: QWidget, choice: ExportChoice) -> Path | None:
    """Export as ``choice`` says; the path when written at once, None in a worker or on error."""
    project, document = hallway.project, hallway.document
    if project is None or document is None:
        return None
    target = resolve_target(choice.path, project.path.resolve().parent)
    try:
        data, context = build_context(
            project,
            None if choice.source == "snapshot" else document.id,
            choice.name if choice.source == "snapshot" else None,
            choice.name if choice.source == "view" else None,
            anonymise=choice.anonymise,
        )
    except IpsmapError as exc:
        _error(window, "Cannot export the map", exc)
        return None
    try:
        check_target(target)
    except IpsmapError as exc:
        _error(window, "Cannot export the map", exc)
        return None
    what = f"“{data.info.name}”" + (
        f" (snapshot “{context.snapshot.label}”)" if context.snapshot else ""
    )

    def write(folder: Path) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            write_map(
                data,
                folder / target.name,
                choice.format_name,
                choice.anonymise,
                context,
                renderer=render,
            )
        return [str(w.message) for w in caught]

    if len(data.factors) <= BIG_MAP or choice.format_name in QT_FORMATS:
        try:
            notes = write(target.parent)
        except (IpsmapError, OSError) as exc:
            _error(window, "Cannot export the map", exc)
            return None
        note = f" — note: {notes[0]}" if notes else ""
        hallway.say(f"Exported {what} to {target}{note}")
        return target

    # Big map: write into a private folder in a worker; move into place when done.
    try:
        folder = Path(tempfile.mkdtemp(prefix=".ipsmap-export-", dir=target.parent))
    except OSError as exc:
        _error(window, "Cannot export the map", WriteError(target, os_error_problem(exc)))
        return None

    def done(notes: Any) -> None:
        try:
            for produced in sorted(folder.iterdir()):
                # The same refusal as a direct write: never replace a folder, link or device.
                destination = check_target(target.parent / produced.name)
                produced.replace(destination)
        except (IpsmapError, OSError) as exc:
            _error(window, "Cannot export the map", exc)
            return
        note = f" — note: {notes[0]}" if notes else ""
        hallway.say(f"Exported {what} to {target}{note}")

    def failed(message: str) -> None:
        _error(window, "Cannot export the map", IpsmapError(message))

    def compute(worker: WorkerProgress) -> list[str]:
        def progress(fraction: float, message: str) -> None:
            # Called by the writer at its natural points, in the worker thread.
            if worker.cancelled:
                raise ExportCancelled
            worker.report(fraction, message)

        context.progress = progress
        return write(folder)

    thread = run_in_worker(
        window,
        f"Exporting {what} ({len(data.factors)} factors)…",
        compute,
        done,
        failed,
        steps=True,
    )
    # Cancelled or not, the private folder goes once the worker has finished: a slot of
    # an object in the UI thread, so it runs (queued) after ``done`` has moved the files.
    cleanup = _RemoveFolder(folder, window)
    thread.finished.connect(cleanup.remove)
    return None


class _RemoveFolder(QObject):
    def __init__(self, folder: Path, parent: QObject) -> None:
        super().__init__(parent)
        self.folder = folder

    @Slot()
    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.deleteLater()
