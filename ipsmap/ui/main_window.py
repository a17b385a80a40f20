"""The main window: the canvas, panels in tabs on the right, tables below (hidden at first).

The window is a frame: it lays out the canvas, docks, menus and toolbar. What is shown
(project, map, selection) lives in the hallway; what each action does is registered by its
feature (file, canvas, map, view, workshop, snapshot, comparison, undo, help).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSpinBox,
    QTabBar,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.document import MapDocument
from ipsmap.model.frozen import is_frozen
from ipsmap.model.project import Project
from ipsmap.ui import canvas_actions, help_actions
from ipsmap.ui.actions import ActionTable, build_menus
from ipsmap.ui.canvas.empty_hint import EmptyCanvasHint
from ipsmap.ui.canvas.legend import LegendOverlay
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.minimap import Minimap
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.search_bar import SearchBar
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.demo_actions import DemoActions
from ipsmap.ui.evaluation.cmo_panel import CmoPanel
from ipsmap.ui.evaluation.comparing import Comparing
from ipsmap.ui.evaluation.snapshot_view import SnapshotView
from ipsmap.ui.file_actions import FileActions
from ipsmap.ui.hallway import Hallway
from ipsmap.ui.map_actions import MapActions
from ipsmap.ui.panels.analysis_panel import AnalysisPanel
from ipsmap.ui.panels.data_view import DataView
from ipsmap.ui.panels.history_panel import HistoryPanel
from ipsmap.ui.panels.inspector import Inspector
from ipsmap.ui.panels.map_list import MapList
from ipsmap.ui.undo_actions import UndoActions
from ipsmap.ui.view_actions import ViewActions
from ipsmap.ui.workshop.participants_bar import ParticipantCombo
from ipsmap.ui.workshop.sessions_dialog import SessionCombo
from ipsmap.ui.workshop.tools import Workshop

DEFAULT_LABEL_POINTS = 10.0
# Bumped when the default arrangement of docks changes, so an old saved one is not restored.
LAYOUT_VERSION = 2
BOTTOM_DOCKS = ("data", "history", "cmos")
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


class MainWindow(QMainWindow):
    """One project open at a time; one of its maps on the canvas."""

    def __init__(self, project: Project | None = None, is_demo: bool = False) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self._size_for_screen()
        self.hallway = hallway = Hallway(self)
        hallway.message.connect(self.show_message)
        # The scene first: every panel after it sees the canvas already redrawn.
        self.scene = MapScene(hallway, self)
        self.view = MapView(self.scene)
        self.editor = MapEditor(hallway, self.scene, self.view)
        self.editor.message.connect(self.show_message)
        self.search = SearchBar(hallway, self.editor, self.scene)
        self.search.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.search)
        column.addWidget(self.view)
        self.setCentralWidget(central)
        self.legend = LegendOverlay(hallway, self.view, self.scene)
        self.empty_hint = EmptyCanvasHint(hallway, self.view)
        self.minimap = Minimap(hallway, self.view, self.scene)
        self.action_table = ActionTable(build_menus(self))
        self.actions_by_name = self.action_table.by_name
        self.undo = UndoActions(hallway, self.action_table)
        self._build_panels()
        self._build_docks()
        self.files = FileActions(self, hallway, self.action_table)
        canvas_actions.install(self, hallway, self.editor, self.search, self.action_table)
        self.maps = MapActions(self, hallway, self.editor, self.action_table)
        # Right-click on the map list offers the map commands (they act on the open map).
        for name in ("add-map", "rename-map", "duplicate-map", "delete-map"):
            self.map_list.tree.addAction(self.actions_by_name[name])
        self._build_toolbar()
        self.view_actions = ViewActions(
            self, self.view, self.scene, self.legend, self.minimap, self.label_size,
            self.toolbar, self.docks, self.action_table,
        )  # fmt: skip
        self.workshop = Workshop(
            self, hallway, (self.scene, self.view), self._dock, self.docks,
            (self.session_combo, self.label_size), self.analysis, self.undo, self.action_table,
        )  # fmt: skip
        help_actions.install(self, self.action_table)
        self.demo = DemoActions(self, hallway, self.action_table)
        self._add_dock_toggles()
        self.actions_by_name["show-legend"].setChecked(True)
        self.actions_by_name["show-minimap"].setChecked(True)
        # The title names the map and project (a rename is a model change) and the file.
        for signal in (hallway.project_changed, hallway.document_changed, hallway.model_changed):
            signal.connect(lambda _value: self._update_title())
        hallway.document_changed.connect(lambda _doc: QTimer.singleShot(0, self.view.fit_map))
        # Drop a map file to import it, or a project file to open it.
        self.setAcceptDrops(True)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        self.snapshots = SnapshotView(self, hallway, self.scene, self.action_table)
        self.comparing = Comparing(
            self, hallway, self.scene, self.view, self._compare_dock, self.action_table
        )
        self.compare_panel = self.comparing.panel
        # A menu entry that does nothing is a bug: say so at once, not when someone clicks.
        if unhandled := self.action_table.unhandled():
            raise RuntimeError(f"menu actions without a handler: {unhandled}")
        self._restore_layout()
        for dock in self.docks.values():  # a dock moved or tabbed: Qt remakes its tab bars
            dock.dockLocationChanged.connect(
                lambda _area: QTimer.singleShot(0, self._tidy_dock_tabs)
            )
        hallway.open(project, is_demo)

    # -- construction ----------------------------------------------------------------------

    def _build_panels(self) -> None:
        hallway, editor, scene = self.hallway, self.editor, self.scene
        self.map_list = MapList(hallway)
        self.map_list.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.inspector = Inspector(hallway, editor)
        self.data_view = DataView(hallway, editor, scene)
        self.history = HistoryPanel(hallway, self.undo)
        self.analysis = AnalysisPanel(hallway, editor, scene)
        self.cmo_panel = CmoPanel(hallway, editor, scene, hallway.show_map)
        self.cmo_panel.message.connect(self.show_message)

    def _build_docks(self) -> None:
        # The canvas gets most of the window: every panel shares one tabbed column on the
        # right (tabs down its edge, so their names are never cut short) and the wide
        # tables below start hidden (View menu: Data view, History, CMO configurations).
        self.docks = {"maps": self._dock("Maps", self.map_list, RIGHT)}
        for name, title, widget in (
            ("inspector", "Inspector", self.inspector),
            ("analysis", "Analysis", self.analysis),
        ):
            self.docks[name] = self._dock(title, widget, RIGHT)
            self.tabifyDockWidget(self.docks["maps"], self.docks[name])
        self.setTabPosition(RIGHT, QTabWidget.TabPosition.East)
        self.docks["inspector"].raise_()
        self.docks["data"] = self._dock("Data view", self.data_view, BOTTOM)
        for name, title, widget in (
            ("history", "History", self.history),
            ("cmos", "CMO configurations", self.cmo_panel),
        ):
            self.docks[name] = self._dock(title, widget, BOTTOM)
            self.tabifyDockWidget(self.docks["data"], self.docks[name])
        self.docks["data"].raise_()
        # Raised again once shown: Qt shows the last tab added until the window is on screen,
        # and a workshop starts on the map and its data, not on the evaluators' CMO table.
        QTimer.singleShot(0, self.docks["data"].raise_)
        for name in BOTTOM_DOCKS:
            self.docks[name].hide()
        self.resizeDocks([self.docks["inspector"]], [330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["data"]], [220], Qt.Orientation.Vertical)

    def _restore_layout(self) -> None:
        """The docks as the user left them last time (their own arrangement wins)."""
        saved = QSettings().value("window/state")
        if saved is not None:
            self.restoreState(saved, LAYOUT_VERSION)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName("dock-" + title.lower().replace(" ", "-"))
        # A panel taller than the room it gets scrolls instead of pushing the window past
        # the screen (a 1280 × 720 projector, the large-text theme).
        scroller = QScrollArea()
        scroller.setObjectName(f"{dock.objectName()}-scroller")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(widget)
        dock.setWidget(scroller)
        self.addDockWidget(area, dock)
        return dock

    def _compare_dock(self, panel: QWidget) -> QDockWidget:
        dock = self._dock("Comparison", panel, BOTTOM)
        self.tabifyDockWidget(self.docks["data"], dock)
        self.docks["compare"] = dock
        return dock

    def _add_dock_toggles(self) -> None:
        view_menu = self.menuBar().findChild(QWidget, "menu-view")
        for dock in self.docks.values():
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"action-show-{dock.objectName().removeprefix('dock-')}")
            if view_menu is not None:
                view_menu.addAction(toggle)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Workshop")
        bar.setObjectName("toolbar-workshop")
        bar.toggleViewAction().setObjectName("action-show-toolbar")
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Editing as: "))
        self.participants = ParticipantCombo()
        self.participants.follow(self.hallway, "participants")
        # "Editing as" changed from elsewhere (a joined live session edits as who joined).
        self.hallway.actor_changed.connect(lambda _actor: self.participants.refresh())
        bar.addWidget(self.participants)
        bar.addWidget(QLabel(" Session: "))
        self.session_combo = SessionCombo()
        self.session_combo.follow(self.hallway, "sessions")
        bar.addWidget(self.session_combo)
        # About fourteen characters each, in whatever text size the theme sets: sized to
        # the longest entry they pushed the toolbar's buttons off a projector's screen.
        for combo in (self.participants, self.session_combo):
            combo.setMinimumContentsLength(14)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        bar.addSeparator()
        for name in ("undo", "redo", "add-factor", "link-selected", "delete", "layout", "fit-map"):
            bar.addAction(self.actions_by_name[name])
        bar.addSeparator()
        bar.addWidget(QLabel(" Label size: "))
        self.label_size = QSpinBox()
        self.label_size.setObjectName("label-size")
        self.label_size.setAccessibleName("Label size in points")
        self.label_size.setRange(6, 40)
        self.label_size.setValue(int(DEFAULT_LABEL_POINTS))
        bar.addWidget(self.label_size)
        bar.addAction(self.actions_by_name["presentation"])
        self.toolbar = bar

    # -- what the window shows ------------------------------------------------------------

    @property
    def project(self) -> Project | None:
        return self.hallway.project

    @property
    def document(self) -> MapDocument | None:
        return self.hallway.document

    def show_map(self, map_id: str | None) -> None:
        self.hallway.show_map(map_id)

    def trigger(self, name: str) -> None:
        """Fire the action named ``name`` (as its menu entry or shortcut would)."""
        self.action_table.trigger(name)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _update_title(self) -> None:
        self.setWindowTitle(window_title(self.hallway))
        self.status_label.setText(status_words(self.hallway))
        project = self.hallway.project
        self.status_label.setToolTip(str(project.path) if project is not None else "")

    # -- Qt events ----------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        self.files.open_dropped([Path(u.toLocalFile()) for u in urls if u.isLocalFile()])
        event.acceptProposedAction()

    def _tidy_dock_tabs(self) -> None:
        """The panels' tabs down the right edge keep their whole names (scroll arrows appear
        when large text makes them longer than the window): "Insp…" helps nobody. Qt makes
        those tab bars itself (eliding) whenever docks are tabbed, so this runs after each
        change. (A style-sheet rule did the same but made every widget slower to draw.)"""
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setUsesScrollButtons(True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._tidy_dock_tabs)

    def keyPressEvent(self, event) -> None:
        # Esc leaves presentation mode first, then a comparison; else it is the widget's.
        if event.key() == Qt.Key.Key_Escape and (
            self.view_actions.leave_presentation() or self.comparing.stop_if_comparing()
        ):
            return
        super().keyPressEvent(event)

    def _size_for_screen(self) -> None:
        """Where it was last time, if that still fits a screen; else sized to this screen."""
        saved = QSettings().value("window/geometry")
        if saved is not None and self.restoreGeometry(saved) and self._fits_a_screen():
            return
        screen = self.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry()
        # 1400 × 900 where there is room; a 1280 × 720 projector gets all of its screen.
        self.resize(min(1400, free.width()), min(900, free.height()))
        self.move(free.topLeft() + QPoint(
            max(0, (free.width() - self.width()) // 2), max(0, (free.height() - self.height()) // 2)
        ))  # fmt: skip

    def _fits_a_screen(self) -> bool:
        frame = self.frameGeometry()
        return any(
            s.availableGeometry().intersected(frame).width() >= min(frame.width(), 200)
            for s in QGuiApplication.screens()
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        # Every edit is already on disk; closing only releases the file.
        if self.hallway.project is not None:
            self.scene.set_document(None)
            self.hallway.release()
        QSettings().setValue("window/geometry", self.saveGeometry())
        QSettings().setValue("window/state", self.saveState(LAYOUT_VERSION))
        super().closeEvent(event)


def window_title(hallway: Hallway) -> str:
    """The window's title: map, project and its file, app; a snapshot says read-only.

    No "unsaved" mark: every edit is on disk when it is made, so a "•" would only worry.
    """
    project, document = hallway.project, hallway.document
    if is_frozen(document):
        assert document is not None
        project_title = project.title if project else ""
        return f"{document.info.name} — read-only — {project_title} — ipsmap"
    parts = ["ipsmap"]
    if project is not None and hallway.joined:
        parts.append(hallway.joined)
    elif project is not None:
        parts.append(f"{project.title} ({file_words(hallway)})")
    if document is not None:
        parts.append(document.info.name)
    return " — ".join(reversed(parts))


def file_words(hallway: Hallway) -> str:
    """Which file is open, in words: "your demo copy, IPS demo.ipsmap", "x.ipsmap, read-only"."""
    project = hallway.project
    if project is None:
        return ""
    words = project.path.name
    if hallway.is_demo:
        words = f"your demo copy, {words}"
    return words + (", read-only" if project.read_only else "")


def status_words(hallway: Hallway) -> str:
    """The status bar's standing line: the file open and that edits are saved as made."""
    project = hallway.project
    if project is None:
        return "No project open"
    path = str(project.path)
    home = str(Path.home())
    if path.startswith(home + "/"):
        path = "~" + path[len(home) :]
    if project.read_only:
        why = (
            f" ({project.read_only_reason}): nothing can be changed"
            if project.read_only_reason
            else ""
        )
        return f"Read-only{why}: {path}"
    if hallway.joined:
        return f"{hallway.joined} — every change goes to the host"
    if hallway.is_demo:
        return f"Your demo copy, kept between starts (Help → Reset the demo): {path}"
    return f"Every change is saved in {path}"
