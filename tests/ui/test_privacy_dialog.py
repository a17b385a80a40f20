"""File → Check for personal data lists suspicious text from the real project."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ipsmap.model.commands import AddFactor
from ipsmap.ui.dialogs.privacy_dialog import PrivacyCheckDialog


def test_check_lists_a_typed_phone_number(qtbot, window):
    window.document.execute(AddFactor("Crisis line", notes="ring 07700 900123"))
    window.actions_by_name["check-personal-data"].trigger()
    dialog = window.findChild(PrivacyCheckDialog, "privacy-check")
    assert dialog is not None and dialog.isVisible()
    rows = [
        [dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
        for r in range(dialog.table.rowCount())
    ]
    assert any("'Crisis line'" in row[0] and row[3] == "looks like a phone number" for row in rows)
    assert "might hold" in dialog.findChild(QLabel, "privacy-summary").text()
    dialog.close()
