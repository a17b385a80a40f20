"""Map-level commands of the window: add, rename, duplicate, delete maps; snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from ipsmap.model.project_commands import DeleteMap

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.map_editor import MapEditor
    from ipsmap.ui.hallway import Hallway


class MapActions:
    """The Map menu's map and snapshot commands (the arguments stand in for the dialogs)."""

    def __init__(
        self, parent: QWidget, hallway: Hallway, editor: MapEditor, actions: ActionTable
    ) -> None:
        self.parent = parent
        self.hallway = hallway
        self.editor = editor
        actions.register_all(
            {
                "add-map": self.add_map,
                "rename-map": self.rename_map,
                "duplicate-map": self.duplicate_map,
                "delete-map": self.delete_map,
                "take-snapshot": self.take_snapshot,
                "restore-snapshot": self.restore_snapshot,
            }
        )

    def add_map(
        self, name: str | None = None, kind: str = "system", site: str | None = None
    ) -> str | None:
        """Add a map: one dialog asks name, kind and site (the arguments stand in for it)."""
        from ipsmap.ui.dialogs import map_dialog

        if self.hallway.project is None:
            return None
        if site is None:
            site = self.hallway.document.info.site if self.hallway.document else ""
        if name is None:
            return map_dialog.add_map_with_dialog(
                self.parent, self.hallway, "A new map in this project:", site=site
            )
        return map_dialog.add_map(self.hallway, name, kind, site)

    def rename_map(self, name: str | None = None) -> None:
        if self.hallway.document is None:
            return
        if name is None:
            name, ok = QInputDialog.getText(
                self.parent, "Rename map", "New name:", text=self.hallway.document.info.name
            )
            if not ok:
                return
        from ipsmap.model.commands import RenameMap

        self.editor.run(RenameMap(name))

    def duplicate_map(self) -> None:
        if self.hallway.project is not None and self.hallway.document is not None:
            document = self.hallway.document
            copy: list[str] = []
            if self.hallway.guard(
                lambda: copy.append(self.hallway.project.duplicate_map(document.id))
            ):
                self.hallway.show_map(copy[0])

    def delete_map(self, confirm: bool = True) -> None:
        if self.hallway.project is None or self.hallway.document is None:
            return
        name = self.hallway.document.info.name
        if confirm:
            answer = QMessageBox.question(
                self.parent,
                "Delete map",
                f"Delete the map “{name}”? You can undo this with Ctrl+Z.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        if self.hallway.guard(
            lambda: self.hallway.project.execute(DeleteMap(self.hallway.document.id))
        ):
            self.hallway.say(f"Deleted “{name}” (Undo brings it back)")

    def take_snapshot(self, label: str | None = None, note: str = "") -> str | None:
        """Freeze the map (e.g. at an adaptation point); returns the snapshot's sha256."""
        from ipsmap.model.snapshots import take_snapshot

        if self.hallway.project is None or self.hallway.document is None:
            return None
        if label is None:
            label, ok = QInputDialog.getText(
                self.parent, "Take snapshot", "Label (e.g. “Adaptation point 2, Glasgow”):"
            )
            if not ok or not label.strip():
                return None
        document = self.hallway.document
        taken: list = []
        if self.hallway.guard(
            lambda: taken.append(take_snapshot(self.hallway.project, document.id, label, note))
        ):
            self.hallway.say(f"Snapshot “{label}” taken (sha256 {taken[0].sha256[:12]}…)")
            return taken[0].sha256
        return None

    def restore_snapshot(self, snapshot_id: str | None = None) -> None:
        from ipsmap.model.snapshots import list_snapshots, restore_snapshot

        if self.hallway.project is None:
            return
        if snapshot_id is None:
            snapshots = list_snapshots(self.hallway.project)
            if not snapshots:
                self.hallway.say("This project has no snapshots yet")
                return
            names = [
                f"{s.map_name}: {s.label} ({s.taken_at[:16].replace('T', ' ')})" for s in snapshots
            ]
            choice, ok = QInputDialog.getItem(
                self.parent, "Restore snapshot", "Snapshot:", names, 0, False
            )
            if not ok:
                return
            snapshot_id = snapshots[names.index(choice)].id
        restored: list[str] = []
        if self.hallway.guard(
            lambda: restored.append(restore_snapshot(self.hallway.project, snapshot_id))
        ):
            self.hallway.show_map(restored[0])
