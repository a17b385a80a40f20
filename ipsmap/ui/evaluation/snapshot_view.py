"""Map → Open snapshot: a frozen map on the canvas, read-only, with a banner and a way back.

The snapshot is shown through a frozen document (``ipsmap.model.frozen``): an ordinary
MapDocument over the snapshot's records whose stand-in project has no database, so every
edit from any panel is refused with a message and nothing reaches the project file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPushButton,
)

from ipsmap.model.forget import FORGET_COMMAND
from ipsmap.model.frozen import frozen_document, is_frozen
from ipsmap.model.snapshots import Snapshot, find_snapshot, list_snapshots, snapshot_map

if TYPE_CHECKING:
    from ipsmap.model.changes import Change
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.hallway import Hallway

# Actions that change the map (or act on "this map" by id): off while a snapshot is shown.
EDITING_ACTIONS = (
    "cut", "paste", "duplicate", "delete", "add-factor", "edit-label", "link-selected",
    "polarity-plus", "polarity-minus", "polarity-unknown", "align-left", "align-top",
    "align-hcenter", "align-vcenter", "distribute-h", "distribute-v", "layout",
    "layout-upward", "styles", "rename-map", "duplicate-map", "delete-map", "take-snapshot",
    "nudge-left", "nudge-right", "nudge-up", "nudge-down",
)  # fmt: skip


def snapshot_title(snapshot: Snapshot) -> str:
    return f"{snapshot.map_name}: {snapshot.label} ({snapshot.taken_at[:16].replace('T', ' ')})"


class SnapshotView:
    """Map → Open snapshot and Back to the live map, and the banner above the canvas."""

    def __init__(
        self, window: QMainWindow, hallway: Hallway, scene: MapScene, actions: ActionTable
    ) -> None:
        self.window = window
        self.hallway = hallway
        self.scene = scene
        self.actions = actions
        self.banner = self._build_banner(window)
        actions.register_all({"open-snapshot": self.open, "close-snapshot": self.back_to_live_map})
        hallway.document_changed.connect(lambda _document: self._document_shown())
        hallway.project_records_changed.connect(self._records_changed)
        self._document_shown()

    def _records_changed(self, change: Change) -> None:
        # Forgetting a participant rewrites the snapshots that named them: the one shown is
        # read again, so the screen holds no more than the file does.
        snapshot = self.hallway.snapshot
        if change.command == FORGET_COMMAND and snapshot is not None:
            self.open(snapshot.id)

    def choose(self, title: str) -> str | None:
        """Ask which snapshot (of any map); its id, or None."""
        project = self.hallway.project
        if project is None:
            return None
        snapshots = list_snapshots(project)
        if not snapshots:
            self.hallway.say("This project has no snapshots yet (Map → Take snapshot)")
            return None
        names = [snapshot_title(s) for s in snapshots]
        choice, ok = QInputDialog.getItem(
            self.window, title, "Snapshot:", names, len(names) - 1, False
        )
        return snapshots[names.index(choice)].id if ok else None

    def open(self, snapshot_id: str | None = None) -> None:
        """Show a snapshot on the canvas, read-only."""
        project = self.hallway.project
        if project is None:
            return
        if snapshot_id is None:
            snapshot_id = self.choose("Open snapshot")
            if snapshot_id is None:
                return
        snapshot = find_snapshot(project, snapshot_id)
        if snapshot is None:
            self.hallway.say(f"There is no snapshot with id {snapshot_id}")
            return
        data: list = []
        if not self.hallway.guard(lambda: data.append(snapshot_map(project, snapshot_id))):
            return
        map_data = data[0]
        taken = snapshot.taken_at[:16].replace("T", " ")
        map_data.info.name = f"Snapshot “{snapshot.label}” of {snapshot.map_name}"
        # Exports of the snapshot say which frozen version they show.
        map_data.info.attributes = {
            **map_data.info.attributes,
            "snapshot": {"label": snapshot.label, "taken_at": snapshot.taken_at,
                         "sha256": snapshot.sha256},
        }  # fmt: skip
        reason = (
            f"Snapshot “{snapshot.label}” is read-only: use Map → Restore a snapshot as a new "
            "map to edit it"
        )
        document = frozen_document(map_data, project.participants.values(), reason)
        self.hallway.show(document, snapshot)
        self.banner.setText(
            f"Snapshot “{snapshot.label}” of {snapshot.map_name}, taken {taken} — read-only "
            f"(sha256 {snapshot.sha256[:12]}…)"
        )

    def back_to_live_map(self) -> None:
        """Leave the snapshot: show its map if it still exists, else the first map."""
        document, project = self.hallway.document, self.hallway.project
        if not is_frozen(document) or project is None:
            return
        assert document is not None
        if document.id in {m.id for m in project.maps()}:
            self.hallway.show_map(document.id)
        else:
            self.hallway.show_map(self.hallway.first_map_id())

    def _document_shown(self) -> None:
        """Banner, movable items and editing actions follow whether the map is frozen."""
        frozen = is_frozen(self.hallway.document)
        self.banner.parentWidget().setVisible(frozen)
        for name in EDITING_ACTIONS:
            action = self.actions.by_name.get(name)
            if action is not None:
                action.setEnabled(not frozen)
        close = self.actions.by_name.get("close-snapshot")
        if close is not None:
            close.setEnabled(frozen)
        if frozen:
            for item in self.scene.factor_items.values():
                item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)

    def _build_banner(self, window: QMainWindow) -> QLabel:
        """Add the (hidden) banner above the canvas; return its text label."""
        frame = QFrame()
        frame.setObjectName("snapshot-banner")
        frame.setStyleSheet(
            "#snapshot-banner { background: #fff3cd; border-bottom: 1px solid #e0c36c; }"
        )
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 4, 10, 4)
        label = QLabel()
        label.setObjectName("snapshot-banner-text")
        label.setAccessibleName("Snapshot shown read-only")
        row.addWidget(label, 1)
        back = QPushButton("Back to the live map")
        back.setObjectName("snapshot-banner-back")
        back.clicked.connect(self.back_to_live_map)
        row.addWidget(back)
        frame.hide()
        layout = window.centralWidget().layout()
        layout.insertWidget(0, frame)  # type: ignore[attr-defined]
        return label
