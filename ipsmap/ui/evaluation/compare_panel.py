"""Map → Compare with…: the differences as a table and an overlay; Map → Combine maps….

Side B is the map on the canvas (the live map, or a snapshot opened read-only); side A is
another map or a snapshot. The panel lists every difference (clicking one shows it on the
canvas) and, when maps are matched by label, the proposed matches to accept or reject.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
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
from ipsmap.model.frozen import is_frozen
from ipsmap.model.snapshots import find_snapshot, list_snapshots, snapshot_document
from ipsmap.ui.canvas.compare_overlay import ADDED, CHANGED, REMOVED, CompareOverlay
from ipsmap.ui.evaluation.snapshot_view import snapshot_title

if TYPE_CHECKING:
    from ipsmap.ui.main_window import MainWindow

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

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.setObjectName("compare-panel")
        self.window_ = window
        self.overlay = CompareOverlay(window.scene)
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
        stop.clicked.connect(lambda: stop_comparing(window))
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
        window.scene.changed_by_model.connect(self._model_changed)

    # -- running --------------------------------------------------------------------------

    def start(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self._busy = True
        self.match.setCurrentText(comparison.match)
        self._busy = False
        self.run()

    def run(self) -> None:
        """Compare again (after a decision, a change of matching, or an edit of side B)."""
        window, comparison = self.window_, self.comparison
        if comparison is None or window.document is None:
            return
        document = window.document
        b_doc = map_document(document.project.map_data(document.id))
        comparison.a_doc = side_document(window, comparison.a_kind, comparison.a_id)
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
        scene = self.window_.scene
        scene.clearSelection()
        item.setSelected(True)
        self.window_.view.centerOn(item)

    def stop(self) -> None:
        self.comparison = None
        self.overlay.clear()
        self.model.set_rows([])
        self.review.clear()


# -- the window's side ---------------------------------------------------------------------


def side_document(window: MainWindow, kind: str, ref: str) -> dict[str, Any]:
    """The canonical document of one side: a map of the project, or a snapshot."""
    assert window.project is not None
    if kind == "snapshot":
        return snapshot_document(window.project, ref)
    return map_document(window.project.map_data(ref))


def install(window: MainWindow) -> None:
    panel = ComparePanel(window)
    dock = window._dock("Comparison", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
    window.tabifyDockWidget(window.docks["data"], dock)
    dock.hide()
    dock.toggleViewAction().setObjectName("action-show-comparison")
    window.docks["compare"] = dock
    window.compare_panel = panel  # type: ignore[attr-defined]
    window.document_shown.connect(lambda _doc: _document_switched(window))
    window.actions_by_name["stop-comparing"].setEnabled(False)


def _panel(window: MainWindow) -> ComparePanel:
    return window.compare_panel  # type: ignore[attr-defined]


def is_comparing(window: MainWindow) -> bool:
    return _panel(window).comparison is not None


def _document_switched(window: MainWindow) -> None:
    # The scene was rebuilt for another map: what was drawn no longer applies.
    if is_comparing(window):
        stop_comparing(window)


def compare_with(window: MainWindow, other: tuple[str, str] | None = None) -> None:
    """Compare the map on the canvas (B) with another map or a snapshot (A)."""
    project, document = window.project, window.document
    if project is None or document is None:
        return
    if other is None:
        choices = _other_sides(window)
        if not choices:
            window.show_message("There is nothing to compare with: no other map or snapshot")
            return
        names = [c[0] for c in choices]
        choice, ok = QInputDialog.getItem(
            window, "Compare with", f"Compare “{document.info.name}” with:", names, 0, False
        )
        if not ok:
            return
        other = choices[names.index(choice)][1]
    kind, ref = other
    if kind == "snapshot":
        snapshot = find_snapshot(project, ref)
        if snapshot is None:
            window.show_message(f"There is no snapshot with id {ref}")
            return
        title = f"snapshot {snapshot_title(snapshot)}"
    else:
        title = project.map_info(ref).name
    panel = _panel(window)
    if not window._guard(lambda: panel.start(Comparison(kind, ref, title))):
        panel.stop()
        return
    window.docks["compare"].show()
    window.docks["compare"].raise_()
    window.actions_by_name["stop-comparing"].setEnabled(True)
    window.show_message("Comparing: green added, amber changed, red dashed removed (Esc stops)")


def _other_sides(window: MainWindow) -> list[tuple[str, tuple[str, str]]]:
    assert window.project is not None and window.document is not None
    current = window.document
    shown_snapshot = getattr(current, "snapshot", None)
    sides = [
        (f"Map: {m.name}", ("map", m.id))
        for m in window.project.maps()
        if is_frozen(current) or m.id != current.id
    ]
    snapshots = list_snapshots(window.project)
    # The map's own snapshots first: "what changed since…" is the usual question.
    snapshots.sort(key=lambda s: (s.map_id != current.id, s.taken_at))
    sides += [
        (f"Snapshot: {snapshot_title(s)}", ("snapshot", s.id))
        for s in snapshots
        if shown_snapshot is None or s.id != shown_snapshot.id
    ]
    return sides


def stop_comparing(window: MainWindow) -> None:
    _panel(window).stop()
    window.docks["compare"].hide()
    window.actions_by_name["stop-comparing"].setEnabled(False)


# -- Map → Combine maps… -------------------------------------------------------------------


class CombineDialog(QDialog):
    """Choose maps with checkboxes and name the combined map."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("combine-dialog")
        self.setWindowTitle("Combine maps")
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Maps to combine (factors are merged by label):"))
        self.maps = QListWidget()
        self.maps.setObjectName("combine-maps")
        assert window.project is not None
        for info in window.project.maps():
            item = QListWidgetItem(info.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            self.maps.addItem(item)
        column.addWidget(self.maps)
        column.addWidget(
            QLabel("Similar labels: tick those that name the same factor, to merge them too:")
        )
        self.similar = QListWidget()
        self.similar.setObjectName("combine-similar")
        self.similar.setToolTip(
            "Labels that are alike but not the same. Nothing here is merged unless ticked."
        )
        column.addWidget(self.similar)
        self._project = window.project
        self.maps.itemChanged.connect(lambda _item: self._propose())
        self.name = QLineEdit("Combined map")
        self.name.setObjectName("combine-name")
        row = QHBoxLayout()
        row.addWidget(QLabel("Name:"))
        row.addWidget(self.name)
        column.addLayout(row)
        self.split_polarity = QCheckBox("Keep + and − links between the same factors apart")
        self.split_polarity.setChecked(True)
        column.addWidget(self.split_polarity)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def chosen(self) -> list[str]:
        return [
            self.maps.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.maps.count())
            if self.maps.item(i).checkState() == Qt.CheckState.Checked
        ]

    def merges(self) -> list[tuple[str, str]]:
        """The similar labels the user ticked as one factor."""
        return [
            self.similar.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.similar.count())
            if self.similar.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _propose(self) -> None:
        from ipsmap.model.aggregate import propose_merges

        ticked = set(self.merges())
        self.similar.clear()
        chosen = self.chosen()
        if len(chosen) < 2 or self._project is None:
            return
        for proposal in propose_merges([self._project.map_data(m) for m in chosen]):
            pair = (proposal.a, proposal.b)
            item = QListWidgetItem(f"“{proposal.a}” and “{proposal.b}” ({proposal.reason})")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if pair in ticked else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, pair)
            self.similar.addItem(item)


def combine_maps(
    window: MainWindow,
    map_ids: list[str] | None = None,
    name: str | None = None,
    split_polarity: bool = True,
    merge: list[tuple[str, str]] | None = None,
) -> str | None:
    """Merge maps into a new map (one undoable step) and show it; its id."""
    from ipsmap.model.aggregate import combine_maps as combine

    project = window.project
    if project is None:
        return None
    if map_ids is None or name is None:
        dialog = CombineDialog(window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        map_ids, name = dialog.chosen(), dialog.name.text()
        split_polarity = dialog.split_polarity.isChecked()
        merge = dialog.merges()
    made: list[str] = []
    chosen, new_name, pairs = map_ids, name, merge or []
    if window._guard(
        lambda: made.append(combine(project, chosen, new_name, split_polarity, pairs))
    ):
        window.show_map(made[0])
        window.show_message(f"Combined {len(chosen)} maps into “{project.map_info(made[0]).name}”")
        return made[0]
    return None
