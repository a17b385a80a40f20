"""A line in the middle of an empty canvas saying what to do next (no map, or no factor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from ipsmap.model.frozen import is_frozen

if TYPE_CHECKING:
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway


class EmptyCanvasHint(QLabel):
    """Over the view's viewport while there is nothing to see; clicks go through."""

    def __init__(self, hallway: Hallway, view: MapView) -> None:
        # A child of the view, not of its viewport: the viewport scrolls its children along
        # with the map, and this line stays put.
        super().__init__(view)
        self.setObjectName("empty-canvas-hint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("color: #555; font-size: 15pt; background: transparent;")
        self._hallway = hallway
        self._view = view
        hallway.project_changed.connect(lambda _project: self.refresh())
        hallway.document_changed.connect(lambda _document: self.refresh())
        hallway.model_changed.connect(lambda _change: self.refresh())
        view.viewport().installEventFilter(self)
        self.refresh()

    def text_for_now(self) -> str:
        hallway = self._hallway
        document = hallway.document
        if hallway.project is None:
            return ""
        if document is None:
            return (
                "This project has no map yet.\n"
                "Map → New map… (Ctrl+Shift+N) adds one: its name, kind and site."
            )
        if not document.factors and not is_frozen(document) and not hallway.project.read_only:
            return "An empty map. Double-click anywhere, or press N, and type a factor."
        return ""

    def refresh(self) -> None:
        text = self.text_for_now()
        self.setText(text)
        self.setVisible(bool(text))
        if text:
            self._place()

    def _place(self) -> None:
        # Above the middle: a factor typed with N opens its label field at the centre.
        area = self._view.viewport().geometry()
        width = max(min(560, area.width() - 40), 1)
        height = max(self.heightForWidth(width), 1)
        self.setGeometry(
            area.center().x() - width // 2, area.top() + area.height() // 5, width, height
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
