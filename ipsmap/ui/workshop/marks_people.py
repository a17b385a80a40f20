"""Whose marks the marks window is entering: one person, or a paper sheet for several."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.project import Project
from ipsmap.ui.workshop.sessions_dialog import person_text


class PersonCombo(QComboBox):
    """A combo that says when a choice is made: the list closed, or Enter pressed.

    Typing a name or pressing the arrows changes the person at once (``activated``) but
    leaves the keyboard here, so a name can be typed in full; Enter goes on to marking.
    """

    done = Signal()

    def hidePopup(self) -> None:
        super().hidePopup()
        self.done.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.done.emit()
        else:
            super().keyPressEvent(event)


class WhoIsMarking(QWidget):
    """A person chooser, and a ticked list of people for entering a group's paper sheet."""

    # Someone else is marking now; True when the choice was made (go back to the card).
    changed = Signal(bool)

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        who_row = QHBoxLayout()
        who_label = QLabel("&Who is marking:")
        self.person = PersonCombo()
        self.person.setObjectName("marks-person")
        self.person.setAccessibleName("Whose marks these are")
        self.person.setToolTip(
            "The person whose marks the keys give now (by pseudonym). Type a name or use the "
            "arrows, then Enter to start marking"
        )
        who_label.setBuddy(self.person)
        self.person.activated.connect(lambda _i: self.changed.emit(False))
        self.person.done.connect(lambda: self.changed.emit(True))
        who_row.addWidget(who_label)
        who_row.addWidget(self.person, 1)
        layout.addLayout(who_row)
        self.sheet = QCheckBox("Several people at once (entering a &paper sheet for a group)")
        self.sheet.setObjectName("marks-sheet")
        self.sheet.setToolTip(
            "Tick the people whose sheet you are typing in; each key then marks for all of them"
        )
        self.sheet.toggled.connect(self._sheet_toggled)
        layout.addWidget(self.sheet)
        self.group_list = QListWidget()
        self.group_list.setObjectName("marks-group-list")
        self.group_list.setAccessibleName("People whose marks are being entered (Space ticks)")
        self.group_list.setMaximumHeight(130)
        self.group_list.itemChanged.connect(lambda _item: self.changed.emit(False))
        self.group_list.hide()
        layout.addWidget(self.group_list)

    def fill(self) -> None:
        """List the project's people again, keeping who was chosen and ticked."""
        project = self.project
        people = sorted(
            project.participants.values(),
            key=lambda p: (p.id == project.facilitator_id, p.pseudonym.casefold()),
        )
        current = self.person.currentData()
        ticked = set(self.sheet_people())
        self.person.blockSignals(True)
        self.group_list.blockSignals(True)
        self.person.clear()
        self.group_list.clear()
        for person in people:
            self.person.addItem(person_text(person), person.id)
            item = QListWidgetItem(person_text(person))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if person.id in ticked else Qt.CheckState.Unchecked
            )
            self.group_list.addItem(item)
        self.person.setCurrentIndex(max(self.person.findData(current), 0))
        self.person.blockSignals(False)
        self.group_list.blockSignals(False)

    def set_person(self, participant_id: str) -> None:
        self.sheet.setChecked(False)
        self.person.setCurrentIndex(self.person.findData(participant_id))
        self.changed.emit(False)

    def set_sheet_people(self, participant_ids: list[str]) -> None:
        self.sheet.setChecked(True)
        wanted = set(participant_ids)
        self.group_list.blockSignals(True)
        for i in range(self.group_list.count()):
            item = self.group_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.group_list.blockSignals(False)
        self.changed.emit(False)

    def sheet_people(self) -> list[str]:
        return [
            self.group_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.group_list.count())
            if self.group_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def people(self) -> list[str]:
        """Whose marks the keys set now."""
        if self.sheet.isChecked():
            return self.sheet_people()
        person = self.person.currentData()
        return [person] if person else []

    def _sheet_toggled(self, on: bool) -> None:
        self.group_list.setVisible(on)
        self.person.setEnabled(not on)
        if on and not self.sheet_people() and self.person.currentData():
            self.set_sheet_people([self.person.currentData()])
        self.changed.emit(False)
