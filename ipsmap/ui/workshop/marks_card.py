"""The card of the marks window: one factor or link in large type, its mark buttons, and the
marking keys (what each key means, and the focus handling that lets plain letters mark).

The card shows what it is given and says what was asked (signals); the dialog
(``marks_mode.MarksMode``) decides what that means for the model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.entities import MARK_KIND_LABELS
from ipsmap.model.mark_summary import FLAG_KINDS

FLAG_KEYS = {"important": "I", "controllable": "C", "vulnerable": "V"}
FLAG_SYMBOLS = {"important": "★", "controllable": "⚒", "vulnerable": "⚡"}
FLAG_NAMES = {"important": "Important", "controllable": "Controllable", "vulnerable": "Vulnerable"}
CONFIDENCE_KEYS = {"low": "L", "medium": "M", "high": "H"}
CONFIDENCE_TIPS = {
    "low": "Not very sure this link is real: it may not happen, or only sometimes",
    "medium": "Fairly sure this link is real",
    "high": "Very sure this link is real: we have seen it happen",
}
NEXT_KEYS = {Qt.Key.Key_J, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Tab}
PREVIOUS_KEYS = {Qt.Key.Key_K, Qt.Key.Key_Up, Qt.Key.Key_Left, Qt.Key.Key_Backtab}
KEY_HELP = (
    "Keys: J / ↓ / Tab next, K / ↑ / Shift+Tab back · I important · C controllable · "
    "V vulnerable · 1–9 votes, 0 clears · links: L / M / H how sure, 0 clears · "
    "Ctrl+Z undo · Esc closes"
)
# Buttons that only move between items: they stay on when marking is not possible.
NAVIGATION = ("marks-previous", "marks-next")


def flag_text(flag: str, count: int = 0, of: int = 1) -> str:
    """ "★ Important  [I]", with "2 of 3" when several people are marking."""
    text = f"{FLAG_SYMBOLS[flag]} {FLAG_NAMES[flag]}  [{FLAG_KEYS[flag]}]"
    return text + (f"  {count} of {of}" if of > 1 else "")


def key_action(event: QKeyEvent, is_link: bool) -> tuple[str, Any] | None:
    """What a key asks for on the card: ("go", ±1), ("first"/"last"/"undo"/"redo"/"close",
    None), ("flag", kind), ("votes", n), ("bump", ±1) or ("confidence", level or None)."""
    key = event.key()
    text = event.text().upper()
    shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
    if event.matches(QKeySequence.StandardKey.Undo):
        return ("undo", None)
    if event.matches(QKeySequence.StandardKey.Redo):
        return ("redo", None)
    if key in NEXT_KEYS and not shift:
        return ("go", 1)
    if key in PREVIOUS_KEYS or (key == Qt.Key.Key_Tab and shift):
        return ("go", -1)
    if key == Qt.Key.Key_Home:
        return ("first", None)
    if key == Qt.Key.Key_End:
        return ("last", None)
    if key == Qt.Key.Key_Escape:
        return ("close", None)
    if is_link:
        if text in CONFIDENCE_KEYS.values():
            return ("confidence", next(k for k, v in CONFIDENCE_KEYS.items() if v == text))
        if text == "0":
            return ("confidence", None)
        return None
    if text in FLAG_KEYS.values():
        return ("flag", next(k for k, v in FLAG_KEYS.items() if v == text))
    if text.isdigit() and len(text) == 1:
        return ("votes", int(text))
    if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
        return ("bump", 1)
    if key == Qt.Key.Key_Minus:
        return ("bump", -1)
    return None


def big_font(points: float, bold: bool = True) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


class MarkCard(QFrame):
    """The focusable card that shows one item and takes the marking keys."""

    key_pressed = Signal(QKeyEvent)
    flag_clicked = Signal(str)
    bump_clicked = Signal(int)
    confidence_clicked = Signal(object)  # a level name, or None to clear
    step_clicked = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("marks-card")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Item being marked (use the keys listed below)")
        # A given mark must be obvious from across the room, not a subtle pressed look.
        self.setStyleSheet(
            "QPushButton:checked { background: #1565c0; color: white; font-weight: bold;"
            " border: 2px solid #0d3c78; border-radius: 4px; padding: 4px; }"
        )
        card = QVBoxLayout(self)
        self.position = QLabel()
        self.position.setObjectName("marks-position")
        card.addWidget(self.position)
        self.title = QLabel()
        self.title.setObjectName("marks-title")
        self.title.setFont(big_font(22))
        self.title.setWordWrap(True)
        card.addWidget(self.title)
        card.addWidget(self._factor_box())
        caption = QLabel(MARK_KIND_LABELS["confidence"] + ":")
        caption.setWordWrap(True)
        card.addWidget(caption)
        card.addWidget(self._link_box())
        self.confidence_label = QLabel()
        self.confidence_label.setObjectName("marks-confidence")
        self.confidence_label.setFont(big_font(14, bold=False))
        card.addWidget(self.confidence_label)
        self.link_widgets = (caption, self.link_box, self.confidence_label)
        card.addStretch(1)
        nav = QHBoxLayout()
        back = "Go back to the previous item"
        nav.addWidget(
            self._button("◀ Previous  [K]", NAVIGATION[0], back, -1, self.step_clicked.emit)
        )
        nav.addStretch(1)
        on = "Go on to the next item"
        nav.addWidget(self._button("Next  [J] ▶", NAVIGATION[1], on, 1, self.step_clicked.emit))
        card.addLayout(nav)

    def _factor_box(self) -> QWidget:
        self.factor_box = QWidget()
        grid = QGridLayout(self.factor_box)
        grid.setContentsMargins(0, 0, 0, 0)
        self.flag_buttons: dict[str, QPushButton] = {}
        for column, kind in enumerate(FLAG_KINDS):
            button = self._button(
                flag_text(kind),
                f"marks-{kind}",
                f"{MARK_KIND_LABELS[kind]} (key {FLAG_KEYS[kind]}; press again to take it back)",
                kind,
                self.flag_clicked.emit,
            )
            button.setCheckable(True)
            self.flag_buttons[kind] = button
            grid.addWidget(button, 0, column)
        self.votes_label = QLabel()
        self.votes_label.setObjectName("marks-votes")
        self.votes_label.setFont(big_font(16))
        self.votes_label.setToolTip(
            MARK_KIND_LABELS["votes"] + ". Keys 1–9 place that many votes here, 0 takes them back"
        )
        grid.addWidget(self.votes_label, 1, 0, 1, 2)
        vote_buttons = QHBoxLayout()
        vote_buttons.addWidget(
            self._button(
                "− vote",
                "marks-vote-less",
                "Take one vote back (key −)",
                -1,
                self.bump_clicked.emit,
            )
        )
        vote_buttons.addWidget(
            self._button(
                "+ vote", "marks-vote-more", "Give one more vote (key +)", 1, self.bump_clicked.emit
            )
        )
        grid.addLayout(vote_buttons, 1, 2)
        self.budget_label = QLabel()
        self.budget_label.setObjectName("marks-budget")
        self.budget_label.setFont(big_font(14, bold=False))
        self.budget_label.setToolTip("Each person has a few votes to share out across the map")
        grid.addWidget(self.budget_label, 2, 0, 1, 3)
        return self.factor_box

    def _link_box(self) -> QWidget:
        self.link_box = QWidget()
        row = QHBoxLayout(self.link_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.confidence_buttons: dict[str, QPushButton] = {}
        for level, key in CONFIDENCE_KEYS.items():
            button = self._button(
                f"{level.capitalize()}  [{key}]",
                f"marks-confidence-{level}",
                f"{CONFIDENCE_TIPS[level]} (key {key})",
                level,
                self.confidence_clicked.emit,
            )
            button.setCheckable(True)
            self.confidence_buttons[level] = button
            row.addWidget(button)
        row.addWidget(
            self._button(
                "Clear  [0]",
                "marks-confidence-clear",
                "Take back how sure you said you are (key 0)",
                None,
                self.confidence_clicked.emit,
            )
        )
        return self.link_box

    def _button(self, text: str, name: str, tip: str, value: object, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        # The card keeps the keyboard focus; the buttons are for the mouse.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(36)
        button.clicked.connect(lambda _=False: slot(value))
        return button

    def set_marking_enabled(self, on: bool) -> None:
        """Mark buttons on or off; moving between items always works."""
        for button in self.findChildren(QPushButton):
            if button.objectName() not in NAVIGATION:
                button.setEnabled(on)

    def show_kind(self, kind: str | None) -> None:
        """Show the factor buttons, the link buttons, or neither (None)."""
        self.factor_box.setVisible(kind == "factor")
        for widget in self.link_widgets:
            widget.setVisible(kind == "link")

    # -- keys ---------------------------------------------------------------------------

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
