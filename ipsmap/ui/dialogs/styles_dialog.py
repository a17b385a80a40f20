"""Edit a map's factor types and link styles. Each edit is one model command, so changing a
type restyles all its factors at once and one undo puts them all back."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.colors import as_hex
from ipsmap.model.command import Command
from ipsmap.model.commands import AddStyle, DeleteStyle, EditStyle
from ipsmap.model.document import MapDocument
from ipsmap.model.entities import Style
from ipsmap.ui.canvas.legend import affects_styles, style_icon
from ipsmap.ui.canvas.map_editor import MapEditor

# Factor shapes in the words a workshop uses ("star" is drawn as a double border).
SHAPES = (
    ("box", "Box"),
    ("ellipse", "Oval"),
    ("hexagon", "Hexagon"),
    ("star", "Double border (focal)"),
    ("note", "Note"),
)
SWATCH_SIZE = QSize(40, 24)
NO_LEVEL = -1
KIND_WORDS = {"factor": "factor type", "link": "link style"}
NEW_NAMES = {"factor": "New type", "link": "New link style"}
# Labels of a type with no colour of its own are drawn black (see FactorItem.text_color).
DEFAULT_LABEL_COLOUR = "#000000"
MESSAGE_COLORS = {"error": "#b71c1c", "info": "#1b5e20"}


def _button(text: str, name: str, accessible: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible or text)
    # Enter in the name field must rename, not press a dialog button.
    button.setAutoDefault(False)
    button.setDefault(False)
    return button


class StyleList(QListWidget):
    """The styles of one kind in order, each row a swatch and the legend name."""

    def __init__(self, kind: str, name: str, accessible: str) -> None:
        super().__init__()
        self.kind = kind
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setIconSize(SWATCH_SIZE)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)

    def set_styles(self, styles: list[Style], usage: dict[str, int]) -> None:
        with QSignalBlocker(self):
            self.clear()
            noun = "factor" if self.kind == "factor" else "link"
            for style in styles:
                item = QListWidgetItem(
                    style_icon(style, SWATCH_SIZE, self.devicePixelRatioF()), style.name
                )
                item.setData(Qt.ItemDataRole.UserRole, style.id)
                count = usage.get(style.id, 0)
                item.setToolTip(f"{style.name}: used by {count} {noun}{'s' if count != 1 else ''}")
                self.addItem(item)

    def selected_id(self) -> str | None:
        items = self.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select_id(self, style_id: str | None) -> None:
        with QSignalBlocker(self):
            self.clearSelection()
            for row in range(self.count()):
                item = self.item(row)
                if item.data(Qt.ItemDataRole.UserRole) == style_id:
                    item.setSelected(True)
                    self.setCurrentItem(item)
                    self.scrollToItem(item)
                    return
            # No focus frame left on a row of the list that is not being edited.
            self.setCurrentRow(-1)


def label_colour(style: Style) -> str:
    """The colour a type's labels are drawn in: its own when it is a colour, else black."""
    return as_hex(style.font_color) or DEFAULT_LABEL_COLOUR


class ColorButton(QPushButton):
    """A button showing a colour; clicking it asks for another."""

    def __init__(self, name: str, accessible: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setAutoDefault(False)
        self.setIconSize(QSize(36, 16))
        self.color = QColor()

    def set_color(self, color: str) -> None:
        self.color = QColor(color)
        pixmap = QPixmap(self.iconSize())
        pixmap.fill(self.color)
        # An outline, so white or pale colours still show on a pale button.
        painter = QPainter(pixmap)
        painter.setPen(QColor("#616161"))
        painter.drawRect(pixmap.rect().adjusted(0, 0, -1, -1))
        painter.end()
        self.setIcon(QIcon(pixmap))
        self.setText(self.color.name().upper())
        self.setAccessibleDescription(self.color.name())


class StyleForm(QWidget):
    """The fields of the selected style. It only reports what the user asked for; the
    dialog turns each request into a command."""

    # ({field: value}) one edit of the shown style
    edited = Signal(dict)
    # (field name) the user wants to pick a colour for this field
    color_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.name = QLineEdit()
        self.name.setObjectName("style-name")
        self.name.setAccessibleName("Name (shown in the legend)")
        self.fill = ColorButton("style-color", "Fill colour")
        self.border = ColorButton("style-border", "Border colour")
        self.font_color = ColorButton("style-font-color", "Label colour")
        self.font_color.setToolTip("The colour of the labels on this type's boxes")
        self.shape = QComboBox()
        self.shape.setObjectName("style-shape")
        self.shape.setAccessibleName("Shape")
        for key, words in SHAPES:
            self.shape.addItem(words, key)
        self.shape.setIconSize(SWATCH_SIZE)
        self.dashes = QCheckBox("Dashed line")
        self.dashes.setObjectName("style-dashes")
        self.dashes.setAccessibleName("Dashed line")
        self.level = QSpinBox()
        self.level.setObjectName("style-level")
        self.level.setAccessibleName("Theory-of-change level")
        self.level.setRange(NO_LEVEL, 30)
        self.level.setSpecialValueText("No level")
        self.level.setToolTip("The column of the theory-of-change layout (0 = inputs)")
        # Typing "12" must be one edit, not "1" then "12".
        self.level.setKeyboardTracking(False)
        self._layout = QFormLayout(self)
        self._layout.addRow("Name", self.name)
        self._layout.addRow("Fill colour", self.fill)
        self._layout.addRow("Border colour", self.border)
        self._layout.addRow("Label colour", self.font_color)
        self._layout.addRow("Shape", self.shape)
        self._layout.addRow("", self.dashes)
        self._layout.addRow("Level", self.level)
        self._connect()

    def _connect(self) -> None:
        self.name.editingFinished.connect(self._name_finished)
        self.fill.clicked.connect(lambda: self.color_requested.emit("color"))
        self.border.clicked.connect(lambda: self.color_requested.emit("border_color"))
        self.font_color.clicked.connect(lambda: self.color_requested.emit("font_color"))
        self.shape.currentIndexChanged.connect(
            lambda _: self.edited.emit({"shape": self.shape.currentData()})
        )
        self.dashes.toggled.connect(lambda on: self.edited.emit({"dashes": on}))
        self.level.valueChanged.connect(
            lambda value: self.edited.emit({"level": None if value == NO_LEVEL else value})
        )

    def _name_finished(self) -> None:
        if self.name.isModified():
            # Cleared first so the refresh this edit causes may show the stored name.
            self.name.setModified(False)
            self.edited.emit({"name": self.name.text()})

    def show_style(self, style: Style | None, map_kind: str) -> None:
        """Fill the fields from ``style`` without reporting edits."""
        self.setEnabled(style is not None)
        if style is None:
            return
        is_factor = style.kind == "factor"
        with ExitStack() as quiet:
            for widget in (self.name, self.shape, self.dashes, self.level):
                quiet.enter_context(QSignalBlocker(widget))
            # A name being typed (or just refused) is left alone.
            if self.name.text() != style.name and not self.name.isModified():
                self.name.setText(style.name)
            self.fill.set_color(style.color)
            self.border.set_color(style.border_color)
            self.font_color.set_color(label_colour(style))
            self._set_shape(style)
            self.dashes.setChecked(style.dashes)
            self.level.setValue(NO_LEVEL if style.level is None else style.level)
        self._layout.setRowVisible(self.border, is_factor)
        self._layout.setRowVisible(self.font_color, is_factor)
        self._layout.setRowVisible(self.shape, is_factor)
        self._layout.setRowVisible(self.dashes, not is_factor)
        self._layout.setRowVisible(self.level, is_factor and map_kind == "toc")
        label = self._layout.labelForField(self.fill)
        if isinstance(label, QLabel):
            label.setText("Fill colour" if is_factor else "Line colour")
        self.fill.setAccessibleName("Fill colour" if is_factor else "Line colour")

    def reset_name(self, style: Style) -> None:
        """Throw away an unsaved name (another style was chosen)."""
        with QSignalBlocker(self.name):
            self.name.setText(style.name)
            self.name.setModified(False)

    def _set_shape(self, style: Style) -> None:
        # Each shape previewed in this type's colours.
        for row, (key, _) in enumerate(SHAPES):
            preview = Style(id="", color=style.color, border_color=style.border_color, shape=key)
            self.shape.setItemIcon(row, style_icon(preview, SWATCH_SIZE))
        index = self.shape.findData(style.shape)
        self.shape.setCurrentIndex(max(index, 0))


class StylesDialog(QDialog):
    """Factor types and link styles of the current map, edited through model commands."""

    def __init__(self, editor: MapEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("styles-dialog")
        self.setWindowTitle("Factor types and link styles")
        self.setAccessibleName("Factor types and link styles")
        self._editor = editor
        self._document: MapDocument | None = None
        self._current_id: str | None = None
        self.factor_list = StyleList("factor", "style-factor-list", "Factor types")
        self.link_list = StyleList("link", "style-link-list", "Link styles")
        self.form = StyleForm()
        self.add_factor_button = _button("Add type", "style-add-factor", "Add factor type")
        self.add_link_button = _button("Add link style", "style-add-link")
        self.delete_button = _button("Delete", "style-delete", "Delete style")
        self.message = QLabel()
        self.message.setObjectName("style-message")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self._build_layout()
        self._connect()
        self._show_message("")
        self.resize(680, 540)
        self.refresh()

    def _build_layout(self) -> None:
        lists = QVBoxLayout()
        # Maps have many factor types and few link styles.
        for title, style_list, add, stretch in (
            ("Factor types", self.factor_list, self.add_factor_button, 3),
            ("Link styles", self.link_list, self.add_link_button, 1),
        ):
            heading = QLabel(f"<b>{title}</b>")
            heading.setBuddy(style_list)
            lists.addWidget(heading)
            lists.addWidget(style_list, stretch)
            lists.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        details = QVBoxLayout()
        details.addWidget(QLabel("<b>Selected style</b>"))
        details.addWidget(self.form)
        details.addWidget(self.delete_button, 0, Qt.AlignmentFlag.AlignLeft)
        details.addStretch(1)
        details.addWidget(self.message)
        columns = QHBoxLayout()
        columns.addLayout(lists, 1)
        columns.addLayout(details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("style-close")
        close.setAccessibleName("Close")
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(columns, 1)
        outer.addWidget(buttons)

    def _connect(self) -> None:
        self.factor_list.itemSelectionChanged.connect(lambda: self._list_selected(self.factor_list))
        self.link_list.itemSelectionChanged.connect(lambda: self._list_selected(self.link_list))
        self.add_factor_button.clicked.connect(lambda: self.add_style("factor"))
        self.add_link_button.clicked.connect(lambda: self.add_style("link"))
        self.delete_button.clicked.connect(self.delete_current)
        self.form.edited.connect(self.edit_current)
        self.form.color_requested.connect(self._pick_color)
        self._editor.hallway.model_changed.connect(self._on_model_changed)

    # -- reading the model --------------------------------------------------------------

    def current_style(self) -> Style | None:
        document = self._editor.document
        if document is None or self._current_id is None:
            return None
        return document.styles.get(self._current_id)

    def refresh(self) -> None:
        """Show the current map's styles again (after a change, undo, or another map)."""
        document = self._editor.document
        if document is not self._document:
            self._document = document
            self._current_id = None
        if document is None:
            for style_list in (self.factor_list, self.link_list):
                style_list.set_styles([], {})
            self._show_current()
            self._show_message("Open a map to edit its factor types and link styles.", "info")
            return
        state = document.state
        usage: dict[str, int] = {}
        for record in (*state.factors.values(), *state.links.values()):
            if record.type is not None:
                usage[record.type] = usage.get(record.type, 0) + 1
        self.factor_list.set_styles(state.factor_styles(), usage)
        self.link_list.set_styles(state.link_styles(), usage)
        if self._current_id not in state.styles:
            default = state.default_style("factor") or state.default_style("link")
            self._current_id = default.id if default else None
        self._show_current()

    def _show_current(self) -> None:
        style = self.current_style()
        self.factor_list.select_id(self._current_id)
        self.link_list.select_id(self._current_id)
        kind = self._document.info.kind if self._document is not None else "system"
        self.form.show_style(style, kind)
        self.delete_button.setEnabled(style is not None)
        words = KIND_WORDS[style.kind] if style is not None else "style"
        self.delete_button.setText(f"Delete {words}")
        self.delete_button.setAccessibleName(f"Delete {words}")

    def _on_model_changed(self, change: Change) -> None:
        if affects_styles(change) or change.touches("maps"):
            self.refresh()

    def event(self, event: QEvent) -> bool:
        # Another map may have been opened while this non-modal dialog was in the
        # background (no signal tells us); catch up when the user comes back to it.
        if event.type() == QEvent.Type.WindowActivate and (
            self._editor.document is not self._document
        ):
            self.refresh()
        return super().event(event)

    def _list_selected(self, style_list: StyleList) -> None:
        style_id = style_list.selected_id()
        if style_id is None or style_id == self._current_id:
            return
        self.select_style(style_id)

    def select_style(self, style_id: str) -> None:
        self._current_id = style_id
        style = self.current_style()
        if style is not None:
            self.form.reset_name(style)
        self._show_message("")
        self._show_current()

    # -- editing ----------------------------------------------------------------------------

    def edit_current(self, changes: dict[str, Any]) -> None:
        style = self.current_style()
        if style is None:
            return
        if not self._run(EditStyle(style.id, changes)) and "name" in changes:
            # Keep the refused name on screen so it can be corrected and retried.
            self.form.name.setModified(True)

    def _pick_color(self, field: str) -> None:
        style = self.current_style()
        if style is None:
            return
        words = {
            "color": "fill" if style.kind == "factor" else "line",
            "border_color": "border",
            "font_color": "label",
        }
        shown = label_colour(style) if field == "font_color" else getattr(style, field)
        chosen = self._choose_color(
            QColor(shown), f"{words[field].capitalize()} colour of {style.name}"
        )
        if chosen is None or not chosen.isValid():
            return
        value: str | None = chosen.name()
        if field == "font_color":
            # Black is no colour of the type's own (as a PRSM import reads it): the type
            # goes back to the default rather than storing it.
            value = None if value == DEFAULT_LABEL_COLOUR else value
            if value == style.font_color:
                return
        self.edit_current({field: value})

    def _choose_color(self, initial: QColor, title: str = "Choose a colour") -> QColor | None:
        """Ask the user for a colour; None if cancelled. (Tests replace this.)"""
        chosen = QColorDialog.getColor(initial, self, title)
        return chosen if chosen.isValid() else None

    def add_style(self, kind: str) -> None:
        document = self._editor.document
        if document is None:
            return
        state = document.state
        name, n = NEW_NAMES[kind], 2
        while state.style_named(kind, name) is not None:
            name, n = f"{NEW_NAMES[kind]} {n}", n + 1
        if kind == "factor":
            add = AddStyle("factor", name, "#ffffff", "#4a4a4a", "box")
        else:
            add = AddStyle("link", name, "#4a4a4a", "#4a4a4a", "arrow")
        if self._run(add):
            self.select_style(add.id)
            self.form.name.setFocus()
            self.form.name.selectAll()

    def delete_current(self) -> None:
        style = self.current_style()
        document = self._editor.document
        if style is None or document is None:
            return
        state = document.state
        siblings = [
            s
            for s in (state.factor_styles() if style.kind == "factor" else state.link_styles())
            if s.id != style.id
        ]
        words = KIND_WORDS[style.kind]
        if not siblings:
            self._show_message(
                f"“{style.name}” is the only {words}, and a map needs at least one. "
                f"Add another {words} first.",
                "error",
            )
            return
        replacement = siblings[0]
        records = state.factors if style.kind == "factor" else state.links
        members = sum(1 for r in records.values() if r.type == style.id)
        if self._run(DeleteStyle(style.id, replacement.id)):
            self.select_style(replacement.id)
            if members:
                noun = "factor" if style.kind == "factor" else "link"
                plural = "s" if members != 1 else ""
                self._show_message(
                    f"Deleted “{style.name}”: its {members} {noun}{plural} now "
                    f"use “{replacement.name}”. Undo brings them back.",
                    "info",
                )

    def _run(self, command: Command) -> bool:
        """Run one command through the editor; show its error here if it fails."""
        errors: list[str] = []

        def collect(text: str) -> None:
            errors.append(text)

        self._editor.message.connect(collect)
        try:
            ok = self._editor.run(command)
        finally:
            self._editor.message.disconnect(collect)
        if ok:
            self._show_message("")
        else:
            self._show_message(errors[-1] if errors else "No map is open.", "error")
        return ok

    def _show_message(self, text: str, level: str = "info") -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {MESSAGE_COLORS[level]};")
        self.message.setVisible(bool(text))
