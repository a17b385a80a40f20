"""Help → About: the version, build and file format, and the bundled parts' licences."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QTextBrowser

from ipsmap import __version__
from ipsmap.model.schema import SCHEMA_VERSION


def test_about_shows_version_build_schema_and_licences(qtbot, window) -> None:
    window.actions_by_name["about"].trigger()
    dialog = window.findChild(QDialog, "about-dialog")
    assert dialog is not None and dialog.isVisible()
    head = dialog.findChild(QLabel, "about-version").text()
    assert f"ipsmap {__version__}" in head
    assert "build: source" in head  # run from the checkout, not a built app
    assert f"project file format (schema): {SCHEMA_VERSION}" in head
    text = dialog.findChild(QTextBrowser, "about-licences").toPlainText()
    assert "PySide6-Essentials" in text and "LGPL-3.0-only" in text
    assert "https://download.qt.io/official_releases/" in text
    assert "https://code.qt.io/" in text
    for name in ("networkx", "pandas", "reportlab", "pyvis", "vis-network"):
        assert name in text
    dialog.close()
