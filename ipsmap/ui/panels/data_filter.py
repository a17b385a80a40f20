"""Sorting, filtering and editing in the data view's tables: the row filter and choice lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ipsmap.ui.canvas.search_bar import fold_text
from ipsmap.ui.panels.data_models import SORT_ROLE, ItemIndex, RecordTableModel, Role

# -- sorting, filtering and editing -------------------------------------------------------------


class RowFilter(QSortFilterProxyModel):
    """Sorts on the models' sort keys; keeps rows that contain every word typed."""

    def __init__(self, source: RecordTableModel, parent=None) -> None:
        super().__init__(parent)
        self._source = source
        self._words: list[str] = []
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = fold_text(text).split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ItemIndex) -> bool:
        if not self._words:
            return True
        text = self._source.search_text(source_row)
        return all(word in text for word in self._words)


Choices = Callable[[], list[tuple[str, Any]]]


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a cell with a drop-down of (text, value) choices; Enter or leaving commits."""

    def __init__(self, choices: Choices, name: str, parent=None) -> None:
        super().__init__(parent)
        self._choices = choices
        self._name = name

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: ItemIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName(f"{self._name.lower()}-editor")
        combo.setAccessibleName(self._name)
        for text, value in self._choices():
            combo.addItem(text, value)
        return combo

    def setEditorData(self, editor: QWidget, index: ItemIndex) -> None:
        assert isinstance(editor, QComboBox)
        value = index.data(Role.EditRole)
        for i in range(editor.count()):
            if editor.itemData(i) == value:
                editor.setCurrentIndex(i)
                return

    def setModelData(self, editor: QWidget, model, index: ItemIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Role.EditRole)
