"""Is a panel really on screen? (A dock behind another dock's tab still says isVisible.)

Panels whose refresh is costly compute only while seen and catch up when shown.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def on_screen(widget: QWidget) -> bool:
    """True when some of ``widget`` can be seen: shown, and not behind another dock tab."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class RefreshWhenShown:
    """Mixin (before QWidget) for a panel whose ``refresh`` is too costly for every edit.

    ``refresh`` starts with ``if self.deferred_while_hidden(): return``; the panel then
    catches up when it is shown, or when its dock's tab comes to the front
    (``refresh_if_stale``, connected to the dock's visibilityChanged).
    """

    _stale = False

    def deferred_while_hidden(self) -> bool:
        self._stale = not on_screen(self)  # type: ignore[arg-type]
        return self._stale

    def showEvent(self, event) -> None:
        super().showEvent(event)  # type: ignore[misc]
        self.refresh_if_stale()

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()  # type: ignore[attr-defined]
