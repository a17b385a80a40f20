"""The Live session panel: what a joining laptop needs (code, address, certificate, QR code),
who is connected (each with a Remove button), the host's controls (a new code, the code on
the projector) and the button that ends the session."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
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


def colour_swatch(colour: str, side: int) -> QLabel:
    """A square of ``colour`` with a dark frame (it shows on a light or a dark list)."""
    picture = QPixmap(side, side)
    picture.fill(QColor(0, 0, 0, 0))
    painter = QPainter(picture)
    painter.setPen(QColor("#000000"))
    painter.setBrush(QColor(colour))
    painter.drawRect(1, 1, side - 3, side - 3)
    painter.end()
    swatch = QLabel()
    swatch.setObjectName("live-swatch")
    swatch.setProperty("colour", colour)
    swatch.setPixmap(picture)
    return swatch


class LiveSessionPanel(QWidget):
    """Shows one hosted session; ``stop_requested`` when the facilitator ends it."""

    stop_requested = Signal()
    remove_requested = Signal(str)  # a device id
    new_code_requested = Signal()
    projector_requested = Signal()

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
        # The phone page's address: a read-only field, not a line of the label above, so the
        # long key path scrolls inside it instead of widening the panel past the screen.
        self.phone_address = QLineEdit()
        self.phone_address.setObjectName("live-phone-address")
        self.phone_address.setReadOnly(True)
        self.phone_address.setAccessibleName("Phone page address")
        self.phone_address.setToolTip("What the phones' QR code holds: select it to copy it")
        self.phone_label = QLabel("Phones:")
        self.phone_label.setBuddy(self.phone_address)
        phones_row = QHBoxLayout()
        phones_row.setContentsMargins(0, 0, 0, 0)
        phones_row.addWidget(self.phone_label)
        phones_row.addWidget(self.phone_address, 1)
        self.phone_row = QWidget()
        self.phone_row.setLayout(phones_row)
        self.phone_row.hide()
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("live-fingerprint")
        self.qr = QLabel()
        self.qr.setObjectName("live-qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.people_heading = QLabel("Connected: nobody yet")
        self._rows: list[tuple[str, str, str | None]] = []
        self.people = QListWidget()
        self.people.setObjectName("live-people")
        self.notice = QLabel()
        self.notice.setObjectName("live-notice")
        self.notice.setWordWrap(True)
        self.new_code = QPushButton("New code")
        self.new_code.setObjectName("live-new-code")
        self.new_code.setToolTip(
            "New joins need the new code; laptops already connected stay, and removed "
            "devices may join again with it"
        )
        self.new_code.clicked.connect(self.new_code_requested)
        self.projector = QPushButton("Show on the projector")
        self.projector.setObjectName("live-projector-button")
        self.projector.setToolTip("The code and QR code full screen, nothing private (Esc closes)")
        self.projector.clicked.connect(self.projector_requested)
        controls = QHBoxLayout()
        controls.addWidget(self.new_code)
        controls.addWidget(self.projector)
        self.stop = QPushButton("Stop the session")
        self.stop.setObjectName("live-stop")
        self.stop.clicked.connect(self.stop_requested)
        layout = QVBoxLayout(self)
        for widget in (
            self.heading,
            self.code,
            self.address,
            self.phone_row,
            self.fingerprint,
            self.qr,
        ):
            layout.addWidget(widget)
        layout.addLayout(controls)
        layout.addWidget(self.people_heading)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.notice)
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
        for button in (self.stop, self.new_code, self.projector):
            button.setEnabled(True)
        self.notice.clear()
        self.set_people([])

    def show_phone_address(self, url: str) -> None:
        """The phone page's address under the laptops' (selectable, to read out or copy)."""
        self.phone_address.setText(url)
        self.phone_address.setCursorPosition(0)
        self.phone_row.show()

    def show_code(self, code: str, qr_png: bytes) -> None:
        """A new join code (after *New code*) and its QR code."""
        self.code.setText(spoken_code(code))
        picture = QPixmap()
        picture.loadFromData(qr_png, "PNG")
        self.qr.setPixmap(picture)

    def show_notice(self, line: str) -> None:
        """The latest thing the facilitator should know (removed, an address refused)."""
        self.notice.setText(line)

    def set_people(
        self,
        people: list[str],
        devices: list[str] | None = None,
        colours: list[str | None] | None = None,
    ) -> None:
        """``people``: one line each ("Rowan — editor"); ``devices``: their device ids, each
        row then has a Remove button; ``colours``: their presence colours, each row then
        starts with a swatch."""
        devices = devices if devices is not None else [""] * len(people)
        colours = colours if colours is not None else [None] * len(people)
        rows = list(zip(people, devices, colours, strict=True))
        if rows == self._rows:
            return
        self._rows = rows
        self.people.clear()
        for line, device, colour in self._rows:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, line)
            self.people.addItem(item)
            row = QWidget()
            row.setObjectName("live-person")
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(4, 0, 4, 0)
            if colour:
                row_layout.addWidget(colour_swatch(colour, self.fontMetrics().height()))
            row_layout.addWidget(QLabel(line), 1)
            if device:
                remove = QPushButton("Remove")
                remove.setObjectName("live-remove")
                remove.setProperty("device", device)
                remove.setToolTip(
                    "Disconnect this laptop; it cannot join again until you make a new code"
                )
                remove.clicked.connect(lambda _=False, d=device: self.remove_requested.emit(d))
                row_layout.addWidget(remove)
            item.setSizeHint(row.sizeHint())
            self.people.setItemWidget(item, row)
        self.people_heading.setText(
            f"Connected: {len(people)}" if people else "Connected: nobody yet"
        )

    def listed_people(self) -> list[str]:
        return [
            self.people.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.people.count())
        ]

    def remove_button(self, device: str) -> QPushButton | None:
        """The Remove button of ``device``'s row (None if it is not listed)."""
        for button in self.people.findChildren(QPushButton, "live-remove"):
            if button.property("device") == device:
                return button
        return None

    def show_stopped(self) -> None:
        self.code.setText("—")
        self.address.setText("The session has ended: nobody can join or edit from elsewhere.")
        self.fingerprint.clear()
        self.phone_row.hide()
        self.qr.clear()
        self.set_people([])
        for button in (self.stop, self.new_code, self.projector):
            button.setEnabled(False)
