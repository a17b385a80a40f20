"""The dialog that joins a live session: which session, then who are you.

Page one: the sessions heard on this network (live while the dialog is open), a pasted
join address (``ipsmap-live://…?code=…&fp=…``), or an address and code typed in. When the
certificate's fingerprint did not come with the facilitator's join address, its first 16
characters are shown, grouped, to compare with the host's Live session panel before
anything is sent. Page two: the host's list of people (its lobby), or "I'm new here".

The network work (the fingerprint, the lobby) is done by the ``backend`` the joining
controller passes in, on the window's loop; this module imports no live library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ipsmap.ui.live.session_panel import short_fingerprint

DEFAULT_PORT = 8765
VIEWER = "viewer"  # as live/lobby.py's VIEWER_PARTICIPANT (not imported: no live library here)


@dataclass(frozen=True)
class Where:
    address: str  # wss://host:port
    code: str
    fingerprint: str | None  # None: fetch it from the host and have it compared
    trusted: bool  # the fingerprint came with the facilitator's join address


@dataclass(frozen=True)
class JoinChoice:
    """What the dialog settled: the session, and who joins it."""

    address: str
    code: str
    fingerprint: str
    title: str
    participant: str
    name: str
    # Joined with a viewer code: the window shows the maps but offers no editing.
    viewer: bool = False


class JoinBackend(Protocol):
    """The network side, run on the window's loop; each call ends in one callback."""

    def fingerprint(
        self, address: str, done: Callable[[str], None], failed: Callable[[str], None]
    ) -> None: ...

    def lobby(
        self,
        where: Where,
        fingerprint: str,
        add: dict[str, Any] | None,
        done: Callable[[Any, str | None], None],
        failed: Callable[[str], None],
    ) -> None: ...


class JoinDialog(QDialog):
    def __init__(self, backend: JoinBackend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("join-dialog")
        self.setWindowTitle("Join a live session")
        self.backend = backend
        self.chosen: JoinChoice | None = None
        self._where: Where | None = None
        self._fingerprint: str | None = None
        self._lobby: Any = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._where_page())
        self.pages.addWidget(self._who_page())
        self.problem = QLabel()
        self.problem.setObjectName("join-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a40000;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.next = self.buttons.addButton("Next", QDialogButtonBox.ButtonRole.ActionRole)
        self.next.setObjectName("join-next")
        self.next.clicked.connect(self.go_next)
        self.join = self.buttons.addButton("Join", QDialogButtonBox.ButtonRole.ActionRole)
        self.join.setObjectName("join-join")
        self.join.clicked.connect(self.join_now)
        self.join.hide()
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(560, 520)

    # -- page one: which session ----------------------------------------------------------

    def _where_page(self) -> QWidget:
        page = QWidget()
        self.found = QListWidget()
        self.found.setObjectName("join-found")
        self.found.setAccessibleName("Sessions on this network")
        self.found.itemSelectionChanged.connect(self._forget_fingerprint)
        self.paste = QLineEdit()
        self.paste.setObjectName("join-paste")
        self.paste.setPlaceholderText("ipsmap-live://192.168.1.20:8765/?code=…&fp=…")
        self.address = QLineEdit()
        self.address.setObjectName("join-address")
        self.address.setPlaceholderText("192.168.1.20:8765")
        self.code = QLineEdit()
        self.code.setObjectName("join-code")
        self.code.setPlaceholderText("KX7M R4PT")
        for field in (self.paste, self.address):
            field.textEdited.connect(lambda _text: self._forget_fingerprint())
        self.compare = QLabel()
        self.compare.setObjectName("join-compare")
        self.compare.setWordWrap(True)
        self.compare.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.certificate = QLabel()
        self.certificate.setObjectName("join-certificate")
        self.certificate.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(QFont().family())
        big.setPointSize(18)
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setFamily("monospace")
        self.certificate.setFont(big)
        self.certificate.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.certificate.hide()
        self.matches = QCheckBox("They are the same")
        self.matches.setObjectName("join-matches")
        self.compare.hide()
        self.matches.hide()
        intro = QLabel(
            "Join a session the facilitator is hosting on this network: pick it below and type "
            "the code, paste the join address they gave you, or type their address and code."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Sessions found:", self.found)
        form.addRow("Join address:", self.paste)
        form.addRow("Or the address:", self.address)
        form.addRow("Join code:", self.code)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.compare)
        layout.addWidget(self.certificate)
        layout.addWidget(self.matches)
        return page

    def session_found(self, label: str, address: str, port: int, fingerprint: str) -> None:
        """Add (or update) a session heard on the network."""
        key = (address, port)
        for row in range(self.found.count()):
            item = self.found.item(row)
            if item.data(Qt.ItemDataRole.UserRole)[:2] == key:
                item.setText(label)
                item.setData(Qt.ItemDataRole.UserRole, (address, port, fingerprint))
                return
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, (address, port, fingerprint))
        self.found.addItem(item)

    def session_lost(self, address: str, port: int) -> None:
        for row in reversed(range(self.found.count())):
            if self.found.item(row).data(Qt.ItemDataRole.UserRole)[:2] == (address, port):
                self.found.takeItem(row)

    def where(self) -> Where:
        """The session the first page names (ValueError: one line saying what is wrong)."""
        from ipsmap.live.qr import QrError, parse_laptop_join_url
        from ipsmap.live.security import SecurityError, normalise_code

        pasted = self.paste.text().strip()
        if pasted:
            try:
                parsed = parse_laptop_join_url(pasted)
            except QrError as exc:
                raise ValueError(str(exc)) from None
            host = f"[{parsed.address}]" if ":" in parsed.address else parsed.address
            address, code = f"wss://{host}:{parsed.port}", parsed.code
            fingerprint, trusted = parsed.fingerprint, parsed.fingerprint is not None
        else:
            selected = self.found.selectedItems()
            typed = self.address.text().strip().removeprefix("wss://").rstrip("/")
            if typed:
                host, _, port = typed.rpartition(":") if ":" in typed else (typed, "", "")
                if not port.isdigit() or not 0 < int(port) < 65536:
                    host, port = typed, str(DEFAULT_PORT)
                address, fingerprint = f"wss://{host}:{port}", None
            elif selected:
                ip, port_number, fingerprint = selected[0].data(Qt.ItemDataRole.UserRole)
                host = f"[{ip}]" if ":" in ip else ip
                address = f"wss://{host}:{port_number}"
            else:
                raise ValueError("Pick a session, paste a join address or type an address")
            code, trusted = self.code.text(), False
        try:
            code = normalise_code(code)
        except SecurityError as exc:
            raise ValueError(f"The join code: {exc}") from None
        return Where(address, code, fingerprint, trusted)

    def _forget_fingerprint(self) -> None:
        self._fingerprint = None
        self.compare.hide()
        self.certificate.hide()
        self.matches.hide()
        self.matches.setChecked(False)

    def go_next(self) -> None:
        """Check the first page; compare the fingerprint if need be; visit the lobby."""
        try:
            where = self.where()
        except ValueError as exc:
            self.say(str(exc))
            return
        self._where = where
        if where.trusted:
            self._fingerprint = where.fingerprint
        elif self._fingerprint is None:
            self._busy("Asking the host for its certificate…")
            if where.fingerprint is not None:
                self._ask_to_compare(where.fingerprint)
            else:
                self.backend.fingerprint(where.address, self._ask_to_compare, self.say)
            return
        elif not self.matches.isChecked():
            self.say("Compare the characters above with the host's Live session panel first")
            return
        self._busy("Asking the host who is here…")
        assert self._fingerprint is not None
        self.backend.lobby(where, self._fingerprint, None, self._show_people, self.say)

    def _ask_to_compare(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint
        self.compare.setText(
            "Before joining, check this is really the facilitator's session: compare these "
            "characters with the “Certificate:” line of their Live session panel."
        )
        self.certificate.setText(short_fingerprint(fingerprint))
        self.certificate.show()
        self.compare.show()
        self.matches.show()
        self.say("")

    # -- page two: who are you -------------------------------------------------------------

    def _who_page(self) -> QWidget:
        page = QWidget()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.people = QListWidget()
        self.people.setObjectName("join-people")
        self.people.setAccessibleName("Who are you?")
        self.new_person = QCheckBox("I'm new here: add me to the list")
        self.new_person.setObjectName("join-new")
        self.pseudonym = QLineEdit()
        self.pseudonym.setObjectName("join-pseudonym")
        self.pseudonym.setPlaceholderText("a made-up name, not your real one")
        self.group = QComboBox()
        self.group.setObjectName("join-group")
        self.site = QComboBox()
        self.site.setObjectName("join-site")
        self.site.setEditable(True)
        self.consent = QCheckBox(
            "Show this name on the map and in what is exported from it "
            "(if not, you appear as your group, for example “Parent/carer 2”)"
        )
        self.consent.setObjectName("join-consent")
        self.new_fields = QWidget()
        form = QFormLayout(self.new_fields)
        form.addRow("Pseudonym:", self.pseudonym)
        form.addRow("I am a:", self.group)
        form.addRow("Site:", self.site)
        form.addRow(self.consent)
        self.new_fields.setEnabled(False)
        self.new_person.toggled.connect(self.new_fields.setEnabled)
        self.new_person.toggled.connect(lambda on: self.people.setEnabled(not on))
        layout = QVBoxLayout(page)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("Who are you?"))
        layout.addWidget(self.people)
        layout.addWidget(self.new_person)
        layout.addWidget(self.new_fields)
        return page

    def _show_people(self, lobby: Any, _added: str | None) -> None:
        self._lobby = lobby
        self.say("")
        self.heading.setText(f"Joining “{lobby.title}”.")
        labels = dict(lobby.groups)
        self.people.clear()
        for person in lobby.people:
            item = QListWidgetItem(f"{person.name} — {labels.get(person.group, person.group)}")
            item.setData(Qt.ItemDataRole.UserRole, (person.id, person.name))
            self.people.addItem(item)
        if not lobby.can_add:
            # A viewer code: someone just watching need not be on the list.
            item = QListWidgetItem("Just watching (a viewer)")
            item.setData(Qt.ItemDataRole.UserRole, (VIEWER, "Viewer"))
            self.people.insertItem(0, item)
        self.group.clear()
        for group, label in lobby.groups:
            if group != "facilitator":
                self.group.addItem(label, group)
        self.site.clear()
        self.site.addItems(lobby.sites)
        self.new_person.setVisible(lobby.can_add)
        self.new_fields.setVisible(lobby.can_add)
        self.pages.setCurrentIndex(1)
        self.next.hide()
        self.join.show()
        self.join.setEnabled(True)

    def join_now(self) -> None:
        where, lobby, fingerprint = self._where, self._lobby, self._fingerprint
        assert where is not None and lobby is not None and fingerprint is not None
        if self.new_person.isChecked():
            pseudonym = self.pseudonym.text().strip()
            if not pseudonym:
                self.say("Type a pseudonym (a made-up name) to be added")
                return
            add = {
                "pseudonym": pseudonym,
                "group": self.group.currentData(),
                "site": self.site.currentText().strip(),
                "consent": self.consent.isChecked(),
            }
            self._busy("Asking the host to add you…")

            def added(_lobby: Any, person: str | None) -> None:
                assert person is not None
                self._accept(person, pseudonym if add["consent"] else "")

            self.backend.lobby(where, fingerprint, add, added, self.say)
            return
        selected = self.people.selectedItems()
        if not selected:
            self.say("Pick your name in the list, or tick “I'm new here”")
            return
        person, name = selected[0].data(Qt.ItemDataRole.UserRole)
        self._accept(person, name)

    def _accept(self, person: str, name: str) -> None:
        where, fingerprint = self._where, self._fingerprint
        assert where is not None and fingerprint is not None
        self.chosen = JoinChoice(
            where.address,
            where.code,
            fingerprint,
            self._lobby.title,
            person,
            name,
            viewer=not self._lobby.can_add,
        )
        self.accept()

    # -- messages ------------------------------------------------------------------------

    def _busy(self, text: str) -> None:
        self.problem.setStyleSheet("color: #444;")
        self.problem.setText(text)
        self.next.setEnabled(False)
        self.join.setEnabled(False)

    def say(self, text: str) -> None:
        """One line under the pages (a problem, or nothing); the buttons work again."""
        self.problem.setStyleSheet("color: #a40000;")
        self.problem.setText(text)
        self.next.setEnabled(True)
        self.join.setEnabled(True)
