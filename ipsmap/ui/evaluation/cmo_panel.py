"""The CMO configurations panel: a table of the project's CMOs beside the chosen one's form.

Choosing a CMO highlights what it explains on the canvas (everything else faded, as the
Analysis panel shows its answers), switching to the map they are on; selecting factors or
links on the canvas marks the CMOs that explain them. Every edit is one project command,
so it is undoable and in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.cmo_queries import cmos_explaining, code_sort_key
from ipsmap.model.entities import CMO_STATUSES
from ipsmap.model.errors import IpsmapError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import ProjectCommand
from ipsmap.model.record_commands import AddCMO, DeleteCMO
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.evaluation.cmo_chain_view import CmoChainView
from ipsmap.ui.evaluation.cmo_detail import CmoDetail
from ipsmap.ui.evaluation.cmo_model import ID_ROLE, CmoFilter, CmoTableModel
from ipsmap.ui.hallway import Hallway
from ipsmap.ui.keys import claim_delete_key


class CmoTable(QTableView):
    """The CMO list; Delete here deletes the CMO, not the canvas selection."""

    delete_requested = Signal()

    def event(self, event) -> bool:
        return claim_delete_key(event) or super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)


class CmoPanel(QWidget):
    """The project's CMO configurations: filterable table, details, canvas highlighting."""

    message = Signal(str)

    def __init__(
        self,
        hallway: Hallway,
        editor: MapEditor,
        scene: MapScene,
        show_map: Callable[[str], None],
    ) -> None:
        super().__init__()
        self.setObjectName("cmo-panel")
        self.setAccessibleName("CMO configurations")
        self.hallway = hallway
        self.editor = editor
        self.scene = scene
        self.show_map = show_map
        self.project: Project | None = None
        self.current_id: str | None = None
        self._quiet = False

        self.model = CmoTableModel()
        self.proxy = CmoFilter()
        self.proxy.setSourceModel(self.model)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setObjectName("cmo-filter")
        self.filter.setPlaceholderText("Filter CMOs…")
        self.filter.setAccessibleName("Filter CMOs by text")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda text: self._refilter(text=text))
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("cmo-status-filter")
        self.status_filter.setAccessibleName("Show CMOs with status")
        self.status_filter.addItem("All statuses", "")
        for status in CMO_STATUSES:
            self.status_filter.addItem(status.capitalize(), status)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self._refilter(status=self.status_filter.currentData())
        )
        self.only_selection = QCheckBox("Only those explaining the map selection")
        self.only_selection.setObjectName("cmo-only-selection")
        self.only_selection.toggled.connect(lambda on: self._refilter(only_marked=on))
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.only_selection)
        column.addLayout(filters)

        self.table = CmoTable()
        self.table.setObjectName("cmo-table")
        self.table.setAccessibleName("CMO configurations")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Texts share the width; code, status and confidence take what they need.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for col in (0, 6, 7):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._table_selection_changed)
        self.table.delete_requested.connect(self.delete_current)
        column.addWidget(self.table, 1)

        self.chain_view = CmoChainView()
        self.chain_view.cmo_clicked.connect(self.choose)
        self.chain_scroll = QScrollArea()
        self.chain_scroll.setObjectName("cmo-chain-scroll")
        self.chain_scroll.setWidget(self.chain_view)
        self.chain_scroll.setWidgetResizable(True)
        self.chain_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chain_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.chain_scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        chain_label = QLabel("Chain (outcome → the next CMO's context; click a box to choose it)")
        chain_label.setObjectName("cmo-chain-label")
        column.addWidget(chain_label)
        column.addWidget(self.chain_scroll)

        self.selection_note = QLabel()
        self.selection_note.setObjectName("cmo-selection-note")
        self.selection_note.setWordWrap(True)
        column.addWidget(self.selection_note)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add CMO")
        self.add_button.setObjectName("cmo-add")
        self.add_button.setToolTip("Add a CMO configuration (explaining what is selected)")
        self.add_button.clicked.connect(self.add_cmo)
        self.delete_button = QPushButton("Delete CMO")
        self.delete_button.setObjectName("cmo-delete")
        self.delete_button.setToolTip("Delete the chosen CMO (Undo brings it back)")
        self.delete_button.clicked.connect(self.delete_current)
        self.clear_button = QPushButton("Show whole map")
        self.clear_button.setObjectName("cmo-clear-highlight")
        self.clear_button.setToolTip("Stop highlighting what the chosen CMO explains")
        self.clear_button.clicked.connect(self.clear_choice)
        for button in (self.add_button, self.delete_button, self.clear_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)

        self.detail = CmoDetail(self.run, self._canvas_selection)
        self.detail.item_activated.connect(self.show_item)
        scroll = QScrollArea()
        scroll.setObjectName("cmo-detail-scroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.detail)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.splitter)
        hallway.selection_changed.connect(lambda _factors, _links: self._canvas_selection_changed())
        hallway.project_changed.connect(self.set_project)
        hallway.document_changed.connect(lambda _document: self.map_shown())
        hallway.project_records_changed.connect(self._project_changed)
        self._update_buttons()

    # -- project ------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.current_id = None
        self._quiet = True
        try:
            self.model.set_project(project)
        finally:
            self._quiet = False
        self.detail.set_project(project)
        self._show_chain()
        self._update_buttons()

    def _project_changed(self, change: Change) -> None:
        if change.touches("cmos"):
            self._reload()
        elif change.touches("sessions"):
            self.detail.refresh()  # evidence names workshops as they are called now
        elif change.touches("factors") or change.touches("links") or change.touches("maps"):
            # Labels, or items that came and went, shown in the details and highlight.
            self.detail.refresh()
            if change.added or change.removed:
                self._highlight(switch=False)
        self._canvas_selection_changed()

    def _reload(self) -> None:
        project = self.project
        if project is not None and self.current_id not in project.cmos:
            self.current_id = None
        self._quiet = True
        try:
            self.model.reload()
            self._select_row(self.current_id)
        finally:
            self._quiet = False
        self.detail.show_cmo(self.current_id)
        self._show_chain()
        self._highlight(switch=False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        writable = self.project is not None and not self.project.read_only
        self.add_button.setEnabled(writable)
        self.delete_button.setEnabled(writable and self.current_id is not None)
        self.clear_button.setEnabled(self.current_id is not None)

    # -- commands -----------------------------------------------------------------------------

    def run(self, command: ProjectCommand) -> bool:
        """Execute a project command; show a problem as a message instead of raising."""
        if self.project is None:
            return False
        try:
            self.project.execute(command)
        except IpsmapError as exc:
            self.message.emit(str(exc))
            return False
        return True

    def add_cmo(self) -> str | None:
        """Add a CMO explaining what is selected on the map, choose it, and edit its context."""
        command = AddCMO({"explains": self._canvas_selection()})
        if not self.run(command):
            return None
        self.choose(command.id)
        self.detail.texts["context"].setFocus()
        return command.id

    def delete_current(self) -> None:
        project = self.project
        if project is None or self.current_id not in project.cmos:
            return
        code = project.cmos[self.current_id].code
        if self.run(DeleteCMO(self.current_id)):
            self.message.emit(f"Deleted {code} (Undo brings it back)")

    # -- choosing a CMO -------------------------------------------------------------------

    def choose(self, cmo_id: str | None) -> None:
        """Choose a CMO as if it were clicked in the table (None: none)."""
        if not self._select_row(cmo_id):
            self._set_current(cmo_id)

    def clear_choice(self) -> None:
        self.table.clearSelection()
        self._set_current(None)

    def _select_row(self, cmo_id: str | None) -> bool:
        """Select the CMO's row if it is shown; True if that changed the selection."""
        row = self.model.row_of(cmo_id) if cmo_id else -1
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else None
        selection = self.table.selectionModel()
        if index is None or not index.isValid():
            return False
        if selection.isRowSelected(index.row()):
            return False
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection.setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def _table_selection_changed(self, *_args) -> None:
        if self._quiet:
            return
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._set_current(rows[0].data(ID_ROLE))
        elif self.current_id is not None and self._row_is_shown(self.current_id):
            # The user deselected it; a filter hiding it keeps it chosen.
            self._set_current(None)

    def _row_is_shown(self, cmo_id: str) -> bool:
        row = self.model.row_of(cmo_id)
        return row >= 0 and self.proxy.mapFromSource(self.model.index(row, 0)).isValid()

    def _set_current(self, cmo_id: str | None) -> None:
        self.current_id = cmo_id
        self.detail.show_cmo(cmo_id)
        self._show_chain()
        self._highlight(switch=True)
        self._update_buttons()

    def _show_chain(self) -> None:
        self.chain_view.show_chain(self.project, self.current_id)
        # As tall as the drawing (room for a scroll bar under a long chain), never more.
        self.chain_scroll.setFixedHeight(min(self.chain_view.sizeHint().height() + 16, 210))

    def _refilter(self, **kwargs) -> None:
        self._quiet = True
        try:
            self.proxy.set_filter(**kwargs)
            self._select_row(self.current_id)
        finally:
            self._quiet = False

    # -- the canvas ---------------------------------------------------------------------------

    def map_shown(self) -> None:
        """The window shows another map: highlight the chosen CMO's items on it, if any."""
        self._highlight(switch=False)
        self._canvas_selection_changed()

    def _highlight(self, switch: bool) -> None:
        """Fade all but what the chosen CMO explains; go to its map if ``switch`` and needed."""
        project, document = self.project, self.scene.document
        cmo = project.cmos.get(self.current_id or "") if project is not None else None
        if cmo is None or project is None:
            self.scene.set_faded(set())
            return
        by_map: dict[str, list[str]] = {}
        for item_id in cmo.explains:
            found = project.locate_item(item_id)
            if found is not None:
                by_map.setdefault(found[0], []).append(item_id)
        if switch and by_map and (document is None or document.id not in by_map):
            # map_shown() highlights once the window has switched.
            self.show_map(next(iter(by_map)))
            if self.scene.document is not None:
                name = self.scene.document.info.name
                self.message.emit(f"{cmo.code} explains items on “{name}”")
            return
        if document is None:
            return
        here = set(by_map.get(document.id, []))
        if not here:
            self.scene.set_faded(set())
            if switch:
                self.message.emit(f"{cmo.code} explains nothing on this map yet")
            return
        shown = set(here)
        for link_id in here & set(document.links):
            # A link's ends stay readable, or the highlighted arrow would float alone.
            link = document.links[link_id]
            shown.update((link.source, link.target))
        everything = set(document.factors) | set(document.links)
        self.scene.set_faded(everything - shown)
        if switch:
            self._bring_into_view(shown)

    def _bring_into_view(self, ids: set[str]) -> None:
        """Scroll (not zoom) so the highlighted items are on screen, where they fit."""
        items = [self.scene.factor_items.get(i) or self.scene.link_items.get(i) for i in ids]
        rects = [item.sceneBoundingRect() for item in items if item is not None]
        if rects:
            area = rects[0]
            for rect in rects[1:]:
                area = area.united(rect)
            self.editor.view.ensureVisible(area, 40, 40)

    def _canvas_selection(self) -> list[str]:
        return [*self.hallway.selected_factor_ids, *self.hallway.selected_link_ids]

    def _canvas_selection_changed(self) -> None:
        project = self.project
        selected = self._canvas_selection() if self.scene.document is not None else []
        if project is None or not selected:
            self.model.set_marked(set())
            self.selection_note.setText("Select factors or links on the map to see their CMOs.")
        else:
            explaining = {c.id: c.code for i in selected for c in cmos_explaining(project, i)}
            self.model.set_marked(set(explaining))
            codes = sorted(explaining.values(), key=code_sort_key)
            what = "this" if len(selected) == 1 else "the selection"
            self.selection_note.setText(
                f"CMOs explaining {what}: {', '.join(codes)}"
                if codes
                else f"No CMO explains {what} yet."
            )
        if self.proxy.only_marked:
            self._refilter()

    def show_item(self, item_id: str) -> None:
        """Show a factor or link the chosen CMO explains: its map, selected and centred."""
        project = self.project
        found = project.locate_item(item_id) if project is not None else None
        if found is None:
            self.message.emit("That factor or link no longer exists")
            return
        map_id, table = found
        if self.scene.document is None or self.scene.document.id != map_id:
            self.show_map(map_id)
        if table == "factors":
            self.editor.select(factors=[item_id])
            item = self.scene.factor_items.get(item_id)
        else:
            self.editor.select(links=[item_id])
            item = self.scene.link_items.get(item_id)
        if item is not None:
            self.editor.view.centerOn(item)
