"""The detail form of one CMO: every field editable, each finished edit one EditCMO command.

Evidence is a small table (source, quote, where: the project's workshops and snapshots are
offered and kept by id, so renaming a workshop renames it here; a new row is saved once it
has content); "Explains" lists the factors and links it accounts for, linked from the
canvas selection; "Leads to" chains CMOs; "History" reads the CMO's evolution from the
audit log, grouped by the snapshots (adaptation points) taken in between."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.cmo_queries import (
    CMO_FIELD_LABELS,
    chain_text,
    cmo_evolution,
    cmos_in_order,
    describe_item,
    evidence_where,
)
from ipsmap.model.command import named
from ipsmap.model.entities import CMO_STATUSES
from ipsmap.model.project import Project
from ipsmap.model.record_commands import EditCMO
from ipsmap.ui.evaluation.cmo_evidence import (
    EVIDENCE_KEYS,
    WhereDelegate,
    evidence_reference,
    is_blank,
    where_choices,
)
from ipsmap.ui.panels.inspector import CommitText

TEXT_FIELDS = (
    "context",
    "intervention",
    "mechanism_resource",
    "mechanism_reasoning",
    "outcome",
    "notes",
)
LINE_FIELDS = ("code", "area", "for_whom")
NOT_RATED = -0.05


class CmoDetail(QWidget):
    """Shows and edits one CMO (or says that none is chosen)."""

    # A factor or link of the Explains list was activated: show it on its map.
    item_activated = Signal(str)

    def __init__(
        self,
        run: Callable[[EditCMO], bool],
        canvas_selection: Callable[[], list[str]],
    ) -> None:
        super().__init__()
        self.setObjectName("cmo-detail")
        self.run = run
        self.canvas_selection = canvas_selection
        self.project: Project | None = None
        self.cmo_id: str | None = None
        self.read_only = False
        self._filling = False
        outer = QVBoxLayout(self)
        self.heading = QLabel("No CMO chosen")
        self.heading.setObjectName("cmo-heading")
        outer.addWidget(self.heading)
        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addWidget(self.form_widget)
        outer.addStretch(1)
        self.lines: dict[str, QLineEdit] = {}
        self.texts: dict[str, CommitText] = {}
        for name in ("code", "area"):
            self._add_line(form, name)
        for name in TEXT_FIELDS[:-1]:
            self._add_text(form, name)
        self._add_line(form, "for_whom")
        self.status = QComboBox()
        self.status.setObjectName("cmo-status")
        self.status.setAccessibleName("Status")
        for status in CMO_STATUSES:
            self.status.addItem(status.capitalize(), status)
        self.status.activated.connect(lambda i: self._edit("status", self.status.itemData(i)))
        form.addRow("&Status", self.status)
        self.confidence = QDoubleSpinBox()
        self.confidence.setObjectName("cmo-confidence")
        self.confidence.setAccessibleName("Confidence from 0 to 1")
        self.confidence.setRange(NOT_RATED, 1.0)
        self.confidence.setSingleStep(0.05)
        self.confidence.setDecimals(2)
        self.confidence.setSpecialValueText("Not rated")
        self.confidence.editingFinished.connect(self._confidence_finished)
        form.addRow("Con&fidence", self.confidence)
        self._build_evidence(form)
        self._add_text(form, "notes")
        self._build_explains(form)
        self._build_leads_to(form)
        self.history = QListWidget()
        self.history.setObjectName("cmo-history")
        self.history.setAccessibleName("History of this CMO")
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(90)
        form.addRow("History", self.history)
        self.form_widget.setEnabled(False)

    # -- building ---------------------------------------------------------------------------

    def _add_line(self, form: QFormLayout, name: str) -> None:
        edit = QLineEdit()
        edit.setObjectName(f"cmo-{name.replace('_', '-')}")
        edit.setAccessibleName(CMO_FIELD_LABELS[name])
        edit.editingFinished.connect(lambda: self._edit(name, edit.text().strip()))
        self.lines[name] = edit
        form.addRow(CMO_FIELD_LABELS[name], edit)

    def _add_text(self, form: QFormLayout, name: str) -> None:
        edit = CommitText(lambda text: self._edit(name, text))
        edit.setObjectName(f"cmo-{name.replace('_', '-')}")
        edit.setAccessibleName(CMO_FIELD_LABELS[name])
        edit.setMaximumHeight(56)
        self.texts[name] = edit
        form.addRow(CMO_FIELD_LABELS[name], edit)

    def _build_evidence(self, form: QFormLayout) -> None:
        self.evidence = QTableWidget(0, 3)
        self.evidence.setObjectName("cmo-evidence")
        self.evidence.setAccessibleName("Evidence: source, quote and where it came from")
        self.evidence.setHorizontalHeaderLabels(["Source", "Quote", "Where"])
        self.evidence.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.evidence.verticalHeader().hide()
        self.evidence.setMinimumHeight(90)
        self.evidence.setItemDelegateForColumn(
            2,
            WhereDelegate(
                lambda: [text for text, _ in where_choices(self.project)] if self.project else [],
                self,
            ),
        )
        self.evidence.itemChanged.connect(self._evidence_edited)
        for delegate in (self.evidence.itemDelegate(), self.evidence.itemDelegateForColumn(2)):
            delegate.closeEditor.connect(lambda *_: QTimer.singleShot(0, self._drop_blank_rows))
        add = QPushButton("Add evidence")
        add.setToolTip("Add a row; it is saved once something is typed in it")
        add.setObjectName("cmo-add-evidence")
        add.clicked.connect(self._add_evidence)
        remove = QPushButton("Remove evidence")
        remove.setObjectName("cmo-remove-evidence")
        remove.clicked.connect(self._remove_evidence)
        self.evidence_buttons = (add, remove)
        form.addRow("Evidence", self.evidence)
        form.addRow("", _row(add, remove))

    def _build_explains(self, form: QFormLayout) -> None:
        self.explains = QListWidget()
        self.explains.setObjectName("cmo-explains")
        self.explains.setAccessibleName("Factors and links this CMO explains")
        self.explains.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.explains.setMinimumHeight(70)
        self.explains.itemActivated.connect(
            lambda item: self.item_activated.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        link = QPushButton("&Link selected on map")
        link.setObjectName("cmo-link-selected")
        link.setToolTip("Add the factors and links selected on the map to what this CMO explains")
        link.clicked.connect(self.link_canvas_selection)
        unlink = QPushButton("&Unlink")
        unlink.setObjectName("cmo-unlink")
        unlink.setToolTip("Remove the chosen factors and links from this list")
        unlink.clicked.connect(self.unlink_chosen)
        self.explains_buttons = (link, unlink)
        form.addRow("Explains", self.explains)
        form.addRow("", _row(link, unlink))

    def _build_leads_to(self, form: QFormLayout) -> None:
        self.leads_to = QListWidget()
        self.leads_to.setObjectName("cmo-leads-to")
        self.leads_to.setAccessibleName("CMOs whose context is this CMO's outcome")
        self.leads_to.setMaximumHeight(70)
        self.leads_choice = QComboBox()
        self.leads_choice.setObjectName("cmo-leads-to-choice")
        self.leads_choice.setAccessibleName("CMO to chain to")
        add = QPushButton("Chain")
        add.setObjectName("cmo-add-leads-to")
        add.setToolTip("This CMO's outcome is the chosen CMO's context")
        add.clicked.connect(self._add_leads_to)
        remove = QPushButton("Unchain")
        remove.setObjectName("cmo-remove-leads-to")
        remove.clicked.connect(self._remove_leads_to)
        self.leads_buttons = (add, remove)
        self.chain = QLabel()
        self.chain.setObjectName("cmo-chain")
        self.chain.setWordWrap(True)
        self.chain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Leads to", self.leads_to)
        form.addRow("", _row(self.leads_choice, add, remove))
        form.addRow("Chain", self.chain)

    # -- showing ----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.read_only = bool(project and project.read_only)
        self.show_cmo(None)

    def show_cmo(self, cmo_id: str | None) -> None:
        """Show a CMO (None: none); a field being typed in is committed to the old one first."""
        switching = cmo_id != self.cmo_id
        if switching:
            focused = QApplication.focusWidget()
            if focused is not None and self.isAncestorOf(focused):
                focused.clearFocus()
        self.cmo_id = cmo_id
        self.refresh(force=switching)

    def refresh(self, force: bool = False) -> None:
        project = self.project
        cmo = project.cmos.get(self.cmo_id or "") if project is not None else None
        self.form_widget.setEnabled(cmo is not None)
        if cmo is None or project is None:
            self.cmo_id = None
            self.heading.setText("No CMO chosen: pick one in the table, or add one")
            for edit in self.lines.values():
                edit.clear()
            for text in self.texts.values():
                text.setPlainText("")
            self._fill_lists(None)
            return
        self._filling = True
        try:
            self.heading.setText(f"<b>{cmo.code}</b> — {cmo.area or 'no area yet'}")
            for name, edit in self.lines.items():
                if (force or not edit.hasFocus()) and edit.text() != getattr(cmo, name):
                    edit.setText(getattr(cmo, name))
                    edit.setCursorPosition(0)
            for name, text in self.texts.items():
                if force:
                    text.setPlainText(getattr(cmo, name))
                else:
                    text.set_text_quietly(getattr(cmo, name))
            self.status.setCurrentIndex(CMO_STATUSES.index(cmo.status))
            if force or not self.confidence.hasFocus():
                self.confidence.setValue(NOT_RATED if cmo.confidence is None else cmo.confidence)
            areas = sorted({c.area for c in project.cmos.values() if c.area})
            self.lines["area"].setCompleter(QCompleter(areas, self))
            self._fill_lists(cmo)
        finally:
            self._filling = False
        for edit in self.lines.values():
            edit.setReadOnly(self.read_only)
        for text in self.texts.values():
            text.setReadOnly(self.read_only)
        for widget in (
            self.status,
            self.confidence,
            *self.evidence_buttons,
            *self.explains_buttons,
            *self.leads_buttons,
            self.leads_choice,
        ):
            widget.setEnabled(not self.read_only)
        triggers = (
            QAbstractItemView.EditTrigger.NoEditTriggers
            if self.read_only
            else QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.evidence.setEditTriggers(triggers)

    def _fill_lists(self, cmo) -> None:
        project = self.project
        self.evidence.blockSignals(True)
        # Rebuilding the table under an open cell editor would destroy it mid-edit.
        shown = self._shown_evidence(cmo) if cmo is not None else []
        unchanged = cmo is not None and self._evidence_rows() == shown
        if not unchanged:
            self.evidence.setRowCount(0)
        self.explains.clear()
        self.leads_to.clear()
        self.leads_choice.clear()
        self.history.clear()
        self.chain.setText("")
        if cmo is None or project is None:
            self.evidence.blockSignals(False)
            return
        for row, entry in enumerate([] if unchanged else shown):
            self.evidence.insertRow(row)
            for col, key in enumerate(EVIDENCE_KEYS):
                self.evidence.setItem(row, col, QTableWidgetItem(entry.get(key, "")))
            reference = evidence_reference(entry)
            where = self.evidence.item(row, 2)
            # With the text it was saved with, shown again if the session has gone.
            stored = {**reference, "where": cmo.evidence[row].get("where", "")}
            where.setData(Qt.ItemDataRole.UserRole, stored if reference else None)
            if reference:
                where.setToolTip(
                    "A workshop or snapshot of this project: renaming it renames it here"
                )
        self.evidence.resizeRowsToContents()
        self.evidence.blockSignals(False)
        for item_id in cmo.explains:
            ref = describe_item(project, item_id)
            text = f"{ref.label}  ({ref.kind} on {ref.map_name})" if ref else "(deleted item)"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, item_id)
            item.setToolTip("Enter or double-click to show it on its map")
            self.explains.addItem(item)
        for other_id in cmo.leads_to:
            other = project.cmos.get(other_id)
            item = QListWidgetItem(f"{other.code}: {other.context}" if other else "(deleted CMO)")
            item.setData(Qt.ItemDataRole.UserRole, other_id)
            self.leads_to.addItem(item)
        for other in cmos_in_order(project):
            if other.id != cmo.id and other.id not in cmo.leads_to:
                self.leads_choice.addItem(
                    f"{other.code}: {other.outcome or other.context}", other.id
                )
        self.chain.setText(chain_text(project, cmo.id))
        # Oldest first, under the snapshots (adaptation points) each period ends with.
        for period in cmo_evolution(project, cmo.id):
            heading = QListWidgetItem(period.heading)
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            heading.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "heading")
            self.history.addItem(heading)
            for change in period.changes:
                self.history.addItem("    " + change.text(project))
            if not period.changes:
                self.history.addItem("    (no changes)")
        self.history.scrollToBottom()

    # -- committing -------------------------------------------------------------------------

    def _edit(self, field: str, value: object) -> bool:
        project = self.project
        if self._filling or project is None or self.read_only:
            return False
        cmo = project.cmos.get(self.cmo_id or "")
        if cmo is None or getattr(cmo, field) == value:
            return False
        command = EditCMO(cmo.id, {field: value})
        command = named(command, f"Edit {cmo.code}: {CMO_FIELD_LABELS.get(field, field).lower()}")
        if not self.run(command):
            self.refresh(force=True)
            return False
        return True

    def _confidence_finished(self) -> None:
        value = self.confidence.value()
        self._edit("confidence", None if value <= NOT_RATED + 1e-9 else round(value, 2))

    def _current(self):
        return self.project.cmos.get(self.cmo_id or "") if self.project else None

    def _shown_evidence(self, cmo) -> list[dict[str, str]]:
        """The CMO's evidence as the table shows it: sessions and snapshots by today's name."""
        return [
            {
                **{key: e.get(key, "") for key in EVIDENCE_KEYS},
                "where": evidence_where(self.project, e),
                **evidence_reference(e),
            }
            for e in cmo.evidence
        ]

    def _evidence_rows(self) -> list[dict[str, str]]:
        """The table's entries with something in them (a new row is saved once it has)."""
        choices = dict(reversed(where_choices(self.project))) if self.project else {}
        rows = []
        for row in range(self.evidence.rowCount()):
            cells = [self.evidence.item(row, col) for col in range(3)]
            entry = {
                key: (cell.text() if cell else "")
                for key, cell in zip(EVIDENCE_KEYS, cells, strict=True)
            }
            if is_blank(entry):
                continue
            held = cells[2].data(Qt.ItemDataRole.UserRole) if cells[2] else None
            # The reference holds while the text still names it; other text names another.
            if held and evidence_where(self.project, held) == entry["where"]:
                entry.update(evidence_reference(held))
            else:
                entry.update(choices.get(entry["where"], {}))
            rows.append(entry)
        return rows

    def _evidence_edited(self, _item) -> None:
        # After the table has finished its own edit: committing refreshes the table.
        cmo_id = self.cmo_id
        QTimer.singleShot(0, lambda: self._commit_evidence(cmo_id))

    def _commit_evidence(self, cmo_id: str | None) -> None:
        if cmo_id == self.cmo_id:
            self._edit("evidence", self._evidence_rows())

    def _add_evidence(self) -> None:
        """Open a new row for typing; nothing is saved until it has some content."""
        if self._current() is None:
            return
        self.evidence.blockSignals(True)
        row = self.evidence.rowCount()
        self.evidence.insertRow(row)
        for col in range(3):
            self.evidence.setItem(row, col, QTableWidgetItem(""))
        self.evidence.blockSignals(False)
        self.evidence.setFocus()
        self.evidence.setCurrentCell(row, 0)
        self.evidence.editItem(self.evidence.item(row, 0))

    def _drop_blank_rows(self) -> None:
        """A new row left empty goes away once no cell of the table is being edited."""
        if self.evidence.state() == QAbstractItemView.State.EditingState:
            return
        self.evidence.blockSignals(True)
        for row in reversed(range(self.evidence.rowCount())):
            cells = [self.evidence.item(row, col) for col in range(3)]
            if not any(cell is not None and cell.text().strip() for cell in cells):
                self.evidence.removeRow(row)
        self.evidence.blockSignals(False)

    def _remove_evidence(self) -> None:
        cmo = self._current()
        rows = {i.row() for i in self.evidence.selectedIndexes()}
        if cmo is None or not rows:
            return
        self._edit("evidence", [e for i, e in enumerate(cmo.evidence) if i not in rows])

    def link_canvas_selection(self) -> None:
        cmo = self._current()
        if cmo is None:
            return
        added = [i for i in self.canvas_selection() if i not in cmo.explains]
        if added:
            self._edit("explains", [*cmo.explains, *added])

    def unlink_chosen(self) -> None:
        cmo = self._current()
        chosen = {i.data(Qt.ItemDataRole.UserRole) for i in self.explains.selectedItems()}
        if cmo is None or not chosen:
            return
        self._edit("explains", [i for i in cmo.explains if i not in chosen])

    def _add_leads_to(self) -> None:
        cmo = self._current()
        other = self.leads_choice.currentData()
        if cmo is not None and other:
            self._edit("leads_to", [*cmo.leads_to, other])

    def _remove_leads_to(self) -> None:
        cmo = self._current()
        chosen = {i.data(Qt.ItemDataRole.UserRole) for i in self.leads_to.selectedItems()}
        if cmo is not None and chosen:
            self._edit("leads_to", [c for c in cmo.leads_to if c not in chosen])


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row
