"""Presentation mode during a hosted session that takes phones: the phone page's QR code in a
corner of the map, readable by a camera, gone when presentation ends or the session stops."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from tests.ui.live_support import host_from_the_menu

pytestmark = pytest.mark.timeout(90)


def _decoded(widget) -> list[str]:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.array(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine()
    )
    return [r.text for r in zxingcpp.read_barcodes(pixels) if r.valid]


def test_presenting_a_session_shows_the_phone_qr_in_a_corner_until_clicked(
    qtbot, window, monkeypatch, window_loop_released
):
    presentation = window.actions_by_name["presentation"]
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    card = hosting.presenting_qr
    host = hosting.host
    assert card is not None and not card.isVisible()  # editing: the panel has the address

    presentation.trigger()
    qtbot.waitUntil(card.isVisible, timeout=3000)
    viewport = window.view.viewport().geometry()
    qtbot.waitUntil(lambda: window.view.viewport().geometry().height() >= viewport.height())
    # Top-right, inside the canvas, a quarter of its height; the code decodes to the phone
    # page (never the laptops' join code), as a camera would read it off the projection.
    area = window.view.viewport().geometry()
    assert card.geometry().right() <= area.right() and card.geometry().top() >= area.top()
    assert card.geometry().left() > area.center().x()
    assert card.qr.pixmap().height() >= 0.2 * area.height()
    assert _decoded(window.view) == [host.phone_url]
    assert host.code not in card.address.text()
    assert card.caption.text() == "Phones: scan to take part"

    # A click hides it (the facilitator wants the whole map); presenting again shows it.
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert not card.isVisible()
    presentation.trigger()
    assert not card.isVisible()
    presentation.trigger()
    qtbot.waitUntil(card.isVisible, timeout=3000)

    # The session stops: the card goes, presentation mode stays.
    hosting.stop()
    qtbot.waitUntil(lambda: hosting.idle, timeout=5000)
    assert hosting.presenting_qr is None
    assert _decoded(window.view) == []
    presentation.trigger()
