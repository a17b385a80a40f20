"""Workshop → Collect marks: step through a map's factors and links, marking from the keyboard.

One participant at a time, or the facilitator entering a paper sheet for several people at
once. Every keystroke that changes a mark is one SetMarks command (one undo step). The item
shown is selected on the canvas, and clicking an item on the canvas shows it here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.entities import CONFIDENCE_LEVELS, MARK_KIND_LABELS, level_name
from ipsmap.model.errors import IpsmapError
from ipsmap.model.mark_summary import FLAG_KINDS, marks_by, vote_budget, votes_used
from ipsmap.model.project import Project
from ipsmap.model.record_commands import MarkSpec, SetMarks
from ipsmap.ui.sessions_dialog import person_text

FLAG_KEYS = {"important": "I", "controllable": "C", "vulnerable": "V"}
FLAG_SYMBOLS = {"important": "★", "controllable": "⚒", "vulnerable": "⚡"}
FLAG_NAMES = {"important": "Important", "controllable": "Controllable", "vulnerable": "Vulnerable"}
CONFIDENCE_KEYS = {"low": "L", "medium": "M", "high": "H"}
NEXT_KEYS = {Qt.Key.Key_J, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Tab}
PREVIOUS_KEYS = {Qt.Key.Key_K, Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Backtab}
KEY_HELP = (
    "Keys: J / ↓ / Tab next, K / ↑ / Shift+Tab back · I important · C controllable · "
    "V vulnerable · 1–9 votes, 0 clears · links: L / M / H confidence, 0 clears · "
    "Ctrl+Z undo · Esc closes"
)


class MarkCard(QFrame):
    """The focusable card that shows one item and takes the marking keys."""

    key_pressed = Signal(QKeyEvent)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("marks-card")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Item being marked (use the keys listed below)")

    def event(self, event) -> bool:
        # The marking keys are plain letters that are also the window's shortcuts (L links
        # factors): while the card has the focus, they are ours.
        if event.type() == QEvent.Type.ShortcutOverride and not (
            event.modifiers()
            & ~Qt.KeyboardModifier.ShiftModifier
            & ~Qt.KeyboardModifier.KeypadModifier
        ):
            event.accept()
            return True
        # Tab steps through the items instead of moving the focus out of the card.
        if event.type() == QEvent.Type.KeyPress and event.key() in (
            Qt.Key.Key_Tab,
            Qt.Key.Key_Backtab,
        ):
            self.key_pressed.emit(event)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.key_pressed.emit(event)


def _big_font(points: float, bold: bool = True) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


class MarksMode(QDialog):
    """The marks collection window for one map."""

    message = Signal(str)

    def __init__(
        self,
        project: Project,
        scene,
        view=None,
        undo: Callable[[], None] | None = None,
        redo: Callable[[], None] | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("marks-mode")
        self.setWindowTitle("Collect marks")
        self.project = project
        self.scene = scene
        self.view = view
        self._undo = undo
        self._redo = redo
        self.map_id: str | None = None
        self.items: list[tuple[str, str]] = []  # (kind "factor"/"link", id)
        self.index = 0
        self._syncing = False
        self._unsubscribe = project.subscribe(self._project_changed)
        self._unsubscribe_document: Callable[[], None] | None = None
        self._build()
        scene.selectionChanged.connect(self._canvas_selection_changed)
        self.set_document(scene.document)
        self.resize(640, 520)

    # -- construction -----------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        who_row = QHBoxLayout()
        who_label = QLabel("&Who is marking:")
        self.person = QComboBox()
        self.person.setObjectName("marks-person")
        self.person.setAccessibleName("Whose marks these are")
        who_label.setBuddy(self.person)
        self.person.activated.connect(lambda _i: self._after_people_changed(focus_card=True))
        who_row.addWidget(who_label)
        who_row.addWidget(self.person, 1)
        layout.addLayout(who_row)
        self.sheet = QCheckBox("Several people at once (entering a &paper sheet for a group)")
        self.sheet.setObjectName("marks-sheet")
        self.sheet.setToolTip(
            "Tick the people whose sheet you are typing in; each key then marks for all of them"
        )
        self.sheet.toggled.connect(self._sheet_toggled)
        layout.addWidget(self.sheet)
        self.group_list = QListWidget()
        self.group_list.setObjectName("marks-group-list")
        self.group_list.setAccessibleName("People whose marks are being entered (Space ticks)")
        self.group_list.setMaximumHeight(130)
        self.group_list.itemChanged.connect(lambda _item: self._after_people_changed())
        self.group_list.hide()
        layout.addWidget(self.group_list)
        self.include_links = QCheckBox("Include &links (how sure are we each link is real?)")
        self.include_links.setObjectName("marks-include-links")
        self.include_links.setChecked(True)
        self.include_links.toggled.connect(lambda _on: self._rebuild_items())
        layout.addWidget(self.include_links)

        self.card = MarkCard()
        # A given mark must be obvious from across the room, not a subtle pressed look.
        self.card.setStyleSheet(
            "QPushButton:checked { background: #1565c0; color: white; font-weight: bold;"
            " border: 2px solid #0d3c78; border-radius: 4px; padding: 4px; }"
        )
        self.card.key_pressed.connect(self._key)
        card = QVBoxLayout(self.card)
        self.position = QLabel()
        self.position.setObjectName("marks-position")
        card.addWidget(self.position)
        self.title = QLabel()
        self.title.setObjectName("marks-title")
        self.title.setFont(_big_font(22))
        self.title.setWordWrap(True)
        card.addWidget(self.title)

        self.factor_box = QWidget()
        grid = QGridLayout(self.factor_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.flag_buttons: dict[str, QPushButton] = {}
        for column, kind in enumerate(FLAG_KINDS):
            button = self._button(
                f"{FLAG_SYMBOLS[kind]} {FLAG_NAMES[kind]}  [{FLAG_KEYS[kind]}]",
                f"marks-{kind}",
                MARK_KIND_LABELS[kind],
                lambda _=False, k=kind: self.toggle(k),
            )
            button.setCheckable(True)
            self.flag_buttons[kind] = button
            grid.addWidget(button, 0, column)
        self.votes_label = QLabel()
        self.votes_label.setObjectName("marks-votes")
        self.votes_label.setFont(_big_font(16))
        self.votes_label.setToolTip(MARK_KIND_LABELS["votes"] + ": keys 1–9 place votes, 0 clears")
        grid.addWidget(self.votes_label, 1, 0, 1, 2)
        vote_buttons = QHBoxLayout()
        vote_buttons.addWidget(
            self._button("− vote", "marks-vote-less", "Take one vote back", lambda: self.bump(-1))
        )
        vote_buttons.addWidget(
            self._button("+ vote", "marks-vote-more", "Give one more vote", lambda: self.bump(1))
        )
        grid.addLayout(vote_buttons, 1, 2)
        self.budget_label = QLabel()
        self.budget_label.setObjectName("marks-budget")
        self.budget_label.setFont(_big_font(14, bold=False))
        grid.addWidget(self.budget_label, 2, 0, 1, 3)
        card.addWidget(self.factor_box)

        self.link_box = QWidget()
        row = QHBoxLayout(self.link_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.confidence_buttons: dict[str, QPushButton] = {}
        for level, key in CONFIDENCE_KEYS.items():
            button = self._button(
                f"{level.capitalize()}  [{key}]",
                f"marks-confidence-{level}",
                f"{MARK_KIND_LABELS['confidence']}: {level}",
                lambda _=False, lv=level: self.set_confidence(lv),
            )
            button.setCheckable(True)
            self.confidence_buttons[level] = button
            row.addWidget(button)
        row.addWidget(
            self._button(
                "Clear  [0]",
                "marks-confidence-clear",
                "Remove this confidence",
                lambda: self.set_confidence(None),
            )
        )
        self.confidence_label = QLabel()
        self.confidence_label.setObjectName("marks-confidence")
        self.confidence_label.setFont(_big_font(14, bold=False))
        caption = QLabel(MARK_KIND_LABELS["confidence"] + ":")
        card.addWidget(caption)
        card.addWidget(self.link_box)
        card.addWidget(self.confidence_label)
        self.link_widgets = (caption, self.link_box, self.confidence_label)

        card.addStretch(1)
        nav = QHBoxLayout()
        nav.addWidget(
            self._button("◀ Previous  [K]", "marks-previous", "Previous item", lambda: self.go(-1))
        )
        nav.addStretch(1)
        nav.addWidget(self._button("Next  [J] ▶", "marks-next", "Next item", lambda: self.go(1)))
        card.addLayout(nav)
        layout.addWidget(self.card, 1)

        self.error = QLabel()
        self.error.setObjectName("marks-error")
        self.error.setWordWrap(True)
        self.error.setFont(_big_font(13))
        self.error.setStyleSheet("color: #b71c1c")
        layout.addWidget(self.error)
        help_label = QLabel(KEY_HELP)
        help_label.setObjectName("marks-help")
        help_label.setWordWrap(True)
        layout.addWidget(help_label)

    def _button(self, text: str, name: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        # The card keeps the keyboard focus; the buttons are for the mouse.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(36)
        button.clicked.connect(lambda _=False: slot())
        return button

    # -- the map and the people -------------------------------------------------------------

    def set_document(self, document) -> None:
        if self._unsubscribe_document is not None:
            self._unsubscribe_document()
            self._unsubscribe_document = None
        self.map_id = document.id if document is not None else None
        if document is not None:
            self._unsubscribe_document = document.subscribe(self._document_changed)
            self.setWindowTitle(f"Collect marks — {document.info.name}")
        self._fill_people()
        self._rebuild_items()

    def _fill_people(self) -> None:
        project = self.project
        people = sorted(
            project.participants.values(),
            key=lambda p: (p.id == project.facilitator_id, p.pseudonym.casefold()),
        )
        current = self.person.currentData()
        ticked = set(self.sheet_people())
        self.person.blockSignals(True)
        self.group_list.blockSignals(True)
        self.person.clear()
        self.group_list.clear()
        for person in people:
            self.person.addItem(person_text(person), person.id)
            item = QListWidgetItem(person_text(person))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if person.id in ticked else Qt.CheckState.Unchecked
            )
            self.group_list.addItem(item)
        self.person.setCurrentIndex(max(self.person.findData(current), 0))
        self.person.blockSignals(False)
        self.group_list.blockSignals(False)

    def set_person(self, participant_id: str) -> None:
        self.sheet.setChecked(False)
        self.person.setCurrentIndex(self.person.findData(participant_id))
        self._after_people_changed()

    def set_sheet_people(self, participant_ids: list[str]) -> None:
        self.sheet.setChecked(True)
        wanted = set(participant_ids)
        for i in range(self.group_list.count()):
            item = self.group_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._after_people_changed()

    def sheet_people(self) -> list[str]:
        return [
            self.group_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.group_list.count())
            if self.group_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def people(self) -> list[str]:
        """Whose marks the keys set now."""
        if self.sheet.isChecked():
            return self.sheet_people()
        person = self.person.currentData()
        return [person] if person else []

    def _sheet_toggled(self, on: bool) -> None:
        self.group_list.setVisible(on)
        self.person.setEnabled(not on)
        if on and not self.sheet_people() and self.person.currentData():
            self.set_sheet_people([self.person.currentData()])
        self._after_people_changed()

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

    def _canvas_selection_changed(self) -> None:
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
        current = self.current()
        people = self.people()
        enabled = current is not None and bool(people) and not self.project.read_only
        for button in self.findChildren(QPushButton):
            if button.objectName() not in ("marks-previous", "marks-next"):
                button.setEnabled(enabled)
        if current is None:
            self.position.setText("Nothing to mark on this map")
            self.title.setText("")
            self.factor_box.hide()
            for widget in self.link_widgets:
                widget.hide()
            return
        kind, key = current
        factors = sum(1 for k, _ in self.items if k == "factor")
        if kind == "factor":
            self.position.setText(f"Factor {self.index + 1} of {factors}")
            self.title.setText(self.scene.document.factors[key].label)
        else:
            self.position.setText(f"Link {self.index - factors + 1} of {len(self.items) - factors}")
            self.title.setText(self._link_text(key))
        self.factor_box.setVisible(kind == "factor")
        for widget in self.link_widgets:
            widget.setVisible(kind == "link")
        if not people:
            self.votes_label.setText("Choose whose marks these are (above)")
            self.budget_label.clear()
            return
        names = {p: self.project.participants[p].pseudonym for p in people}
        given = {p: marks_by(self.project, self.map_id, p) for p in people}
        if kind == "factor":
            for flag, button in self.flag_buttons.items():
                count = sum(1 for p in people if given[p].get((key, flag)))
                button.setChecked(count == len(people))
                label = f"{FLAG_SYMBOLS[flag]} {FLAG_NAMES[flag]}  [{FLAG_KEYS[flag]}]"
                if len(people) > 1:
                    label += f"  {count} of {len(people)}"
                button.setText(label)
            budget = vote_budget(self.project, self.map_id)
            votes = {p: int(given[p].get((key, "votes"), 0)) for p in people}
            if len(people) == 1:
                (person,) = people
                n = votes[person]
                self.votes_label.setText(f"Votes here: {'●' * n or 'none'}  ({n})")
                used = votes_used(self.project, self.map_id, person)
                if budget is None:
                    self.budget_label.setText(f"{names[person]} has placed {used:g} votes")
                else:
                    left = budget - used
                    self.budget_label.setText(
                        f"{names[person]}: {left:g} of {budget:g} votes left on this map"
                    )
            else:
                self.votes_label.setText(
                    "Votes here: " + ", ".join(f"{names[p]} {votes[p]}" for p in people)
                )
                if budget is not None:
                    left = {p: budget - votes_used(self.project, self.map_id, p) for p in people}
                    self.budget_label.setText(
                        f"Votes left (of {budget:g}): "
                        + ", ".join(f"{names[p]} {left[p]:g}" for p in people)
                    )
        else:
            values = [given[p].get((key, "confidence")) for p in people]
            for level, button in self.confidence_buttons.items():
                button.setChecked(
                    all(v is not None and level_name(v, CONFIDENCE_LEVELS) == level for v in values)
                )
            self.confidence_label.setText(
                ", ".join(
                    f"{names[p]}: {level_name(v, CONFIDENCE_LEVELS) or 'not given'}"
                    for p, v in zip(people, values, strict=True)
                )
            )

    # -- marking ------------------------------------------------------------------------------

    def _set(self, specs: list[MarkSpec]) -> bool:
        if not specs or self.map_id is None:
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
        key = event.key()
        current = self.current()
        is_link = current is not None and current[0] == "link"
        text = event.text().upper()
        if event.matches(QKeySequence.StandardKey.Undo):
            if self._undo:
                self._undo()
        elif event.matches(QKeySequence.StandardKey.Redo):
            if self._redo:
                self._redo()
        elif key in NEXT_KEYS and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.go(1)
        elif key in PREVIOUS_KEYS or (
            key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.go(-1)
        elif key == Qt.Key.Key_Home:
            self.show_index(0)
        elif key == Qt.Key.Key_End and self.items:
            self.show_index(len(self.items) - 1)
        elif text in FLAG_KEYS.values() and not is_link:
            self.toggle(next(k for k, v in FLAG_KEYS.items() if v == text))
        elif text in CONFIDENCE_KEYS.values() and is_link:
            self.set_confidence(next(k for k, v in CONFIDENCE_KEYS.items() if v == text))
        elif text.isdigit() and len(text) == 1:
            if is_link:
                if text == "0":
                    self.set_confidence(None)
            else:
                self.set_votes(int(text))
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal) and not is_link:
            self.bump(1)
        elif key == Qt.Key.Key_Minus and not is_link:
            self.bump(-1)
        elif key == Qt.Key.Key_Escape:
            self.close()
        else:
            event.ignore()

    # -- keeping up with the model ----------------------------------------------------------

    def _project_changed(self, change: Change) -> None:
        if change.touches("participants"):
            self._fill_people()
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
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._unsubscribe_document is not None:
            self._unsubscribe_document()
            self._unsubscribe_document = None
        with contextlib.suppress(RuntimeError, TypeError):
            self.scene.selectionChanged.disconnect(self._canvas_selection_changed)
