"""Standard, large-text and high-contrast looks, applied to the whole application.

A theme sets the application palette and font size (through a stylesheet, which reaches
widgets that set their own fonts too), and the canvas label size and contrast through the
window's existing controls. The choice is remembered in QSettings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtWidgets import QSpinBox

    from ipsmap.ui.actions import ActionTable

SETTINGS_KEY = "ui/theme"


@dataclass(frozen=True)
class Theme:
    name: str  # the action is "action-theme-" + name
    text: str
    tip: str
    font_points: int | None  # None: the platform's own size
    canvas_label_points: int
    high_contrast: bool


THEMES = {
    "standard": Theme(
        "standard", "&Standard", "The usual look and text size", None, 10, high_contrast=False
    ),
    "large": Theme(
        "large",
        "&Large text",
        "Bigger text everywhere, for a projector or for anyone who prefers it",
        15,
        16,
        high_contrast=False,
    ),
    "contrast": Theme(
        "contrast",
        "&High contrast",
        "Black on white with strong outlines and a bright focus frame, large text",
        15,
        16,
        high_contrast=True,
    ),
}
DEFAULT_THEME = "standard"

# Where the keyboard is: a thick orange frame around the focused control.
_FOCUS_RULES = """
QPushButton:focus, QToolButton:focus, QComboBox:focus, QLineEdit:focus, QSpinBox:focus,
QTextEdit:focus, QPlainTextEdit:focus, QCheckBox:focus, QListWidget:focus,
QTableWidget:focus, QTableView:focus, QTreeView:focus, QTreeWidget:focus,
QAbstractScrollArea:focus { border: 3px solid #ff8c00; }
"""


def saved_theme() -> str:
    name = QSettings().value(SETTINGS_KEY, DEFAULT_THEME)
    return name if name in THEMES else DEFAULT_THEME


def theme_palette(theme: Theme) -> QPalette:
    app = QApplication.instance()
    palette = QPalette(app.style().standardPalette()) if app is not None else QPalette()
    if not theme.high_contrast:
        return palette
    black, white = QColor("#000000"), QColor("#ffffff")
    for role in (
        QPalette.ColorRole.Window,
        QPalette.ColorRole.Base,
        QPalette.ColorRole.AlternateBase,
        QPalette.ColorRole.Button,
        QPalette.ColorRole.ToolTipBase,
    ):
        palette.setColor(role, white)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.ToolTipText,
        QPalette.ColorRole.PlaceholderText,
    ):
        palette.setColor(role, black)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#0033cc"))
    palette.setColor(QPalette.ColorRole.HighlightedText, white)
    palette.setColor(QPalette.ColorRole.Link, QColor("#0033cc"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#555555"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#555555"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#555555"))
    return palette


# The panels' tabs down the window's right edge keep their whole names (scroll arrows
# appear when large text makes them longer than the window): "Insp…" helps nobody.
# (3 is Qt.TextElideMode.ElideNone.)
_DOCK_TAB_RULE = (
    "QMainWindow > QTabBar { qproperty-elideMode: 3; qproperty-usesScrollButtons: true; }"
)


def theme_stylesheet(theme: Theme) -> str:
    rules = []
    if theme.font_points is not None:
        rules.append(f"QWidget {{ font-size: {theme.font_points}pt; }}")
    if theme.high_contrast:
        rules.append("QToolTip { color: #000000; background: #ffffcc; border: 2px solid #000; }")
        rules.append(
            "QDockWidget::title { background: #ffeb3b; border: 2px solid #000000; padding: 4px; }"
        )
        rules.append(_FOCUS_RULES)
    return "\n".join(rules)


def theme_named(name: str) -> Theme:
    """The theme of that name (the standard one for a name not known)."""
    return THEMES.get(name, THEMES[DEFAULT_THEME])


def apply_theme(
    label_size: QSpinBox, actions: ActionTable, name: str, remember: bool = True
) -> Theme:
    """Apply a theme to the application and to the canvas's label size; return it.

    The caller records which theme is current first: checking the theme actions below
    runs their handlers, which must see the theme as applied already.
    """
    theme = theme_named(name)
    app = QApplication.instance()
    if app is not None:
        app.setPalette(theme_palette(theme))
        app.setStyleSheet(theme_stylesheet(theme))
    label_size.setValue(theme.canvas_label_points)
    actions["high-contrast"].setChecked(theme.high_contrast)
    for other in THEMES:
        action = actions.by_name.get(f"theme-{other}")
        if action is not None and action.isChecked() != (other == theme.name):
            action.setChecked(other == theme.name)
    if remember:
        QSettings().setValue(SETTINGS_KEY, theme.name)
    return theme
