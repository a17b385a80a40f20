"""The data view: the map's factors and links as sortable, filterable, editable tables.

Tables never change records themselves: an edited cell becomes one model command run by
the MapEditor, and the tables refresh from the change the hallway reports afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.document import MapDocument
from ipsmap.model.entities import CONFIDENCE_LEVELS, POLARITIES, STRENGTH_LEVELS
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.hallway import Hallway
from ipsmap.ui.panels.data_filter import ChoiceDelegate, Choices, RowFilter
from ipsmap.ui.panels.data_models import (
    POLARITY_TEXT,
    FactorTableModel,
    LinkTableModel,
    RecordTableModel,
)


class RecordTable(QTableView):
    """One table of the data view: its filter proxy, and selection by record id."""

    def __init__(self, source: RecordTableModel, name: str, accessible: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.source = source
        self.proxy = RowFilter(source, self)
        self.setModel(self.proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        # Fixed row heights: measuring 2,000 rows' contents would make the table sluggish.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setStretchLastSection(True)
        # Text columns (labels, rationale) get room to be read; short codes stay narrow.
        for section, column in enumerate(source.COLUMNS):
            wide = column.header in ("Label", "From", "To", "Rationale", "Notes", "Evidence")
            header.resizeSection(section, 210 if wide else 100)
        header.setSortIndicatorClearable(True)
        # No sort column until a header is clicked: rows start in map order.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        source.edit_targets = self._edit_targets

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows, top to bottom as shown."""
        rows = sorted(self.selectionModel().selectedRows(), key=lambda index: index.row())
        return [self.source.record_id(self.proxy.mapToSource(i).row()) for i in rows]

    def select_ids(self, ids: list[str], scroll: bool = False) -> None:
        """Select exactly the rows of ``ids`` (hidden by the filter: skipped)."""
        selection = QItemSelection()
        last = self.source.columnCount() - 1
        first: QModelIndex | None = None
        for record_id in ids:
            row = self.source.row_of(record_id)
            if row is None:
                continue
            left = self.proxy.mapFromSource(self.source.index(row, 0))
            if not left.isValid():
                continue
            selection.select(left, left.siblingAtColumn(last))
            if first is None or left.row() < first.row():
                first = left
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().select(selection, flags)
        if first is not None:
            # The current cell follows, so F2 edits a selected row.
            self.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            if scroll:
                self.scrollTo(first)

    def _edit_targets(self, record_id: str) -> list[str]:
        # Editing a cell of one of several selected rows sets the value on all of them.
        ids = self.selected_ids()
        return ids if record_id in ids and len(ids) > 1 else [record_id]


# -- the widget -------------------------------------------------------------------------------


class DataView(QWidget):
    """Factors and links as tables, kept in step with the map and its selection."""

    def __init__(
        self,
        hallway: Hallway,
        editor: MapEditor,
        scene: MapScene,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("data-view")
        self.setAccessibleName("Data view")
        self._editor = editor
        self._scene = scene
        self._document: MapDocument | None = None
        # Set while this view changes a selection itself, so the echo is ignored.
        self._syncing = False

        self.factor_model = FactorTableModel(editor, self)
        self.link_model = LinkTableModel(editor, self)
        self.factor_table = RecordTable(self.factor_model, "factor-table", "Factors table", self)
        self.link_table = RecordTable(self.link_model, "link-table", "Links table", self)
        self._add_delegates()

        self.filter_field = QLineEdit(self)
        self.filter_field.setObjectName("data-filter")
        self.filter_field.setAccessibleName("Filter rows")
        self.filter_field.setPlaceholderText("Filter by any text…")
        self.filter_field.setClearButtonEnabled(True)
        self.filter_field.textChanged.connect(self._filter)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("data-tabs")
        self.tabs.setAccessibleName("Factors and links")
        self.tabs.addTab(self.factor_table, "Factors")
        self.tabs.addTab(self.link_table, "Links")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.filter_field)
        layout.addWidget(self.tabs, 1)

        # The canvas may change its selection item by item (select all: thousands of
        # signals); one deferred update of the tables covers them all.
        self._pull_timer = QTimer(self)
        self._pull_timer.setSingleShot(True)
        self._pull_timer.setInterval(0)
        self._pull_timer.timeout.connect(self._pull_selection)

        self._hallway = hallway
        hallway.document_changed.connect(self.set_document)
        hallway.model_changed.connect(self._model_changed)
        hallway.selection_changed.connect(self._scene_selection_changed)
        for table in (self.factor_table, self.link_table):
            table.selectionModel().selectionChanged.connect(
                lambda *_, table=table: self._push_selection(table)
            )

    def _add_delegates(self) -> None:
        def styles(kind: str) -> Choices:
            def choices() -> list[tuple[str, Any]]:
                doc = self._document
                if doc is None:
                    return []
                found = doc.state.factor_styles() if kind == "factor" else doc.state.link_styles()
                return [(style.name, style.id) for style in found]

            return choices

        polarity = [(POLARITY_TEXT[p], p) for p in POLARITIES]
        strength = list(STRENGTH_LEVELS.items())
        confidence = [("(not rated)", None), *CONFIDENCE_LEVELS.items()]
        columns = {
            self.factor_table: {"type": ChoiceDelegate(styles("factor"), "Factor type", self)},
            self.link_table: {
                "polarity": ChoiceDelegate(lambda: polarity, "Polarity", self),
                "strength": ChoiceDelegate(lambda: strength, "Strength", self),
                "confidence": ChoiceDelegate(lambda: confidence, "Confidence", self),
                "type": ChoiceDelegate(styles("link"), "Link type", self),
            },
        }
        for table, delegates in columns.items():
            for number, column in enumerate(table.source.COLUMNS):
                if column.field in delegates:
                    table.setItemDelegateForColumn(number, delegates[column.field])

    # -- document -------------------------------------------------------------------------

    def set_document(self, document: MapDocument | None) -> None:
        self._document = document
        with self._quietly():
            self.factor_model.set_document(document)
            self.link_model.set_document(document)
        self._pull_selection()

    def document(self) -> MapDocument | None:
        return self._document

    def _model_changed(self, change: Change) -> None:
        doc = self._document
        if doc is None or change.map_id != doc.id:
            return
        for table in (self.factor_table, self.link_table):
            model = table.source
            if model.append_new(change):
                model.refresh(change)
            elif model.is_structural(change):
                # Rows came or went: rebuild the (cheap) row list and keep the selection.
                kept = table.selected_ids()
                with self._quietly():
                    model.reload()
                    table.select_ids([i for i in kept if i in model.records()])
            else:
                # Quietly: an edited row may drop out of the filter, and that must not
                # deselect its item on the canvas.
                with self._quietly():
                    model.refresh(change)

    def _filter(self, text: str) -> None:
        # Rows hidden by the filter leave the table's selection but stay selected on the
        # canvas: filtering is a way of looking, not of choosing.
        with self._quietly():
            for table in (self.factor_table, self.link_table):
                table.proxy.set_filter_text(text)
        # Rows shown again come back selected if their items still are.
        self._pull_selection()

    # -- selection in step with the canvas -----------------------------------------------

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        previous, self._syncing = self._syncing, True
        try:
            yield
        finally:
            self._syncing = previous

    def _push_selection(self, table: RecordTable) -> None:
        """Rows selected in a table: select their items on the canvas and show the first."""
        if self._syncing or self._document is None:
            return
        ids = table.selected_ids()
        scene = self._scene
        with self._quietly():
            if table is self.factor_table:
                self._editor.select(factors=ids)
                items: list = [scene.factor_items[i] for i in ids if i in scene.factor_items]
                self.link_table.select_ids(self._hallway.selected_link_ids)
            else:
                self._editor.select(links=ids)
                items = [scene.link_items[i] for i in ids if i in scene.link_items]
                self.factor_table.select_ids(self._hallway.selected_factor_ids)
        if items:
            self._editor.view.centerOn(items[0])

    def _scene_selection_changed(self, *_ids) -> None:
        if not self._syncing:
            self._pull_timer.start()

    def _pull_selection(self) -> None:
        """Items selected on the canvas: select their rows."""
        if self._syncing:
            return
        with self._quietly():
            self.factor_table.select_ids(self._hallway.selected_factor_ids, scroll=True)
            self.link_table.select_ids(self._hallway.selected_link_ids, scroll=True)
