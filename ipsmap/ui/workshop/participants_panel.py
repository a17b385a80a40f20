"""The Participants panel: who takes part (by pseudonym) and the workshop sessions.

Every edit goes through a project command, so it is undoable and in the audit log. People
cannot be deleted: what they contributed stays credited to them (or to their group).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.entities import GROUP_LABELS, STAKEHOLDER_GROUPS, Participant
from ipsmap.model.errors import IpsmapError
from ipsmap.model.forget import REMOVED_TEXT, backups_beside, forget_participant, remove_backups
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant, EditParticipant
from ipsmap.model.record_commands import DeleteSession
from ipsmap.ui.workshop.sessions_dialog import SessionDialog

CONSENT_TEXT = "Agrees to be credited under this pseudonym"
CONSENT_HELP = (
    "If ticked, their pseudonym appears beside what they add, in the app and in exports. "
    "If not, they are kept only as their group (for example “Parent/carer 2”) and any "
    "notes about them are removed."
)
FORGET_TEXT = "Also forget them everywhere (cannot be undone)"
FORGET_HELP = (
    "Rewrites the whole file, history and snapshots included: every former pseudonym "
    "becomes their group alias and what they wrote (notes, rationales, evidence) becomes "
    f"“{REMOVED_TEXT}”. Snapshots get a new fingerprint (the old one is kept). For someone "
    "who asks to be removed from the record."
)
PARTICIPANT_COLUMNS = ("Pseudonym", "Group", "Site", "Credited by name", "Notes")
PSEUDONYM_TIP = "A made-up name for this person, used everywhere in the map instead of their own"
SESSION_COLUMNS = ("Date", "Title", "Site", "Facilitator", "Attended")


class ParticipantEditor(QDialog):
    """Add or edit one participant: pseudonym, group, site, consent, notes."""

    def __init__(self, project: Project, person: Participant | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.person = person
        self.setObjectName("participant-editor")
        self.setWindowTitle("Edit participant" if person else "Add participant")
        form = QFormLayout(self)
        warning = QLabel("Use a pseudonym, never a real name: maps hold sensitive material.")
        warning.setWordWrap(True)
        form.addRow(warning)
        self.pseudonym = QLineEdit(person.pseudonym if person else "")
        self.pseudonym.setObjectName("editor-pseudonym")
        self.pseudonym.setAccessibleName("Pseudonym")
        self.pseudonym.setToolTip(PSEUDONYM_TIP)
        self.group = QComboBox()
        self.group.setObjectName("editor-group")
        self.group.setAccessibleName("Group")
        self.group.setToolTip(
            "Which group they are part of: a parent or carer, a practitioner (someone who works "
            "with families), a community member, a researcher or the facilitator"
        )
        for group in STAKEHOLDER_GROUPS:
            self.group.addItem(GROUP_LABELS[group], group)
        if person:
            self.group.setCurrentIndex(self.group.findData(person.stakeholder_group))
        self.site = QLineEdit(person.site if person else "")
        self.site.setObjectName("editor-site")
        self.site.setAccessibleName("Site")
        self.site.setToolTip("Where they take part, e.g. Glasgow or Lambeth")
        self.consent = QCheckBox(CONSENT_TEXT)
        self.consent.setObjectName("editor-consent")
        self.consent.setChecked(person.consent if person else True)
        self.consent.setToolTip(CONSENT_HELP)
        help_label = QLabel(CONSENT_HELP)
        help_label.setWordWrap(True)
        help_label.setStyleSheet("color: palette(dark)")
        # Offered when consent is withdrawn: withdrawing renames them from now on, forgetting
        # also rewrites what the file kept from before.
        self.forget = QCheckBox(FORGET_TEXT)
        self.forget.setObjectName("editor-forget")
        self.forget.setToolTip(FORGET_HELP)
        self.backups = backups_beside(project.path) if person else []
        self.remove_backups = QCheckBox(
            f"Also delete the {len(self.backups)} backup cop"
            f"{'y' if len(self.backups) == 1 else 'ies'} beside the project "
            "(taken before upgrades; they still hold the old text)"
        )
        self.remove_backups.setObjectName("editor-forget-backups")
        self.remove_backups.setToolTip("\n".join(str(p) for p in self.backups))
        self.consent.toggled.connect(lambda _on: self._offer_forgetting())
        self.forget.toggled.connect(lambda _on: self._offer_forgetting())
        # What happened, for the status bar once the dialog closes.
        self.outcome = ""
        self.notes = QPlainTextEdit(person.notes if person else "")
        self.notes.setObjectName("editor-notes")
        self.notes.setAccessibleName("Notes (optional)")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(70)
        form.addRow("&Pseudonym", self.pseudonym)
        form.addRow("&Group", self.group)
        form.addRow("&Site", self.site)
        form.addRow(self.consent)
        form.addRow(help_label)
        form.addRow(self.forget)
        form.addRow(self.remove_backups)
        self._offer_forgetting()
        form.addRow("&Notes", self.notes)
        self.error = QLabel()
        self.error.setObjectName("editor-error")
        self.error.setStyleSheet("color: #b71c1c; font-weight: bold")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _offer_forgetting(self) -> None:
        offered = self.person is not None and not self.consent.isChecked()
        self.forget.setVisible(offered)
        if not offered:
            self.forget.setChecked(False)
        self.remove_backups.setVisible(bool(self.backups) and self.forget.isChecked())

    def values(self) -> dict:
        return {
            "pseudonym": self.pseudonym.text().strip(),
            "stakeholder_group": self.group.currentData(),
            "site": self.site.text().strip(),
            "consent": self.consent.isChecked(),
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> None:
        values = self.values()
        try:
            if self.person is None:
                command = AddParticipant(
                    values["pseudonym"],
                    values["stakeholder_group"],
                    values["site"],
                    values["consent"],
                    values["notes"],
                )
                self.project.execute(command)
            else:
                changes = {k: v for k, v in values.items() if getattr(self.person, k) != v}
                if changes:
                    self.project.execute(EditParticipant(self.person.id, changes))
                if self.forget.isChecked():
                    self._forget(self.person.id)
        except IpsmapError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def _forget(self, person_id: str) -> None:
        result = forget_participant(self.project, person_id)
        self.outcome = (
            f"Forgotten: now {result.alias!r} everywhere in the file, history and "
            f"{len(result.snapshots)} snapshot(s) included"
        )
        left = result.backups
        if self.remove_backups.isChecked():
            removed = remove_backups(left)
            left = [p for p in left if p not in removed]
        if left:
            self.outcome += (
                f". {len(left)} backup(s) beside the project still hold the old text: "
                + ", ".join(p.name for p in left)
            )


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setTabKeyNavigation(False)
    return table


def _cell(text: str, key: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if key is not None:
        item.setData(Qt.ItemDataRole.UserRole, key)
    return item


class ParticipantsPanel(QWidget):
    """Two tabs: the people taking part, and the workshop sessions."""

    message = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("participants-panel")
        self.project: Project | None = None
        self.tabs = QTabWidget()
        self.tabs.setObjectName("participants-tabs")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)

        people = QWidget()
        column = QVBoxLayout(people)
        self.people = _table("participants-table", PARTICIPANT_COLUMNS)
        self.people.setAccessibleName("Participants")
        self.people.setToolTip("Everyone taking part, by made-up name (double-click to change)")
        self.people.doubleClicked.connect(lambda _index: self.edit_participant())
        column.addWidget(self.people)
        row = QHBoxLayout()
        # Mnemonics are unique in the window (the menus and the other panels use the rest).
        self.add_person_button = self._button(
            "Add &person…", "add-participant", self.add_participant
        )
        self.edit_person_button = self._button(
            "Edit pe&rson…", "edit-participant", self.edit_participant
        )
        self.forget_person_button = self._button(
            "Forget person…", "forget-participant", self.forget_participant
        )
        self.forget_person_button.setToolTip(
            "Remove someone from the record at their request: " + FORGET_HELP
        )
        row.addWidget(self.add_person_button)
        row.addWidget(self.edit_person_button)
        row.addWidget(self.forget_person_button)
        row.addStretch(1)
        column.addLayout(row)
        note = QLabel("People are not deleted: what they contributed stays credited.")
        note.setWordWrap(True)
        column.addWidget(note)
        self.tabs.addTab(people, "People")

        sessions = QWidget()
        column = QVBoxLayout(sessions)
        self.sessions = _table("sessions-table", SESSION_COLUMNS)
        self.sessions.setAccessibleName("Workshop sessions")
        self.sessions.setToolTip("Each workshop held: when, where, and who came")
        self.sessions.doubleClicked.connect(lambda _index: self.edit_session())
        column.addWidget(self.sessions)
        row = QHBoxLayout()
        row.addWidget(self._button("Add sessi&on…", "add-session", self.add_session))
        row.addWidget(self._button("Edit sessio&n…", "edit-session", self.edit_session))
        row.addWidget(self._button("&Delete session", "delete-session", self.delete_session))
        row.addStretch(1)
        column.addLayout(row)
        self.tabs.addTab(sessions, "Sessions")

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        return button

    # -- filling ------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh()

    def project_changed(self, change: Change) -> None:
        if change.touches("participants") or change.touches("sessions"):
            self.refresh()

    def refresh(self) -> None:
        project = self.project
        people = (
            sorted(project.participants.values(), key=lambda p: p.pseudonym.casefold())
            if project
            else []
        )
        selected = self.selected_participant()
        self.people.setRowCount(len(people))
        for row, person in enumerate(people):
            cells = (
                _cell(person.pseudonym, person.id),
                _cell(GROUP_LABELS.get(person.stakeholder_group, person.stakeholder_group)),
                _cell(person.site),
                _cell("Yes" if person.consent else "No: group only"),
                _cell(person.notes.replace("\n", " ")),
            )
            for column, cell in enumerate(cells):
                self.people.setItem(row, column, cell)
            if person.id == selected:
                self.people.selectRow(row)
        sessions = (
            sorted(project.sessions.values(), key=lambda s: (s.date, s.title)) if project else []
        )
        names = {pid: p.pseudonym for pid, p in project.participants.items()} if project else {}
        chosen = self.selected_session()
        self.sessions.setRowCount(len(sessions))
        for row, session in enumerate(sessions):
            cells = (
                _cell(session.date, session.id),
                _cell(session.title),
                _cell(session.site),
                _cell(names.get(session.facilitator, "")),
                _cell(str(len(session.attendees))),
            )
            cells[4].setToolTip(", ".join(names.get(a, "?") for a in session.attendees))
            for column, cell in enumerate(cells):
                self.sessions.setItem(row, column, cell)
            if session.id == chosen:
                self.sessions.selectRow(row)
        writable = project is not None and not project.read_only
        for button in self.findChildren(QPushButton):
            button.setEnabled(writable)

    def selected_participant(self) -> str | None:
        return self._selected_key(self.people)

    def selected_session(self) -> str | None:
        return self._selected_key(self.sessions)

    @staticmethod
    def _selected_key(table: QTableWidget) -> str | None:
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        if not rows:
            return None
        item = table.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    # -- editing ------------------------------------------------------------------------

    def participant_editor(self, person_id: str | None = None) -> ParticipantEditor | None:
        if self.project is None:
            return None
        person = self.project.participants.get(person_id) if person_id else None
        editor = ParticipantEditor(self.project, person, self)
        editor.accepted.connect(lambda: self._tell(editor.outcome))
        return editor

    def _tell(self, text: str) -> None:
        if text:
            self.message.emit(text)

    def add_participant(self) -> None:
        dialog = self.participant_editor()
        if dialog is not None:
            dialog.open()

    def edit_participant(self) -> None:
        person_id = self.selected_participant()
        if person_id is None:
            self.message.emit("Pick a person in the list first")
            return
        dialog = self.participant_editor(person_id)
        if dialog is not None:
            dialog.open()

    def forget_participant(self) -> None:
        """The participant's editor with consent withdrawn and forgetting ticked, to confirm."""
        person_id = self.selected_participant()
        if person_id is None:
            self.message.emit("Pick a person in the list first")
            return
        dialog = self.participant_editor(person_id)
        if dialog is not None:
            dialog.consent.setChecked(False)
            dialog.forget.setChecked(True)
            dialog.open()

    def session_dialog(self, session_id: str | None = None) -> SessionDialog | None:
        if self.project is None:
            return None
        session = self.project.sessions.get(session_id) if session_id else None
        return SessionDialog(self.project, session, self)

    def add_session(self) -> None:
        dialog = self.session_dialog()
        if dialog is not None:
            dialog.open()

    def edit_session(self) -> None:
        session_id = self.selected_session()
        if session_id is None:
            self.message.emit("Pick a session in the list first")
            return
        dialog = self.session_dialog(session_id)
        if dialog is not None:
            dialog.open()

    def delete_session(self) -> None:
        session_id = self.selected_session()
        if self.project is None or session_id is None:
            self.message.emit("Pick a session in the list first")
            return
        try:
            self.project.execute(DeleteSession(session_id))
        except IpsmapError as exc:
            self.message.emit(str(exc))
        else:
            self.message.emit("Session deleted; its marks stay (Undo brings it back)")
