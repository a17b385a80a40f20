"""Tables read from CSV files and workbooks, and what their cells hold.

Shared by the two-table reader (``ipsmap.formats.tables``) and the matrix reader.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ipsmap.formats.errors import FormatError

_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


# -- cells a spreadsheet would run --------------------------------------------------------
#
# A CSV cell that starts with = + - @ (or a tab or carriage return, which some programs
# skip before looking) is taken as a formula by Excel and LibreOffice:
# =HYPERLINK("http://…") leaks, =cmd|' /C calc'!A0 runs. Following OWASP, ipsmap writes
# such a cell with a leading ' (shown as text, never run), header cells included, and
# strips that ' again when it reads its own CSV. Numbers stay numbers ("-3", "+0.5"), and
# a lone "+" or "-" (a link's polarity) is no formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet program could take ``text`` (a CSV cell) as a formula."""
    if text.startswith(GUARD):
        # Guarded once already: guard again, so that reading gives back the same text.
        return runs_as_formula(text[1:])
    if not text.startswith(FORMULA_STARTS) or text in ("+", "-"):
        return False
    return not _FLOAT_RE.fullmatch(text)


def spreadsheet_safe(value: Any) -> Any:
    """A value to write in a CSV cell: text that would run is guarded with a leading '."""
    if isinstance(value, str) and runs_as_formula(value):
        return GUARD + value
    return value


def unguarded(cell: str) -> str:
    """A CSV cell as ipsmap wrote it, read back: the guarding ' removed."""
    if cell.startswith(GUARD) and runs_as_formula(cell[1:]):
        return cell[1:]
    return cell


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(name)).strip().casefold()


# -- tables ----------------------------------------------------------------------------


@dataclass
class Table:
    """A header and rows; each row keeps its spreadsheet row number (header = row 1)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    path: Path | None = None

    def is_empty(self) -> bool:
        return not self.rows


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def cell_text(value: Any) -> str:
    """A cell as text: '' for blank, whole floats without '.0', dates in ISO form."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def cell_free_text(value: Any) -> str:
    """A cell of free text (notes, rationale): as written, '' if blank."""
    if isinstance(value, str):
        return "" if not value.strip() else value
    return cell_text(value)


def cell_number(value: Any) -> float | None:
    """A cell as a finite number; None if blank; raises ValueError if not a number."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace("−", "-")
        if not _FLOAT_RE.fullmatch(text):
            raise ValueError(value)
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def cell_value(value: Any) -> Any:
    """A cell as an attribute value: numbers as numbers, other things as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    text = cell_text(value)
    if _INT_RE.fullmatch(text):
        return int(text)
    if _FLOAT_RE.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    return text


def decode_text(path: Path, raw: bytes) -> tuple[str, str | None]:
    """The text of a file (UTF-8, else Windows-1252 with a warning)."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), f"{path.name} is not UTF-8; read it as Windows-1252"
    except UnicodeDecodeError as exc:
        raise FormatError(path, f"byte {exc.start}", "the file is not UTF-8 text") from exc


def csv_rows(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Rows of CSV text with their line numbers (comma, semicolon or tab separated)."""
    if "\x00" in text:
        raise FormatError(path, "", "this is not a text table (it contains NUL bytes)")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for row in reader:
            rows.append((start, [unguarded(cell) for cell in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(
            path, f"line {reader.line_num}", f"not a valid CSV table ({exc})"
        ) from exc
    return rows


def make_table(path: Path, name: str, rows: Sequence[tuple[int, Sequence[Any]]]) -> Table:
    """A Table from raw rows: the first non-blank row is the header; blank rows dropped."""
    kept = [(n, list(r)) for n, r in rows if any(not is_blank(c) for c in r)]
    if not kept:
        raise FormatError(path, name, "the table is empty")
    raw_header = kept[0][1]
    header: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(raw_header):
        column = cell_text(cell) or f"column {i + 1}"
        base, n = column, 2
        while _norm(column) in seen:
            column, n = f"{base} ({n})", n + 1
        seen.add(_norm(column))
        header.append(column)
    body: list[tuple[int, list[Any]]] = []
    for n, row in kept[1:]:
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        body.append((n, row[: len(header)]))
    return Table(name, header, body, path)


def read_csv_table(path: Path, name: str, warn: Callable[[str], None]) -> Table:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except OSError as exc:
        raise FormatError(path, "", f"cannot read the file ({exc.strerror})") from exc
    text, note = decode_text(path, raw)
    if note:
        warn(note)
    return make_table(path, name, csv_rows(path, text))


def read_workbook(path: Path) -> dict[str, list[tuple[int, list[Any]]]]:
    """Every sheet of an Excel workbook as numbered raw rows (pandas imported here)."""
    import pandas as pd

    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a bad workbook
        raise FormatError(path, "", f"not a readable Excel workbook ({exc})") from exc
    result: dict[str, list[tuple[int, list[Any]]]] = {}
    for sheet, frame in sheets.items():
        values = frame.to_numpy(dtype=object).tolist()
        result[str(sheet)] = [(i + 1, row) for i, row in enumerate(values)]
    return result
