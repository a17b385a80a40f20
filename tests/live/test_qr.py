"""The join QR code: decoded back to the exact address (zxing-cpp), well-formed SVG, PNG.

Every picture is read back by a real decoder: the PNG as written, the matrix drawn into
pixels, and the SVG drawn by Qt's SVG renderer onto a black page (so a transparent
background or a lost quiet zone would make it unreadable).
"""

from __future__ import annotations

import io
import socket
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from ipsmap.live.qr import (
    DEFAULT_MODULE_PX,
    PROJECTOR_SHARE,
    QUIET_ZONE,
    JoinAddress,
    QrError,
    laptop_join_url,
    make_qr,
    module_px_for,
    parse_laptop_join_url,
    phone_url,
    projector_module_px,
)

FP = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
LAPTOP = f"ipsmap-live://192.168.1.20:8765/?code=KITE-MAPLE-42&fp={FP}"
PHONE = "https://192.168.1.20:8765/"


def decoded(pixels: np.ndarray | Image.Image) -> list[zxingcpp.Barcode]:
    results = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r for r in results if r.valid]


def matrix_pixels(matrix: tuple[tuple[bool, ...], ...], scale: int = 6) -> np.ndarray:
    dark = np.array(matrix, dtype=bool)
    return np.kron(np.where(dark, 0, 255).astype(np.uint8), np.ones((scale, scale), np.uint8))


def svg_on_black_page(svg: str, side: int) -> np.ndarray:
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    assert renderer.isValid()
    margin = 40  # black all round: only the code's own light quiet zone separates it
    image = QImage(side + 2 * margin, side + 2 * margin, QImage.Format.Format_Grayscale8)
    image.fill(QColor("black"))
    painter = QPainter(image)
    renderer.render(painter, QRectF(margin, margin, side, side))
    painter.end()
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return raw.reshape(height, stride)[:, :width].copy()


def test_the_urls_are_what_a_laptop_and_a_phone_need():
    assert laptop_join_url("192.168.1.20", 8765, "KITE-MAPLE-42", FP.upper()) == LAPTOP
    assert laptop_join_url("192.168.1.20", 8765, "KITE-MAPLE-42") == (
        "ipsmap-live://192.168.1.20:8765/?code=KITE-MAPLE-42"
    )
    assert phone_url(" 192.168.1.20 ", 8765) == PHONE
    assert phone_url("fd00::20", 443) == "https://[fd00::20]:443/"


@pytest.mark.parametrize("text", [PHONE, LAPTOP, "https://[fd00::20]:8443/"])
def test_the_png_decodes_to_the_exact_address_with_error_correction_m_or_better(text):
    qr = make_qr(text)
    image = Image.open(io.BytesIO(qr.png()))
    assert image.size == (qr.size * DEFAULT_MODULE_PX,) * 2
    [result] = decoded(image)
    assert result.text == text
    assert result.ec_level in ("M", "Q", "H") and qr.error == result.ec_level


def test_the_matrix_decodes_to_the_address_and_keeps_its_quiet_zone():
    qr = make_qr(LAPTOP)
    assert qr.size == 17 + 4 * qr.version + 2 * QUIET_ZONE
    assert all(len(row) == qr.size for row in qr.matrix)
    quiet = [
        qr.matrix[i][j]
        for i in range(qr.size)
        for j in range(qr.size)
        if min(i, j, qr.size - 1 - i, qr.size - 1 - j) < QUIET_ZONE
    ]
    assert not any(quiet)
    assert qr.matrix[QUIET_ZONE][QUIET_ZONE]  # the corner of a finder pattern
    [result] = decoded(matrix_pixels(qr.matrix))
    assert result.text == LAPTOP


def test_short_addresses_make_small_codes_with_big_modules():
    assert make_qr(PHONE).version <= 2
    assert make_qr(LAPTOP).version <= 7
    assert make_qr("https://192.168.100.200:65535/").version <= 3


def test_the_svg_is_well_formed_with_a_light_background_and_decodes_on_a_black_page(qapp):
    qr = make_qr(LAPTOP)  # "&" in the address must be escaped in the SVG's text
    svg = qr.svg(module_px=8)
    root = ET.fromstring(svg.encode("utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("width") == root.get("height") == str(qr.size * 8)
    assert root.find(f"{ns}desc").text == LAPTOP
    assert root.find(f"{ns}title").text
    fills = [el.get("fill") for el in root.iter() if el.get("fill")]
    assert "#fff" in fills or "#ffffff" in fills
    [result] = decoded(svg_on_black_page(svg, side=qr.size * 6))
    assert result.text == LAPTOP


def test_non_ascii_text_round_trips():
    text = "ipsmap-live://192.168.1.20:8765/?code=ÆØÅ-café-☕"
    [result] = decoded(Image.open(io.BytesIO(make_qr(text).png(module_px=6))))
    assert result.text == text


def test_module_sizes_follow_the_room_rule():
    qr = make_qr(LAPTOP)
    px = module_px_for(500, qr)
    assert px * qr.size <= 500 < (px + 1) * qr.size
    for height in (720, 1080, 2160):
        module = projector_module_px(height, qr)
        assert isinstance(module, int) and module * qr.size >= PROJECTOR_SHARE * height
    assert projector_module_px(1080, make_qr(PHONE)) >= 14  # a phone code: big modules
    decoded_at_size = decoded(Image.open(io.BytesIO(qr.png(projector_module_px(1080, qr)))))
    assert [r.text for r in decoded_at_size] == [LAPTOP]


@pytest.mark.parametrize("text", ["", "x" * 513, None, b"https://x/"])
def test_no_text_or_too_much_is_a_clear_error(text):
    with pytest.raises(QrError) as caught:
        make_qr(text)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("module_px", [0, -3, 101, True, 2.5])
def test_a_silly_module_size_is_refused(module_px):
    qr = make_qr(PHONE)
    with pytest.raises(QrError, match="pixels"):
        qr.png(module_px)
    with pytest.raises(QrError, match="pixels"):
        qr.svg(module_px)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("localhost", 8765, "ABCD"), "not an IP address"),
        (("0.0.0.0", 8765, "ABCD"), "not an address anyone"),
        (("224.0.0.251", 8765, "ABCD"), "not an address anyone"),
        (("192.168.1.20", 0, "ABCD"), "port"),
        (("192.168.1.20", 70000, "ABCD"), "port"),
        (("192.168.1.20", 8765, "AB"), "join code"),
        (("192.168.1.20", 8765, "ABCD&fp=00"), "join code"),
        (("192.168.1.20", 8765, "ABCD EFGH"), "join code"),
        (("192.168.1.20", 8765, "ABCD", "abc"), "fingerprint"),
    ],
)
def test_bad_parts_of_a_join_address_are_refused(args, message):
    with pytest.raises(QrError, match=message):
        laptop_join_url(*args)


def test_a_join_address_reads_back_to_its_parts():
    assert parse_laptop_join_url(LAPTOP) == JoinAddress("192.168.1.20", 8765, "KITE-MAPLE-42", FP)
    bare = laptop_join_url("fd00::20", 443, "ABCD-EFGH")
    assert parse_laptop_join_url(f"  {bare}\n") == JoinAddress("fd00::20", 443, "ABCD-EFGH", None)


@pytest.mark.parametrize(
    "text",
    [
        "https://192.168.1.20:8765/?code=ABCD",
        "ipsmap-live://192.168.1.20/?code=ABCD",
        "ipsmap-live://192.168.1.20:99999/?code=ABCD",
        "ipsmap-live://[fd00::20:8765/?code=ABCD",
        "ipsmap-live://host.example:8765/?code=ABCD",
        "ipsmap-live://192.168.1.20:8765/?code=ABCD&code=EFGH",
        "ipsmap-live://192.168.1.20:8765/?code=AB%26fp%3D00",
        "ipsmap-live://192.168.1.20:8765/?code=ABCD&fp=1234",
        "ipsmap-live://192.168.1.20:8765/?" + "&".join(f"k{i}=v" for i in range(10)),
        "ipsmap-live://192.168.1.20:8765/?code=" + "A" * 600,
    ],
)
def test_a_hostile_or_broken_join_address_is_refused_in_one_line(text):
    with pytest.raises(QrError) as caught:
        parse_laptop_join_url(text)
    assert "\n" not in str(caught.value)


def test_making_and_drawing_a_code_touches_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the QR code module opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    qr = make_qr(laptop_join_url("192.168.1.20", 8765, "ABCD-EFGH", FP))
    assert qr.png() and qr.svg()
