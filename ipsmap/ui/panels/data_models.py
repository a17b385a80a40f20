"""The data view's table models: the map's factors and links as rows and columns.

Models never change records themselves: an edited cell becomes one model command run by
the MapEditor, and the rows refresh from the change the hallway reports afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ipsmap.model.changes import Change
from ipsmap.model.command import Command, named
from ipsmap.model.commands import EditFactor, EditFactors, EditLink, EditLinks
from ipsmap.model.document import MapDocument
from ipsmap.model.entities import (
    CONFIDENCE_LEVELS,
    GROUP_MEMBERS_TABLE,
    POLARITIES,
    STRENGTH_LEVELS,
    Factor,
    Link,
    level_name,
)
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.search_bar import fold_text

ItemIndex = QModelIndex | QPersistentModelIndex
Role = Qt.ItemDataRole

# Extra roles: what the proxy sorts and filters on, and the record id of a row.
SORT_ROLE = Role.UserRole + 1
FILTER_ROLE = Role.UserRole + 2
ID_ROLE = Role.UserRole + 3

POLARITY_TEXT = {"+": "+", "-": "−", "?": "?"}
# Unrated confidence sorts below "low".
UNRATED = -1.0
TEXT_FIELDS = ("label", "notes", "rationale", "evidence")


def natural_key(text: str) -> str:
    """A sort key in which "Factor 9" comes before "Factor 10" and case/accents don't count.

    Digit runs are zero-padded so the proxy can compare the keys as plain strings in C++,
    which keeps sorting a 2,000-row table fast.
    """
    return re.sub(r"\d+", lambda m: m.group().zfill(20), fold_text(text))


def _one_line(text: str) -> str:
    return " ".join(text.split()) if "\n" in text else text


def _when(iso: str) -> str:
    # "2025-03-01T14:03:22.123Z" -> "2025-03-01 14:03" (UTC, as stored).
    return iso[:16].replace("T", " ")


@dataclass(frozen=True)
class Column:
    header: str
    tooltip: str
    # The record field an edit of this column sets; None for read-only columns.
    field: str | None = None


class _Row(NamedTuple):
    """One record as the table shows it, built once and kept until the record changes."""

    display: tuple[str, ...]
    sort: tuple[Any, ...]
    search: str


def _row(display: tuple[str, ...], sort: tuple[Any, ...]) -> _Row:
    # Cells are joined by newlines so a filter word cannot match across two cells.
    return _Row(display, sort, "\n".join(fold_text(text) for text in display))


# -- table models -------------------------------------------------------------------------


class RecordTableModel(QAbstractTableModel):
    """Rows of one table of the current document, in map (creation) order."""

    TABLE = ""
    NOUN = ""
    COLUMNS: tuple[Column, ...] = ()

    def __init__(self, editor: MapEditor, parent=None) -> None:
        super().__init__(parent)
        self._editor = editor
        self.document: MapDocument | None = None
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._rows: dict[str, _Row] = {}
        # Which records an edit of ``record_id`` applies to; the table makes this the
        # selected rows, so one edit can set many records at once.
        self.edit_targets: Callable[[str], list[str]] = lambda record_id: [record_id]

    # -- what subclasses provide ----------------------------------------------------------

    def records(self) -> dict[str, Any]:
        raise NotImplementedError

    def build_row(self, record: Any) -> _Row:
        raise NotImplementedError

    def edit_value(self, record: Any, field: str) -> Any:
        return getattr(record, field)

    def parse(self, field: str, value: Any) -> Any:
        """The model value for an edited cell; ValueError with a plain message if invalid."""
        return "" if value is None else str(value)

    def command(self, ids: list[str], changes: dict[str, Any]) -> Command:
        raise NotImplementedError

    def touched_ids(self, change: Change) -> set[str] | None:
        """Ids whose rows a field-level change alters (None: every row)."""
        raise NotImplementedError

    # -- keeping in step ------------------------------------------------------------------

    def set_document(self, document: MapDocument | None) -> None:
        self.document = document
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = list(self.records()) if self.document is not None else []
        self._row_of = {record_id: row for row, record_id in enumerate(self._ids)}
        self._rows.clear()
        self.endResetModel()

    def is_structural(self, change: Change) -> bool:
        return bool(change.added.get(self.TABLE) or change.removed.get(self.TABLE))

    def append_new(self, change: Change) -> bool:
        """Insert rows for records added at the end of the map; False if a reset is needed.

        Adding a factor is the commonest edit in a workshop: inserting its row is cheap,
        whereas a reset makes the filter look at every row of a big map again.
        """
        added = change.added.get(self.TABLE, set())
        if change.removed.get(self.TABLE) or not added or self.document is None:
            return False
        records = self.records()
        if len(records) != len(self._ids) + len(added):
            return False
        tail = list(records)[len(self._ids) :]
        if set(tail) != added:
            return False  # restored in the middle (undo of a delete): rebuild instead
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(tail) - 1)
        for offset, record_id in enumerate(tail):
            self._ids.append(record_id)
            self._row_of[record_id] = first + offset
        self.endInsertRows()
        return True

    def refresh(self, change: Change) -> None:
        """Rebuild and announce only the rows the change touched."""
        ids = self.touched_ids(change)
        if ids is None:
            self._rows.clear()
            rows = list(range(len(self._ids)))
        else:
            rows = sorted(self._row_of[i] for i in ids if i in self._row_of)
            for record_id in ids:
                self._rows.pop(record_id, None)
        last = self.columnCount() - 1
        for first, end in _runs(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))

    def record_id(self, row: int) -> str:
        return self._ids[row]

    def row_of(self, record_id: str) -> int | None:
        return self._row_of.get(record_id)

    def search_text(self, row: int) -> str:
        return self._row(self._ids[row]).search

    def _row(self, record_id: str) -> _Row:
        cached = self._rows.get(record_id)
        if cached is None:
            record = self.records().get(record_id)
            if record is None:
                # Deleted, and the reset that drops its row has not run yet (a listener
                # ahead of the scene may have let Qt repaint): show it blank meanwhile.
                blank = ("",) * self.columnCount()
                return _Row(blank, blank, "")
            cached = self._rows[record_id] = self.build_row(record)
        return cached

    def _person(self, participant_id: str | None) -> str:
        assert self.document is not None
        person = self.document.project.participants.get(participant_id or "")
        return person.pseudonym if person else ""

    def _style_name(self, style_id: str | None) -> str:
        assert self.document is not None
        style = self.document.styles.get(style_id or "")
        return style.name if style else ""

    def _style_id(self, kind: str, value: Any) -> str | None:
        # Accept a style id (from the combo) or a style name (typed or pasted).
        assert self.document is not None
        if value is None or value in self.document.styles:
            return value
        style = self.document.state.style_named(kind, str(value))
        if style is None:
            raise ValueError(f"This map has no {kind} type called {value!r}")
        return style.id

    # -- Qt model API ---------------------------------------------------------------------

    def rowCount(self, parent: ItemIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ItemIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Role.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        column = self.COLUMNS[section]
        if role == Role.DisplayRole:
            return column.header
        if role == Role.ToolTipRole:
            editable = " Double-click or press F2 to edit." if column.field else ""
            return column.tooltip + editable
        return None

    def data(self, index: ItemIndex, role: int = Role.DisplayRole) -> Any:
        if not index.isValid() or self.document is None:
            return None
        record_id = self._ids[index.row()]
        column = index.column()
        if role == Role.DisplayRole:
            return self._row(record_id).display[column]
        if role == SORT_ROLE:
            return self._row(record_id).sort[column]
        if role == FILTER_ROLE:
            return self._row(record_id).search
        if role == ID_ROLE:
            return record_id
        field = self.COLUMNS[column].field
        record = self.records().get(record_id)
        if role == Role.EditRole:
            if field is None or record is None:
                return self._row(record_id).display[column]
            return self.edit_value(record, field)
        if role == Role.ToolTipRole and field in TEXT_FIELDS and record is not None:
            # Cells show long or multi-line text on one line; the tooltip shows it whole.
            return getattr(record, field) or None
        return None

    def flags(self, index: ItemIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if (
            index.isValid()
            and self.COLUMNS[index.column()].field is not None
            and self.document is not None
            and not self.document.project.read_only
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: ItemIndex, value: Any, role: int = Role.EditRole) -> bool:
        if role != Role.EditRole or not index.isValid() or self.document is None:
            return False
        field = self.COLUMNS[index.column()].field
        # The editor runs commands on its own document; never edit a map we don't show.
        if field is None or self._editor.document is not self.document:
            return False
        try:
            value = self.parse(field, value)
        except ValueError as exc:
            self._editor.message.emit(str(exc))
            return False
        record_id = self._ids[index.row()]
        records = self.records()
        if record_id not in records:
            return False
        ids = [i for i in self.edit_targets(record_id) if i in records] or [record_id]
        command = self.command(ids, {field: value})
        if len(ids) > 1:
            header = self.COLUMNS[index.column()].header.lower()
            command = named(command, f"Set {header} of {len(ids)} {self.NOUN}s")
        return self._editor.run(command)


class FactorTableModel(RecordTableModel):
    TABLE = "factors"
    NOUN = "factor"
    COLUMNS = (
        Column("Label", "The factor's name, as shown on the map", "label"),
        Column("Type", "The kind of factor; it sets its shape and colour on the map", "type"),
        Column("Groups", "The groups the factor belongs to"),
        Column("Notes", "Notes about the factor", "notes"),
        Column("Created by", "Who added the factor"),
        Column("Created", "When the factor was added (UTC)"),
        Column("Modified by", "Who changed the factor last"),
        Column("Modified", "When the factor was changed last (UTC)"),
    )

    def records(self) -> dict[str, Factor]:
        return self.document.factors if self.document is not None else {}

    def build_row(self, factor: Factor) -> _Row:
        assert self.document is not None
        state = self.document.state
        groups = ", ".join(sorted(state.groups[g].name for g in state.groups_of(factor.id)))
        type_name = self._style_name(factor.type)
        created_by = self._person(factor.created_by)
        modified_by = self._person(factor.modified_by)
        display = (
            factor.label,
            type_name,
            groups,
            _one_line(factor.notes),
            created_by,
            _when(factor.created_at),
            modified_by,
            _when(factor.modified_at),
        )
        sort = (
            natural_key(factor.label),
            natural_key(type_name),
            natural_key(groups),
            natural_key(factor.notes),
            natural_key(created_by),
            factor.created_at,
            natural_key(modified_by),
            factor.modified_at,
        )
        return _row(display, sort)

    def parse(self, field: str, value: Any) -> Any:
        if field == "type":
            return self._style_id("factor", value)
        return super().parse(field, value)

    def command(self, ids: list[str], changes: dict[str, Any]) -> Command:
        if len(ids) == 1:
            return EditFactor(ids[0], changes)
        return EditFactors(ids, changes)

    def touched_ids(self, change: Change) -> set[str] | None:
        if change.touches("styles"):
            return None
        ids = set(change.changed.get("factors", {}))
        for table in (change.added, change.removed):
            ids.update(key.split("/", 1)[1] for key in table.get(GROUP_MEMBERS_TABLE, ()))
        if self.document is not None:
            members = self.document.state.group_members
            for group_id in change.changed.get("groups", {}):
                ids.update(members.get(group_id, ()))
        return ids


class LinkTableModel(RecordTableModel):
    TABLE = "links"
    NOUN = "link"
    COLUMNS = (
        Column("From", "The cause: the factor the link starts from"),
        Column("To", "The effect: the factor the link points to"),
        Column(
            "Polarity",
            "+ more of the cause gives more of the effect; − more gives less; ? unclear",
            "polarity",
        ),
        Column("Strength", "How strongly the cause changes the effect", "strength"),
        Column(
            "Confidence", "How sure the group is about the link (empty: not rated)", "confidence"
        ),
        Column("Type", "The link's style on the map", "type"),
        Column("Rationale", "Why the group thinks the cause changes the effect", "rationale"),
        Column("Evidence", "What supports the link: experience, data or research", "evidence"),
        Column("Notes", "Notes about the link", "notes"),
        Column("Created by", "Who added the link"),
    )

    def records(self) -> dict[str, Link]:
        return self.document.links if self.document is not None else {}

    def build_row(self, link: Link) -> _Row:
        assert self.document is not None
        factors = self.document.factors
        source = factors[link.source].label if link.source in factors else ""
        target = factors[link.target].label if link.target in factors else ""
        strength = level_name(link.strength, STRENGTH_LEVELS)
        confidence = level_name(link.confidence, CONFIDENCE_LEVELS)
        type_name = self._style_name(link.type)
        created_by = self._person(link.created_by)
        display = (
            source,
            target,
            POLARITY_TEXT.get(link.polarity, link.polarity),
            strength,
            confidence,
            type_name,
            _one_line(link.rationale),
            _one_line(link.evidence),
            _one_line(link.notes),
            created_by,
        )
        sort = (
            natural_key(source),
            natural_key(target),
            POLARITIES.index(link.polarity) if link.polarity in POLARITIES else len(POLARITIES),
            float(link.strength),
            float(link.confidence) if link.confidence is not None else UNRATED,
            natural_key(type_name),
            natural_key(link.rationale),
            natural_key(link.evidence),
            natural_key(link.notes),
            natural_key(created_by),
        )
        return _row(display, sort)

    def edit_value(self, link: Link, field: str) -> Any:
        # Levels are edited by name, so the editor offers the level nearest the stored number.
        if field == "strength":
            return STRENGTH_LEVELS[level_name(link.strength, STRENGTH_LEVELS)]
        if field == "confidence" and link.confidence is not None:
            return CONFIDENCE_LEVELS[level_name(link.confidence, CONFIDENCE_LEVELS)]
        return super().edit_value(link, field)

    def parse(self, field: str, value: Any) -> Any:
        if field == "polarity":
            polarity = {"−": "-", "–": "-"}.get(str(value).strip(), str(value).strip())
            if polarity not in POLARITIES:
                raise ValueError(f"Polarity is +, − or ?, not {value!r}")
            return polarity
        if field in ("strength", "confidence"):
            levels = STRENGTH_LEVELS if field == "strength" else CONFIDENCE_LEVELS
            return _parse_level(value, levels, allow_none=field == "confidence")
        if field == "type":
            return self._style_id("link", value)
        return super().parse(field, value)

    def command(self, ids: list[str], changes: dict[str, Any]) -> Command:
        if len(ids) == 1:
            return EditLink(ids[0], changes)
        return EditLinks(ids, changes)

    def touched_ids(self, change: Change) -> set[str] | None:
        if change.touches("styles"):
            return None
        ids = set(change.changed.get("links", {}))
        if self.document is not None:
            for factor_id, fields in change.changed.get("factors", {}).items():
                if "label" in fields:
                    ids.update(self.document.state.links_of(factor_id))
        return ids


def _parse_level(value: Any, levels: dict[str, float], allow_none: bool) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        raise ValueError(f"Choose one of {', '.join(levels)}")
    if isinstance(value, str):
        name = value.strip().casefold()
        if name not in levels:
            raise ValueError(f"Choose one of {', '.join(levels)}, not {value!r}")
        return levels[name]
    return float(value)


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    start = previous = None
    for row in rows:
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None:
            yield start, previous  # type: ignore[misc]
        start = previous = row
    if start is not None:
        yield start, previous  # type: ignore[misc]
