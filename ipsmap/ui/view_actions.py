"""The View menu: zoom and fit, grid, legend and overview, label size, contrast, presentation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QSpinBox, QToolBar

    from ipsmap.ui.actions import ActionTable
    from ipsmap.ui.canvas.legend import LegendOverlay
    from ipsmap.ui.canvas.minimap import Minimap
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.canvas.view import MapView

# How tall labels read on screen in presentation mode, against 12 px when editing; the
# growth never makes boxes overlap (canvas/readable.py), and reaches maps a little larger.
PRESENTATION_LABEL_PX = 20.0
PRESENTATION_READABLE_FACTORS = 200


class ViewActions(QObject):
    """Registers the View menu's actions; remembers what presentation mode hid."""

    def __init__(
        self,
        window: QMainWindow,
        view: MapView,
        scene: MapScene,
        legend: LegendOverlay,
        minimap: Minimap,
        label_size: QSpinBox,
        toolbar: QToolBar,
        docks: dict[str, QDockWidget],
        actions: ActionTable,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.view, self.scene, self.legend = view, scene, legend
        self.label_size, self.toolbar, self.docks = label_size, toolbar, docks
        self.actions = actions
        # What presentation mode changed, to put back when it ends (None: not presenting).
        self._presentation_state: dict | None = None
        label_size.valueChanged.connect(self._label_size_changed)
        actions.register_all(
            {
                "zoom-in": view.zoom_in,
                "zoom-out": view.zoom_out,
                "fit-map": view.fit_map,
                "fit-selection": view.fit_selection,
                "snap-to-grid": self._snap_to_grid,
                "show-legend": legend.set_shown,
                "show-minimap": minimap.set_enabled,
                "larger-labels": lambda: label_size.setValue(label_size.value() + 2),
                "smaller-labels": lambda: label_size.setValue(label_size.value() - 2),
                "high-contrast": self._high_contrast,
                "presentation": self.set_presentation,
            }
        )

    def _snap_to_grid(self, on: bool) -> None:
        self.view.snap_to_grid = on

    def _label_size_changed(self, points: int) -> None:
        self.scene.set_label_size(float(points))
        self.legend.refresh()

    def _high_contrast(self, on: bool) -> None:
        self.scene.set_high_contrast(on)
        self.legend.refresh()

    @property
    def presenting(self) -> bool:
        return self._presentation_state is not None

    def leave_presentation(self) -> bool:
        """Esc: end presentation mode; whether it was on."""
        if not self.presenting:
            return False
        self.set_presentation(False)
        return True

    def set_presentation(self, on: bool) -> None:
        """Full screen, chrome hidden, large high-contrast labels; F5 or Esc leaves."""
        window, view = self.window, self.view
        contrast = self.actions["high-contrast"]
        scroll_policies = (view.setHorizontalScrollBarPolicy, view.setVerticalScrollBarPolicy)
        if on and self._presentation_state is None:
            self._presentation_state = {
                "docks": {name: dock.isVisible() for name, dock in self.docks.items()},
                "readable": (view.readable_px, view.readable_factors),
                "contrast": contrast.isChecked(),
                "maximized": window.isMaximized(),
            }
            for dock in self.docks.values():
                dock.hide()
            window.menuBar().hide()
            self.toolbar.hide()
            window.statusBar().hide()
            for policy in scroll_policies:
                policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.readable_px = PRESENTATION_LABEL_PX
            view.readable_factors = PRESENTATION_READABLE_FACTORS
            self.legend.refresh()  # the key grows with the labels, before the map is fitted
            contrast.setChecked(True)
            window.showFullScreen()
            QTimer.singleShot(0, view.fit_map)
        elif not on and self._presentation_state is not None:
            state, self._presentation_state = self._presentation_state, None
            for name, dock in self.docks.items():
                dock.setVisible(state["docks"][name])
            window.menuBar().show()
            self.toolbar.show()
            window.statusBar().show()
            for policy in scroll_policies:
                policy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            view.readable_px, view.readable_factors = state["readable"]
            self.legend.refresh()
            QTimer.singleShot(0, view.fit_map)
            contrast.setChecked(state["contrast"])
            if state["maximized"]:
                window.showMaximized()
            else:
                window.showNormal()
        action = self.actions["presentation"]
        if action.isChecked() != on:
            action.setChecked(on)
