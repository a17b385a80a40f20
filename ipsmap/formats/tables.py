"""Two tables of factors and links: a CSV pair or an Excel workbook (formats ``csv``, ``xlsx``).

Reading
    * CSV: the file given is the links table and ``ReadOptions.nodes`` the factors table; or
      the file is one of a pair found by name: ``NAME-factors.csv`` + ``NAME-links.csv``
      (also ``elements``/``connections`` and ``nodes``/``edges``, any case, any separator,
      e.g. Kumu's ``Elements.csv`` + ``Connections.csv``). A links table alone makes its
      factors from the names it uses; a factors table alone gives a map without links.
    * Excel: a workbook with a factors sheet and a links sheet (Factors/Links,
      Elements/Connections as Kumu exports, PRSM's Factors/Links). Several pairs named
      ``PREFIX factors`` / ``PREFIX links`` give one map per prefix (e.g. one per
      participant). A workbook of square matrices is handed to the matrix reader.
    * Columns are recognised by name, ignoring case, spaces, ``_`` and ``-`` (see
      FACTOR_COLUMNS and LINK_COLUMNS); ``ReadOptions.columns`` names them explicitly.
      Links may name factors by id or by label. Other columns become attributes (numbers
      stay numbers). Places in errors are spreadsheet rows: the header is row 1.

Writing
    * ``csv``: writing to ``NAME.csv`` (or ``NAME-factors.csv`` / ``NAME-links.csv``) writes
      the pair ``NAME-factors.csv`` and ``NAME-links.csv`` next to it (UTF-8 with a BOM so
      spreadsheet programs read accents, ``,`` separated).
    * ``xlsx``: one workbook with the sheets Factors and Links.
    Both are written atomically (temporary files replaced only when complete).

What a round trip keeps: factor label, type (by name), x, y, notes, group names,
attributes (text and numbers; other values come back as text); link ends, polarity,
strength, confidence, type (by name), rationale, evidence, notes, attributes. It loses
style colours and shapes, group colours, ids (new ones are made), provenance and
``created_by`` (written as a pseudonym for people reading the file, not read back).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions
from ipsmap.formats.builder import MapBuilder, polarity_from
from ipsmap.formats.errors import ExportWarning, FormatError
from ipsmap.model.entities import CONFIDENCE_LEVELS, STRENGTH_LEVELS, Factor, Style
from ipsmap.model.mapdata import MapData

# Our key → the column names that mean it (compared after _norm).
FACTOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "_id", "factor id", "node id", "element id"),
    "label": ("label", "name", "factor", "title"),
    "type": ("type", "category", "element type", "factor type", "style"),
    "x": ("x",),
    "y": ("y",),
    "notes": ("notes", "note", "description"),
    "group": ("groups", "group"),
    "created_by": ("created by",),
}
LINK_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "_id", "link id"),
    "from": ("from", "source", "source id", "from id", "source_id", "from_id"),
    "to": ("to", "target", "target id", "to id", "target_id", "to_id"),
    "from_label": ("from label",),
    "to_label": ("to label",),
    "polarity": ("polarity", "sign", "effect"),
    "type": ("type", "connection type", "link type", "style"),
    "strength": ("strength", "weight"),
    "confidence": ("confidence",),
    "rationale": ("rationale", "description"),
    "evidence": ("evidence",),
    "notes": ("notes", "note"),
    "created_by": ("created by",),
}
# Keys a user may name with --column KEY=COLUMN.
OVERRIDE_KEYS = (
    "id", "label", "type", "x", "y", "notes",
    "from", "to", "polarity", "strength", "confidence", "rationale",
)  # fmt: skip

FACTOR_WORDS = ("factors", "elements", "nodes")
LINK_WORDS = ("links", "connections", "edges")
# Attribute columns whose names would be read as one of ours are written with this prefix.
ATTRIBUTE_PREFIX = "attr:"

_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(name)).strip().casefold()


_KNOWN_NAMES = {
    _norm(a) for table in (FACTOR_COLUMNS, LINK_COLUMNS) for v in table.values() for a in v
}


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
            rows.append((start, row))
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


# -- columns ---------------------------------------------------------------------------


def find_columns(
    table: Table, known: dict[str, tuple[str, ...]], overrides: dict[str, str]
) -> dict[str, int]:
    """Our key → column index, from the names in ``known`` and the user's overrides."""
    index = {_norm(h): i for i, h in enumerate(table.header)}
    found: dict[str, int] = {}
    taken: set[int] = set()
    for key, column in overrides.items():
        if key in known and _norm(column) in index:
            found[key] = index[_norm(column)]
            taken.add(found[key])
    for key, aliases in known.items():
        if key in found:
            continue
        for alias in aliases:
            i = index.get(_norm(alias))
            if i is not None and i not in taken:
                found[key] = i
                taken.add(i)
                break
    return found


def check_overrides(path: Path, overrides: dict[str, str], tables: list[Table]) -> None:
    for key, column in overrides.items():
        if key not in OVERRIDE_KEYS:
            raise FormatError(
                path, "", f"unknown column key {key!r} (known: {', '.join(OVERRIDE_KEYS)})"
            )
        relevant = [
            t
            for t, known in zip(tables, (FACTOR_COLUMNS, LINK_COLUMNS), strict=False)
            if key in known
        ]
        if relevant and not any(_norm(column) in map(_norm, t.header) for t in relevant):
            found = "; ".join(f"{t.name}: {', '.join(t.header)}" for t in relevant)
            raise FormatError(
                path, "", f"column {column!r} given for {key!r} is not in the table ({found})"
            )


def _columns_found(table: Table) -> str:
    return ", ".join(repr(h) for h in table.header)


# -- reading ---------------------------------------------------------------------------


class _Ambiguous:
    pass


AMBIGUOUS = _Ambiguous()


class TwoTableReader:
    """Builds one map from a factors table (optional) and a links table (optional)."""

    def __init__(self, path: Path, name: str, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.builder = MapBuilder(path, name)
        self.by_id: dict[str, str] = {}
        self.by_label: dict[str, str | _Ambiguous] = {}
        self.by_folded: dict[str, str | _Ambiguous] = {}
        self.links_only = False
        self.current: Table | None = None

    def fail(self, place: str, problem: str, table: Table | None = None) -> FormatError:
        table = table or self.current
        path = table.path if table is not None and table.path is not None else self.path
        return FormatError(path, place, problem)

    def read(self, factors: Table | None, links: Table | None) -> MapData:
        check_overrides(
            self.path,
            self.options.columns,
            [factors or Table("factors", []), links or Table("links", [])],
        )
        if factors is not None:
            self.read_factors(factors)
        else:
            self.links_only = True
        if links is not None and not (factors is not None and links.is_empty()):
            # A links table with only its header is a map without links.
            self.read_links(links)
        return self.builder.build()

    # -- factors --------------------------------------------------------------------

    def read_factors(self, table: Table) -> None:
        self.current = table
        if table.is_empty():
            raise self.fail(table.name, "the table is empty (no rows under the header)")
        cols = find_columns(table, FACTOR_COLUMNS, self.options.columns)
        if "id" not in cols and "label" not in cols:
            raise self.fail(
                table.name,
                "no factor id or label column (looked for 'id', 'key', 'label', 'name'; "
                f"found {_columns_found(table)})",
            )
        used = set(cols.values())
        extra = [(i, h) for i, h in enumerate(table.header) if i not in used]
        b = self.builder
        for n, row in table.rows:
            place = f"{table.name} row {n}"
            ref = cell_text(row[cols["id"]]) if "id" in cols else ""
            label = cell_text(row[cols["label"]]) if "label" in cols else ""
            if not ref and not label:
                raise self.fail(place, "the factor has no id and no label")
            ref = ref or label
            label = label or ref
            if ref in self.by_id:
                column = table.header[cols["id"] if "id" in cols else cols["label"]]
                raise self.fail(f"{place}, column {column!r}", f"duplicate factor id {ref!r}")
            fields: dict[str, Any] = {}
            if "type" in cols:
                fields["type"] = b.style("factor", cell_text(row[cols["type"]]) or None)
            for axis in ("x", "y"):
                if axis in cols:
                    fields[axis] = self.number(row[cols[axis]], place, table.header[cols[axis]])
            if "notes" in cols:
                fields["notes"] = cell_free_text(row[cols["notes"]])
            fields["attributes"] = attributes_of(row, extra)
            factor = b.factor(ref, label, place, **fields)
            self.remember(ref, factor.label)
            if "group" in cols:
                for group_name in split_names(cell_text(row[cols["group"]])):
                    group = b.group(group_name, group_name, place)
                    b.member(group, ref, place)

    def remember(self, ref: str, label: str) -> None:
        self.by_id[ref] = ref
        self.by_label[label] = AMBIGUOUS if label in self.by_label else ref
        folded = label.casefold()
        self.by_folded[folded] = AMBIGUOUS if folded in self.by_folded else ref

    def number(self, value: Any, place: str, column: str) -> float:
        try:
            number = cell_number(value)
        except ValueError:
            raise self.fail(
                f"{place}, column {column!r}", f"must be a number, not {cell_text(value)!r}"
            ) from None
        return 0.0 if number is None else number

    # -- links ----------------------------------------------------------------------

    def read_links(self, table: Table) -> None:
        self.current = table
        if table.is_empty():
            raise self.fail(table.name, "the table is empty (no rows under the header)")
        cols = find_columns(table, LINK_COLUMNS, self.options.columns)
        missing = [k for k in ("from", "to") if k not in cols]
        if missing:
            raise self.fail(
                table.name,
                f"no {' or '.join(repr(m) for m in missing)} column (looked for "
                f"{', '.join(repr(a) for m in missing for a in LINK_COLUMNS[m][:3])}; "
                f"found {_columns_found(table)})",
            )
        # Without a polarity column, a type column of +/- words is the polarity.
        if "polarity" not in cols and "type" in cols and "type" not in self.options.columns:
            values = [cell_text(row[cols["type"]]) for _, row in table.rows]
            words = [v for v in values if v]
            if words and all(polarity_from(v) is not None for v in words):
                cols["polarity"] = cols.pop("type")
        strengths = self.strengths(table, cols)
        used = set(cols.values())
        extra = [(i, h) for i, h in enumerate(table.header) if i not in used]
        b = self.builder
        for (n, row), weight in zip(table.rows, strengths, strict=True):
            place = f"{table.name} row {n}"
            ends = [
                self.resolve(row[cols[end]], f"{place}, column {table.header[cols[end]]!r}")
                for end in ("from", "to")
            ]
            fields: dict[str, Any] = {}
            if "polarity" in cols:
                raw = row[cols["polarity"]]
                polarity = polarity_from(raw if isinstance(raw, (int, float)) else cell_text(raw))
                if polarity is None:
                    column = table.header[cols["polarity"]]
                    raise self.fail(
                        f"{place}, column {column!r}",
                        f"unknown polarity {cell_text(raw)!r} (use +, -, ?, positive, negative)",
                    )
                fields["polarity"] = polarity
            elif weight is not None and weight < 0:
                fields["polarity"] = "-"
            if weight is not None:
                fields["strength"] = abs(weight)
            if "confidence" in cols:
                fields["confidence"] = self.level(
                    row[cols["confidence"]],
                    place,
                    table.header[cols["confidence"]],
                    CONFIDENCE_LEVELS,
                )
            if "type" in cols:
                fields["type"] = b.style("link", cell_text(row[cols["type"]]) or None)
            for key in ("rationale", "evidence", "notes"):
                if key in cols:
                    fields[key] = cell_free_text(row[cols[key]])
            fields["attributes"] = attributes_of(row, extra)
            b.link(ends[0], ends[1], place, **fields)

    def strengths(self, table: Table, cols: dict[str, int]) -> list[float | None]:
        if "strength" not in cols:
            return [None] * len(table.rows)
        column = table.header[cols["strength"]]
        values = [
            self.level(row[cols["strength"]], f"{table.name} row {n}", column, STRENGTH_LEVELS)
            for n, row in table.rows
        ]
        largest = max((abs(v) for v in values if v is not None), default=0.0)
        if largest > 1:
            self.builder.warn(
                f"{table.name}: {column!r} goes up to {largest:g}; strengths were divided by "
                f"{largest:g} to fit 0–1"
            )
            values = [None if v is None else v / largest for v in values]
        return values

    def level(self, value: Any, place: str, column: str, levels: dict[str, float]) -> float | None:
        word = cell_text(value).casefold()
        if word in levels:
            return levels[word]
        try:
            return cell_number(value)
        except ValueError:
            names = ", ".join(levels)
            raise self.fail(
                f"{place}, column {column!r}",
                f"must be a number or one of {names}, not {cell_text(value)!r}",
            ) from None

    def resolve(self, value: Any, place: str) -> str:
        text = cell_text(value)
        if not text:
            raise self.fail(place, "the factor is missing")
        if text in self.by_id:
            return text
        for table, key in ((self.by_label, text), (self.by_folded, text.casefold())):
            found = table.get(key)
            if isinstance(found, _Ambiguous):
                raise self.fail(place, f"{text!r} is the label of several factors; use ids")
            if found is not None:
                return found
        if self.links_only:
            self.builder.factor(text, text, place)
            self.remember(text, text)
            return text
        raise self.fail(place, f"{text!r} is not the id or label of a factor in the factors table")


def attributes_of(row: list[Any], extra: list[tuple[int, str]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for i, column in extra:
        if is_blank(row[i]):
            continue
        key = column[len(ATTRIBUTE_PREFIX) :] if column.startswith(ATTRIBUTE_PREFIX) else column
        result[key] = cell_value(row[i])
    return result


def split_names(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


# -- finding the tables ---------------------------------------------------------------


def _role(stem: str) -> tuple[str, str] | None:
    """('factors'|'links', prefix) when a file or sheet name ends in a table word."""
    folded = stem.casefold()
    for role, words in (("factors", FACTOR_WORDS), ("links", LINK_WORDS)):
        for word in words:
            if folded.endswith(word):
                return role, stem[: len(stem) - len(word)]
    return None


def _map_name(prefix: str, fallback: str) -> str:
    return prefix.strip(" -_.") or fallback


def _sibling(path: Path, prefix: str, words: Iterable[str]) -> Path | None:
    wanted = {f"{prefix}{word}{path.suffix}".casefold() for word in words}
    try:
        for candidate in sorted(path.parent.iterdir()):
            if candidate.name.casefold() in wanted and candidate.is_file():
                return candidate
    except OSError:
        return None
    return None


def read_csv(path: Path, options: ReadOptions) -> list[MapData]:
    """Read a CSV pair (or one table) as one map."""
    notes: list[str] = []
    role = _role(path.stem)
    factors_path: Path | None
    links_path: Path | None
    if options.nodes is not None:
        factors_path, links_path = Path(options.nodes), path
        name = _map_name(role[1] if role else path.stem, path.stem)
    elif role is not None:
        kind, prefix = role
        name = _map_name(prefix, path.stem)
        if kind == "factors":
            factors_path, links_path = path, _sibling(path, prefix, LINK_WORDS)
        else:
            factors_path, links_path = _sibling(path, prefix, FACTOR_WORDS), path
    else:
        name = path.stem
        factors_path = links_path = None
    if factors_path is None and links_path is None:
        table = read_csv_table(path, path.name, notes.append)
        columns = {_norm(h) for h in table.header} | {_norm(c) for c in options.columns.values()}
        froms = {_norm(a) for a in LINK_COLUMNS["from"]}
        if columns & froms or "from" in options.columns:
            factors, links = None, table
        else:
            factors, links = table, None
    else:
        factors = read_csv_table(factors_path, "factors", notes.append) if factors_path else None
        links = read_csv_table(links_path, "links", notes.append) if links_path else None
    reader = TwoTableReader(path, name, options)
    data = reader.read(factors, links)
    data.warnings[:0] = notes
    return [data]


def read_xlsx(path: Path, options: ReadOptions) -> list[MapData]:
    """Read a workbook of factors and links sheets: one map per pair of sheets."""
    sheets = read_workbook(path)
    pairs: dict[str, dict[str, str]] = {}
    for sheet in sheets:
        role = _role(sheet.strip())
        if role is not None:
            kind, prefix = role
            pairs.setdefault(prefix.strip(" -_.").casefold(), {})[kind] = sheet
    if not pairs:
        from ipsmap.formats import matrix

        if sheets and all(matrix.looks_like_matrix(rows) for rows in sheets.values() if rows):
            return matrix.read_xlsx(path, options)
        names = ", ".join(repr(s) for s in sheets)
        raise FormatError(
            path,
            "",
            f"no factors or links sheet (looked for Factors/Links, Elements/Connections; "
            f"found {names})",
        )
    maps: list[MapData] = []
    for prefix, found in pairs.items():
        factors = (
            make_table(path, found["factors"], sheets[found["factors"]])
            if "factors" in found
            else None
        )
        links = (
            make_table(path, found["links"], sheets[found["links"]]) if "links" in found else None
        )
        sheet_name = found.get("factors") or found["links"]
        role = _role(sheet_name.strip())
        name = _map_name(role[1] if role else "", path.stem) if prefix else path.stem
        maps.append(TwoTableReader(path, name, options).read(factors, links))
    return maps


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
    return {p.id: (p.pseudonym if p.consent else p.stakeholder_group) for p in data.participants}


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
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def replace_atomically(writes: list[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write each file to a temporary name, then move all into place."""
    temps: list[tuple[Path, Path]] = []
    try:
        for target, write in writes:
            tmp = target.with_name(f".{target.name}.writing{target.suffix}")
            temps.append((tmp, target))
            write(tmp)
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            if tmp.exists():
                tmp.unlink()


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
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
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


FORMATS = [
    MapFormat(
        name="csv",
        label="CSV factors and links tables",
        suffixes=(".csv",),
        read=read_csv,
        write=write_csv,
    ),
    MapFormat(
        name="xlsx",
        label="Excel factors and links sheets",
        suffixes=(".xlsx",),
        read=read_xlsx,
        write=write_xlsx,
    ),
]
