"""A toolbar combo box that lists something of the open project and acts on a pick."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

from ipsmap.model.changes import Change
from ipsmap.model.project import Project

if TYPE_CHECKING:
    from ipsmap.ui.hallway import Hallway


class ProjectCombo(QComboBox):
    """Subclasses fill the list from the project (``fill``) and act on a pick (``picked``)."""

    message = Signal(str)

    def __init__(self, name: str, accessible_name: str, tip: str, width_chars: int) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible_name)
        self.setToolTip(tip)
        self.setMinimumContentsLength(width_chars)
        self.project: Project | None = None
        self.hallway: Hallway | None = None
        self.activated.connect(self._activated)

    def follow(self, hallway: Hallway, table: str) -> None:
        """Take each project opened, and list again when ``table`` changes."""
        self.hallway = hallway
        self.message.connect(hallway.say)
        hallway.project_changed.connect(self.set_project)

        def changed(change: Change) -> None:
            if change.touches(table):
                self.refresh()

        hallway.project_records_changed.connect(changed)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the list from the project without firing a pick."""
        self.blockSignals(True)
        self.clear()
        if self.project is not None:
            self.fill(self.project)
        self.blockSignals(False)

    def fill(self, project: Project) -> None:
        raise NotImplementedError

    def picked(self, project: Project, choice: object) -> None:
        raise NotImplementedError

    def _activated(self, index: int) -> None:
        if self.project is not None:
            self.picked(self.project, self.itemData(index))
