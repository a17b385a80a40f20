"""The CMO table: a read-only Qt model over the project's CMOs, and its filter.

Edits go through the detail form as commands; this model only shows. It is rebuilt
whenever a CMO changes (a project holds tens of CMOs, not thousands).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ipsmap.model.cmo_queries import cmos_in_order, code_sort_key
from ipsmap.model.entities import CMO
from ipsmap.model.project import Project

COLUMNS = [
    ("code", "Code"),
    ("area", "Area"),
    ("context", "Context"),
    ("mechanism", "Mechanism"),
    ("outcome", "Outcome"),
    ("for_whom", "For whom"),
    ("status", "Status"),
    ("confidence", "Confidence"),
]
# Status colours: light fills readable with black text, distinct in grey print too.
STATUS_COLORS = {
    "initial": "#eceff1",
    "supported": "#c8e6c9",
    "refined": "#fff3c4",
    "refuted": "#ffcdd2",
}
ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# Marks the CMOs that explain what is selected on the canvas.
MARKED_ROLE = Qt.ItemDataRole.UserRole + 2


def mechanism_text(cmo: CMO) -> str:
    parts = [p for p in (cmo.mechanism_resource, cmo.mechanism_reasoning) if p]
    return " ⇒ ".join(parts)


class CmoTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.rows: list[CMO] = []
        self.marked: set[str] = set()

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = cmos_in_order(self.project) if self.project is not None else []
        self.endResetModel()

    def set_marked(self, ids: set[str]) -> None:
        if ids != self.marked:
            self.marked = set(ids)
            if self.rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
                )

    def row_of(self, cmo_id: str) -> int:
        for row, cmo in enumerate(self.rows):
            if cmo.id == cmo_id:
                return row
        return -1

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cmo = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == ID_ROLE:
            return cmo.id
        if role == MARKED_ROLE:
            return cmo.id in self.marked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self._text(cmo, key)
            if role == Qt.ItemDataRole.DisplayRole:
                text = text.replace("\n", " ")
                if key == "code" and cmo.id in self.marked:
                    text = "● " + text
            return text
        if role == SORT_ROLE:
            if key == "code":
                return cmo.position
            if key == "confidence":
                return -1.0 if cmo.confidence is None else cmo.confidence
            if key == "status":
                return ("initial", "refined", "supported", "refuted").index(cmo.status)
            return self._text(cmo, key).casefold()
        if role == Qt.ItemDataRole.BackgroundRole:
            if key == "status":
                return QBrush(QColor(STATUS_COLORS.get(cmo.status, "#ffffff")))
            if cmo.id in self.marked:
                return QBrush(QColor("#e3f2fd"))
        if role == Qt.ItemDataRole.ForegroundRole and key == "status":
            return QBrush(QColor("#000000"))
        if role == Qt.ItemDataRole.FontRole and cmo.id in self.marked:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, cmo: CMO, key: str) -> str:
        if key == "mechanism":
            return mechanism_text(cmo)
        if key == "confidence":
            return "" if cmo.confidence is None else f"{cmo.confidence:.2f}"
        return str(getattr(cmo, key))


class CmoFilter(QSortFilterProxyModel):
    """Filters by text (any column), by status, and optionally to the marked CMOs."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.status = ""
        self.only_marked = False
        self.setSortRole(SORT_ROLE)

    def set_filter(self, text: str | None = None, status: str | None = None, only_marked=None):
        self.beginFilterChange()
        if text is not None:
            self.text = text.strip().casefold()
        if status is not None:
            self.status = status
        if only_marked is not None:
            self.only_marked = bool(only_marked)
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, CmoTableModel)
        cmo = model.rows[row]
        if self.status and cmo.status != self.status:
            return False
        if self.only_marked and cmo.id not in model.marked:
            return False
        if not self.text:
            return True
        haystack = " ".join(
            [
                cmo.code,
                cmo.area,
                cmo.context,
                cmo.intervention,
                cmo.mechanism_resource,
                cmo.mechanism_reasoning,
                cmo.outcome,
                cmo.for_whom,
                cmo.notes,
            ]
        ).casefold()
        return self.text in haystack

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if left.column() == 0:
            model = self.sourceModel()
            assert isinstance(model, CmoTableModel)
            a = (a, code_sort_key(model.rows[left.row()].code))
            b = (b, code_sort_key(model.rows[right.row()].code))
        return a < b
