"""What every format module declares: its name, file suffixes, reader, writer, sniffer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ipsmap.formats import boundary
from ipsmap.formats.errors import FormatError
from ipsmap.model.mapdata import MapData


def read_bytes(path: Path) -> bytes:
    """A file's bytes, refusing one bigger than the limit before reading it."""
    boundary.check_file_size(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except OSError as exc:
        raise FormatError(path, "", f"cannot read the file ({exc.strerror})") from exc


def read_text(path: Path) -> str:
    """A file's text; FormatError when unreadable, binary or empty.

    UTF-8 (a BOM allowed), or UTF-16/UTF-32 when a byte-order mark or the zero bytes
    around the first ``<`` or ``{`` say so: checks on the text (an XML reader's refusal of
    DTDs) then see the characters, not bytes with zeros between them.
    """
    raw = read_bytes(path)
    encoding = wide_encoding(raw)
    try:
        text = raw.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        what = encoding.upper() if encoding else "UTF-8"
        raise FormatError(path, f"byte {exc.start}", f"the file is not {what} text") from exc
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise FormatError(path, "", "the file holds NUL characters (it is not a text file)")
    if not text.strip():
        raise FormatError(path, "", "the file is empty")
    return text


_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_WIDE_STARTS = (
    (b"\x00\x00\x00", "utf-32-be"),  # 00 00 00 3C
    (b"\x00", "utf-16-be"),  # 00 3C
)


def wide_encoding(raw: bytes) -> str | None:
    """UTF-16 or UTF-32 (with its byte order) if the bytes are in one; None for UTF-8."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    for start, encoding in _WIDE_STARTS:
        if raw.startswith(start) and len(raw) > len(start) and raw[len(start)] in b"<{":
            return encoding
    if raw[:1] in (b"<", b"{"):
        if raw[1:4] == b"\x00\x00\x00":
            return "utf-32-le"
        if raw[1:2] == b"\x00":
            return "utf-16-le"
    return None


@dataclass(frozen=True)
class ReadOptions:
    """What a user can tell a reader beyond the file itself."""

    # The factors table, when the file given is the links table of a CSV pair.
    nodes: Path | None = None
    # Explicit column choices: our key (id, label, from, to, polarity…) → the file's column.
    columns: dict[str, str] = field(default_factory=dict)
    # How much one import may hold (None: the defaults, ``boundary.DEFAULT_LIMITS``).
    limits: boundary.Limits | None = None


@dataclass(frozen=True)
class MapFormat:
    """One interchange format: its name on the command line, suffixes, reader, writer."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, ReadOptions], list[MapData]] | None
    # write(data, path), plus the keywords declared below.
    write: Callable[..., None] | None
    # Recognises the format from the first bytes, for suffixes several formats share.
    sniff: Callable[[bytes], bool] = lambda head: False
    # The writer takes ``context=`` (an export context: provenance, CMOs, saved views).
    takes_context: bool = False
    # The writer takes ``renderer=``: the canvas's drawing (Qt), which only the window or
    # the command line can give, so formats and export never import the ui.
    needs_renderer: bool = False


class WriteContext(Protocol):
    """What writing a map needs of an export context (``ipsmap.export.context``)."""

    anonymise: bool

    def name_people(self, data: MapData) -> MapData:
        """``data`` naming its participants as this export may."""
        ...


def parse_json(text: str, path: Path | str | None) -> Any:
    """Parse JSON text; FormatError with line and column when invalid or nested too deeply.

    Numbers pass the boundary's checks as they are parsed: a 5,000-digit integer, a float
    that overflows to infinity, NaN or Infinity are refused here, not deep in a reader.
    """
    try:
        return json.loads(
            text,
            parse_int=boundary.json_int,
            parse_float=boundary.json_float,
            parse_constant=boundary.json_constant,
        )
    except boundary.BAD_NUMBER as exc:
        raise FormatError(path, "", f"invalid JSON ({exc})") from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            path, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise FormatError(path, "", "the JSON is nested too deeply") from None


def looks_like_xml(head: bytes) -> bool:
    """True when a file starts as XML does (after a byte-order mark and white space).

    XML formats sniff for their root element only after this: a text file that merely
    mentions ``<graphml>`` (a README) is not a GraphML file.
    """
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
