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
    """A file's text (UTF-8, a BOM allowed); FormatError when unreadable, binary or empty."""
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"byte {exc.start}", "the file is not UTF-8 text") from exc
    if not text.strip():
        raise FormatError(path, "", "the file is empty")
    return text


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
