"""The join code on the projector: a full-screen window with the code in very large type
(read as two groups of four), the QR code at least 45 % of the screen's height (so a phone
or laptop camera reads it from the back of a room, see ipsmap/live/qr.py), and the address.
Nothing private is shown: no names, no maps, nobody's list. Esc closes it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent, QPixmap, QScreen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ipsmap.ui.live.session_panel import short_fingerprint, spoken_code

CODE_SHARE = 0.13  # the code's letters: an eighth of the screen's height, readable at 10 m
TEXT_SHARE = 0.035  # the address and the heading


def projector_screen(window: QWidget | None) -> QScreen:
    """The screen to show the code on: with two screens, the one the window is not on (the
    projector, when the laptop's own screen is extended onto it); else the window's."""
    screens = QGuiApplication.screens()
    own = window.screen() if window is not None else QGuiApplication.primaryScreen()
    others = [screen for screen in screens if screen is not own]
    return others[0] if others else own


class ProjectorWindow(QWidget):
    """The join code, QR code and address, as large as the screen allows."""

    def __init__(self, screen: QScreen) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("live-projector")
        self.setWindowTitle("Join the live session")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Dark on light whatever the theme: what projectors show best.
        self.setStyleSheet("QWidget#live-projector { background: white; } QLabel { color: black; }")
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        height = screen.geometry().height()
        self.heading = QLabel("Join code")
        self.code = QLabel()
        self.code.setObjectName("projector-code")
        self.address = QLabel()
        self.address.setObjectName("projector-address")
        self.hint = QLabel("Esc closes this window")
        self.qr = QLabel()
        self.qr.setObjectName("projector-qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Who the QR code is for: phones when the session takes them (most of a room has a
        # phone, not a laptop with ipsmap), else laptops.
        self.qr_caption = QLabel()
        self.qr_caption.setObjectName("projector-qr-caption")
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._size_text(height)
        # The text never widens the window past the screen (it would leave full screen).
        for label in (self.heading, self.code, self.address, self.hint):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.address.setWordWrap(True)
        text = QVBoxLayout()
        text.addStretch(1)
        for label in (self.heading, self.code, self.address):
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            text.addWidget(label)
        text.addStretch(1)
        text.addWidget(self.hint)
        layout = QHBoxLayout(self)
        margin = int(height * 0.04)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin)
        layout.addLayout(text, 1)
        scan = QVBoxLayout()
        scan.addStretch(1)
        scan.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignCenter)
        scan.addWidget(self.qr_caption)
        scan.addStretch(1)
        layout.addLayout(scan)

    def _size_text(self, height: int) -> None:
        big = QFont("monospace")
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setBold(True)
        big.setPixelSize(max(24, int(height * CODE_SHARE)))
        self.code.setFont(big)
        small = QFont()
        small.setPixelSize(max(12, int(height * TEXT_SHARE)))
        for label in (self.heading, self.address, self.qr_caption):
            label.setFont(small)
        hint = QFont()
        hint.setPixelSize(max(10, int(height * TEXT_SHARE * 0.5)))
        self.hint.setFont(hint)
        self.hint.setStyleSheet("color: #555555;")

    def show_code(
        self,
        code: str,
        address: str,
        fingerprint: str,
        join_url: str,
        phone_url: str | None = None,
    ) -> None:
        """Show (or update, after *New code*) what a laptop needs to join, and the QR code:
        the phone page's when the session takes phones (``phone_url``), else the laptops'."""
        from ipsmap.live.qr import make_qr, projector_module_px

        self.heading.setText("Laptops: join code" if phone_url else "Join code")
        self.code.setText(spoken_code(code).replace(" ", "\n"))
        self.address.setText(f"{address}\nCertificate: {short_fingerprint(fingerprint)}")
        self.qr_caption.setText(
            "Phones: scan to take part" if phone_url else "Laptops: scan to join"
        )
        qr = make_qr(phone_url or join_url)
        height = self.screen().geometry().height()
        picture = QPixmap()
        picture.loadFromData(qr.png(projector_module_px(height, qr)), "PNG")
        self.qr.setPixmap(picture)

    def open(self) -> None:
        self.showFullScreen()
        self.raise_()
        self.activateWindow()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)
