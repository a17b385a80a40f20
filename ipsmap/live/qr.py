"""The QR code of a live session's join address, as a matrix, an SVG document and a PNG.

Two addresses go into a QR code: a laptop's join address (``laptop_join_url``:
``ipsmap-live://HOST:PORT/?code=CODE&fp=FINGERPRINT``, so a scanning laptop also learns the
certificate it must find) and a phone's page (``phone_url``: ``https://HOST:PORT/``). The
encoding is segno's; this module only chooses how the code is made and drawn.

How it is drawn so a phone reads it from across a room, off a projector:

- error correction M at least (15 % of the code may be lost to glare or a keystoned beam),
  raised to Q or H when that needs no more modules; never a Micro QR (phones do not read it);
- the 4-module quiet zone of the standard is kept, painted light, and the light modules are
  painted too (never transparent), so the code reads on a dark theme or a dark slide;
- the rule for size: a phone camera reads a code from about ten times its width, so across
  a 6 m room the code must be ~60 cm wide, which on a usual projected image (1.3-1.5 m high)
  is **at least 45 % of the screen's height**; every module is a whole number of pixels
  (``module_px_for``), so scaling never blurs an edge. Short addresses keep the modules big:
  a phone URL is a version 2 code (33 modules with the quiet zone, ~15 px a module at
  1080 p), a laptop's URL with its fingerprint a version 7 (53 modules, ~9 px).
"""

from __future__ import annotations

import io
import ipaddress
import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import segno

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
MIN_ERROR = "m"
DEFAULT_MODULE_PX = 10
PROJECTOR_SHARE = 0.45  # of the screen's height, see the module docstring
MAX_TEXT_CHARS = 512  # a join address is ~110 characters; more would make modules tiny
LAPTOP_SCHEME = "ipsmap-live"
DARK, LIGHT = "#000000", "#ffffff"

_CODE = re.compile(r"[A-Za-z0-9-]{4,64}")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


class QrError(ValueError):
    """A QR code or join address that cannot be made or read; the message is one line."""


@dataclass(frozen=True)
class JoinQr:
    """A QR code of ``text``; ``matrix`` includes the quiet zone (True is a dark module)."""

    text: str
    version: int
    error: str  # "M", "Q" or "H"
    matrix: tuple[tuple[bool, ...], ...]
    _code: segno.QRCode = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        """Modules along one side, quiet zone included."""
        return len(self.matrix)

    def svg(self, module_px: int = DEFAULT_MODULE_PX) -> str:
        """A standalone SVG document (light background included), ``module_px`` a module."""
        buffer = io.BytesIO()
        self._code.save(
            buffer,
            kind="svg",
            scale=_checked_module_px(module_px),
            border=QUIET_ZONE,
            dark=DARK,
            light=LIGHT,
            title="QR code to join the live session",
            desc=self.text,
        )
        return buffer.getvalue().decode("utf-8")

    def png(self, module_px: int = DEFAULT_MODULE_PX) -> bytes:
        """A PNG image, ``module_px`` pixels a module, quiet zone included."""
        buffer = io.BytesIO()
        self._code.save(
            buffer,
            kind="png",
            scale=_checked_module_px(module_px),
            border=QUIET_ZONE,
            dark=DARK,
            light=LIGHT,
        )
        return buffer.getvalue()


def make_qr(text: str) -> JoinQr:
    """The QR code of ``text`` (a join address), error correction M or better."""
    if not isinstance(text, str) or not text:
        raise QrError("a QR code needs a text to hold")
    if len(text) > MAX_TEXT_CHARS:
        raise QrError(f"a join address of {len(text)} characters is too long for a QR code")
    try:
        code = segno.make_qr(text, error=MIN_ERROR, boost_error=True)
    except (segno.DataOverflowError, ValueError) as error:
        raise QrError(f"the QR code cannot hold this address: {error}") from None
    matrix = tuple(
        tuple(bool(module) for module in row)
        for row in code.matrix_iter(scale=1, border=QUIET_ZONE)
    )
    return JoinQr(text, int(code.version), str(code.error), matrix, code)


def module_px_for(side_px: int, qr: JoinQr) -> int:
    """The whole number of pixels a module takes so ``qr`` fills a square of ``side_px``."""
    return max(1, int(side_px) // qr.size)


def projector_module_px(screen_height_px: int, qr: JoinQr) -> int:
    """The module size that makes ``qr`` at least 45 % of a projected screen's height."""
    return max(1, math.ceil(screen_height_px * PROJECTOR_SHARE / qr.size))


def _checked_module_px(module_px: int) -> int:
    if isinstance(module_px, bool) or not isinstance(module_px, int) or not 1 <= module_px <= 100:
        raise QrError(f"a module is 1 to 100 pixels, not {module_px!r}")
    return module_px


# -- the addresses a QR code holds -----------------------------------------------------------


def _host(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(str(address).strip())
    except ValueError:
        raise QrError(f"{address!r} is not an IP address") from None
    if parsed.is_unspecified or parsed.is_multicast:
        raise QrError(f"{parsed} is not an address anyone can join")
    return f"[{parsed}]" if parsed.version == 6 else str(parsed)


def _port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise QrError(f"the port must be a whole number from 1 to 65535, not {port!r}")
    return port


def laptop_join_url(address: str, port: int, code: str, fingerprint: str | None = None) -> str:
    """``ipsmap-live://HOST:PORT/?code=CODE&fp=FINGERPRINT`` (fp left out when None)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise QrError("a join code is 4 to 64 letters, digits or hyphens")
    query = {"code": code}
    if fingerprint is not None:
        fp = str(fingerprint).replace(":", "").lower()
        if not _FINGERPRINT.fullmatch(fp):
            raise QrError("the certificate fingerprint must be 64 hex digits (SHA-256)")
        query["fp"] = fp
    return f"{LAPTOP_SCHEME}://{_host(address)}:{_port(port)}/?{urlencode(query)}"


def phone_url(address: str, port: int) -> str:
    """``https://HOST:PORT/``, the phone page's address (issue 15)."""
    return f"https://{_host(address)}:{_port(port)}/"


@dataclass(frozen=True)
class JoinAddress:
    """A laptop join address read back (typed, pasted or scanned), every part checked."""

    address: str
    port: int
    code: str
    fingerprint: str | None


def parse_laptop_join_url(text: str) -> JoinAddress:
    """The parts of an ``ipsmap-live://`` address; ``QrError`` says what is wrong."""
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise QrError("this is not an ipsmap join address")
    try:
        parts = urlsplit(text.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise QrError("this join address has a malformed host or port") from None
    if parts.scheme != LAPTOP_SCHEME or host is None or port is None:
        raise QrError(f"a join address looks like {LAPTOP_SCHEME}://192.168.1.20:8765/?code=…")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=4)
    except ValueError:
        raise QrError("this join address holds too many fields") from None
    codes, fps = query.get("code", []), query.get("fp", [])
    if len(codes) != 1 or len(fps) > 1:
        raise QrError("a join address holds exactly one code and at most one fingerprint")
    laptop_join_url(host, port, codes[0], fps[0] if fps else None)  # checks every part
    fingerprint = fps[0].replace(":", "").lower() if fps else None
    return JoinAddress(str(ipaddress.ip_address(host)), port, codes[0], fingerprint)
