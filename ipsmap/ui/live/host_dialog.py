"""The dialog that starts hosting: which maps to share, on which network, announced how, and
whether to resume this project's interrupted session (same code: laptops rejoin)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)


class HostDialog(QDialog):
    """Maps to share (the shown one ticked), the network interface, announce the title."""

    def __init__(
        self,
        maps: list[tuple[str, str]],
        shown_map: str | None,
        interfaces: list[tuple[str, str]],
        parent: QWidget | None = None,
        resumable: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("host-dialog")
        self.setWindowTitle("Host a live session")
        intro = QLabel(
            "Other laptops on this network can join with a code and edit the maps you share. "
            "Everything they change is recorded here, under their name."
        )
        intro.setWordWrap(True)
        self.maps = QListWidget()
        self.maps.setObjectName("host-maps")
        for map_id, name in maps:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, map_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = map_id == shown_map or (shown_map is None and len(maps) == 1)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.maps.addItem(item)
        self.interface = QComboBox()
        self.interface.setObjectName("host-interface")
        for label, address in interfaces:
            self.interface.addItem(label, address)
        self.announce_title = QCheckBox("Announce the project's title on the network")
        self.announce_title.setObjectName("host-announce-title")
        self.announce_title.setToolTip(
            "Off: laptops nearby see only that a session is on, not what it is about"
        )
        # Shown only when a session of this project was interrupted (crash, window closed).
        self.resume = QCheckBox(resumable or "Resume the interrupted session")
        self.resume.setObjectName("host-resume")
        self.resume.setChecked(resumable is not None)
        self.resume.setVisible(resumable is not None)
        self.resume.setToolTip(
            "Laptops that were joined rejoin by themselves. Untick for a new code and "
            "certificate (then everyone joins again)."
        )
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start hosting")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.maps.itemChanged.connect(lambda _item: self._enable_start())
        form = QFormLayout()
        form.addRow("Maps to share:", self.maps)
        form.addRow("Network:", self.interface)
        form.addRow("", self.announce_title)
        form.addRow("", self.resume)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._enable_start()

    def chosen_maps(self) -> list[str]:
        return [
            self.maps.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.maps.count())
            if self.maps.item(row).checkState() == Qt.CheckState.Checked
        ]

    def chosen_interface(self) -> str:
        return str(self.interface.currentData())

    def _enable_start(self) -> None:
        # Nothing to share and nowhere to listen: nothing to start.
        ok = bool(self.chosen_maps()) and self.interface.count() > 0
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
