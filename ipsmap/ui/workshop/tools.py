"""The workshop side of the window: participants and sessions, marks, balance of voices,
badges on the canvas and themes. The window creates one Workshop; it follows the hallway
and registers the Workshop menu's actions (and the themes and badges of the View menu).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QSpinBox, QToolBar, QWidget

from ipsmap.model.changes import Change
from ipsmap.ui.canvas.mark_badges import MarkBadges
from ipsmap.ui.live.hosting import Hosting
from ipsmap.ui.live.joining import Joining
from ipsmap.ui.themes import DEFAULT_THEME, apply_theme, saved_theme, theme_named
from ipsmap.ui.workshop.marks_large import LargeMarks
from ipsmap.ui.workshop.marks_mode import MarksMode
from ipsmap.ui.workshop.marks_views import MarksPanel
from ipsmap.ui.workshop.participants_panel import ParticipantsPanel
from ipsmap.ui.workshop.voices_panel import VoicesPanel

if TYPE_CHECKING:
    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway
    from ipsmap.ui.panels.analysis_panel import AnalysisPanel
    from ipsmap.ui.undo_actions import UndoActions
    from ipsmap.ui.workshop.sessions_dialog import SessionCombo


class Workshop(QObject):
    """Owns the workshop panels of one main window and keeps them in step with the model."""

    def __init__(
        self,
        window: QMainWindow,
        hallway: Hallway,
        canvas: tuple[MapScene, MapView],
        dock: Callable[[str, QWidget, Qt.DockWidgetArea], QDockWidget],
        docks: dict[str, QDockWidget],
        toolbar: tuple[SessionCombo, QSpinBox],
        analysis: AnalysisPanel,
        undo: UndoActions,
        actions: ActionTable,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.hallway = hallway
        self.scene, self.view = canvas
        self.session_combo, self.label_size = toolbar
        self.docks = docks
        self.undo = undo
        self.actions = actions
        self.current_theme: str | None = None
        self.marks_mode: MarksMode | None = None
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.participants = ParticipantsPanel()
        self.participants.message.connect(hallway.say)
        self.marks = MarksPanel()
        self.marks.factor_chosen.connect(self.select_factor)
        self.voices = VoicesPanel()
        self.voices.item_chosen.connect(lambda _kind, key: self.select_item(key))
        docks["participants"] = dock("Participants", self.participants, right)
        docks["marks"] = dock("Marks", self.marks, right)
        docks["voices"] = dock("Balance of voices", self.voices, right)
        home = docks["marks"].widget()
        assert isinstance(home, QScrollArea)
        # The same panel, opened large over the window (What the marks show, a projector).
        self.large_marks = LargeMarks(window, self.marks, home)
        # The two heavy views compute only while their tab is in front (see on_screen).
        docks["marks"].visibilityChanged.connect(
            lambda shown: shown and self.marks.refresh_if_stale()
        )
        docks["voices"].visibilityChanged.connect(
            lambda shown: shown and self.voices.refresh_if_stale()
        )
        anchor = docks.get("analysis") or docks.get("inspector")
        if anchor is not None:
            for name in ("participants", "marks", "voices"):
                window.tabifyDockWidget(anchor, docks[name])
        if "inspector" in docks:
            docks["inspector"].raise_()
        self.badges = MarkBadges(self.scene)
        self.hosting = Hosting(window, hallway, dock, docks, actions)
        self.joining = Joining(
            window, hallway, self.view, actions, hosting=lambda: self.hosting.hosting
        )
        hallway.project_changed.connect(self.set_project)
        hallway.document_changed.connect(self.set_document)
        hallway.model_changed.connect(self._map_changed)
        hallway.project_records_changed.connect(self._project_changed)
        # Badge text follows the canvas labels, which the themes (and Larger labels) resize.
        self.scene.labels_resized.connect(lambda _points: self._badge_look())
        actions["high-contrast"].toggled.connect(lambda _on: self._badge_look())
        # Sizing by votes and the analysis panel's sizing by a metric take turns.
        self.analysis_sizing = False
        analysis.sizing_changed.connect(self._analysis_sizing_changed)
        actions.register_all(
            {
                "collect-marks": self.collect_marks,
                "participants": lambda: self.show_panel("participants"),
                "add-session": self.add_session,
                "current-session": self.choose_session,
                "marks-grid": self.show_marks_large,
                "balance-of-voices": lambda: self.show_panel("voices"),
                "mark-badges": self.set_badges,
                "size-by-votes": self.set_size_by_votes,
                "theme-standard": lambda on: self.set_theme("standard", on),
                "theme-large": lambda on: self.set_theme("large", on),
                "theme-contrast": lambda on: self.set_theme("contrast", on),
            }
        )
        self.current_theme = theme_named(saved_theme()).name
        theme = apply_theme(self.label_size, actions, saved_theme(), remember=False)
        self.marks.set_high_contrast(theme.high_contrast)
        self._badge_look()

    # -- following the hallway ------------------------------------------------------------

    @property
    def project(self):
        return self.hallway.project

    def set_project(self, project) -> None:
        self.close_marks_mode()
        self.participants.set_project(project)
        self.marks.set_project(project)
        self.voices.set_project(project)
        self.badges.set_project(project)

    def set_document(self, document) -> None:
        """Another map is on the canvas (the scene has rebuilt its items)."""
        map_id = document.id if document is not None else None
        self.marks.set_map(map_id)
        self.voices.set_map(map_id)
        self.badges.scene_rebuilt()
        if self.marks_mode is not None:
            self.marks_mode.set_document(document)

    def _project_changed(self, change: Change) -> None:
        self.participants.project_changed(change)
        self.marks.project_changed(change)
        self.voices.project_changed(change)
        if self.badges.active and (change.touches("marks") or change.touches("participants")):
            self.badges.refresh()

    def _map_changed(self, change: Change) -> None:
        self.marks.map_changed(change)
        self.voices.map_changed(change)
        if self.badges.active and (change.touches("factors") or change.added or change.removed):
            self.badges.refresh()

    # -- actions ---------------------------------------------------------------------------

    def collect_marks(self) -> MarksMode | None:
        # Marking happens on the canvas, which the large grid covers.
        self.large_marks.close_view(restore_focus=False)
        if self.project is None or self.hallway.document is None:
            self.hallway.say("Open a map first: marks are given on a map's factors and links")
            return None
        if self.marks_mode is None:
            dialog = MarksMode(
                self.hallway, self.scene, self.view, self.undo.undo, self.undo.redo, self.window
            )
            dialog.message.connect(self.hallway.say)
            dialog.finished.connect(self._marks_mode_closed)
            # The person editing now is the likeliest to be marking.
            if self.project.actor_id in self.project.participants:
                dialog.set_person(self.project.actor_id)
            self.marks_mode = dialog
        self.marks_mode.show()
        self.marks_mode.raise_()
        self.marks_mode.activateWindow()
        self.marks_mode.card.setFocus()
        return self.marks_mode

    def _marks_mode_closed(self, _result: int) -> None:
        if self.marks_mode is not None:
            self.marks_mode.deleteLater()
        self.marks_mode = None

    def close_marks_mode(self) -> None:
        if self.marks_mode is not None:
            self.marks_mode.close()
            self.marks_mode = None

    def show_marks_large(self) -> None:
        """What the marks show, over the whole window; Esc puts it back in its dock."""
        dock = self.docks["marks"]
        dock.show()
        dock.raise_()
        self.large_marks.open_view()

    def show_panel(self, name: str) -> None:
        if name != "marks":
            # Another panel asked for: the large grid would hide it.
            self.large_marks.close_view(restore_focus=False)
        dock = self.docks[name]
        dock.show()
        dock.raise_()
        # The keyboard lands where the panel is used from: the People/Sessions tabs (arrows
        # switch them), the grid or ranking (arrows pick a factor), the scope choice.
        targets = {
            "participants": self.participants.tabs.tabBar(),
            "marks": self.marks.tabs.currentWidget(),
            "voices": self.voices.scope,
        }
        target = targets.get(name) or dock.widget()
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def choose_session(self) -> None:
        """Put the keyboard on the toolbar's session box (arrows choose, Alt+↓ lists)."""
        combo = self.session_combo
        if not combo.isVisible():
            self.window.findChild(QToolBar, "toolbar-workshop").show()
        combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.hallway.say(
            "Session: choose with the arrow keys (Alt+↓ shows the list), then carry on"
        )

    def add_session(self) -> None:
        self.show_panel("participants")
        self.participants.tabs.setCurrentIndex(1)
        self.participants.add_session()

    def set_badges(self, on: bool) -> None:
        self.badges.set_options(badges=on)

    def set_size_by_votes(self, on: bool) -> None:
        if on and self.analysis_sizing:
            self.hallway.say(
                "Factors are now sized by votes instead of by the analysis; turn "
                "“Size factors by votes” off to get the analysis sizes back"
            )
        self.badges.set_options(sizing=on)

    def _analysis_sizing_changed(self, on: bool) -> None:
        self.analysis_sizing = on
        if not self.badges.size_by_votes:
            return
        # The analysis has just set every factor's size: that is what to go back to.
        self.badges.forget_sizes()
        if on:
            self.actions["size-by-votes"].setChecked(False)
            self.hallway.say("Sizing by votes is off: the factors are now sized by the analysis")
        else:  # the analysis put the usual sizes back; votes sizing still holds
            self.badges.refresh()

    def _badge_look(self) -> None:
        self.badges.set_look(
            self.scene.theme.font.pointSizeF(), self.actions["high-contrast"].isChecked()
        )

    def set_theme(self, name: str, on: bool) -> None:
        """The theme actions act as one choice (apply_theme checks only the current one);
        unchecking the current theme goes back to the standard one."""
        current = self.current_theme
        if on and current != name:
            self._apply_theme(name)
        elif not on and current == name:
            self._apply_theme(DEFAULT_THEME)

    def _apply_theme(self, name: str) -> None:
        # Set before the actions are checked: their handlers see the theme is applied already.
        self.current_theme = theme_named(name).name
        theme = apply_theme(self.label_size, self.actions, name)
        self.marks.set_high_contrast(theme.high_contrast)
        self.badges.refresh()

    # -- pointing at things on the canvas --------------------------------------------------

    def select_factor(self, factor_id: str) -> None:
        self.select_item(factor_id)

    def select_item(self, item_id: str) -> None:
        scene = self.scene
        item = scene.factor_items.get(item_id) or scene.link_items.get(item_id)
        if item is None:
            return
        scene.clearSelection()
        item.setSelected(True)
        self.view.ensureVisible(item, 80, 80)
