"""The Help menu: the keyboard shortcuts list (built from the action table) and About."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ipsmap.ui.actions import shortcut_table

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable


def install(parent: QWidget, actions: ActionTable) -> None:
    actions.register_all(
        {"shortcuts": lambda: show_shortcuts(parent), "about": lambda: show_about(parent)}
    )


def show_shortcuts(parent: QWidget) -> QMessageBox:
    rows = "".join(
        f"<tr><td>{menu}</td><td>{what}</td><td><b>{keys}</b></td></tr>"
        for menu, what, keys in shortcut_table()
    )
    box = QMessageBox(parent)
    box.setObjectName("shortcuts-dialog")
    box.setWindowTitle("Keyboard shortcuts")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<table cellpadding='3'>{rows}</table>")
    box.open()
    return box


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
