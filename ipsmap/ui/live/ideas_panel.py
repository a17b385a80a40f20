"""The Ideas panel: what people suggested from their phones for the map on the canvas,
waiting for the facilitator to put on the map (one action, credited to whoever suggested
it: model/idea_commands.py ``PlaceIdea``) or to set aside (``DismissIdea``). A comment on a
factor or link is placed the same way: a line "Name: text" added to that item's notes.

Ideas are project records, so the list survives the session: what the room suggested and
nobody placed yet is still here the next morning.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.entities import Idea
from ipsmap.model.errors import IpsmapError
from ipsmap.model.idea_commands import DismissIdea, PlaceIdea, open_ideas
from ipsmap.model.idea_comments import commented_item
from ipsmap.model.privacy import listed_name
from ipsmap.model.state import MapState
from ipsmap.ui.hallway import Hallway

# What a link idea's polarity says, in the words the phone page offers.
POLARITY_WORDS = {"+": "more leads to more", "-": "more leads to less", "?": "not sure how"}
# The records an idea's line names: a change to any of them can change what it says.
SHOWN_TABLES = ("ideas", "factors", "links", "participants", "maps")
EMPTY_TEXT = "No ideas waiting. What people suggest from their phones arrives here."


def idea_line(
    idea: Idea, factors: dict[str, Any], people: dict[str, Any], state: MapState | None = None
) -> str:
    """One idea as the list shows it: what it is, and who suggested it (public name).
    ``state``: the map's, to name what a comment is about."""
    person = people.get(idea.created_by or "")
    who = listed_name(person) if person is not None else "someone"
    if idea.kind == "comment":
        return f"Comment on {commented_item(idea, state)} — {who}: {idea.note}"
    if idea.kind == "link":
        source, target = factors.get(idea.source or ""), factors.get(idea.target or "")
        ends = " → ".join(f"'{f.label}'" if f else "a deleted factor" for f in (source, target))
        why = f": {idea.why}" if idea.why else ""
        return f"Link {ends} ({POLARITY_WORDS.get(idea.polarity, idea.polarity)}){why} — {who}"
    note = f": {idea.note}" if idea.note else ""
    return f"'{idea.label}'{note} — {who}"


class IdeasPanel(QWidget):
    def __init__(self, hallway: Hallway) -> None:
        super().__init__()
        self.hallway = hallway
        self.heading = QLabel(EMPTY_TEXT)
        self.heading.setWordWrap(True)
        self.ideas = QListWidget()
        self.ideas.setObjectName("ideas-list")
        self.ideas.setAccessibleName("Ideas waiting for this map")
        self.ideas.setWordWrap(True)
        self.ideas.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.ideas.itemDoubleClicked.connect(lambda _item: self.place())
        self.ideas.currentRowChanged.connect(lambda _row: self._enable())
        self.place_button = QPushButton("Place on the map")
        self.place_button.setToolTip(
            "Put the chosen idea on the map, credited to the person who suggested it"
        )
        self.place_button.clicked.connect(self.place)
        self.dismiss_button = QPushButton("Set aside")
        self.dismiss_button.setToolTip("Keep the idea in the project, off this list")
        self.dismiss_button.clicked.connect(self.dismiss)
        # Shown while a session takes phones (hosting.py connects it to the phone desk).
        self.straight = QCheckBox("Put phones' ideas straight onto the map")
        self.straight.setToolTip(
            "Each idea a phone sends is placed on the map at once, credited to whoever sent "
            "it (undo takes it off); unticked, ideas wait here for you"
        )
        self.straight.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.place_button)
        buttons.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.straight)
        layout.addWidget(self.ideas, 1)
        layout.addLayout(buttons)
        hallway.project_changed.connect(lambda _project: self.refresh())
        hallway.document_changed.connect(lambda _document: self.refresh())
        hallway.project_records_changed.connect(self._project_changed)
        self.refresh()

    def _project_changed(self, change: Change) -> None:
        if any(change.touches(table) for table in SHOWN_TABLES):
            self.refresh()

    def refresh(self) -> None:
        project, document = self.hallway.project, self.hallway.document
        chosen = self.chosen_id()
        self.ideas.clear()
        waiting = (
            open_ideas(project, document.id)
            if project is not None and document is not None and self.hallway.snapshot is None
            else []
        )
        factors = document.factors if document is not None else {}
        people = project.participants if project is not None else {}
        for idea in waiting:
            state = document.state if document is not None else None
            item = QListWidgetItem(idea_line(idea, factors, people, state))
            item.setData(Qt.ItemDataRole.UserRole, idea.id)
            item.setToolTip(item.text())
            self.ideas.addItem(item)
            if idea.id == chosen:
                self.ideas.setCurrentItem(item)
        if waiting and self.ideas.currentRow() < 0:
            self.ideas.setCurrentRow(0)
        if waiting and document is not None:
            count = f"{len(waiting)} idea{'s' if len(waiting) != 1 else ''}"
            self.heading.setText(f"{count} waiting for '{document.info.name}'")
        else:
            self.heading.setText(EMPTY_TEXT)
        self._enable()

    def chosen_id(self) -> str | None:
        item = self.ideas.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def waiting_ids(self) -> list[str]:
        return [
            self.ideas.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.ideas.count())
        ]

    def _enable(self) -> None:
        project = self.hallway.project
        writable = project is not None and not project.read_only
        chosen = self.chosen_id() is not None
        self.place_button.setEnabled(writable and chosen)
        self.dismiss_button.setEnabled(writable and chosen)

    def place(self) -> None:
        """The chosen idea onto the map, its suggester credited (undo takes it back)."""
        idea_id, project = self.chosen_id(), self.hallway.project
        if idea_id is None or project is None:
            return
        idea = project.ideas.get(idea_id)
        try:
            project.execute(PlaceIdea(idea_id))
        except IpsmapError as exc:
            self.hallway.say(f"Could not place the idea: {exc}")
            return
        if idea is not None and idea.kind == "comment":
            self.hallway.say(self._comment_placed(idea))
            return
        what = f"'{idea.label}'" if idea is not None and idea.kind == "factor" else "the link"
        self.hallway.say(f"Placed {what} on the map, credited to who suggested it")

    def _comment_placed(self, idea: Idea) -> str:
        document = self.hallway.document
        about = commented_item(idea, document.state if document is not None else None)
        return f"Added the comment to the notes of {about}, credited to who wrote it"

    def dismiss(self) -> None:
        idea_id, project = self.chosen_id(), self.hallway.project
        if idea_id is None or project is None:
            return
        try:
            project.execute(DismissIdea(idea_id))
        except IpsmapError as exc:
            self.hallway.say(f"Could not set the idea aside: {exc}")
