"""The main window: canvas in the middle, maps on the left, inspector right, tables below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QToolBar,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.document import MapDocument
from ipsmap.model.errors import IpsmapError
from ipsmap.model.history import HistoryView, Scope
from ipsmap.model.project import Project
from ipsmap.ui import file_actions, map_actions
from ipsmap.ui.actions import NUDGE_KEYS, build_menus, shortcut_table
from ipsmap.ui.canvas.legend import LegendOverlay
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.minimap import Minimap
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.search_bar import SearchBar
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.dialogs.styles_dialog import StylesDialog
from ipsmap.ui.evaluation import compare_panel, snapshot_view
from ipsmap.ui.evaluation.cmo_panel import CmoPanel
from ipsmap.ui.layout_runner import run_layout
from ipsmap.ui.panels.analysis_panel import AnalysisPanel
from ipsmap.ui.panels.data_view import DataView
from ipsmap.ui.panels.history_panel import HistoryPanel
from ipsmap.ui.panels.inspector import Inspector
from ipsmap.ui.panels.map_list import MapList
from ipsmap.ui.workshop.participants_bar import ParticipantCombo
from ipsmap.ui.workshop.sessions_dialog import SessionCombo
from ipsmap.ui.workshop.tools import Workshop

DEFAULT_LABEL_POINTS = 10.0
PRESENTATION_LABEL_POINTS = 16.0


class MainWindow(QMainWindow):
    """One project open at a time; one of its maps on the canvas."""

    # The document now on the canvas (a live map, a read-only snapshot, or None).
    document_shown = Signal(object)

    def __init__(self, project: Project | None = None, is_demo: bool = False) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self.resize(1400, 900)
        self.project: Project | None = None
        self.document: MapDocument | None = None
        self.is_demo = is_demo
        self._unsubscribe_project = None
        self._presentation_state: dict | None = None

        self.scene = MapScene(self)
        self.view = MapView(self.scene)
        self.editor = MapEditor(self.scene, self.view)
        self.editor.message.connect(self.show_message)
        self.search = SearchBar(self.editor, self.scene)
        self.search.hide()
        central = QWidget()
        from PySide6.QtWidgets import QVBoxLayout

        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.search)
        column.addWidget(self.view)
        self.setCentralWidget(central)
        self.legend = LegendOverlay(self.view, self.scene)
        self.minimap = Minimap(self.view, self.scene)

        self.map_list = MapList()
        self.map_list.map_chosen.connect(self.show_map)
        self.map_list.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.inspector = Inspector(self.editor, self.scene)
        self.data_view = DataView(self.editor, self.scene)
        self.history = HistoryPanel()
        self.analysis = AnalysisPanel(self.editor, self.scene)
        self.cmo_panel = CmoPanel(self.editor, self.scene, self.show_map)
        self.cmo_panel.message.connect(self.show_message)
        self.docks = {
            "maps": self._dock("Maps", self.map_list, Qt.DockWidgetArea.LeftDockWidgetArea),
            "inspector": self._dock(
                "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
            ),
            "data": self._dock("Data view", self.data_view, Qt.DockWidgetArea.BottomDockWidgetArea),
            "history": self._dock("History", self.history, Qt.DockWidgetArea.BottomDockWidgetArea),
        }
        self.docks["analysis"] = self._dock(
            "Analysis", self.analysis, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.docks["inspector"], self.docks["analysis"])
        self.docks["inspector"].raise_()
        # The canvas gets most of the room; the tables and history share the bottom strip.
        self.tabifyDockWidget(self.docks["data"], self.docks["history"])
        self.docks["cmos"] = self._dock(
            "CMO configurations", self.cmo_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.docks["data"], self.docks["cmos"])
        self.docks["data"].raise_()
        # Raised again once shown: Qt shows the last tab added until the window is on screen,
        # and a workshop starts on the map and its data, not on the evaluators' CMO table.
        QTimer.singleShot(0, self.docks["data"].raise_)
        self.resizeDocks(
            [self.docks["maps"], self.docks["inspector"]], [250, 330], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["data"]], [220], Qt.Orientation.Vertical)
        self.actions_by_name = build_menus(self)
        self._add_recent_menu()
        # Right-click on the map list offers the map commands (they act on the open map).
        for name in ("add-map", "rename-map", "duplicate-map", "delete-map"):
            self.map_list.tree.addAction(self.actions_by_name[name])
        self._add_nudge_actions()
        self._build_toolbar()
        self.workshop = Workshop(self)
        view_menu = self.menuBar().findChild(QWidget, "menu-view")
        for dock in self.docks.values():
            toggle = dock.toggleViewAction()
            toggle.setObjectName(f"action-show-{dock.objectName().removeprefix('dock-')}")
            if view_menu is not None:
                view_menu.addAction(toggle)
        self.actions_by_name["show-legend"].setChecked(True)
        self.actions_by_name["show-minimap"].setChecked(True)
        self.scene.changed_by_model.connect(self._after_model_change)
        # Drop a map file to import it, or a project file to open it.
        self.setAcceptDrops(True)
        self.status_label = QLabel()
        self.statusBar().addPermanentWidget(self.status_label)
        snapshot_view.install(self)
        compare_panel.install(self)
        self.set_project(project)

    # -- construction helpers ----------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName("dock-" + title.lower().replace(" ", "-"))
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _add_recent_menu(self) -> None:
        file_menu = self.menuBar().findChild(QMenu, "menu-file")
        recent = QMenu("Open &recent", self)
        recent.setObjectName("menu-open-recent")
        recent.menuAction().setObjectName("action-menu-open-recent")
        recent.aboutToShow.connect(lambda: file_actions.fill_recent_menu(self, recent))
        file_menu.insertMenu(self.actions_by_name["save-as"], recent)

    def _add_nudge_actions(self) -> None:
        for name, (key, (dx, dy)) in NUDGE_KEYS.items():
            action = QAction(name.replace("-", " ").capitalize(), self)
            action.setObjectName("action-" + name)
            action.setShortcut(QKeySequence(key))
            # Only while the canvas has focus: arrows keep their meaning in tables and fields.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _=False, dx=dx, dy=dy: self.editor.nudge(dx, dy))
            self.view.addAction(action)
            self.actions_by_name[name] = action

    def _build_toolbar(self) -> None:
        bar = QToolBar("Workshop")
        bar.setObjectName("toolbar-workshop")
        bar.toggleViewAction().setObjectName("action-show-toolbar")
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Editing as: "))
        self.participants = ParticipantCombo()
        self.participants.message.connect(self.show_message)
        bar.addWidget(self.participants)
        bar.addWidget(QLabel(" Session: "))
        self.session_combo = SessionCombo()
        self.session_combo.message.connect(self.show_message)
        bar.addWidget(self.session_combo)
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
        self.label_size.valueChanged.connect(self._label_size_changed)
        bar.addWidget(self.label_size)
        bar.addAction(self.actions_by_name["presentation"])
        self.toolbar = bar

    # -- project and map ---------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        if self._unsubscribe_project is not None:
            self._unsubscribe_project()
            self._unsubscribe_project = None
        if self.project is not None and self.project is not project:
            self.show_map(None)
            self.project.close()
        self.project = project
        self.participants.set_project(project)
        self.cmo_panel.set_project(project)
        self.workshop.set_project(project)
        if project is not None:
            self._unsubscribe_project = project.subscribe(self._project_changed)
            file_actions.remember_recent(project.path)
            maps = project.maps()
            self.show_map(maps[0].id if maps else None)
            if project.read_only:
                self.show_message(f"{project.path.name} is open read-only: changes are not saved")
        self.map_list.populate(project, self.document.id if self.document else None)
        self._update_title()

    def show_map(self, map_id: str | None) -> None:
        project = self.project
        document = project.document(map_id) if project is not None and map_id else None
        self.show_document(document)

    def show_document(self, document: MapDocument | None) -> None:
        """Put a document on the canvas (a live map's, or a read-only snapshot's)."""
        project = self.project
        map_id = document.id if document is not None else None
        if document is self.document and document is not None:
            return
        self.analysis.clear()
        self.document = document
        self.editor.set_document(document)
        self.scene.set_document(document)
        self.data_view.set_document(document)
        self.history.set_document(document)
        self.inspector.refresh()
        self.cmo_panel.map_shown()
        self.workshop.set_document(document)
        self.legend.refresh()
        self.map_list.populate(project, map_id)
        self._update_title()
        self._update_undo_actions()
        self.document_shown.emit(document)
        QTimer.singleShot(0, self.view.fit_map)

    def _after_model_change(self, change: Change) -> None:
        self.history.refresh()
        self._update_undo_actions()
        self._update_title()
        if change.touches("maps"):
            self.map_list.populate(self.project, self.document.id if self.document else None)
        elif self.document is not None and (change.added or change.removed):
            self.map_list.update_counts(self.document)

    def _project_changed(self, change: Change) -> None:
        if change.touches("cmos"):
            self.inspector.refresh()
            self._update_undo_actions()
        if change.touches("participants"):
            self.participants.refresh()
        if change.touches("maps"):
            if self.document is not None and self.document.closed:
                maps = self.project.maps() if self.project else []
                self.show_map(maps[0].id if maps else None)
            self.map_list.populate(self.project, self.document.id if self.document else None)
            self._update_undo_actions()

    def _update_title(self) -> None:
        parts = ["ipsmap"]
        if self.project is not None:
            title = self.project.title + (" (demo)" if self.is_demo else "")
            if self.project.read_only:
                title += " [read-only]"
            parts.append(title)
        if self.document is not None:
            changed = "" if self.document.undo_stack.is_clean() else " •"
            parts.append(self.document.info.name + changed)
        self.setWindowTitle(" — ".join(reversed(parts)))

    def _update_undo_actions(self) -> None:
        undo, redo = self.actions_by_name["undo"], self.actions_by_name["redo"]
        reach = HistoryView(self.project, self._undo_scope()) if self.project else None
        undo.setText(f"&Undo {reach.undo_name() if reach else ''}".rstrip())
        redo.setText(f"&Redo {reach.redo_name() if reach else ''}".rstrip())
        undo.setEnabled(bool(reach and reach.can_undo()))
        redo.setEnabled(bool(reach and reach.can_redo()))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- File -------------------------------------------------------------------------------

    def do_new_project(self) -> None:
        project = file_actions.new_project(self)
        if project is not None:
            self.is_demo = False
            self.set_project(project)

    def do_open_project(self, path: str | Path | None = None) -> None:
        project = file_actions.open_project(self, path)
        if project is not None:
            self.is_demo = False
            self.set_project(project)

    def do_save_as(self) -> None:
        file_actions.save_as(self)

    def do_import_map(self) -> None:
        file_actions.import_map(self)

    def do_export_map(self) -> None:
        file_actions.export_map(self)

    def do_check_personal_data(self) -> None:
        from ipsmap.ui.dialogs.privacy_dialog import check_personal_data

        check_personal_data(self)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        for url in event.mimeData().urls():
            if not url.isLocalFile():
                continue
            path = Path(url.toLocalFile())
            if path.suffix.lower() == ".ipsmap":
                self.do_open_project(path)
            else:
                file_actions.import_map(self, path)
        event.acceptProposedAction()

    def do_close_window(self) -> None:
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Every edit is already on disk; closing only releases the file.
        if self.project is not None:
            self.scene.set_document(None)
            self.project.close()
            self.project = None
        QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)

    # -- Edit -------------------------------------------------------------------------------

    def _undo_scope(self) -> Scope:
        """Undo reaches the editor's own steps in the map shown and on the project."""
        doc = self.document
        live = doc is not None and doc.project is self.project
        return Scope(doc.id if live and doc is not None else None, project_steps=True)

    def do_undo(self) -> None:
        if self.project is not None:
            self._guard(lambda: self._tell_left_alone(self.project.undo(self._undo_scope())))
        self._update_undo_actions()

    def do_redo(self) -> None:
        if self.project is not None:
            self._guard(lambda: self._tell_left_alone(self.project.redo(self._undo_scope())))
        self._update_undo_actions()

    def _tell_left_alone(self, change: Change | None) -> None:
        # An undo that met someone else's later edits says what it left as they made it.
        if change is not None and change.notes:
            self.show_message("; ".join(change.notes))

    def _guard(self, action) -> bool:
        try:
            action()
        except IpsmapError as exc:
            self.show_message(str(exc))
            return False
        return True

    def do_cut(self) -> None:
        self.editor.cut()

    def do_copy(self) -> None:
        self.editor.copy()

    def do_paste(self) -> None:
        self.editor.paste()

    def do_duplicate(self) -> None:
        self.editor.duplicate()

    def do_delete(self) -> None:
        self.editor.delete_selection()

    def do_select_all(self) -> None:
        self.editor.select_all()

    def do_find(self) -> None:
        self.search.activate()

    # -- Map --------------------------------------------------------------------------------

    def do_add_factor(self) -> None:
        self.view.setFocus()
        self.editor.add_factor_at_centre()

    def do_edit_label(self) -> None:
        selected = self.scene.selected_factor_ids()
        if len(selected) == 1:
            self.view.edit_label(selected[0])

    def do_link_selected(self) -> None:
        self.editor.link_selected()

    def do_polarity_plus(self) -> None:
        self.editor.set_polarity("+")

    def do_polarity_minus(self) -> None:
        self.editor.set_polarity("-")

    def do_polarity_unknown(self) -> None:
        self.editor.set_polarity("?")

    def do_align_left(self) -> None:
        self.editor.align("left")

    def do_align_top(self) -> None:
        self.editor.align("top")

    def do_align_hcenter(self) -> None:
        self.editor.align("hcenter")

    def do_align_vcenter(self) -> None:
        self.editor.align("vcenter")

    def do_distribute_h(self) -> None:
        self.editor.distribute("x")

    def do_distribute_v(self) -> None:
        self.editor.distribute("y")

    def do_layout(self) -> None:
        if self.document is not None:
            run_layout(self, self.editor, self.scene.selected_factor_ids())

    def do_layout_upward(self) -> None:
        if self.document is not None:
            run_layout(self, self.editor, self.scene.selected_factor_ids(), direction="bt")

    def do_styles(self) -> None:
        if self.document is None:
            return
        dialog = StylesDialog(self.editor, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def do_add_map(self, name: str | None = None, kind: str | None = None) -> None:
        map_actions.add_map(self, name, kind)

    def do_rename_map(self, name: str | None = None) -> None:
        map_actions.rename_map(self, name)

    def do_duplicate_map(self) -> None:
        map_actions.duplicate_map(self)

    def do_delete_map(self, confirm: bool = True) -> None:
        map_actions.delete_map(self, confirm)

    def do_take_snapshot(self, label: str | None = None, note: str = "") -> str | None:
        return map_actions.take_map_snapshot(self, label, note)

    def do_restore_snapshot(self, snapshot_id: str | None = None) -> None:
        map_actions.restore_map_snapshot(self, snapshot_id)

    def do_open_snapshot(self, snapshot_id: str | None = None) -> None:
        snapshot_view.open_snapshot(self, snapshot_id)

    def do_close_snapshot(self) -> None:
        snapshot_view.back_to_live_map(self)

    def do_compare(self, other: tuple[str, str] | None = None) -> None:
        compare_panel.compare_with(self, other)

    def do_stop_comparing(self) -> None:
        compare_panel.stop_comparing(self)

    def do_combine_maps(self, map_ids: list[str] | None = None, name: str | None = None) -> None:
        compare_panel.combine_maps(self, map_ids, name)

    # -- View -------------------------------------------------------------------------------

    def do_zoom_in(self) -> None:
        self.view.zoom_in()

    def do_zoom_out(self) -> None:
        self.view.zoom_out()

    def do_fit_map(self) -> None:
        self.view.fit_map()

    def do_fit_selection(self) -> None:
        self.view.fit_selection()

    def do_snap_to_grid(self, on: bool) -> None:
        self.view.snap_to_grid = on

    def do_show_legend(self, on: bool) -> None:
        self.legend.set_shown(on)

    def do_show_minimap(self, on: bool) -> None:
        self.minimap.set_enabled(on)

    def do_larger_labels(self) -> None:
        self.label_size.setValue(self.label_size.value() + 2)

    def do_smaller_labels(self) -> None:
        self.label_size.setValue(self.label_size.value() - 2)

    def _label_size_changed(self, points: int) -> None:
        self.scene.set_label_size(float(points))
        self.legend.refresh()

    def do_high_contrast(self, on: bool) -> None:
        self.scene.set_high_contrast(on)
        self.legend.refresh()

    # -- Workshop (ipsmap/ui/workshop/tools.py) ----------------------------------------------

    def do_collect_marks(self) -> None:
        self.workshop.collect_marks()

    def do_participants(self) -> None:
        self.workshop.show_panel("participants")

    def do_add_session(self) -> None:
        self.workshop.add_session()

    def do_current_session(self) -> None:
        self.workshop.choose_session()

    def do_marks_grid(self) -> None:
        self.workshop.show_panel("marks")

    def do_balance_of_voices(self) -> None:
        self.workshop.show_panel("voices")

    def do_mark_badges(self, on: bool) -> None:
        self.workshop.set_badges(on)

    def do_size_by_votes(self, on: bool) -> None:
        self.workshop.set_size_by_votes(on)

    def do_theme_standard(self, on: bool) -> None:
        self.workshop.set_theme("standard", on)

    def do_theme_large(self, on: bool) -> None:
        self.workshop.set_theme("large", on)

    def do_theme_contrast(self, on: bool) -> None:
        self.workshop.set_theme("contrast", on)

    def do_presentation(self, on: bool) -> None:
        """Full screen, chrome hidden, large high-contrast labels; F5 or Esc leaves."""
        if on and self._presentation_state is None:
            self._presentation_state = {
                "docks": {name: dock.isVisible() for name, dock in self.docks.items()},
                "label": self.label_size.value(),
                "contrast": self.actions_by_name["high-contrast"].isChecked(),
                "maximized": self.isMaximized(),
            }
            for dock in self.docks.values():
                dock.hide()
            self.menuBar().hide()
            self.toolbar.hide()
            self.statusBar().hide()
            for policy in (
                self.view.setHorizontalScrollBarPolicy,
                self.view.setVerticalScrollBarPolicy,
            ):
                policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.label_size.setValue(max(int(PRESENTATION_LABEL_POINTS), self.label_size.value()))
            self.actions_by_name["high-contrast"].setChecked(True)
            self.showFullScreen()
            QTimer.singleShot(0, self.view.fit_map)
        elif not on and self._presentation_state is not None:
            state, self._presentation_state = self._presentation_state, None
            for name, dock in self.docks.items():
                dock.setVisible(state["docks"][name])
            self.menuBar().show()
            self.toolbar.show()
            self.statusBar().show()
            for policy in (
                self.view.setHorizontalScrollBarPolicy,
                self.view.setVerticalScrollBarPolicy,
            ):
                policy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            self.label_size.setValue(state["label"])
            self.actions_by_name["high-contrast"].setChecked(state["contrast"])
            if state["maximized"]:
                self.showMaximized()
            else:
                self.showNormal()
        action = self.actions_by_name["presentation"]
        if action.isChecked() != on:
            action.setChecked(on)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self._presentation_state is not None:
            self.do_presentation(False)
            return
        if event.key() == Qt.Key.Key_Escape and compare_panel.is_comparing(self):
            self.do_stop_comparing()
            return
        super().keyPressEvent(event)

    # -- Help -------------------------------------------------------------------------------

    def do_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{menu}</td><td>{what}</td><td><b>{keys}</b></td></tr>"
            for menu, what, keys in shortcut_table()
        )
        box = QMessageBox(self)
        box.setObjectName("shortcuts-dialog")
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellpadding='3'>{rows}</table>")
        box.open()

    def do_about(self) -> None:
        from ipsmap import __version__

        box = QMessageBox(self)
        box.setObjectName("about-dialog")
        box.setWindowTitle("About ipsmap")
        box.setText(
            f"ipsmap {__version__}\n\nParticipatory systems maps and theories of change for "
            "coproduction workshops. Everything stays on this computer unless you export it."
        )
        box.open()
