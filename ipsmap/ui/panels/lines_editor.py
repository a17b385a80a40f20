"""A small editor for a list of one-line texts (theory-of-change assumptions, indicators).

Type a line and press Enter (or Add) to add it; double-click or F2 to change one; Delete or
Remove to take one away. Each of these is reported once, as the whole new list, so the
owner can commit it as one command.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ipsmap.ui.keys import claim_delete_key


class _List(QListWidget):
    delete_pressed = Signal()

    def event(self, event) -> bool:
        # Delete here removes a line, not the factors selected on the canvas.
        return claim_delete_key(event) or super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class LinesEditor(QWidget):
    """Edits a list of lines; ``lines_changed`` carries the whole new list."""

    lines_changed = Signal(list)

    def __init__(self, name: str, what: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.list = _List()
        self.list.setObjectName(f"{name}-list")
        self.list.setAccessibleName(what)
        self.list.setWordWrap(True)
        self.list.setMaximumHeight(80)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.itemChanged.connect(lambda _item: self._emit())
        self.list.delete_pressed.connect(self.remove_current)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.entry = QLineEdit()
        self.entry.setObjectName(f"{name}-new")
        self.entry.setAccessibleName(f"New line for {what.lower()}")
        self.entry.setPlaceholderText("Type and press Enter to add")
        self.entry.returnPressed.connect(self.add_entry)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName(f"{name}-remove")
        self.remove_button.setAccessibleName(f"Remove the chosen line of {what.lower()}")
        self.remove_button.clicked.connect(self.remove_current)
        row.addWidget(self.entry, 1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)

    def set_lines(self, lines: list[str]) -> None:
        if lines == self.lines() or self.list.state() == self.list.State.EditingState:
            return
        self._filling = True
        try:
            self.list.clear()
            for line in lines:
                item = QListWidgetItem(line)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
        finally:
            self._filling = False

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def set_read_only(self, read_only: bool) -> None:
        self.entry.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.NoEditTriggers
            if read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )

    def add_entry(self) -> None:
        text = self.entry.text().strip()
        if text:
            self.entry.clear()
            self.lines_changed.emit([*self.lines(), text])

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            lines = self.lines()
            del lines[row]
            self.lines_changed.emit(lines)

    def _emit(self) -> None:
        if not self._filling:
            self.lines_changed.emit([line for line in self.lines() if line.strip()])
