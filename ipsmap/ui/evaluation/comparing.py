"""Map → Compare with… and Map → Combine maps…: the window's side of comparing maps.

A comparison is drawn over the map shown; showing another map ends it, as does Esc.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.frozen import is_frozen
from ipsmap.model.snapshots import find_snapshot, list_snapshots
from ipsmap.ui.evaluation.compare_panel import ComparePanel, Comparison
from ipsmap.ui.evaluation.snapshot_view import snapshot_title

if TYPE_CHECKING:
    from ipsmap.model.project import Project
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway


class Comparing(QObject):
    """Starts and stops comparisons (the panel in its dock) and combines maps."""

    def __init__(
        self,
        parent: QWidget,
        hallway: Hallway,
        scene: MapScene,
        view: MapView,
        dock: Callable[[QWidget], QDockWidget],
        actions: ActionTable,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.hallway = hallway
        self.actions = actions
        self.panel = ComparePanel(hallway, scene, view, self.stop)
        # The window makes the dock (it knows where docks go); it starts hidden.
        self.dock = dock = dock(self.panel)
        dock.hide()
        dock.toggleViewAction().setObjectName("action-show-comparison")
        actions.register_all(
            {
                "compare": self.compare_with,
                "stop-comparing": self.stop,
                "combine-maps": self.combine,
            }
        )
        actions["stop-comparing"].setEnabled(False)
        # The scene was rebuilt for another map: what was drawn no longer applies.
        hallway.document_changed.connect(lambda _document: self.stop_if_comparing())

    @property
    def comparing(self) -> bool:
        return self.panel.comparison is not None

    def stop_if_comparing(self) -> bool:
        """Esc (or another map shown): stop comparing; whether a comparison was on."""
        if not self.comparing:
            return False
        self.stop()
        return True

    def compare_with(self, other: tuple[str, str] | None = None) -> None:
        """Compare the map on the canvas (B) with another map or a snapshot (A)."""
        project, document = self.hallway.project, self.hallway.document
        if project is None or document is None:
            return
        if other is None:
            choices = self._other_sides()
            if not choices:
                self.hallway.say("There is nothing to compare with: no other map or snapshot")
                return
            names = [c[0] for c in choices]
            choice, ok = QInputDialog.getItem(
                self.parent_widget,
                "Compare with",
                f"Compare “{document.info.name}” with:",
                names,
                0,
                False,
            )
            if not ok:
                return
            other = choices[names.index(choice)][1]
        kind, ref = other
        if kind == "snapshot":
            snapshot = find_snapshot(project, ref)
            if snapshot is None:
                self.hallway.say(f"There is no snapshot with id {ref}")
                return
            title = f"snapshot {snapshot_title(snapshot)}"
        else:
            title = project.map_info(ref).name
        panel = self.panel
        if not self.hallway.guard(lambda: panel.start(Comparison(kind, ref, title))):
            panel.stop()
            return
        self.dock.show()
        self.dock.raise_()
        self.actions["stop-comparing"].setEnabled(True)
        self.hallway.say("Comparing: green added, amber changed, red dashed removed (Esc stops)")

    def _other_sides(self) -> list[tuple[str, tuple[str, str]]]:
        project, current = self.hallway.project, self.hallway.document
        assert project is not None and current is not None
        shown_snapshot = self.hallway.snapshot
        sides = [
            (f"Map: {m.name}", ("map", m.id))
            for m in project.maps()
            if is_frozen(current) or m.id != current.id
        ]
        snapshots = list_snapshots(project)
        # The map's own snapshots first: "what changed since…" is the usual question.
        snapshots.sort(key=lambda s: (s.map_id != current.id, s.taken_at))
        sides += [
            (f"Snapshot: {snapshot_title(s)}", ("snapshot", s.id))
            for s in snapshots
            if shown_snapshot is None or s.id != shown_snapshot.id
        ]
        return sides

    def stop(self) -> None:
        self.panel.stop()
        self.dock.hide()
        self.actions["stop-comparing"].setEnabled(False)

    def combine(
        self,
        map_ids: list[str] | None = None,
        name: str | None = None,
        split_polarity: bool = True,
        merge: list[tuple[str, str]] | None = None,
    ) -> str | None:
        """Merge maps into a new map (one undoable step) and show it; its id."""
        from ipsmap.model.aggregate import combine_maps as combine

        project = self.hallway.project
        if project is None:
            return None
        if map_ids is None or name is None:
            dialog = CombineDialog(project, self.parent_widget)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            map_ids, name = dialog.chosen(), dialog.name.text()
            split_polarity = dialog.split_polarity.isChecked()
            merge = dialog.merges()
        made: list[str] = []
        chosen, new_name, pairs = map_ids, name, merge or []
        if self.hallway.guard(
            lambda: made.append(combine(project, chosen, new_name, split_polarity, pairs))
        ):
            self.hallway.show_map(made[0])
            self.hallway.say(f"Combined {len(chosen)} maps into “{project.map_info(made[0]).name}”")
            return made[0]
        return None


class CombineDialog(QDialog):
    """Choose maps with checkboxes and name the combined map."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("combine-dialog")
        self.setWindowTitle("Combine maps")
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Maps to combine (factors are merged by label):"))
        self.maps = QListWidget()
        self.maps.setObjectName("combine-maps")
        for info in project.maps():
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
        self._project = project
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
