"""Evidence of a CMO: where it came from (a workshop or a snapshot, kept by id) and the
table cell editor that offers those places."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QStyledItemDelegate

from ipsmap.model.cmo_queries import snapshot_where
from ipsmap.model.project import Project

EVIDENCE_KEYS = ("source", "quote", "where")


def where_choices(project: Project) -> list[tuple[str, dict[str, str]]]:
    """Workshops (by date) and snapshots, as evidence can name them: (text, reference)."""
    from ipsmap.model.snapshots import list_snapshots

    sessions = sorted(project.sessions.values(), key=lambda s: (s.date, s.title))
    choices = [(s.title, {"session_id": s.id}) for s in sessions]
    choices += [(snapshot_where(s), {"snapshot_id": s.id}) for s in list_snapshots(project)]
    return choices


def evidence_reference(entry: dict[str, str]) -> dict[str, str]:
    """The session or snapshot an evidence entry names by id ({} if none)."""
    return {key: entry[key] for key in ("session_id", "snapshot_id") if entry.get(key)}


def is_blank(entry: dict[str, str]) -> bool:
    return not any(str(entry.get(key, "")).strip() for key in EVIDENCE_KEYS)


class WhereDelegate(QStyledItemDelegate):
    """Edits the "where" column with an editable list of workshops and snapshots."""

    def __init__(self, choices: Callable[[], list[str]], parent=None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.setObjectName("cmo-evidence-where-editor")
        combo.setEditable(True)
        combo.addItems(self.choices())
        return combo

    def setEditorData(self, editor, index) -> None:
        editor.setCurrentText(index.data() or "")

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.currentText())
