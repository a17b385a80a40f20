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

from ipsmap.formats import boundary
from ipsmap.formats.base import read_bytes
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
    if isinstance(value, int) and len(str(abs(value))) > boundary.active_limits().max_digits:
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
        # Past what a float holds exactly it is a code, not a quantity (as for text below).
        return value if abs(value) < 10**15 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    text = cell_text(value)
    # A longer run of digits is an identifier or a code, not a quantity: kept as text.
    if _INT_RE.fullmatch(text) and len(text.lstrip("+-")) <= 15:
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
    most = max_rows()
    try:
        start = 1
        for row in reader:
            if len(rows) > most:
                raise too_many_rows(path)
            rows.append((start, [unguarded(cell) for cell in row]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(
            path, f"line {reader.line_num}", f"not a valid CSV table ({exc})"
        ) from exc
    return rows


def max_rows() -> int:
    """The most rows one table may have: a header, blank rows and the larger count limit."""
    limits = boundary.active_limits()
    return max(limits.max_factors, limits.max_links) * 2 + 1


def too_many_rows(path: Path) -> FormatError:
    limits = boundary.active_limits()
    return FormatError(
        path,
        "",
        f"the table has more than {max_rows():,} rows; one import takes at most "
        f"{limits.max_factors:,} factors and {limits.max_links:,} links (the command "
        "line's --max-factors and --max-links raise these)",
    )


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
    raw = read_bytes(path)
    text, note = decode_text(path, raw)
    if note:
        warn(note)
    return make_table(path, name, csv_rows(path, text))


def read_workbook(path: Path) -> dict[str, list[tuple[int, list[Any]]]]:
    """Every sheet of an Excel workbook as numbered raw rows (openpyxl imported here).

    The zip's declared sizes are checked before anything is unpacked (zipfile never reads
    past a member's declared size, so they bound what is read), and rows and cells are
    counted while the sheets stream in read-only mode.
    """
    boundary.check_file_size(path)
    check_zip(path)
    from openpyxl import load_workbook  # after the checks: a refused file costs nothing

    most_rows = max_rows()
    most_cells = most_rows * 20
    cells = 0
    result: dict[str, list[tuple[int, list[Any]]]] = {}
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a bad workbook
        raise FormatError(path, "", f"not a readable Excel workbook ({exc})") from exc
    try:
        for sheet in book.worksheets:
            rows: list[tuple[int, list[Any]]] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if len(rows) >= most_rows:
                    raise too_many_rows(path)
                cells += len(row)
                if cells > most_cells:
                    raise FormatError(
                        path, sheet.title, f"the workbook has more than {most_cells:,} cells"
                    )
                rows.append((number, [_workbook_cell(v) for v in row]))
            # Trailing blank rows are not part of the table (as a spreadsheet shows it).
            while rows and all(is_blank(v) for v in rows[-1][1]):
                rows.pop()
            width = max((len(r) for _, r in rows), default=0)
            result[str(sheet.title)] = [(n, r + [None] * (width - len(r))) for n, r in rows]
    except FormatError:
        raise
    except Exception as exc:  # a damaged sheet inside a sound zip
        raise FormatError(path, "", f"not a readable Excel workbook ({exc})") from exc
    finally:
        book.close()
    return result


# What a formula's error looks like in a cell: read as a blank, as pandas did.
_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def _workbook_cell(value: Any) -> Any:
    """A workbook cell as the readers expect: whole numbers as ints, errors as blanks."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value in _EXCEL_ERRORS:
        return None
    return value


def check_zip(path: Path) -> None:
    """Refuse a zip (an .xlsx) whose members would expand past the limits, before reading."""
    import zipfile

    limits = boundary.active_limits()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FormatError(path, "", f"not a readable Excel workbook ({exc})") from exc
    packed = sum(m.compress_size for m in members)
    budget = limits.expansion_budget(packed)
    if sum(m.file_size for m in members) > budget:
        raise boundary.expansion_error(path, "the workbook", budget)
    for member in members:
        own = limits.expansion_budget(member.compress_size)
        if member.file_size > own:
            raise boundary.expansion_error(path, f"the workbook's part {member.filename!r}", own)
