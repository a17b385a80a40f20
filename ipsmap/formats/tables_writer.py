"""Writing a map as two tables of factors and links (a CSV pair or an Excel workbook).

See ``ipsmap.formats.tables`` for what a round trip keeps.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ipsmap.formats.errors import ExportWarning
from ipsmap.formats.table_cells import _norm, spreadsheet_safe
from ipsmap.formats.table_columns import _KNOWN_NAMES, ATTRIBUTE_PREFIX
from ipsmap.formats.target_files import replace_atomically
from ipsmap.model.entities import Factor, Style
from ipsmap.model.mapdata import MapData
from ipsmap.model.privacy import public_names

# -- writing ---------------------------------------------------------------------------

FACTOR_HEADER = ("id", "label", "type", "x", "y", "notes", "groups")
LINK_HEADER = (
    "id", "from", "to", "from_label", "to_label", "polarity", "strength", "confidence",
    "type", "rationale", "evidence", "notes",
)  # fmt: skip


def _attribute_column(key: str) -> str:
    return (
        f"{ATTRIBUTE_PREFIX}{key}"
        if _norm(key) in _KNOWN_NAMES or key.startswith(ATTRIBUTE_PREFIX)
        else key
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)


def _attribute_keys(records: Iterable[Factor] | Iterable[Any]) -> list[str]:
    keys: dict[str, None] = {}
    for record in records:
        for key in record.attributes:
            keys.setdefault(str(key), None)
    return list(keys)


def pseudonyms(data: MapData) -> dict[str, str]:
    """Participant id → the name the tables show (see ipsmap.model.privacy.public_name)."""
    return public_names(data.participants)


def style_names(styles: list[Style]) -> dict[str, str]:
    return {s.id: s.name for s in styles}


def table_rows(data: MapData) -> tuple[list[list[Any]], list[list[Any]]]:
    """The factors and links tables (header first) of a map."""
    names = style_names(data.styles)
    people = pseudonyms(data)
    groups = {g.id: g.name for g in data.groups}
    member_of: dict[str, list[str]] = {}
    for group_id, factor_id in data.members:
        member_of.setdefault(factor_id, []).append(groups.get(group_id, ""))
    labels = {f.id: f.label for f in data.factors}

    f_keys = _attribute_keys(data.factors)
    factor_rows: list[list[Any]] = [
        [*FACTOR_HEADER, *(_attribute_column(k) for k in f_keys), "created_by"]
    ]
    for f in data.factors:
        factor_rows.append(
            [
                f.id,
                f.label,
                names.get(f.type or "", ""),
                f.x,
                f.y,
                f.notes,
                "; ".join(n for n in member_of.get(f.id, []) if n),
                *(_plain(f.attributes.get(k)) for k in f_keys),
                people.get(f.created_by or "", ""),
            ]
        )
    l_keys = _attribute_keys(data.links)
    link_rows: list[list[Any]] = [
        [*LINK_HEADER, *(_attribute_column(k) for k in l_keys), "created_by"]
    ]
    for ln in data.links:
        link_rows.append(
            [
                ln.id,
                ln.source,
                ln.target,
                labels.get(ln.source, ""),
                labels.get(ln.target, ""),
                ln.polarity,
                ln.strength,
                ln.confidence,
                names.get(ln.type or "", ""),
                ln.rationale,
                ln.evidence,
                ln.notes,
                *(_plain(ln.attributes.get(k)) for k in l_keys),
                people.get(ln.created_by or "", ""),
            ]
        )
    return factor_rows, link_rows


def csv_pair_paths(path: str | Path) -> tuple[Path, Path]:
    """``NAME-factors.csv`` and ``NAME-links.csv`` for a path ``NAME[-factors|-links].csv``."""
    path = Path(path)
    stem = path.name[:-4] if path.name.casefold().endswith(".csv") else path.name
    for word in ("-factors", "-links"):
        if stem.casefold().endswith(word):
            stem = stem[: -len(word)]
            break
    return path.with_name(f"{stem}-factors.csv"), path.with_name(f"{stem}-links.csv")


def csv_text(rows: list[list[Any]]) -> str:
    """Rows as CSV text; cells a spreadsheet would run as formulas are guarded (table_cells)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else spreadsheet_safe(v) for v in row])
    return out.getvalue()


def write_csv(data: MapData, path: str | Path) -> None:
    """Write the pair NAME-factors.csv and NAME-links.csv (see csv_pair_paths)."""
    factors_path, links_path = csv_pair_paths(path)
    factor_rows, link_rows = table_rows(data)
    replace_atomically(
        [
            (factors_path, lambda p: p.write_text(csv_text(factor_rows), "utf-8-sig", newline="")),
            (links_path, lambda p: p.write_text(csv_text(link_rows), "utf-8-sig", newline="")),
        ]
    )


def write_sheets(path: Path, sheets: dict[str, list[list[Any]]], index: bool = False) -> None:
    """Write sheets (header row first) to an .xlsx workbook with pandas and openpyxl.

    Text is always stored as text (never as a formula), and characters Excel cannot hold
    are dropped with an ExportWarning.
    """
    import pandas as pd
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    dropped = False

    def clean(value: Any) -> Any:
        nonlocal dropped
        if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
            dropped = True
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        return value

    def write(tmp: Path) -> None:
        # Zipped in memory, then written in one go: a full disk fails one plain write.
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for sheet, rows in sheets.items():
                header = [str(clean(h)) for h in rows[0]]
                body = [[clean(v) for v in row] for row in rows[1:]]
                frame = pd.DataFrame(body, columns=pd.Index(header, dtype=object), dtype=object)
                if index:
                    frame = frame.set_index(header[0])
                frame.to_excel(writer, sheet_name=sheet, index=index)
                for row in writer.sheets[sheet].iter_rows():
                    for cell in row:
                        if cell.data_type == "f":
                            cell.data_type = "s"
        tmp.write_bytes(buffer.getvalue())

    replace_atomically([(path, write)])
    if dropped:
        warnings.warn(
            f"{path.name}: control characters Excel cannot hold were left out",
            ExportWarning,
            stacklevel=3,
        )


def write_xlsx(data: MapData, path: str | Path) -> None:
    """Write one workbook with the sheets Factors and Links."""
    factor_rows, link_rows = table_rows(data)
    write_sheets(Path(path), {"Factors": factor_rows, "Links": link_rows})
