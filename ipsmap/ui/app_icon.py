"""The app icon: drawn from resources/icons/ipsmap.svg, for the window and the packaging."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from ipsmap.resources_path import resource

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def icon_image(size: int) -> QImage:
    """The icon drawn at ``size`` × ``size`` pixels (transparent corners)."""
    renderer = QSvgRenderer(str(resource("icons", "ipsmap.svg")))
    if not renderer.isValid():
        raise ValueError("resources/icons/ipsmap.svg is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def app_icon() -> QIcon:
    """The window's icon (the SVG icon engine draws it at whatever size is asked)."""
    return QIcon(str(resource("icons", "ipsmap.svg")))


def write_icon_png(path: Path, size: int) -> Path:
    """Write the icon as a PNG of ``size`` pixels (a QGuiApplication is made if none runs)."""
    _ensure_gui()
    if not icon_image(size).save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def _ensure_gui() -> None:
    # Drawing text needs a QGuiApplication; offscreen so a build machine needs no display.
    if QGuiApplication.instance() is None:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _ensure_gui.app = QGuiApplication([])  # type: ignore[attr-defined]
