"""The window fits the screen it opens on and comes back where it was; shortcuts scroll."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QTableWidget

from ipsmap.ui.actions import shortcut_table
from ipsmap.ui.main_window import MainWindow


def test_a_first_window_fits_its_screen_and_comes_back_at_its_last_size(qtbot, demo_project):
    # Qt reads the settings' folder once per process: forget what earlier windows saved.
    QSettings().remove("window/geometry")
    free = QGuiApplication.primaryScreen().availableGeometry()
    first = MainWindow(demo_project, is_demo=True)
    qtbot.addWidget(first)
    first.show()
    # Sized to the screen, not a fixed 1400 × 900: the docks scroll rather than push the
    # window past a small screen.
    assert first.minimumSizeHint().height() < 720
    assert first.width() == min(1400, free.width())
    assert first.height() == min(900, free.height())
    assert free.contains(first.geometry().topLeft())
    first.resize(min(700, free.width()), min(500, free.height()))
    size = first.size()
    first.close()

    again = MainWindow(None)
    qtbot.addWidget(again)
    again.show()
    assert again.size() == size
    again.close()


def test_the_shortcut_sheet_lists_every_shortcut_and_is_never_taller_than_the_screen(qtbot, window):
    window.actions_by_name["shortcuts"].trigger()
    dialog = window.findChild(QDialog, "shortcuts-dialog")
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget, "shortcuts-table")
    assert table.rowCount() == len(shortcut_table())
    keys = {table.item(r, 2).text() for r in range(table.rowCount())}
    assert "Ctrl+Z" in keys and "F5" in keys
    free = window.screen().availableGeometry()
    assert dialog.height() <= free.height()
    if table.verticalHeader().length() > table.viewport().height():
        assert table.verticalScrollBar().maximum() > 0  # the rest scrolls
    dialog.close()
