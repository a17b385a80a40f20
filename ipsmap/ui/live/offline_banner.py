"""A band across the top of the canvas: the joined window is offline (or was refused)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:
    from ipsmap.ui.canvas.view import MapView

BANNER_STYLE = (
    "background: #fff3c4; color: #3d2e00; border-bottom: 2px solid #c99a00;"
    " font-size: 12pt; padding: 8px 12px;"
)


class OfflineBanner(QLabel):
    """Over the top of the view's viewport while shown; the map stays usable below it."""

    def __init__(self, view: MapView) -> None:
        # A child of the view, not of its viewport, so it stays put while the map scrolls.
        super().__init__(view)
        self.setObjectName("live-offline-banner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(BANNER_STYLE)
        self.setAccessibleName("Live session status")
        self._view = view
        view.viewport().installEventFilter(self)
        self.hide()

    def show_text(self, text: str) -> None:
        self.setText(text)
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        area = self._view.viewport().geometry()
        width = max(area.width(), 1)
        self.setGeometry(area.left(), area.top(), width, max(self.heightForWidth(width), 1))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
