"""The Edit and Map menus' canvas commands: clipboard, delete, polarity, align, layout, styles.

Each acts on the map shown through the map editor; this module only says which action runs
which gesture, so the window needs no forwarder for any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from ipsmap.ui.actions import NUDGE_KEYS

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.map_editor import MapEditor
    from ipsmap.ui.canvas.search_bar import SearchBar
    from ipsmap.ui.hallway import Hallway


def install(
    parent: QWidget, hallway: Hallway, editor: MapEditor, search: SearchBar, actions: ActionTable
) -> None:
    """Register the canvas commands, and add the arrow keys that nudge the selection."""
    view = editor.view

    def add_factor() -> None:
        view.setFocus()
        editor.add_factor_at_centre()

    def edit_label() -> None:
        selected = hallway.selected_factor_ids
        if len(selected) == 1:
            view.edit_label(selected[0])

    def layout(direction: str = "lr") -> None:
        from ipsmap.ui.layout_runner import run_layout

        if hallway.document is not None:
            run_layout(parent, editor, hallway.selected_factor_ids, direction=direction)

    def styles() -> None:
        from ipsmap.ui.dialogs.styles_dialog import StylesDialog

        if hallway.document is None:
            return
        dialog = StylesDialog(editor, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    actions.register_all(
        {
            "cut": editor.cut,
            "copy": editor.copy,
            "paste": editor.paste,
            "duplicate": editor.duplicate,
            "delete": editor.delete_selection,
            "select-all": editor.select_all,
            "find": search.activate,
            "add-factor": add_factor,
            "edit-label": edit_label,
            "link-selected": editor.link_selected,
            "polarity-plus": lambda: editor.set_polarity("+"),
            "polarity-minus": lambda: editor.set_polarity("-"),
            "polarity-unknown": lambda: editor.set_polarity("?"),
            "align-left": lambda: editor.align("left"),
            "align-top": lambda: editor.align("top"),
            "align-hcenter": lambda: editor.align("hcenter"),
            "align-vcenter": lambda: editor.align("vcenter"),
            "distribute-h": lambda: editor.distribute("x"),
            "distribute-v": lambda: editor.distribute("y"),
            "layout": lambda: layout("lr"),
            "layout-upward": lambda: layout("bt"),
            "styles": styles,
        }
    )
    for name, (key, (dx, dy)) in NUDGE_KEYS.items():
        action = QAction(name.replace("-", " ").capitalize(), parent)
        action.setObjectName("action-" + name)
        action.setShortcut(QKeySequence(key))
        # Only while the canvas has focus: arrows keep their meaning in tables and fields.
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _=False, dx=dx, dy=dy: editor.nudge(dx, dy))
        view.addAction(action)
        actions.add(name, action)
