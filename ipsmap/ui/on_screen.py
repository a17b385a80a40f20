"""Is a panel really on screen? (A dock behind another dock's tab still says isVisible.)"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """True when some of ``widget`` can be seen: shown, and not behind another dock tab."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
