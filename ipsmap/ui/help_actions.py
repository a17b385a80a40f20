"""The Help menu: the keyboard shortcuts list (built from the action table) and About."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ipsmap.ui.actions import shortcut_table

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable


def install(parent: QWidget, actions: ActionTable) -> None:
    actions.register_all(
        {"shortcuts": lambda: show_shortcuts(parent), "about": lambda: show_about(parent)}
    )


def show_shortcuts(parent: QWidget) -> QDialog:
    """Every shortcut in a table that scrolls, never taller than the screen it is on."""
    rows = shortcut_table()
    dialog = QDialog(parent)
    dialog.setObjectName("shortcuts-dialog")
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(rows), 3, dialog)
    table.setObjectName("shortcuts-table")
    table.setHorizontalHeaderLabels(["Menu", "What", "Keys"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 2:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            table.setItem(row, column, item)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    # As tall as the list needs, but at most most of the screen: the rest scrolls.
    screen = (parent.screen() if parent else None) or QGuiApplication.primaryScreen()
    free = screen.availableGeometry()
    wanted = table.horizontalHeader().length() + table.verticalScrollBar().sizeHint().width() + 40
    height = table.verticalHeader().length() + table.horizontalHeader().height() + 90
    dialog.resize(min(wanted, int(free.width() * 0.9)), min(height, int(free.height() * 0.8)))
    dialog.open()
    return dialog


def show_about(parent: QWidget) -> QMessageBox:
    from ipsmap import __version__

    box = QMessageBox(parent)
    box.setObjectName("about-dialog")
    box.setWindowTitle("About ipsmap")
    box.setText(
        f"ipsmap {__version__}\n\nParticipatory systems maps and theories of change for "
        "coproduction workshops. Everything stays on this computer unless you export it."
    )
    box.open()
    return box
