"""The phone page's QR code in a corner of the map while presenting a hosted session.

In presentation mode the map fills the projector and the Live session panel is hidden, so a
parent who arrives late has nothing to scan. This card sits in the top-right corner of the
canvas (the key is in the strip below), on white whatever the theme (a camera reads dark on
light best), with "Scan to take part" and the short address for a phone that cannot scan.
It shows only while presenting a session that takes phones. It is drawn over the map, not
beside it: keeping a column clear for it shrank a fitted map's labels to half their size
(tried), so instead one click hides it until presentation mode starts again, once the room
has joined.
Nothing private is on it: the address holds the phone key, not the laptops' join code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QMouseEvent, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ipsmap.ui.canvas.view import MapView

# The code's side against the canvas's height: read by a phone from the middle of a room
# (a quarter of a 3 m projection is 75 cm; phones read 2 cm modules at several metres)
# while leaving most of the map in view.
QR_SHARE = 0.26
MARGIN_SHARE = 0.02
CARD_STYLE = (
    "QFrame#presenting-phone-qr { background: white; border: 3px solid #1a1a1a;"
    " border-radius: 6px; } QLabel { color: black; background: white; border: none; }"
)


class PresentingPhoneQr(QFrame):
    """Over the view's top-right corner while presentation mode is on and phones may join."""

    def __init__(self, view: MapView, presentation: QAction, phone_url: str) -> None:
        # A child of the view, not of its viewport, so it stays put while the map pans.
        super().__init__(view)
        self.setObjectName("presenting-phone-qr")
        self.setStyleSheet(CARD_STYLE)
        self.setToolTip("Click to hide the QR code until presentation mode starts again")
        self.setAccessibleName("Phones: scan to take part")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._view = view
        self._presentation = presentation
        self.phone_url = phone_url
        self.qr = QLabel()
        self.qr.setObjectName("presenting-phone-qr-code")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel("Phones: scan to take part")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.address = QLabel(_short_address(phone_url))
        self.address.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.qr)
        layout.addWidget(self.address)
        self._hidden_by_click = False
        self._side = 0
        view.viewport().installEventFilter(self)
        presentation.toggled.connect(self._presentation_toggled)
        self.hide()
        self._presentation_toggled(presentation.isChecked())

    def close_card(self) -> None:
        """The session ended: the card goes for good."""
        self._presentation.toggled.disconnect(self._presentation_toggled)
        self._view.viewport().removeEventFilter(self)
        self.hide()
        self.deleteLater()

    def _presentation_toggled(self, on: bool) -> None:
        if on:
            self._hidden_by_click = False
        self._update()

    def _update(self) -> None:
        if self._presentation.isChecked() and not self._hidden_by_click:
            self._place()
            self.show()
            self.raise_()
        else:
            self.hide()

    def _place(self) -> None:
        area = self._view.viewport().geometry()
        side = max(120, int(area.height() * QR_SHARE))
        if side != self._side:
            self._draw(side)
        self.adjustSize()
        margin = int(area.height() * MARGIN_SHARE)
        self.move(area.right() - self.width() - margin, area.top() + margin)

    def _draw(self, side: int) -> None:
        from ipsmap.live.qr import make_qr

        self._side = side
        qr = make_qr(self.phone_url)
        picture = QPixmap()
        # At least ``side`` (rounded up to whole pixels a module, so never blurred).
        picture.loadFromData(qr.png(-(-side // qr.size)), "PNG")
        self.qr.setPixmap(picture)
        text = QFont()
        text.setPixelSize(max(14, side // 11))
        text.setBold(True)
        self.caption.setFont(text)
        small = QFont()
        small.setPixelSize(max(12, side // 16))
        self.address.setFont(small)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._hidden_by_click = True
            self._update()
            event.accept()
            return
        super().mousePressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


def _short_address(url: str) -> str:
    """What a phone types if it cannot scan: the address without ``https://``, on two
    lines (host and port, then the key path: the page is refused without the key)."""
    rest = url.removeprefix("https://")
    host, slash, path = rest.partition("/")
    return f"{host}\n{slash}{path}" if path else rest
