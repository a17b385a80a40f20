"""Every menu action of the window, each with an objectName, shortcut and plain-words tip.

The table below is the one place that names them; the Help → Keyboard shortcuts list is
built from it, so the two never disagree. The window builds the menus from it; each feature
then registers what its actions do (``ActionTable.register``), and the window checks that
no menu entry was left without a handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass(frozen=True)
class ActionSpec:
    name: str  # objectName is "action-" + name; a feature registers its handler by name
    text: str
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    checkable: bool = False


SEPARATOR = ActionSpec("-", "-")

MENUS: dict[str, list[ActionSpec]] = {
    "&File": [
        ActionSpec("new-project", "&New project…", ("Ctrl+N",), "Create an empty project file"),
        ActionSpec("open-project", "&Open project…", ("Ctrl+O",), "Open a project file"),
        ActionSpec("save-as", "Save &as…", ("Ctrl+Shift+S",), "Copy this project to a new file"),
        SEPARATOR,
        ActionSpec("import-map", "&Import map…", ("Ctrl+I",), "Add a map from a file"),
        ActionSpec("export-map", "&Export map as…", ("Ctrl+E",), "Write this map to a file"),
        ActionSpec(
            "check-personal-data",
            "Check for &personal data…",
            (),
            "List text that might name someone or hold contact details, before exporting",
        ),
        SEPARATOR,
        ActionSpec("close-window", "&Close", ("Ctrl+W",), "Close this window"),
    ],
    "&Edit": [
        ActionSpec("undo", "&Undo", ("Ctrl+Z",), "Undo the last change"),
        ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo what was undone"),
        SEPARATOR,
        ActionSpec("cut", "Cu&t", ("Ctrl+X",), "Cut the selected factors"),
        ActionSpec("copy", "&Copy", ("Ctrl+C",), "Copy the selected factors and their links"),
        ActionSpec("paste", "&Paste", ("Ctrl+V",), "Paste factors"),
        ActionSpec("duplicate", "&Duplicate", ("Ctrl+D",), "Duplicate the selected factors"),
        ActionSpec("delete", "De&lete", ("Delete", "Backspace"), "Delete the selection"),
        SEPARATOR,
        ActionSpec("select-all", "Select &all", ("Ctrl+A",), "Select every factor and link"),
        ActionSpec("find", "&Find factors…", ("Ctrl+F",), "Find factors by label or notes"),
    ],
    "&Map": [
        ActionSpec("add-factor", "Add &factor", ("N", "Insert"), "Add a factor and type its label"),
        ActionSpec("edit-label", "&Rename factor", ("F2",), "Edit the selected factor's label"),
        ActionSpec("link-selected", "&Link selected factors", ("L",), "Link two selected factors"),
        ActionSpec(
            "polarity-plus",
            "Polarity +",
            ("+", "Shift++", "="),
            "Same direction: more leads to more",
        ),
        ActionSpec(
            "polarity-minus", "Polarity −", ("-",), "Opposite direction: more leads to less"
        ),
        ActionSpec("polarity-unknown", "Polarity ?", ("?", "Shift+?"), "Unknown or complex effect"),
        SEPARATOR,
        ActionSpec("align-left", "Align left", (), "Line up the selected factors on the left"),
        ActionSpec("align-top", "Align top", (), "Line up the selected factors along the top"),
        ActionSpec("align-hcenter", "Align centres vertically", (), "One column of centres"),
        ActionSpec("align-vcenter", "Align centres horizontally", (), "One row of centres"),
        ActionSpec("distribute-h", "Distribute horizontally", (), "Even spacing left to right"),
        ActionSpec("distribute-v", "Distribute vertically", (), "Even spacing top to bottom"),
        ActionSpec("layout", "Auto &layout", ("Ctrl+L",), "Lay out the map (or the selection)"),
        ActionSpec(
            "layout-upward",
            "Auto layout, bottom to top",
            ("Ctrl+Shift+L",),
            "Theory of change: inputs at the bottom, impact at the top",
        ),
        SEPARATOR,
        ActionSpec("styles", "Factor types and link &styles…", (), "Edit the legend's types"),
        SEPARATOR,
        ActionSpec("add-map", "New &map…", ("Ctrl+Shift+N",), "Add a map to this project"),
        ActionSpec("rename-map", "Re&name map…", (), "Rename this map"),
        ActionSpec("duplicate-map", "Duplicate map", (), "Copy this map"),
        ActionSpec("delete-map", "Delete map…", (), "Delete this map (can be undone)"),
        SEPARATOR,
        ActionSpec(
            "take-snapshot", "Take &snapshot…", (), "Freeze this map as it is now, with a label"
        ),
        ActionSpec(
            "restore-snapshot",
            "Restore a snapshot as a new map…",
            (),
            "Bring back a frozen version beside the live map",
        ),
        ActionSpec(
            "open-snapshot", "&Open snapshot (read-only)…", (), "Look at a frozen version of a map"
        ),
        ActionSpec("close-snapshot", "Back to the live map", (), "Leave the snapshot being viewed"),
        SEPARATOR,
        ActionSpec(
            "compare", "&Compare with…", (), "Show what changed from another map or a snapshot"
        ),
        ActionSpec("stop-comparing", "Stop comparing", (), "Clear the comparison (Esc)"),
        ActionSpec("combine-maps", "Com&bine maps…", (), "Merge several maps into a new map"),
    ],
    "&View": [
        ActionSpec("zoom-in", "Zoom &in", ("Ctrl++", "Ctrl+="), "Zoom in"),
        ActionSpec("zoom-out", "Zoom &out", ("Ctrl+-",), "Zoom out"),
        ActionSpec("fit-map", "&Fit map", ("Ctrl+0", "Home"), "Show the whole map"),
        ActionSpec("fit-selection", "Fit &selection", ("Ctrl+Shift+0",), "Zoom to the selection"),
        SEPARATOR,
        ActionSpec("snap-to-grid", "Snap to &grid", ("Ctrl+G",), "Place factors on a grid", True),
        ActionSpec("show-legend", "Show &legend", (), "Show the key below the map", True),
        ActionSpec(
            "show-minimap",
            "Show &overview",
            (),
            "Show an overview below the map when zoomed in",
            True,
        ),
        SEPARATOR,
        ActionSpec("larger-labels", "&Larger labels", ("Ctrl+Shift+=",), "Bigger text"),
        ActionSpec("smaller-labels", "S&maller labels", ("Ctrl+Shift+-",), "Smaller text"),
        # Only the map: the whole window's look is a theme (below), named apart so the two
        # are not mistaken for one another.
        ActionSpec(
            "high-contrast",
            "Black &outlines on the map",
            (),
            "The map only: black outlines and text on white (Theme: high contrast changes the "
            "whole window)",
            True,
        ),
        ActionSpec(
            "presentation", "&Presentation mode", ("F5",), "Full screen for a projector", True
        ),
        SEPARATOR,
        ActionSpec(
            "mark-badges",
            "Show marks on factors",
            (),
            "A badge on each factor: ★ important, ⚒ controllable, ⚡ vulnerable, ● votes",
            True,
        ),
        ActionSpec("size-by-votes", "Size factors by votes", (), "More votes, bigger factor", True),
        SEPARATOR,
        ActionSpec("theme-standard", "Theme: standard", (), "The usual look and text size", True),
        ActionSpec("theme-large", "Theme: large text", (), "Bigger text everywhere", True),
        ActionSpec(
            "theme-contrast", "Theme: high contrast", (), "Black on white, large text", True
        ),
    ],
    "&Workshop": [
        ActionSpec(
            "collect-marks",
            "Collect &marks…",
            ("Ctrl+M",),
            "Go through the factors one by one and mark them with the keyboard",
        ),
        ActionSpec(
            "participants",
            "&Participants and sessions",
            ("Ctrl+Shift+P",),
            "Who takes part (each by a made-up name) and the workshops held",
        ),
        ActionSpec("add-session", "Add a &session…", (), "Record a workshop: date, site, who came"),
        ActionSpec(
            "current-session",
            "&Current session",
            ("Ctrl+Shift+W",),
            "Choose which workshop is happening now (the Session box on the toolbar): "
            "changes and marks are recorded as made in it",
        ),
        SEPARATOR,
        ActionSpec(
            "marks-grid",
            "What the marks &show",
            ("Ctrl+Shift+M",),
            "Which factors matter and which we can act on, and where groups disagree",
        ),
        ActionSpec(
            "balance-of-voices",
            "&Balance of voices",
            ("Ctrl+Shift+B",),
            "Whose voice the map carries, next to who was in the room",
        ),
        SEPARATOR,
        ActionSpec(
            "host-live-session",
            "&Host a live session…",
            (),
            "Let other laptops in this room edit chosen maps with you (a join code, no internet)",
        ),
        ActionSpec(
            "join-live-session",
            "&Join a live session…",
            (),
            "Edit the maps a facilitator shares in this room, with the code they give you",
        ),
        ActionSpec(
            "leave-live-session",
            "&Leave the live session",
            (),
            "Stop editing with the others; your copy of the shared maps is kept",
        ),
        ActionSpec(
            "show-ideas",
            "&Ideas from phones",
            (),
            "What people suggested from their phones for this map: place each on the map",
        ),
    ],
    "&Help": [
        ActionSpec("shortcuts", "&Keyboard shortcuts", ("F1",), "List every shortcut"),
        ActionSpec(
            "reset-demo",
            "&Reset the demo…",
            (),
            "Start again from a fresh copy of the demo; your changed copy is kept beside it",
        ),
        ActionSpec("about", "&About ipsmap", (), "Version and licence"),
    ],
}

# Keys that mean something else while typing a label must not steal it from the editor.
NUDGE_KEYS = {
    "nudge-left": ("Left", (-10, 0)),
    "nudge-right": ("Right", (10, 0)),
    "nudge-up": ("Up", (0, -10)),
    "nudge-down": ("Down", (0, 10)),
}


def build_menus(window: QMainWindow) -> dict[str, QAction]:
    """Create the menu bar; return actions by name (not yet connected to anything)."""
    actions: dict[str, QAction] = {}
    for title, specs in MENUS.items():
        menu: QMenu = window.menuBar().addMenu(title)
        menu.setObjectName("menu-" + title.strip("&").lower())
        menu.menuAction().setObjectName("action-menu-" + title.strip("&").lower())
        for spec in specs:
            if spec is SEPARATOR:
                menu.addSeparator()
                continue
            action = make_action(window, spec)
            menu.addAction(action)
            actions[spec.name] = action
    return actions


def make_action(window: QMainWindow, spec: ActionSpec) -> QAction:
    action = QAction(spec.text, window)
    action.setObjectName("action-" + spec.name)
    action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
    action.setToolTip(spec.tip or spec.text.replace("&", "").rstrip("…"))
    action.setStatusTip(spec.tip)
    action.setCheckable(spec.checkable)
    window.addAction(action)
    return action


class ActionTable:
    """The window's actions by name, and what each one does (registered by its feature)."""

    def __init__(self, actions: dict[str, QAction]) -> None:
        self.by_name = actions
        self._handled: set[str] = set()

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]

    def add(self, name: str, action: QAction) -> None:
        """Take in an action made elsewhere (e.g. the canvas's nudge keys)."""
        self.by_name[name] = action

    def register(self, name: str, handler: Callable) -> QAction:
        """Run ``handler`` when the action fires; a checkable one passes its new state."""
        action = self.by_name[name]
        if name in self._handled:
            raise ValueError(f"action {name!r} already has a handler")
        self._handled.add(name)
        if action.isCheckable():
            action.toggled.connect(handler)
        else:
            action.triggered.connect(lambda _checked=False: handler())
        return action

    def register_all(self, handlers: dict[str, Callable]) -> None:
        for name, handler in handlers.items():
            self.register(name, handler)

    def trigger(self, name: str) -> None:
        self.by_name[name].trigger()

    def unhandled(self) -> list[str]:
        """Menu actions no feature has registered (a window with these is a bug)."""
        return [
            spec.name
            for specs in MENUS.values()
            for spec in specs
            if spec is not SEPARATOR and spec.name not in self._handled
        ]


def shortcut_table() -> list[tuple[str, str, str]]:
    """(menu, action, shortcuts) rows for the Help list."""
    rows = []
    for title, specs in MENUS.items():
        for spec in specs:
            if spec is not SEPARATOR and spec.shortcuts:
                rows.append(
                    (title.replace("&", ""), spec.text.replace("&", ""), ", ".join(spec.shortcuts))
                )
    rows += [("Map", "Move selected factors", "Arrow keys")]
    rows += [
        ("Canvas", "Add a factor", "Double-click the background"),
        ("Canvas", "Edit a label", "Double-click a factor"),
        ("Canvas", "Draw a link", "Right-drag (or Alt+drag) from one factor to another"),
        ("Canvas", "Pan", "Drag the background, or hold Space and drag"),
        ("Canvas", "Select several", "Shift+drag a box, or Ctrl+click"),
        ("Canvas", "Zoom", "Mouse wheel"),
    ]
    return rows
