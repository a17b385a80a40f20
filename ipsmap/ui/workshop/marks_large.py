"""The marks panel opened large, over the whole window, for a room to read on a projector.

The one marks panel (filters, grid, ranking) moves out of its side dock into this view and
back again when it closes, so there is one grid to keep up to date and the keyboard stays
in the main window: its shortcuts keep working, Esc closes the view and the keyboard goes
back to where it was.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontInfo, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ipsmap.ui.workshop.marks_views import MarksPanel

# Text at least this size (points) and half as big again as the window's: readable from
# the back of a room on a 1280 × 720 projector.
PROJECTOR_POINTS = 14.0
PROJECTOR_SCALE = 1.5


class LargeMarks(QWidget):
    """Covers the window below its menu bar while open; Esc or Close puts the panel back."""

    def __init__(self, window: QMainWindow, panel: MarksPanel, home: QScrollArea) -> None:
        super().__init__(window)
        self.setObjectName("marks-large")
        self.setAccessibleName("What the marks show (large view; Esc closes)")
        self.setAutoFillBackground(True)
        self.window_ = window
        self.panel = panel
        self.home = home
        self._return_focus: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        header = QHBoxLayout()
        title = QLabel("What the marks show")
        title.setObjectName("marks-large-title")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        hint = QLabel("Arrow keys pick a factor · Esc goes back to the map")
        hint.setObjectName("marks-large-hint")
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("marks-large-close")
        self.close_button.setAccessibleName("Close the large view")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.close_button.clicked.connect(lambda: self.close_view())
        header.addWidget(title)
        header.addSpacing(16)
        header.addWidget(hint)
        header.addStretch(1)
        header.addWidget(self.close_button)
        layout.addLayout(header)
        self._layout = layout
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(lambda: self.close_view())
        self.hide()
        window.installEventFilter(self)

    def is_open(self) -> bool:
        return self.isVisible()

    def open_view(self) -> None:
        """Show the panel large, the keyboard on its grid (arrows pick a factor)."""
        if not self.is_open():
            focus = QApplication.focusWidget()
            self._return_focus = (
                focus if focus is not None and focus.window() is self.window_ else None
            )
            base = max(QFontInfo(self.panel.font()).pointSizeF(), 1.0)
            points = max(PROJECTOR_POINTS, base * PROJECTOR_SCALE)
            # A style sheet, not setFont: the large-text theme sets sizes by style sheet,
            # which would win over a font set on the widget. The explanation under the
            # filters keeps its usual size: the room is for the grid.
            self.setStyleSheet(
                f"QWidget {{ font-size: {points:.1f}pt; }}"
                f"QLabel#marks-caption {{ font-size: {base:.1f}pt; }}"
            )
            taken = self.home.takeWidget()
            assert taken is self.panel
            self._layout.addWidget(self.panel, 1)
            self.panel.grid.set_zoom(points / base)
            self._fit_window()
            self.show()
            self.raise_()
        self.panel.tabs.setCurrentWidget(self.panel.grid)
        self.panel.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_view(self, restore_focus: bool = True) -> bool:
        """Put the panel back in its dock; whether the view was open."""
        if not self.is_open():
            return False
        self.hide()
        self._layout.removeWidget(self.panel)
        self.panel.grid.set_zoom(1.0)
        self.home.setWidget(self.panel)
        self.setStyleSheet("")
        back, self._return_focus = self._return_focus, None
        if restore_focus:
            target = back if back is not None and back.isVisible() else self.panel.grid
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _fit_window(self) -> None:
        bar = self.window_.menuBar()
        top = bar.geometry().bottom() + 1 if bar.isVisible() else 0
        rect = self.window_.rect()
        self.setGeometry(0, top, rect.width(), rect.height() - top)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize and self.is_open():
            self._fit_window()
        return False
