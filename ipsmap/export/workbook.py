"""The evaluator workbook (``xlsx``) and CSV tables (``csv``).

One format name each, not two: the Factors and Links sheets (and the ``-factors.csv`` /
``-links.csv`` pair) stay exactly the interchange tables of ``ipsmap.formats.tables``,
so the table reader still reads an evaluator's file back. With an export context (the
CLI and the window always give one), the evaluator tables follow: sheets Loops, Metrics,
CMOs, Voices, Snapshot and Changes, or the files ``NAME-loops.csv``, ``NAME-metrics.csv``
and so on beside the pair. Without a context (``write_map(data, path, "xlsx")``), only the
interchange tables are written, as before.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

from ipsmap.export.context import ExportContext, with_public_names
from ipsmap.export.evaluator_tables import EXTRA_TABLES, evaluator_tables
from ipsmap.export.progress import report
from ipsmap.formats.base import MapFormat
from ipsmap.formats.errors import ExportWarning
from ipsmap.formats.tables import read_csv, read_xlsx
from ipsmap.formats.tables_writer import (
    csv_pair_paths,
    csv_text,
    replace_atomically,
    table_rows,
    write_sheets,
)
from ipsmap.model.mapdata import MapData

# Progress: the tables (with the analysis) are ready at TABLES_DONE; rows are written from
# there to ROWS_DONE, then the file is saved. A cancel is noticed every CHECK_EVERY rows.
TABLES_DONE = 0.4
ROWS_DONE = 0.9
CHECK_EVERY = 500


def workbook_sheets(data: MapData, context: ExportContext | None = None) -> dict[str, Any]:
    """Every sheet of the workbook (header row first), in order."""
    data = with_public_names(data, context)
    report(context, 0.0, "Preparing the tables")
    factor_rows, link_rows = table_rows(data)
    sheets: dict[str, Any] = {"Factors": factor_rows, "Links": link_rows}
    if context is not None:
        report(context, 0.05, "Analysing the map (metrics and loops)")
        sheets.update(evaluator_tables(data, context))
        report(context, TABLES_DONE, "Tables ready")
    return sheets


def write_workbook(data: MapData, path: str | Path, context: ExportContext | None = None) -> None:
    """Write the workbook atomically: Factors and Links, then the evaluator sheets."""
    sheets = workbook_sheets(data, context)
    if context is None:
        # The interchange workbook, exactly as ipsmap.formats.tables writes it.
        write_sheets(Path(path), sheets)
    else:
        write_sheets_streaming(Path(path), sheets, context)


def write_sheets_streaming(
    path: Path, sheets: dict[str, Any], context: ExportContext | None = None
) -> None:
    """Write sheets (header row first) with openpyxl's write-only mode, atomically.

    The same cells as ``write_sheets`` (pandas) in less time on a 2,000-factor map: text
    stays text (never a formula), characters Excel cannot hold are dropped with an
    ExportWarning, the header row is bold.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    dropped = False
    bold = Font(bold=True)

    total = max(1, sum(len(rows) for rows in sheets.values()))
    written = 0

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        try:
            fill(book)
        except BaseException:
            _discard(book)
            raise
        report(context, ROWS_DONE, "Saving the workbook")
        # Zipped in memory, then written in one go: a full disk then fails one plain
        # write (openpyxl's half-written zip would complain when collected).
        buffer = io.BytesIO()
        try:
            book.save(buffer)
        except BaseException:
            _discard(book)
            raise
        tmp.write_bytes(buffer.getvalue())

    def fill(book: Any) -> None:
        nonlocal dropped, written
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for n, row in enumerate(rows):
                if n % CHECK_EVERY == 0:
                    at = TABLES_DONE + (ROWS_DONE - TABLES_DONE) * (written + n) / total
                    report(context, at, f"Writing the {name} sheet")
                cells: list[Any] = []
                for value in row:
                    if isinstance(value, str):
                        if ILLEGAL_CHARACTERS_RE.search(value):
                            dropped = True
                            value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    elif not isinstance(value, (int, float, bool, type(None))):
                        value = str(value)
                    # Plain values are cheapest (openpyxl binds them to one reused cell); a
                    # cell object only where it must differ: the bold header, and text
                    # that openpyxl would otherwise take for a formula ("=…").
                    if n == 0 or (isinstance(value, str) and value.startswith("=")):
                        cell = WriteOnlyCell(sheet, value=value)
                        if cell.data_type == "f":
                            cell.data_type = "s"
                        if n == 0:
                            cell.font = bold
                        value = cell
                    cells.append(value)
                sheet.append(cells)
            written += len(rows)

    replace_atomically([(path, write)])
    if dropped:
        warnings.warn(
            f"{path.name}: control characters Excel cannot hold were left out",
            ExportWarning,
            stacklevel=3,
        )


def _discard(book: Any) -> None:
    """Close a write-only workbook's sheets and delete their temporary files (on a cancel).

    Left open, each sheet's XML stream complains when it is garbage-collected and its
    temporary file stays in the temp folder until Python exits.
    """
    for sheet in book.worksheets:
        with contextlib.suppress(Exception):  # tidying up after the real error
            sheet.close()
        out = getattr(getattr(sheet, "_writer", None), "out", None)
        if out:
            Path(out).unlink(missing_ok=True)


def csv_paths(path: str | Path, with_extras: bool = True) -> list[Path]:
    """Every file the CSV export writes for ``path``: the pair, then the evaluator tables."""
    factors_path, links_path = csv_pair_paths(path)
    stem = factors_path.name[: -len("-factors.csv")]
    extras = [factors_path.with_name(f"{stem}-{name.lower()}.csv") for name in EXTRA_TABLES]
    return [factors_path, links_path, *(extras if with_extras else [])]


def write_csv_tables(data: MapData, path: str | Path, context: ExportContext | None = None) -> None:
    """Write NAME-factors.csv and NAME-links.csv, and with a context NAME-loops.csv etc."""
    sheets = workbook_sheets(data, context)
    paths = csv_paths(path, with_extras=context is not None)
    writes = []
    for n, (target, rows) in enumerate(zip(paths, sheets.values(), strict=True)):
        at = TABLES_DONE + (ROWS_DONE - TABLES_DONE) * n / len(paths)
        report(context, at, f"Writing {target.name}")
        text = csv_text(rows)
        writes.append((target, _text_writer(text)))
    report(context, ROWS_DONE, "Saving the tables")
    replace_atomically(writes)


def _text_writer(text: str) -> Any:
    # UTF-8 with a BOM, as the interchange pair: spreadsheet programs then read accents.
    return lambda p: p.write_text(text, "utf-8-sig", newline="")


# Registered by ipsmap.export.all_formats as replacing the csv and xlsx formats of
# ipsmap.formats.tables; reading is the tables reader's, which ignores the evaluator sheets
# and files.
FORMATS = [
    MapFormat(
        name="csv",
        label="CSV tables (factors, links and evaluator tables)",
        suffixes=(".csv",),
        read=read_csv,
        write=write_csv_tables,
        takes_context=True,
    ),
    MapFormat(
        name="xlsx",
        label="Excel workbook (factors, links and evaluator sheets)",
        suffixes=(".xlsx",),
        read=read_xlsx,
        write=write_workbook,
        takes_context=True,
    ),
]
