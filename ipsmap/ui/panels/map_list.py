"""The map switcher: the project's maps grouped by site and kind."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ipsmap.model.changes import Change
from ipsmap.model.project import Project
from ipsmap.ui.hallway import Hallway

KIND_NAMES = {"system": "Systems maps", "toc": "Theories of change"}


class MapList(QWidget):
    """A tree of site → kind → map; choosing a map shows it (and emits ``map_chosen``)."""

    map_chosen = Signal(str)

    def __init__(self, hallway: Hallway) -> None:
        super().__init__()
        self._hallway = hallway
        self.setObjectName("map-list")
        self.tree = QTreeWidget()
        self.tree.setObjectName("map-tree")
        self.tree.setAccessibleName("Maps in this project")
        self.tree.setHeaderHidden(True)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self.map_chosen.connect(hallway.show_map)
        hallway.project_changed.connect(lambda _project: self._repopulate())
        hallway.document_changed.connect(lambda _document: self._repopulate())
        hallway.model_changed.connect(self._map_changed)
        hallway.project_records_changed.connect(self._project_changed)

    def _repopulate(self) -> None:
        document = self._hallway.document
        self.populate(self._hallway.project, document.id if document is not None else None)

    def _map_changed(self, change: Change) -> None:
        document = self._hallway.document
        if change.touches("maps"):
            self._repopulate()
        elif document is not None and (change.added or change.removed):
            self.update_counts(document)

    def _project_changed(self, change: Change) -> None:
        if change.touches("maps"):
            self._repopulate()

    def populate(self, project: Project | None, current: str | None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items.clear()
        if project is not None:
            counts = project.counts()
            sites: dict[str, QTreeWidgetItem] = {}
            kinds: dict[tuple[str, str], QTreeWidgetItem] = {}
            for info in project.maps():
                site = info.site or "No site"
                if site not in sites:
                    sites[site] = QTreeWidgetItem(self.tree, [site])
                    sites[site].setFlags(Qt.ItemFlag.ItemIsEnabled)
                key = (site, info.kind)
                if key not in kinds:
                    kinds[key] = QTreeWidgetItem(
                        sites[site], [KIND_NAMES.get(info.kind, info.kind)]
                    )
                    kinds[key].setFlags(Qt.ItemFlag.ItemIsEnabled)
                factors, links = counts.get(info.id, (0, 0))
                item = QTreeWidgetItem(kinds[key], [info.name])
                item.setData(0, Qt.ItemDataRole.UserRole, info.id)
                item.setToolTip(0, f"{info.name}\n{factors} factors, {links} links")
                self._items[info.id] = item
            self.tree.expandAll()
        if current in self._items:
            self.tree.setCurrentItem(self._items[current])
        self.tree.blockSignals(False)

    def update_counts(self, document) -> None:
        """Refresh one map's tooltip from memory (no query per edit)."""
        item = self._items.get(document.id)
        if item is not None:
            counts = f"{len(document.factors)} factors, {len(document.links)} links"
            item.setToolTip(0, f"{document.info.name}\n{counts}")

    def current_map_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _activated(self, item: QTreeWidgetItem) -> None:
        map_id = item.data(0, Qt.ItemDataRole.UserRole)
        if map_id:
            self.map_chosen.emit(map_id)
