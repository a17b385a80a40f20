"""The Live session panel: what a joining laptop needs (code, address, certificate, QR code),
who is connected, and the button that ends the session."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

QR_SIDE_PX = 280  # big enough to scan from a chair near the screen; whole pixels a module
FINGERPRINT_SHOWN = 16  # characters: enough to compare aloud with what a laptop shows


def spoken_code(code: str) -> str:
    """The join code as it is read aloud: two groups of four ("ABCD EFGH")."""
    return f"{code[:4]} {code[4:]}" if len(code) == 8 else code


def short_fingerprint(fingerprint: str) -> str:
    """The certificate fingerprint's first characters, in groups of four."""
    head = fingerprint[:FINGERPRINT_SHOWN].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4)) + " …"


def colour_swatch(colour: str, side: int) -> QIcon:
    """A square of ``colour`` with a dark frame (it shows on a light or a dark list)."""
    picture = QPixmap(side, side)
    picture.fill(QColor(0, 0, 0, 0))
    painter = QPainter(picture)
    painter.setPen(QColor("#000000"))
    painter.setBrush(QColor(colour))
    painter.drawRect(1, 1, side - 3, side - 3)
    painter.end()
    return QIcon(picture)


class LiveSessionPanel(QWidget):
    """Shows one hosted session; ``stop_requested`` when the facilitator ends it."""

    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("live-session-panel")
        self.heading = QLabel("Join code")
        self.code = QLabel()
        self.code.setObjectName("live-code")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(30)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address = QLabel()
        self.address.setObjectName("live-address")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("live-fingerprint")
        self.qr = QLabel()
        self.qr.setObjectName("live-qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.people_heading = QLabel("Connected: nobody yet")
        self.people = QListWidget()
        self.people.setObjectName("live-people")
        self._rows: list[tuple[str, str | None]] = []
        self.stop = QPushButton("Stop the session")
        self.stop.setObjectName("live-stop")
        self.stop.clicked.connect(self.stop_requested)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.code, self.address, self.fingerprint, self.qr):
            layout.addWidget(widget)
        layout.addWidget(self.people_heading)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.stop)

    def show_session(
        self, code: str, address: str, fingerprint: str, qr_png: bytes, maps: list[str]
    ) -> None:
        self.code.setText(spoken_code(code))
        self.address.setText(f"Address: {address}\nSharing: {', '.join(maps)}")
        self.fingerprint.setText(f"Certificate: {short_fingerprint(fingerprint)}")
        self.fingerprint.setToolTip(fingerprint)
        picture = QPixmap()
        picture.loadFromData(qr_png, "PNG")
        self.qr.setPixmap(picture)
        self.qr.setToolTip("Scan with a laptop's camera to join (code and certificate included)")
        self.stop.setEnabled(True)
        self.set_people([])

    def set_people(self, people: list[str]) -> None:
        """``people``: one line each ("Rowan — editor")."""
        if people == self.listed_people():
            return
        self._rows = [(line, None) for line in people]
        self.people.clear()
        self.people.addItems(people)
        self.people_heading.setText(
            f"Connected: {len(people)}" if people else "Connected: nobody yet"
        )

    def set_people_rows(self, rows: list[tuple[str, str | None]]) -> None:
        """``rows``: (line, colour or None) each; the colour as a swatch before the line."""
        if rows == self._rows:
            return
        self._rows = list(rows)
        self.people.clear()
        for text, colour in rows:
            item = QListWidgetItem(text)
            if colour:
                item.setIcon(colour_swatch(colour, self.people.fontMetrics().height()))
            self.people.addItem(item)
        self.people_heading.setText(f"Connected: {len(rows)}" if rows else "Connected: nobody yet")

    def listed_people(self) -> list[str]:
        return [self.people.item(row).text() for row in range(self.people.count())]

    def show_stopped(self) -> None:
        self.code.setText("—")
        self.address.setText("The session has ended: nobody can join or edit from elsewhere.")
        self.fingerprint.clear()
        self.qr.clear()
        self.set_people([])
        self.stop.setEnabled(False)
