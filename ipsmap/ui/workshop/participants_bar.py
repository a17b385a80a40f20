"""Who is editing now: a toolbar combo of participants, so edits are attributed to them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
)

from ipsmap.model.entities import GROUP_LABELS, STAKEHOLDER_GROUPS, Participant
from ipsmap.model.errors import IpsmapError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant
from ipsmap.ui.workshop.project_combo import ProjectCombo

ADD_ENTRY = "__add__"


class ParticipantDialog(QDialog):
    """Add a participant: a pseudonym (never a real name), stakeholder group and site."""

    def __init__(self, parent=None, site: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("participant-dialog")
        self.setWindowTitle("Add participant")
        form = QFormLayout(self)
        form.addRow(QLabel("Use a pseudonym, not a real name: maps hold sensitive material."))
        self.pseudonym = QLineEdit()
        self.pseudonym.setObjectName("participant-pseudonym")
        self.pseudonym.setAccessibleName("Pseudonym")
        self.group = QComboBox()
        self.group.setObjectName("participant-group")
        self.group.setAccessibleName("Group")
        self.group.setToolTip(
            "Which group they are part of: a parent or carer, a practitioner (someone who works "
            "with families), a community member, a researcher or the facilitator"
        )
        for group in STAKEHOLDER_GROUPS:
            self.group.addItem(group.capitalize(), group)
        self.site = QLineEdit(site)
        self.site.setObjectName("participant-site")
        self.consent = QCheckBox("Agrees to be credited under this pseudonym")
        self.consent.setObjectName("participant-consent")
        self.consent.setChecked(True)
        self.consent.setToolTip(
            "If not, the map and everything exported from it show only their group "
            "(for example “Parent/carer 2”)"
        )
        form.addRow("Pseudonym", self.pseudonym)
        form.addRow("Group", self.group)
        form.addRow("Site", self.site)
        form.addRow(self.consent)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def command(self) -> AddParticipant:
        return AddParticipant(
            self.pseudonym.text(),
            self.group.currentData(),
            self.site.text().strip(),
            consent=self.consent.isChecked(),
        )


class ParticipantCombo(ProjectCombo):
    """The current participant; picking "Add participant…" opens the dialog."""

    def __init__(self) -> None:
        super().__init__(
            "participant-combo",
            "Who is editing now",
            "New factors and links are credited to this person (by pseudonym)",
            18,
        )

    def fill(self, project: Project) -> None:
        people = sorted(
            project.participants.values(),
            key=lambda p: (p.id != project.facilitator_id, p.pseudonym.casefold()),
        )
        for person in people:
            self.addItem(participant_title(person), person.id)
        if not project.read_only:
            self.addItem("Add participant…", ADD_ENTRY)
        self.setCurrentIndex(max(self.findData(project.actor_id), 0))

    def picked(self, project: Project, choice: object) -> None:
        if choice == ADD_ENTRY:
            self.add_participant()
            return
        self._edit_as(project, str(choice) if choice else None)

    def _edit_as(self, project: Project, participant_id: str | None) -> None:
        # Through the hallway when there is one, so Undo follows the person now editing.
        if self.hallway is not None:
            self.hallway.set_actor(participant_id)
        else:
            project.set_actor(participant_id)

    def add_participant(self, dialog: ParticipantDialog | None = None) -> None:
        project = self.project
        if project is None:
            return
        dialog = dialog or ParticipantDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            command = dialog.command()
            try:
                project.execute(command)
            except IpsmapError as exc:
                self.message.emit(str(exc))
            else:
                self._edit_as(project, command.id)
        self.refresh()


def participant_title(person: Participant) -> str:
    """ "Eilidh (Parent/carer)"; a group-only alias ("Parent/carer 2") stands alone."""
    group = GROUP_LABELS.get(person.stakeholder_group, person.stakeholder_group)
    if person.pseudonym.startswith(group):
        return person.pseudonym
    return f"{person.pseudonym} ({group})"
