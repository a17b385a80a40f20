"""An adjacency matrix: rows are causes, columns effects, cells signed weights (``matrix``).

Reading: the first row holds the factor labels (its first cell is ignored), the first
column the same labels (in any order); a cell is the weight of the link from its row to
its column: blank or 0 is no link, the sign is the polarity, the size the strength (all
divided by the largest size, with a warning, when some are above 1). ``+``, ``-`` and ``?``
are also accepted and give a link of the default strength. A CSV file (``.matrix.csv``,
or any ``.csv`` whose first row and column carry the same labels) holds one map; an
Excel workbook (``.matrix.xlsx``) one map per sheet, named after the sheet (e.g. one
sheet per participant).

Writing: a square matrix of factor labels with cells ``±strength`` (CSV, or a one-sheet
workbook when the path ends in ``.xlsx``). A link of unknown polarity (``?``) is written
as 0 with an ExportWarning; labels used twice are told apart with `` (2)``. Only labels,
links, polarity and strength survive a round trip.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions, read_bytes
from ipsmap.formats.builder import MapBuilder, polarity_from
from ipsmap.formats.errors import FormatError
from ipsmap.formats.tables import (
    ExportWarning,
    cell_number,
    cell_text,
    csv_rows,
    csv_text,
    decode_text,
    is_blank,
    read_workbook,
    replace_atomically,
    write_sheets,
)
from ipsmap.model.mapdata import MapData

SUFFIXES = (".matrix.csv", ".matrix.xlsx")


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (*SUFFIXES, ".csv", ".xlsx"):
        if name.casefold().endswith(suffix):
            return name[: -len(suffix)] or name
    return path.stem


def _drop_blank(rows: Sequence[tuple[int, Sequence[Any]]]) -> list[tuple[int, list[Any]]]:
    kept = [(n, list(r)) for n, r in rows if any(not is_blank(c) for c in r)]
    # Trailing blank columns (common in spreadsheets) are not factors.
    width = max((len(r) for _, r in kept), default=0)
    while width > 0 and all(len(r) < width or is_blank(r[width - 1]) for _, r in kept):
        width -= 1
    return [(n, r[:width]) for n, r in kept]


def looks_like_matrix(rows: Sequence[tuple[int, Sequence[Any]]]) -> bool:
    """True when the first row's labels (after the corner) begin the first column too."""
    kept = _drop_blank(rows)
    if len(kept) < 3:
        return False
    header = [cell_text(c) for c in kept[0][1][1:]]
    firsts = [cell_text(r[0]) if r else "" for _, r in kept[1:]]
    if len(header) < 2 or not all(header):
        return False
    if sorted(firsts) != sorted(header[: len(firsts)]) and firsts != header[: len(firsts)]:
        return False
    for _, row in kept[1:4]:
        for cell in row[1:]:
            if polarity_from(cell_text(cell)) is None:
                try:
                    cell_number(cell)
                except ValueError:
                    return False
    return True


def sniff(head: bytes) -> bool:
    try:
        text = head.decode("utf-8-sig", errors="ignore")
        lines = text.splitlines()
        if len(head) >= 8192 and len(lines) > 1:
            lines = lines[:-1]  # the last line may be cut short
        rows = csv_rows(Path("head"), "\n".join(lines))
        return looks_like_matrix(rows)
    except Exception:
        return False


def matrix_map(
    path: Path, name: str, rows: Sequence[tuple[int, Sequence[Any]]], sheet: str = ""
) -> MapData:
    """One map from the rows of one matrix."""
    where = f"sheet {sheet!r}, " if sheet else ""
    kept = _drop_blank(rows)
    if not kept:
        raise FormatError(path, where.rstrip(", "), "the matrix is empty")
    header_no, header_row = kept[0]
    labels = [cell_text(c) for c in header_row[1:]]
    if not labels:
        raise FormatError(path, f"{where}row {header_no}", "the first row has no factor labels")
    for i, label in enumerate(labels):
        if not label:
            raise FormatError(path, f"{where}row {header_no}, column {i + 2}", "no factor label")
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            raise FormatError(path, f"{where}row {header_no}", f"label {label!r} is used twice")
        seen.add(label)
    body = kept[1:]
    row_labels = [cell_text(r[0]) if r else "" for _, r in body]
    if len(body) != len(labels):
        raise FormatError(
            path,
            where.rstrip(", "),
            f"the matrix is not square: {len(body)} rows and {len(labels)} columns of factors",
        )
    if sorted(row_labels) != sorted(labels):
        extra = [r for r in row_labels if r not in seen]
        missing = [c for c in labels if c not in set(row_labels)]
        raise FormatError(
            path,
            where.rstrip(", "),
            "the row labels differ from the column labels "
            f"(rows only: {extra or 'none'}; columns only: {missing or 'none'})",
        )
    if len(set(row_labels)) != len(row_labels):
        raise FormatError(path, where.rstrip(", "), "a row label is used twice")

    builder = MapBuilder(path, name)
    for i, label in enumerate(labels):
        builder.factor(label, label, f"{where}row {header_no}, column {i + 2}")
    cells: list[tuple[str, str, str, float | None, str]] = []
    for (n, row), source in zip(body, row_labels, strict=True):
        if any(not is_blank(c) for c in row[len(labels) + 1 :]):
            raise FormatError(
                path, f"{where}row {n}", f"more cells than the {len(labels)} factor labels"
            )
        row = row + [""] * (len(labels) + 1 - len(row))
        for j, target in enumerate(labels):
            value = row[j + 1]
            place = f"{where}row {n}, column {target!r}"
            if is_blank(value):
                continue
            word = cell_text(value)
            try:
                weight = cell_number(value)
            except ValueError:
                polarity = polarity_from(word) if word in ("+", "-", "?", "−") else None
                if polarity is None:
                    raise FormatError(
                        path, place, f"must be a number (or +, -, ?), not {word!r}"
                    ) from None
                cells.append((source, target, polarity, None, place))
                continue
            if weight is None or weight == 0:
                continue
            cells.append((source, target, "-" if weight < 0 else "+", abs(weight), place))
    largest = max((c[3] for c in cells if c[3] is not None), default=0.0)
    scale = 1.0
    if largest > 1:
        scale = largest
        builder.warn(
            f"{where}weights go up to {largest:g}; strengths were divided by {largest:g} to fit 0–1"
        )
    for source, target, polarity, weight, place in cells:
        fields: dict[str, Any] = {"polarity": polarity}
        if weight is not None:
            fields["strength"] = weight / scale
        builder.link(source, target, place, **fields)
    return builder.build()


def read_csv(path: Path, options: ReadOptions) -> list[MapData]:
    raw = read_bytes(path)
    text, note = decode_text(path, raw)
    data = matrix_map(path, _stem(path), csv_rows(path, text))
    if note:
        data.warnings.insert(0, note)
    return [data]


def read_xlsx(path: Path, options: ReadOptions) -> list[MapData]:
    sheets = read_workbook(path)
    used = {name: rows for name, rows in sheets.items() if _drop_blank(rows)}
    if not used:
        raise FormatError(path, "", "the workbook is empty")
    if len(used) == 1:
        ((sheet, rows),) = used.items()
        return [matrix_map(path, _stem(path), rows, sheet if len(sheets) > 1 else "")]
    return [matrix_map(path, sheet, rows, sheet) for sheet, rows in used.items()]


def read(path: Path, options: ReadOptions) -> list[MapData]:
    """Read a matrix CSV (one map) or workbook (one map per sheet)."""
    if path.name.casefold().endswith((".xlsx", ".xlsm")):
        return read_xlsx(path, options)
    return read_csv(path, options)


def matrix_rows(data: MapData) -> list[list[Any]]:
    """The matrix (header row first) of a map."""
    labels: list[str] = []
    seen: set[str] = set()
    renamed = False
    for factor in data.factors:
        label, n = factor.label, 2
        while label in seen:
            label, n = f"{factor.label} ({n})", n + 1
            renamed = True
        seen.add(label)
        labels.append(label)
    if renamed:
        warnings.warn(
            "some factors share a label; the matrix tells them apart with ' (2)'…",
            ExportWarning,
            stacklevel=3,
        )
    index = {f.id: i for i, f in enumerate(data.factors)}
    cells: list[list[Any]] = [[0] * len(labels) for _ in labels]
    unknown = 0
    for link in data.links:
        if link.polarity == "?":
            unknown += 1
            value: float = 0
        else:
            value = link.strength if link.polarity == "+" else -link.strength
        cells[index[link.source]][index[link.target]] = value
    if unknown:
        warnings.warn(
            f"{unknown} link(s) of unknown polarity (?) were written as 0 (no link): a "
            "matrix cell holds only a signed weight",
            ExportWarning,
            stacklevel=3,
        )
    return [["", *labels]] + [[label, *row] for label, row in zip(labels, cells, strict=True)]


def write(data: MapData, path: str | Path) -> None:
    """Write a square matrix: CSV, or a workbook when ``path`` ends in .xlsx."""
    path = Path(path)
    rows = matrix_rows(data)
    if path.name.casefold().endswith(".xlsx"):
        rows[0][0] = "from \\ to"
        sheet = re.sub(r"[\[\]:*?/\\']", " ", data.info.name).strip()[:31] or "Map"
        write_sheets(path, {sheet: rows})
        return
    text = csv_text(rows)
    replace_atomically([(path, lambda p: p.write_text(text, "utf-8-sig", newline=""))])


FORMATS = [
    MapFormat(
        name="matrix",
        label="Adjacency matrix (CSV or Excel)",
        suffixes=SUFFIXES,
        read=read,
        write=write,
        sniff=sniff,
    )
]
