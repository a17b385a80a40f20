"""Workshop → Collect marks: step through a map's factors and links, marking from the keyboard.

One participant at a time, or the facilitator entering a paper sheet for several people at
once. Every keystroke that changes a mark is one SetMarks command (one undo step). The item
shown is selected on the canvas, and clicking an item on the canvas shows it here. On a
read-only project or a snapshot the window says so up front and its mark buttons are off.

The card and its keys are in ``marks_card``, the choice of who is marking in ``marks_people``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QVBoxLayout

from ipsmap.model.changes import Change
from ipsmap.model.entities import CONFIDENCE_LEVELS, level_name
from ipsmap.model.errors import IpsmapError
from ipsmap.model.frozen import is_frozen
from ipsmap.model.mark_summary import marks_by, vote_budget, votes_used
from ipsmap.model.project import Project
from ipsmap.model.record_commands import MarkSpec, SetMarks
from ipsmap.ui.hallway import Hallway
from ipsmap.ui.workshop.marks_card import KEY_HELP, MarkCard, big_font, flag_text, key_action
from ipsmap.ui.workshop.marks_people import WhoIsMarking

SNAPSHOT_NOTE = (
    "This is a snapshot, a frozen copy of the map: marks cannot be given or changed here. "
    "The marks shown are the ones on the live map now. To collect marks, go back to the "
    "live map (Map → Back to the live map)."
)
READ_ONLY_NOTE = (
    "This project is open read-only, so marks cannot be given or changed. You can still "
    "look through the items and the marks already given."
)


class MarksMode(QDialog):
    """The marks collection window for one map."""

    message = Signal(str)

    def __init__(
        self,
        hallway: Hallway,
        scene,
        view=None,
        undo: Callable[[], None] | None = None,
        redo: Callable[[], None] | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("marks-mode")
        self.setWindowTitle("Collect marks")
        assert hallway.project is not None
        # The workshop closes this window before another project is opened.
        self.project: Project = hallway.project
        self.hallway = hallway
        self.scene = scene
        self.view = view
        self._undo = undo
        self._redo = redo
        self.map_id: str | None = None
        self.items: list[tuple[str, str]] = []  # (kind "factor"/"link", id)
        self.index = 0
        self._syncing = False
        self._build()
        hallway.project_records_changed.connect(self._project_changed)
        hallway.model_changed.connect(self._document_changed)
        hallway.selection_changed.connect(self._canvas_selection_changed)
        self.set_document(hallway.document)
        self.resize(640, 520)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.read_only_note = QLabel()
        self.read_only_note.setObjectName("marks-read-only")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.setFont(big_font(13))
        self.read_only_note.setStyleSheet(
            "background: #fff3cd; color: #5d4200; border: 2px solid #8d6e00; padding: 6px"
        )
        self.read_only_note.hide()
        layout.addWidget(self.read_only_note)
        self.who = WhoIsMarking(self.project)
        self.who.changed.connect(self._after_people_changed)
        layout.addWidget(self.who)
        self.include_links = QCheckBox("Include &links (how sure are we each link is real?)")
        self.include_links.setObjectName("marks-include-links")
        self.include_links.setToolTip(
            "Also step through the arrows between factors, to say how sure people are of each"
        )
        self.include_links.setChecked(True)
        self.include_links.toggled.connect(lambda _on: self._rebuild_items())
        layout.addWidget(self.include_links)
        self.card = MarkCard()
        self.card.key_pressed.connect(self._key)
        self.card.flag_clicked.connect(self.toggle)
        self.card.bump_clicked.connect(self.bump)
        self.card.confidence_clicked.connect(self.set_confidence)
        self.card.step_clicked.connect(self.go)
        layout.addWidget(self.card, 1)
        self.error = QLabel()
        self.error.setObjectName("marks-error")
        self.error.setWordWrap(True)
        self.error.setFont(big_font(13))
        self.error.setStyleSheet("color: #b71c1c")
        layout.addWidget(self.error)
        help_label = QLabel(KEY_HELP)
        help_label.setObjectName("marks-help")
        help_label.setWordWrap(True)
        layout.addWidget(help_label)

    # -- the map and the people -------------------------------------------------------------

    def set_document(self, document) -> None:
        self.map_id = document.id if document is not None else None
        if document is not None:
            self.setWindowTitle(f"Collect marks — {document.info.name}")
        note = self.read_only_reason()
        self.read_only_note.setText(note)
        self.read_only_note.setVisible(bool(note))
        self.who.fill()
        self._rebuild_items()

    def read_only_reason(self) -> str:
        """Why no marks can be given here, in plain words ("" when they can)."""
        if is_frozen(self.scene.document):
            return SNAPSHOT_NOTE
        if self.project.read_only:
            return READ_ONLY_NOTE
        return ""

    def set_person(self, participant_id: str) -> None:
        self.who.set_person(participant_id)

    def set_sheet_people(self, participant_ids: list[str]) -> None:
        self.who.set_sheet_people(participant_ids)

    def people(self) -> list[str]:
        """Whose marks the keys set now."""
        return self.who.people()

    def _after_people_changed(self, focus_card: bool = False) -> None:
        self.error.clear()
        self.refresh()
        if focus_card:
            self.card.setFocus()

    # -- the items ------------------------------------------------------------------------

    def _rebuild_items(self) -> None:
        document = self.scene.document if self.map_id else None
        current = self.current()
        if document is None:
            self.items = []
        else:
            factors = sorted(document.factors.values(), key=lambda f: f.label.casefold())
            self.items = [("factor", f.id) for f in factors]
            if self.include_links.isChecked():
                links = sorted(document.links.values(), key=lambda lk: self._link_text(lk.id))
                self.items += [("link", lk.id) for lk in links]
        ids = [i for _k, i in self.items]
        if current is not None and current[1] in ids:
            self.index = ids.index(current[1])
        self.index = min(self.index, max(len(self.items) - 1, 0))
        self.refresh()

    def _link_text(self, link_id: str) -> str:
        document = self.scene.document
        link = document.links[link_id]
        return f"{document.factors[link.source].label} → {document.factors[link.target].label}"

    def current(self) -> tuple[str, str] | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def go(self, step: int) -> None:
        if self.items:
            self.show_index((self.index + step) % len(self.items))

    def show_index(self, index: int) -> None:
        self.index = index
        self.error.clear()
        self.refresh()
        self._select_on_canvas()

    def show_item(self, item_id: str) -> bool:
        for i, (_kind, key) in enumerate(self.items):
            if key == item_id:
                self.show_index(i)
                return True
        return False

    def _select_on_canvas(self) -> None:
        current = self.current()
        if current is None:
            return
        kind, key = current
        items = self.scene.factor_items if kind == "factor" else self.scene.link_items
        item = items.get(key)
        if item is None:
            return
        self._syncing = True
        try:
            self.scene.clearSelection()
            item.setSelected(True)
            if self.view is not None:
                self.view.ensureVisible(item, 80, 80)
        finally:
            self._syncing = False

    def _canvas_selection_changed(self, *_ids) -> None:
        if self._syncing or not self.isVisible():
            return
        try:
            selected = self.scene.selectedItems()
        except RuntimeError:  # the scene is being torn down
            return
        if len(selected) != 1:
            return
        key = getattr(selected[0], "factor_id", None) or getattr(selected[0], "link_id", None)
        if key is not None:
            for i, (_kind, item_id) in enumerate(self.items):
                if item_id == key:
                    self.index = i
                    self.error.clear()
                    self.refresh()
                    return

    # -- showing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        card, current, people = self.card, self.current(), self.people()
        card.set_marking_enabled(
            current is not None and bool(people) and not self.read_only_reason()
        )
        if current is None:
            card.position.setText("Nothing to mark on this map")
            card.title.setText("")
            card.show_kind(None)
            return
        kind, key = current
        factors = sum(1 for k, _ in self.items if k == "factor")
        if kind == "factor":
            card.position.setText(f"Factor {self.index + 1} of {factors}")
            card.title.setText(self.scene.document.factors[key].label)
        else:
            card.position.setText(f"Link {self.index - factors + 1} of {len(self.items) - factors}")
            card.title.setText(self._link_text(key))
        card.show_kind(kind)
        if not people:
            card.votes_label.setText("Choose whose marks these are (above)")
            card.budget_label.clear()
            return
        if kind == "factor":
            self._show_factor_marks(key, people)
        else:
            self._show_link_marks(key, people)

    def _show_factor_marks(self, key: str, people: list[str]) -> None:
        card, map_id = self.card, self.map_id
        names = {p: self.project.participants[p].pseudonym for p in people}
        given = {p: marks_by(self.project, map_id, p) for p in people}
        for flag, button in card.flag_buttons.items():
            count = sum(1 for p in people if given[p].get((key, flag)))
            button.setChecked(count == len(people))
            button.setText(flag_text(flag, count, len(people)))
        budget = vote_budget(self.project, map_id)
        votes = {p: int(given[p].get((key, "votes"), 0)) for p in people}
        if len(people) == 1:
            (person,) = people
            n = votes[person]
            card.votes_label.setText(f"Votes here: {'●' * n or 'none'}  ({n})")
            used = votes_used(self.project, map_id, person)
            if budget is None:
                card.budget_label.setText(f"{names[person]} has placed {used:g} votes")
            else:
                card.budget_label.setText(
                    f"{names[person]}: {budget - used:g} of {budget:g} votes left on this map"
                )
            return
        card.votes_label.setText(
            "Votes here: " + ", ".join(f"{names[p]} {votes[p]}" for p in people)
        )
        if budget is not None:
            left = {p: budget - votes_used(self.project, map_id, p) for p in people}
            card.budget_label.setText(
                f"Votes left (of {budget:g}): "
                + ", ".join(f"{names[p]} {left[p]:g}" for p in people)
            )

    def _show_link_marks(self, key: str, people: list[str]) -> None:
        names = {p: self.project.participants[p].pseudonym for p in people}
        values = [marks_by(self.project, self.map_id, p).get((key, "confidence")) for p in people]
        for level, button in self.card.confidence_buttons.items():
            button.setChecked(
                all(v is not None and level_name(v, CONFIDENCE_LEVELS) == level for v in values)
            )
        self.card.confidence_label.setText(
            ", ".join(
                f"{names[p]}: {level_name(v, CONFIDENCE_LEVELS) or 'not given'}"
                for p, v in zip(people, values, strict=True)
            )
        )

    # -- marking ------------------------------------------------------------------------------

    def _set(self, specs: list[MarkSpec]) -> bool:
        if not specs or self.map_id is None:
            return False
        # A snapshot shares its ids with the live map: refuse here, or the marks would land
        # on the live map while the snapshot is on the screen.
        refused = self.read_only_reason()
        if refused:
            self.error.setText(refused)
            self.message.emit(refused)
            return False
        try:
            self.project.execute(SetMarks(self.map_id, specs))
        except IpsmapError as exc:
            self.error.setText(str(exc))
            self.message.emit(str(exc))
            return False
        self.error.clear()
        return True

    def toggle(self, flag: str) -> bool:
        """Turn a flag on for everyone marking (off, if they all have it already)."""
        current, people = self.current(), self.people()
        if current is None or current[0] != "factor" or not people:
            return False
        key = current[1]
        have = [bool(marks_by(self.project, self.map_id, p).get((key, flag))) for p in people]
        value = None if all(have) else 1
        return self._set([MarkSpec(p, key, flag, value) for p in people])

    def set_votes(self, n: int) -> bool:
        current, people = self.current(), self.people()
        if current is None or current[0] != "factor" or not people:
            return False
        return self._set([MarkSpec(p, current[1], "votes", n or None) for p in people])

    def bump(self, step: int) -> bool:
        current, people = self.current(), self.people()
        if current is None or current[0] != "factor" or not people:
            return False
        specs = []
        for p in people:
            had = int(marks_by(self.project, self.map_id, p).get((current[1], "votes"), 0))
            specs.append(MarkSpec(p, current[1], "votes", max(had + step, 0) or None))
        return self._set(specs)

    def set_confidence(self, level: str | None) -> bool:
        current, people = self.current(), self.people()
        if current is None or current[0] != "link" or not people:
            return False
        value = CONFIDENCE_LEVELS[level] if level else None
        return self._set([MarkSpec(p, current[1], "confidence", value) for p in people])

    def _key(self, event: QKeyEvent) -> None:
        current = self.current()
        action = key_action(event, is_link=current is not None and current[0] == "link")
        if action is None:
            event.ignore()
            return
        name, value = action
        if name == "undo" and self._undo:
            self._undo()
        elif name == "redo" and self._redo:
            self._redo()
        elif name == "go":
            self.go(value)
        elif name == "first" and self.items:
            self.show_index(0)
        elif name == "last" and self.items:
            self.show_index(len(self.items) - 1)
        elif name == "close":
            self.close()
        elif name == "flag":
            self.toggle(value)
        elif name == "votes":
            self.set_votes(value)
        elif name == "bump":
            self.bump(value)
        elif name == "confidence":
            self.set_confidence(value)

    # -- keeping up with the model ----------------------------------------------------------

    def _project_changed(self, change: Change) -> None:
        if change.touches("participants"):
            self.who.fill()
        if change.touches("marks") or change.touches("participants") or change.touches("maps"):
            self.refresh()

    def _document_changed(self, change: Change) -> None:
        if change.added or change.removed or change.touches("factors"):
            self._rebuild_items()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.card.setFocus()

    def done(self, result: int) -> None:
        self._disconnect()
        super().done(result)

    def _disconnect(self) -> None:
        hallway = self.hallway
        for signal, slot in (
            (hallway.project_records_changed, self._project_changed),
            (hallway.model_changed, self._document_changed),
            (hallway.selection_changed, self._canvas_selection_changed),
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
