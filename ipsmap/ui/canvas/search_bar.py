"""The find bar (Ctrl+F): find factors by label or notes and step through the matches."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from ipsmap.model.changes import Change
from ipsmap.model.document import MapDocument
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.hallway import Hallway

# Applied to the field only while nothing matches; local so the app style sheet still rules
# the normal look.
NO_MATCH_STYLE = "QLineEdit { background-color: #fbdcdc; }"


@lru_cache(maxsize=32768)
def fold_text(text: str) -> str:
    """``text`` without case or accents, so "creche" finds "Crèche".

    Cached: a search or a filter folds every label on each keystroke, and labels rarely
    change between keystrokes.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def find_factors(doc: MapDocument | None, text: str) -> list[str]:
    """Ids of the factors whose label or notes contain ``text``, in map order."""
    needle = fold_text(text.strip())
    if doc is None or not needle:
        return []
    return [
        factor_id
        for factor_id, factor in doc.factors.items()
        if needle in fold_text(factor.label) or needle in fold_text(factor.notes)
    ]


class SearchBar(QWidget):
    """A slim bar above the canvas; the current match is selected and centred in the view."""

    def __init__(
        self,
        hallway: Hallway,
        editor: MapEditor,
        scene: MapScene,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("search-bar")
        self.setAccessibleName("Find factors")
        self._editor = editor
        self._scene = scene
        self._matches: list[str] = []
        self._current = -1
        self._selected_by_search: str | None = None

        self.field = QLineEdit(self)
        self.field.setObjectName("search-field")
        self.field.setAccessibleName("Find factors")
        self.field.setPlaceholderText("Find factors by label or notes…")
        self.field.setClearButtonEnabled(True)
        self.field.installEventFilter(self)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("search-count")
        self.count_label.setAccessibleName("Matches")
        self.count_label.setMinimumWidth(70)

        self.next_action = self._action("find-next", "Next match", "F3", self.next_match)
        self.previous_action = self._action(
            "find-previous", "Previous match", "Shift+F3", self.previous_match
        )
        self.close_action = self._action("find-close", "Close the find bar", None, self.close_bar)
        # Not added to the bar: the main window puts it in its Edit menu, because the bar's
        # own shortcuts only work while it is visible.
        self.find_action = QAction("Find factors…", self)
        self.find_action.setObjectName("find-factors")
        # No shortcut here: the window's Edit → Find action owns Ctrl+F.
        self.find_action.triggered.connect(self.activate)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.count_label)
        for name, text, action in (
            ("search-previous", "↑", self.previous_action),
            ("search-next", "↓", self.next_action),
            ("search-close", "✕", self.close_action),
        ):
            layout.addWidget(self._button(name, text, action))

        self.field.textChanged.connect(self._search)
        hallway.model_changed.connect(self._model_changed)
        self.hide()

    def _action(self, name: str, text: str, keys: str | None, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setToolTip(f"{text} ({keys})")
            # Only while the bar has focus: F3 elsewhere belongs to the main window.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _button(self, name: str, text: str, action: QAction) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setAccessibleName(action.text())
        button.setToolTip(action.toolTip())
        button.setAutoRaise(True)
        button.clicked.connect(action.trigger)
        return button

    # -- public API -------------------------------------------------------------------------

    def activate(self) -> None:
        """Show the bar with the field focused and its text selected (typing replaces it)."""
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if self.field.text():
            self._search(self.field.text())

    def matches(self) -> list[str]:
        return list(self._matches)

    def current_match(self) -> str | None:
        return self._matches[self._current] if 0 <= self._current < len(self._matches) else None

    def next_match(self) -> None:
        self._step(+1)

    def previous_match(self) -> None:
        self._step(-1)

    def close_bar(self) -> None:
        self.hide()
        self._editor.view.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- searching --------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        # Refining the text keeps the current match when it still matches, so the view does
        # not jump away from what the user is looking at.
        keep = self.current_match()
        self._matches = find_factors(self._editor.document, text)
        self._current = self._matches.index(keep) if keep in self._matches else 0
        if self._matches:
            self._go_to_current()
        else:
            self._current = -1
            self._drop_stale_selection()
        self._show_state()

    def _step(self, delta: int) -> None:
        if not self._matches:
            self._search(self.field.text())
            if not self._matches:
                return
            delta = 0
        self._current = (self._current + delta) % len(self._matches)
        self._go_to_current()
        self._show_state()

    def _go_to_current(self) -> None:
        factor_id = self.current_match()
        item = self._scene.factor_items.get(factor_id) if factor_id else None
        if item is None:
            return
        self._editor.select([factor_id])
        self._editor.view.centerOn(item)
        self._selected_by_search = factor_id

    def _drop_stale_selection(self) -> None:
        # Typing on past a partial match must not leave that factor selected (a Delete
        # key press next would remove something the user never chose); a selection the
        # user made themselves is left alone.
        if self._selected_by_search and self._scene.selected_factor_ids() == [
            self._selected_by_search
        ]:
            self._scene.clearSelection()
        self._selected_by_search = None

    def _show_state(self) -> None:
        has_text = bool(self.field.text().strip())
        no_match = has_text and not self._matches
        if no_match:
            self.count_label.setText("No match")
        elif self._matches:
            self.count_label.setText(f"{self._current + 1} of {len(self._matches)}")
        else:
            self.count_label.setText("")
        if self.field.property("no_match") != no_match:
            self.field.setProperty("no_match", no_match)
            self.field.setStyleSheet(NO_MATCH_STYLE if no_match else "")

    def _model_changed(self, change: Change) -> None:
        # Factors added, deleted or relabelled change what matches; refresh the list quietly
        # (no jump) so the count stays true.
        if not self.isVisible() or not self.field.text().strip():
            return
        if not change.touches("factors"):
            return
        keep = self.current_match()
        self._matches = find_factors(self._editor.document, self.field.text())
        self._current = self._matches.index(keep) if keep in self._matches else -1
        if self._current < 0 and self._matches:
            self._current = 0
        self._show_state()

    # -- keys in the field ------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            back = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F3):
                self._step(-1 if back else +1)
                return True
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
