"""Reading two tables of factors and links (a CSV pair or an Excel workbook) into maps.

See ``ipsmap.formats.tables`` for how the tables are found and read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ipsmap.formats.base import ReadOptions
from ipsmap.formats.builder import MapBuilder, polarity_from
from ipsmap.formats.errors import FormatError
from ipsmap.formats.table_cells import (
    Table,
    _norm,
    cell_free_text,
    cell_number,
    cell_text,
    cell_value,
    is_blank,
    make_table,
    read_csv_table,
    read_workbook,
)
from ipsmap.formats.table_columns import (
    ATTRIBUTE_PREFIX,
    FACTOR_COLUMNS,
    FACTOR_WORDS,
    LINK_COLUMNS,
    LINK_WORDS,
    _columns_found,
    check_overrides,
    find_columns,
)
from ipsmap.model.entities import CONFIDENCE_LEVELS, STRENGTH_LEVELS
from ipsmap.model.mapdata import MapData

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
