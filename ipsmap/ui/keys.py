"""Keyboard helpers shared by the panels."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QKeySequence


def claim_delete_key(event: QEvent) -> bool:
    """Take the Delete key for the focused list or table (accepting its ShortcutOverride).

    The window's Delete action deletes the canvas selection; a panel that deletes its own
    rows calls this from ``event()`` so the key reaches its ``keyPressEvent`` instead.
    """
    if event.type() == QEvent.Type.ShortcutOverride and event.matches(  # type: ignore[attr-defined]
        QKeySequence.StandardKey.Delete
    ):
        event.accept()
        return True
    return False
