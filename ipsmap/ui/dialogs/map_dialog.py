"""One dialog for a new map: its name, kind and site (Map → New map, and a new project's
first map)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.project_commands import AddMap

if TYPE_CHECKING:
    from ipsmap.ui.hallway import Hallway

KINDS = [("Systems map", "system"), ("Theory of change", "toc")]


class NewMapDialog(QDialog):
    """Name, kind and site of a new map; OK only once it has a name."""

    def __init__(
        self,
        parent: QWidget | None,
        heading: str,
        name: str = "",
        site: str = "",
        sites: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("new-map-dialog")
        self.setWindowTitle("New map")
        layout = QVBoxLayout(self)
        intro = QLabel(heading)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.name.setObjectName("new-map-name")
        self.name.setAccessibleName("Name of the map")
        self.name.setPlaceholderText("e.g. Glasgow: families' local system")
        self.name.selectAll()
        self.kind = QComboBox()
        self.kind.setObjectName("new-map-kind")
        self.kind.setAccessibleName("Kind of map")
        for text, value in KINDS:
            self.kind.addItem(text, value)
        self.site = QComboBox()
        self.site.setObjectName("new-map-site")
        self.site.setAccessibleName("Site")
        self.site.setEditable(True)
        self.site.addItems(sites or [])
        self.site.setEditText(site)
        self.site.lineEdit().setPlaceholderText("where the workshops are held, e.g. Glasgow")
        form.addRow("&Name", self.name)
        form.addRow("&Kind", self.kind)
        form.addRow("&Site", self.site)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create map")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(bool(name.strip()))
        self.name.setFocus()

    def values(self) -> tuple[str, str, str]:
        """(name, kind, site) as typed."""
        return self.name.text().strip(), self.kind.currentData(), self.site.currentText().strip()


def add_map_with_dialog(
    parent: QWidget, hallway: Hallway, heading: str, name: str = "", site: str = ""
) -> str | None:
    """Ask for a new map's name, kind and site, add it and show it; its id (None: not)."""
    project = hallway.project
    if project is None:
        return None
    sites = sorted({info.site for info in project.maps() if info.site})
    dialog = NewMapDialog(parent, heading, name, site, sites)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    values = dialog.values()
    dialog.deleteLater()
    return add_map(hallway, *values) if accepted else None


def add_map(hallway: Hallway, name: str, kind: str = "system", site: str = "") -> str | None:
    """Add a map to the open project and show it; its id (None: refused, and said why)."""
    project = hallway.project
    if project is None:
        return None
    command = AddMap(name, kind, site)
    if not hallway.guard(lambda: project.execute(command)):
        return None
    hallway.show_map(command.id)
    return command.id
