"""The Help menu: the keyboard shortcuts list (built from the action table) and About."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
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


def show_about(parent: QWidget) -> QDialog:
    """The version, build and file format, and the licences of the parts the app carries."""
    from ipsmap.build_info import version_lines
    from ipsmap.licences import bundled_parts

    dialog = QDialog(parent)
    dialog.setObjectName("about-dialog")
    dialog.setWindowTitle("About ipsmap")
    version, *details = version_lines()
    head = QLabel(
        f"<h2>{escape(version)}</h2><p>{'<br>'.join(escape(line) for line in details)}</p>"
        "<p>Participatory systems maps and theories of change for coproduction workshops. "
        "Everything stays on this computer unless you export it or host a live session.</p>",
        dialog,
    )
    head.setObjectName("about-version")
    head.setWordWrap(True)
    licences = QTextBrowser(dialog)
    licences.setObjectName("about-licences")
    licences.setOpenExternalLinks(False)  # the addresses are to read, nothing is fetched
    rows = []
    for part in bundled_parts():
        notice = f"<br><i>{escape(part.notice)}</i>" if part.notice else ""
        rows.append(
            f"<p><b>{escape(part.name)}</b> ({escape(part.what)}): "
            f"{escape(part.licence)}. Source: {escape(part.source)}{notice}</p>"
        )
    licences.setHtml("<h3>Parts of this app and their licences</h3>" + "".join(rows))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(head)
    layout.addWidget(licences, 1)
    layout.addWidget(buttons)
    dialog.resize(640, 560)
    dialog.open()
    return dialog
