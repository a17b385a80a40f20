"""Map → Open snapshot: a frozen map on the canvas, read-only, with a banner and a way back.

The snapshot is shown through a frozen document (``ipsmap.model.frozen``): an ordinary
MapDocument over the snapshot's records whose stand-in project has no database, so every
edit from any panel is refused with a message and nothing reaches the project file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QGraphicsItem, QHBoxLayout, QInputDialog, QLabel, QPushButton

from ipsmap.model.frozen import frozen_document, is_frozen
from ipsmap.model.snapshots import Snapshot, find_snapshot, list_snapshots, snapshot_map

if TYPE_CHECKING:
    from ipsmap.ui.main_window import MainWindow

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


def choose_snapshot(window: MainWindow, title: str) -> str | None:
    """Ask which snapshot (of any map); its id, or None."""
    if window.project is None:
        return None
    snapshots = list_snapshots(window.project)
    if not snapshots:
        window.show_message("This project has no snapshots yet (Map → Take snapshot)")
        return None
    names = [snapshot_title(s) for s in snapshots]
    choice, ok = QInputDialog.getItem(window, title, "Snapshot:", names, len(names) - 1, False)
    return snapshots[names.index(choice)].id if ok else None


def open_snapshot(window: MainWindow, snapshot_id: str | None = None) -> None:
    """Show a snapshot on the canvas, read-only."""
    project = window.project
    if project is None:
        return
    if snapshot_id is None:
        snapshot_id = choose_snapshot(window, "Open snapshot")
        if snapshot_id is None:
            return
    snapshot = find_snapshot(project, snapshot_id)
    if snapshot is None:
        window.show_message(f"There is no snapshot with id {snapshot_id}")
        return
    data: list = []
    if not window._guard(lambda: data.append(snapshot_map(project, snapshot_id))):
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
        f"Snapshot “{snapshot.label}” is read-only: use Map → Restore a snapshot as a new map "
        "to edit it"
    )
    document = frozen_document(map_data, project.participants.values(), reason)
    document.snapshot = snapshot  # type: ignore[attr-defined]
    window.show_document(document)
    _banner(window).setText(
        f"Snapshot “{snapshot.label}” of {snapshot.map_name}, taken {taken} — read-only "
        f"(sha256 {snapshot.sha256[:12]}…)"
    )


def back_to_live_map(window: MainWindow) -> None:
    """Leave the snapshot: show its map if it still exists, else the first map."""
    document = window.document
    if not is_frozen(document) or window.project is None:
        return
    assert document is not None
    maps = {m.id for m in window.project.maps()}
    if document.id in maps:
        window.show_map(document.id)
    else:
        first = window.project.maps()
        window.show_map(first[0].id if first else None)


def document_shown(window: MainWindow, document) -> None:
    """Banner, movable items and editing actions follow whether the map is frozen."""
    frozen = is_frozen(document)
    banner = _banner(window)
    banner.parentWidget().setVisible(frozen)
    for name in EDITING_ACTIONS:
        action = window.actions_by_name.get(name)
        if action is not None:
            action.setEnabled(not frozen)
    close = window.actions_by_name.get("close-snapshot")
    if close is not None:
        close.setEnabled(frozen)
    if frozen:
        for item in window.scene.factor_items.values():
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)
        title = document.info.name + " — read-only"
        project_title = window.project.title if window.project else ""
        window.setWindowTitle(f"{title} — {project_title} — ipsmap")


def install(window: MainWindow) -> None:
    """Add the (hidden) banner above the canvas and follow the documents shown."""
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
    back.clicked.connect(lambda: back_to_live_map(window))
    row.addWidget(back)
    frame.hide()
    layout = window.centralWidget().layout()
    layout.insertWidget(0, frame)  # type: ignore[attr-defined]
    window.document_shown.connect(lambda document: document_shown(window, document))
    document_shown(window, window.document)


def _banner(window: MainWindow) -> QLabel:
    label = window.findChild(QLabel, "snapshot-banner-text")
    assert label is not None, "snapshot_view.install(window) was not called"
    return label
