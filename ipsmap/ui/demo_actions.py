"""Help → Reset the demo: a fresh copy of the demo, the user's changed copy kept beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from ipsmap.model.errors import IpsmapError
from ipsmap.model.project import Project
from ipsmap.ui.demo_copy import demo_copy_path, is_demo_copy, kept_copy_path, reset_demo_copy

if TYPE_CHECKING:
    from pathlib import Path

    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.hallway import Hallway


class DemoActions:
    """Registers *Reset the demo*; asks first and says where the old copy went."""

    def __init__(self, parent: QWidget, hallway: Hallway, actions: ActionTable) -> None:
        self.parent = parent
        self.hallway = hallway
        actions.register("reset-demo", self.reset_demo)

    def reset_demo(self, confirm: bool = True) -> Path | None:
        """Open a fresh demo copy; returns where the previous copy was kept (None: nowhere)."""
        from ipsmap.model.store import project_in_use

        project = self.hallway.project
        here = project if project is not None and is_demo_copy(project.path) else None
        path = here.path if here is not None else demo_copy_path()
        if here is None and path.exists() and project_in_use(path):
            self.hallway.say(f"{path.name} is open in another ipsmap window: reset it there")
            return None
        if confirm and path.exists():
            answer = QMessageBox.question(
                self.parent,
                "Reset the demo",
                f"Start again from a fresh copy of the demo?\n\nYour copy, with any changes "
                f"you made, is kept as “{kept_copy_path(path).name}” in {path.parent} "
                "(File → Open project to go back to it).",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        if here is not None:
            # Let go of the copy (closing it writes everything back into the one file);
            # then it is renamed, never copied over.
            self.hallway.set_project(None)
        try:
            fresh, kept = reset_demo_copy(path)
        except (IpsmapError, OSError) as exc:
            self.hallway.say(f"Could not reset the demo: {exc}")
            if here is not None and path.exists():
                self.hallway.open(Project.open(path), is_demo=True)
            return None
        self.hallway.open(fresh, is_demo=True)
        self.hallway.say(
            f"A fresh demo is open; your previous copy is kept as {kept}"
            if kept is not None
            else "A fresh demo is open"
        )
        return kept
