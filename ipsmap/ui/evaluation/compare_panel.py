"""The comparison panel: the differences as a table and an overlay on the canvas.

Side B is the map on the canvas (the live map, or a snapshot opened read-only); side A is
another map or a snapshot. The panel lists every difference (clicking one shows it on the
canvas) and, when maps are matched by label, the proposed matches to accept or reject.
Starting and stopping a comparison, and Map → Combine maps…, are in ``comparing``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.canonical import map_document
from ipsmap.model.compare import compare_documents
from ipsmap.model.snapshots import snapshot_document
from ipsmap.ui.canvas.compare_overlay import ADDED, CHANGED, REMOVED, CompareOverlay

if TYPE_CHECKING:
    from ipsmap.model.project import Project
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway

ItemIndex = QModelIndex | QPersistentModelIndex
CHANGE_COLORS = {"added": ADDED, "removed": REMOVED, "changed": CHANGED.darker(120)}


@dataclass(frozen=True)
class Difference:
    """One row of the table: one field of one record (or a whole added/removed record)."""

    kind: str  # 'factor' | 'link'
    change: str  # 'added' | 'removed' | 'changed'
    name: str
    field: str = ""
    before: str = ""
    after: str = ""
    a_id: str | None = None
    b_id: str | None = None


def differences(result: dict[str, Any]) -> list[Difference]:
    """The rows of a comparison: removed, added, then changed field by field."""
    rows: list[Difference] = []
    for table, kind in (("factors", "factor"), ("links", "link")):
        part = result[table]
        for change in ("removed", "added"):
            for e in sorted(part[change], key=lambda e: e["name"]):
                rows.append(Difference(kind, change, e["name"], a_id=e["a_id"], b_id=e["b_id"]))
        for e in part["changed"]:
            for name, (before, after) in e["fields"].items():
                rows.append(
                    Difference(
                        kind,
                        "changed",
                        e["name"],
                        name,
                        _text(before),
                        _text(after),
                        e["a_id"],
                        e["b_id"],
                    )
                )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class DifferenceModel(QAbstractTableModel):
    HEADERS = ("Kind", "Change", "Name", "Field", "Before", "After")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Difference] = []

    def set_rows(self, rows: list[Difference]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: ItemIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ItemIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: ItemIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        values = (row.kind, row.change, row.name, row.field, row.before, row.after)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return CHANGE_COLORS[row.change]
        return None


@dataclass
class Comparison:
    """What is being compared and the user's decisions about label matches."""

    a_kind: str  # 'map' | 'snapshot'
    a_id: str
    a_title: str
    match: str = "auto"
    accepted: set[tuple[str, str]] = field(default_factory=set)
    rejected: set[tuple[str, str]] = field(default_factory=set)
    result: dict[str, Any] = field(default_factory=dict)
    a_doc: dict[str, Any] = field(default_factory=dict)


class ComparePanel(QWidget):
    """The comparison's table of differences and its review of proposed matches."""

    def __init__(
        self, hallway: Hallway, scene: MapScene, view: MapView, on_stop: Callable[[], None]
    ) -> None:
        super().__init__()
        self.setObjectName("compare-panel")
        self.hallway = hallway
        self.scene = scene
        self.view = view
        self.overlay = CompareOverlay(scene)
        self.comparison: Comparison | None = None
        self._busy = False
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("compare-title")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        top.addWidget(QLabel("Match by:"))
        self.match = QComboBox()
        self.match.setObjectName("compare-match")
        self.match.addItems(["auto", "id", "label"])
        self.match.currentTextChanged.connect(self._match_changed)
        top.addWidget(self.match)
        stop = QPushButton("Stop comparing")
        stop.setObjectName("compare-stop")
        stop.clicked.connect(lambda: on_stop())
        top.addWidget(stop)
        column.addLayout(top)
        self.summary = QLabel()
        self.summary.setObjectName("compare-summary")
        column.addWidget(self.summary)
        split = QSplitter()
        self.model = DifferenceModel()
        self.table = QTableView()
        self.table.setObjectName("compare-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        split.addWidget(self.table)
        review = QWidget()
        review_column = QVBoxLayout(review)
        review_column.setContentsMargins(0, 0, 0, 0)
        self.review_title = QLabel("Label matches (tick to accept, untick to reject):")
        review_column.addWidget(self.review_title)
        self.review = QListWidget()
        self.review.setObjectName("compare-review")
        self.review.itemChanged.connect(self._review_changed)
        review_column.addWidget(self.review)
        split.addWidget(review)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.review_box = review
        column.addWidget(split, 1)
        hallway.model_changed.connect(self._model_changed)

    # -- running --------------------------------------------------------------------------

    def start(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._busy = True
        self.match.setCurrentText(comparison.match)
        self._busy = False
        self.run()

    def run(self) -> None:
        """Compare again (after a decision, a change of matching, or an edit of side B)."""
        comparison, document, project = self.comparison, self.hallway.document, self.hallway.project
        if comparison is None or document is None or project is None:
            return
        b_doc = map_document(document.project.map_data(document.id))
        comparison.a_doc = side_document(project, comparison.a_kind, comparison.a_id)
        comparison.result = compare_documents(
            comparison.a_doc,
            b_doc,
            comparison.match,
            sorted(comparison.accepted),
            sorted(comparison.rejected),
        )
        result = comparison.result
        self.overlay.show(result, comparison.a_doc)
        self.model.set_rows(differences(result))
        self.table.resizeColumnsToContents()
        self.title.setText(
            f"<b>A</b>: {comparison.a_title} &nbsp;→&nbsp; <b>B</b> (on the map): "
            f"{document.info.name}"
        )
        counts = []
        for table in ("factors", "links"):
            part = result[table]
            counts.append(
                f"{table}: {len(part['added'])} added, {len(part['removed'])} removed, "
                f"{len(part['changed'])} changed"
            )
        self.summary.setText(f"Matched by {result['matched_by']} — " + "; ".join(counts))
        self._fill_review(result.get("proposed_matches", []))

    def _fill_review(self, proposals: list[dict[str, Any]]) -> None:
        self._busy = True
        self.review.clear()
        for p in proposals:
            item = QListWidgetItem(f"{p['a']}  =  {p['b']}   ({p['reason']})")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if p["matched"] else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, (p["a_id"], p["b_id"]))
            if p["decision"] == "proposed":
                item.setForeground(QColor("#8a5a00"))
            self.review.addItem(item)
        self.review_box.setVisible(bool(proposals))
        self._busy = False

    def _review_changed(self, item: QListWidgetItem) -> None:
        if self._busy or self.comparison is None:
            return
        pair = tuple(item.data(Qt.ItemDataRole.UserRole))
        comparison = self.comparison
        if item.checkState() == Qt.CheckState.Checked:
            comparison.accepted.add(pair)  # type: ignore[arg-type]
            comparison.rejected.discard(pair)  # type: ignore[arg-type]
        else:
            comparison.rejected.add(pair)  # type: ignore[arg-type]
            comparison.accepted.discard(pair)  # type: ignore[arg-type]
        self.run()

    def _match_changed(self, text: str) -> None:
        if not self._busy and self.comparison is not None:
            self.comparison.match = text
            self.run()

    def _model_changed(self, _change) -> None:
        # Side B is the live map being edited: keep the comparison current.
        if self.comparison is not None:
            self.run()

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        self.show_difference(self.model.rows[current.row()])

    def show_difference(self, row: Difference) -> None:
        """Select and centre the canvas item of one difference."""
        item = self.overlay.item_for(row.kind, row.a_id, row.b_id)
        if item is None:
            return
        self.scene.clearSelection()
        item.setSelected(True)
        self.view.centerOn(item)

    def stop(self) -> None:
        self.comparison = None
        self.overlay.clear()
        self.model.set_rows([])
        self.review.clear()


def side_document(project: Project, kind: str, ref: str) -> dict[str, Any]:
    """The canonical document of one side: a map of the project, or a snapshot."""
    if kind == "snapshot":
        return snapshot_document(project, ref)
    return map_document(project.map_data(ref))
