"""Map-level commands of the window: add, rename, duplicate, delete maps; snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMessageBox

from ipsmap.model.project_commands import AddMap, DeleteMap

if TYPE_CHECKING:
    from ipsmap.ui.main_window import MainWindow


def add_map(window: MainWindow, name: str | None = None, kind: str | None = None) -> None:
    if window.project is None:
        return
    if name is None:
        name, ok = QInputDialog.getText(window, "New map", "Name of the new map:")
        if not ok or not name.strip():
            return
    if kind is None:
        kinds = ["Systems map", "Theory of change"]
        choice, ok = QInputDialog.getItem(window, "New map", "Kind of map:", kinds, 0, False)
        if not ok:
            return
        kind = "toc" if choice == kinds[1] else "system"
    site = window.document.info.site if window.document else ""
    command = AddMap(name, kind, site)
    if window._guard(lambda: window.project.execute(command)):
        window.show_map(command.id)


def rename_map(window: MainWindow, name: str | None = None) -> None:
    if window.document is None:
        return
    if name is None:
        name, ok = QInputDialog.getText(
            window, "Rename map", "New name:", text=window.document.info.name
        )
        if not ok:
            return
    from ipsmap.model.commands import RenameMap

    window.editor.run(RenameMap(name))


def duplicate_map(window: MainWindow) -> None:
    if window.project is not None and window.document is not None:
        document = window.document
        copy: list[str] = []
        if window._guard(lambda: copy.append(window.project.duplicate_map(document.id))):
            window.show_map(copy[0])


def delete_map(window: MainWindow, confirm: bool = True) -> None:
    if window.project is None or window.document is None:
        return
    name = window.document.info.name
    if confirm:
        answer = QMessageBox.question(
            window, "Delete map", f"Delete the map “{name}”? You can undo this with Ctrl+Z."
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
    if window._guard(lambda: window.project.execute(DeleteMap(window.document.id))):
        window.show_message(f"Deleted “{name}” (Undo brings it back)")


def take_map_snapshot(window: MainWindow, label: str | None = None, note: str = "") -> str | None:
    """Freeze the map (e.g. at an adaptation point); returns the snapshot's sha256."""
    from ipsmap.model.snapshots import take_snapshot

    if window.project is None or window.document is None:
        return None
    if label is None:
        label, ok = QInputDialog.getText(
            window, "Take snapshot", "Label (e.g. “Adaptation point 2, Glasgow”):"
        )
        if not ok or not label.strip():
            return None
    document = window.document
    taken: list = []
    if window._guard(lambda: taken.append(take_snapshot(window.project, document.id, label, note))):
        window.history.refresh()
        window.show_message(f"Snapshot “{label}” taken (sha256 {taken[0].sha256[:12]}…)")
        return taken[0].sha256
    return None


def restore_map_snapshot(window: MainWindow, snapshot_id: str | None = None) -> None:
    from ipsmap.model.snapshots import list_snapshots, restore_snapshot

    if window.project is None:
        return
    if snapshot_id is None:
        snapshots = list_snapshots(window.project)
        if not snapshots:
            window.show_message("This project has no snapshots yet")
            return
        names = [
            f"{s.map_name}: {s.label} ({s.taken_at[:16].replace('T', ' ')})" for s in snapshots
        ]
        choice, ok = QInputDialog.getItem(window, "Restore snapshot", "Snapshot:", names, 0, False)
        if not ok:
            return
        snapshot_id = snapshots[names.index(choice)].id
    restored: list[str] = []
    if window._guard(lambda: restored.append(restore_snapshot(window.project, snapshot_id))):
        window.show_map(restored[0])
