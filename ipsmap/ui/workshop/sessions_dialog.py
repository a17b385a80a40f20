"""Workshop sessions: the add/edit dialog, and the toolbar's "current session" selector."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
)

from ipsmap.model.entities import GROUP_LABELS, Participant, Session
from ipsmap.model.errors import IpsmapError
from ipsmap.model.project import Project
from ipsmap.model.record_commands import AddSession, EditSession
from ipsmap.ui.workshop.project_combo import ProjectCombo

NO_SESSION = ""


def person_text(person: Participant) -> str:
    """ "Eilidh (Parent/carer, Glasgow)"."""
    details = [GROUP_LABELS.get(person.stakeholder_group, person.stakeholder_group)]
    if person.site:
        details.append(person.site)
    return f"{person.pseudonym} ({', '.join(details)})"


def session_text(session: Session) -> str:
    return f"{session.date}  {session.title}"


class SessionDialog(QDialog):
    """Add or edit a workshop: title, date, site, facilitator and who attended."""

    def __init__(self, project: Project, session: Session | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.session = session
        self.setObjectName("session-dialog")
        self.setWindowTitle("Edit workshop session" if session else "Add workshop session")
        form = QFormLayout(self)
        self.title = QLineEdit(session.title if session else "")
        self.title.setObjectName("session-title")
        self.title.setAccessibleName("Session title")
        self.title.setPlaceholderText("e.g. Glasgow workshop 2: what matters most")
        self.date = QDateEdit()
        self.date.setObjectName("session-date")
        self.date.setAccessibleName("Date of the session")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        when = date.fromisoformat(session.date) if session and session.date else date.today()
        self.date.setDate(QDate(when.year, when.month, when.day))
        self.site = QLineEdit(session.site if session else "")
        self.site.setObjectName("session-site")
        self.site.setAccessibleName("Site")
        people = sorted(project.participants.values(), key=lambda p: p.pseudonym.casefold())
        self.facilitator = QComboBox()
        self.facilitator.setObjectName("session-facilitator")
        self.facilitator.setAccessibleName("Who facilitated")
        self.facilitator.setToolTip("The person who ran the workshop")
        self.facilitator.addItem("(nobody named)", "")
        for person in people:
            self.facilitator.addItem(person_text(person), person.id)
        if session:
            self.facilitator.setCurrentIndex(max(self.facilitator.findData(session.facilitator), 0))
        self.attendees = QListWidget()
        self.attendees.setObjectName("session-attendees")
        self.attendees.setAccessibleName("Who attended (Space ticks)")
        self.attendees.setToolTip(
            "Tick everyone who came: the balance of voices sets what was said against who was there"
        )
        present = set(session.attendees) if session else set()
        for person in people:
            item = QListWidgetItem(person_text(person))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if person.id in present else Qt.CheckState.Unchecked
            )
            self.attendees.addItem(item)
        self.notes = QPlainTextEdit(session.notes if session else "")
        self.notes.setObjectName("session-notes")
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(80)
        form.addRow("&Title", self.title)
        form.addRow("&Date", self.date)
        form.addRow("&Site", self.site)
        form.addRow("&Facilitator", self.facilitator)
        form.addRow(QLabel("Who &attended (tick with the mouse or the Space key):"))
        form.addRow(self.attendees)
        form.addRow("&Notes", self.notes)
        self.error = QLabel()
        self.error.setObjectName("session-error")
        self.error.setStyleSheet("color: #b71c1c; font-weight: bold")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {
            "title": self.title.text().strip(),
            "date": self.date.date().toString("yyyy-MM-dd"),
            "site": self.site.text().strip(),
            "facilitator": self.facilitator.currentData() or "",
            "attendees": [
                self.attendees.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.attendees.count())
                if self.attendees.item(i).checkState() == Qt.CheckState.Checked
            ],
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> None:
        """Add or change the session through a command; stay open with the reason if refused."""
        values = self.values()
        try:
            if self.session is None:
                command = AddSession(**values)
                self.project.execute(command)
                self.session_id = command.id
            else:
                self.project.execute(EditSession(self.session.id, values))
                self.session_id = self.session.id
        except IpsmapError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class SessionCombo(ProjectCombo):
    """Which workshop is running now: recorded on every edit and mark (project.set_session)."""

    def __init__(self) -> None:
        super().__init__(
            "session-combo",
            "Current workshop session",
            "The workshop happening now. Every change and mark is recorded as made in it.",
            22,
        )

    def fill(self, project: Project) -> None:
        self.addItem("No session", NO_SESSION)
        if project.session_id and project.session_id not in project.sessions:
            project.set_session(None)
        for session in sorted(project.sessions.values(), key=lambda s: (s.date, s.title)):
            self.addItem(session_text(session), session.id)
        self.setCurrentIndex(max(self.findData(project.session_id or NO_SESSION), 0))

    def picked(self, project: Project, choice: object) -> None:
        project.set_session(str(choice) if choice else None)
        if choice:
            self.message.emit(f"Changes are now recorded as made in “{self.currentText()}”")
