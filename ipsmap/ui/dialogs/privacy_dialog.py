"""File → Check for personal data: review text that might name someone before exporting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.privacy import Finding, personal_data_check

if TYPE_CHECKING:
    from ipsmap.model.project import Project

COLUMNS = ("Where", "Field", "What looks personal", "Why", "Text")


class PrivacyCheckDialog(QDialog):
    """A table of every exported field that might hold a personal name or contact detail."""

    def __init__(self, project: Project, parent=None, map_ids: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("privacy-check")
        self.setWindowTitle("Check for personal data")
        self.resize(900, 480)
        # map_ids: only these maps (with the project's CMOs and sessions); None: every map.
        self.findings: list[Finding] = personal_data_check(project, map_ids)
        layout = QVBoxLayout(self)
        summary = QLabel(self._summary())
        summary.setObjectName("privacy-summary")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.table = QTableWidget(len(self.findings), len(COLUMNS), self)
        self.table.setObjectName("privacy-findings")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, finding in enumerate(self.findings):
            for column, text in enumerate(
                (finding.where, finding.field, finding.match, finding.reason, finding.text)
            ):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.WindowModal)

    def _summary(self) -> str:
        if not self.findings:
            return (
                "Nothing in this project's maps, CMOs or session notes looks like a personal "
                "name or contact detail. Exports name people by pseudonym only (or by their "
                "group, where they did not agree to be credited)."
            )
        return (
            f"{len(self.findings)} fields might hold a personal name or contact detail. "
            "Exports name people by pseudonym only, but free text goes out as typed: "
            "read each one and reword it in the map before exporting if it identifies "
            "someone. (A match is a prompt to look, not a verdict.)"
        )


def check_personal_data(project: Project | None, parent: QWidget) -> PrivacyCheckDialog | None:
    """Show the check for the open project (returns the dialog, for tests)."""
    if project is None:
        return None
    dialog = PrivacyCheckDialog(project, parent)
    dialog.open()
    return dialog
