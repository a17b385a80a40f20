"""The history panel: this map's audit log (who, when, what) and the session's undo stack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QTabWidget, QVBoxLayout, QWidget

from ipsmap.model.document import MapDocument

if TYPE_CHECKING:
    from ipsmap.ui.hallway import Hallway
    from ipsmap.ui.undo_actions import UndoActions


class HistoryPanel(QTabWidget):
    """Two tabs: the permanent audit log and what Undo/Redo would do now."""

    def __init__(self, hallway: Hallway, undo: UndoActions) -> None:
        super().__init__()
        self._hallway = hallway
        self._undo = undo
        self.setObjectName("history-panel")
        self.log = QListWidget()
        self.log.setObjectName("history-log")
        self.log.setAccessibleName("Audit log of this map")
        self.undo_list = QListWidget()
        self.undo_list.setObjectName("undo-list")
        self.undo_list.setAccessibleName("Undo history of this session")
        undo_page = QWidget()
        layout = QVBoxLayout(undo_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("This session's edits (greyed: undone, can be redone)"))
        layout.addWidget(self.undo_list)
        self.addTab(self.log, "Audit log")
        self.addTab(undo_page, "Undo history")
        self._last_seq = 0
        hallway.document_changed.connect(self._document_changed)
        hallway.model_changed.connect(lambda _change: self.refresh())
        # The undo list is the person editing now's.
        hallway.actor_changed.connect(lambda _actor: self.refresh())

    @property
    def document(self) -> MapDocument | None:
        return self._hallway.document

    def _document_changed(self, _document: MapDocument | None) -> None:
        self.log.clear()
        self._last_seq = 0
        self.refresh()

    def refresh(self) -> None:
        doc = self.document
        if doc is None or doc.closed:
            self.undo_list.clear()
            return
        # Only events newer than those shown are read: the log can be long.
        for event in doc.project.history(doc.id, after=self._last_seq):
            verb = "" if event.action == "do" else f"{event.action.capitalize()}: "
            when = event.at[:19].replace("T", " ")
            item = QListWidgetItem(
                f"{when}  {event.actor_name or '—'}  {verb}{event.command} — {event.summary}"
            )
            self.log.insertItem(0, item)
            self._last_seq = event.seq
        done, undone = self._undo.step_names()
        self.undo_list.clear()
        for name in reversed(undone):
            item = QListWidgetItem(f"↷ {name}")
            item.setForeground(self.palette().placeholderText())
            self.undo_list.addItem(item)
        for name in reversed(done):
            self.undo_list.addItem(f"↶ {name}")
