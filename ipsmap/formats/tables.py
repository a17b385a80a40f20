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

from ipsmap.formats.base import MapFormat
from ipsmap.formats.errors import ExportWarning
from ipsmap.formats.table_cells import (
    Table,
    cell_free_text,
    cell_number,
    cell_text,
    cell_value,
    csv_rows,
    decode_text,
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
    OVERRIDE_KEYS,
    check_overrides,
    find_columns,
)
from ipsmap.formats.tables_reader import (
    AMBIGUOUS,
    TwoTableReader,
    attributes_of,
    read_csv,
    read_xlsx,
    split_names,
)
from ipsmap.formats.tables_writer import (
    FACTOR_HEADER,
    LINK_HEADER,
    csv_pair_paths,
    csv_text,
    pseudonyms,
    replace_atomically,
    style_names,
    table_rows,
    write_csv,
    write_sheets,
    write_xlsx,
)

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

__all__ = [
    "AMBIGUOUS",
    "ATTRIBUTE_PREFIX",
    "FACTOR_COLUMNS",
    "FACTOR_HEADER",
    "FACTOR_WORDS",
    "FORMATS",
    "LINK_COLUMNS",
    "LINK_HEADER",
    "LINK_WORDS",
    "OVERRIDE_KEYS",
    "ExportWarning",
    "Table",
    "TwoTableReader",
    "attributes_of",
    "cell_free_text",
    "cell_number",
    "cell_text",
    "cell_value",
    "check_overrides",
    "csv_pair_paths",
    "csv_rows",
    "csv_text",
    "decode_text",
    "find_columns",
    "is_blank",
    "make_table",
    "pseudonyms",
    "read_csv",
    "read_csv_table",
    "read_workbook",
    "read_xlsx",
    "replace_atomically",
    "split_names",
    "style_names",
    "table_rows",
    "write_csv",
    "write_sheets",
    "write_xlsx",
]
