"""Is a project file's schema exactly ipsmap's, for its version? Checked before any use.

A file can look like a project (our application id, a known version) and still carry a
schema of its own making: a ``maps`` table swapped for a recursive view (every query
hangs), a trigger that quietly rewrites imported labels, an extra table. Such a file is
refused before ipsmap runs a single statement on its tables.

The expected schema of version N is built from the migration code itself, by running
migrations 1..N in memory, so it can never drift from what ipsmap really creates. It is
compared structurally (columns, foreign keys, indexes, through SQLite's pragmas) rather than
as DDL text, so that a file made by an older sqlite-utils that spelt the same table
differently still opens; triggers, whose bodies are code, are compared as text (spaces
aside). Views are never expected.

Older files are checked against *their* version's schema before migrating: the migration
then runs only over a schema we know, so a planted trigger can never fire inside our
migration, and a refused file is not even backed up, let alone changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache

from ipsmap.model.schema import MIGRATIONS
from ipsmap.model.sqlite import sqlite_utils

# SQLite's own indexes for PRIMARY KEY and UNIQUE constraints.
_AUTOMATIC = "sqlite_autoindex_"


@dataclass(frozen=True)
class TableShape:
    columns: tuple[tuple, ...]
    foreign_keys: tuple[tuple, ...]
    virtual: bool


@dataclass(frozen=True)
class Schema:
    # name -> type ("table", "index", "trigger", "view")
    objects: dict[str, str]
    tables: dict[str, TableShape]
    # index name -> (table, unique, origin, partial, columns)
    indexes: dict[str, tuple]
    # trigger name -> (table, SQL with spaces normalised)
    triggers: dict[str, tuple[str, str]]


def read_schema(conn: sqlite3.Connection) -> Schema:
    """The schema of the database behind ``conn`` (reads the catalogue only, no table)."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    objects = {name: kind for kind, name, _, _ in rows}
    tables: dict[str, TableShape] = {}
    indexes: dict[str, tuple] = {}
    triggers: dict[str, tuple[str, str]] = {}
    for kind, name, table, sql in rows:
        if kind == "trigger":
            triggers[name] = (table, _normalise(sql))
        if kind != "table":
            continue
        virtual = (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
        if virtual:
            # Its columns would come from a module's code: its presence is the finding.
            tables[name] = TableShape((), (), True)
            continue
        columns = tuple(
            tuple(row[1:]) for row in conn.execute("SELECT * FROM pragma_table_xinfo(?)", [name])
        )
        foreign_keys = tuple(
            tuple(row) for row in conn.execute("SELECT * FROM pragma_foreign_key_list(?)", [name])
        )
        tables[name] = TableShape(columns, foreign_keys, False)
        for _, index, unique, origin, partial in conn.execute(
            "SELECT * FROM pragma_index_list(?)", [name]
        ):
            keys = tuple(
                tuple(row[2:])
                for row in conn.execute("SELECT * FROM pragma_index_xinfo(?)", [index])
            )
            indexes[index] = (name, unique, origin, partial, keys)
    return Schema(objects, tables, indexes, triggers)


@cache
def expected_schema(version: int) -> Schema:
    """The schema ipsmap's migrations give a file of ``version`` (built in memory)."""
    conn = sqlite3.connect(":memory:")
    try:
        db = sqlite_utils.Database(conn)
        for step in range(1, version + 1):
            with db.atomic():
                MIGRATIONS[step](db)
        return read_schema(conn)
    finally:
        conn.close()


def schema_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """What in the file behind ``conn`` differs from ipsmap's schema ``version`` (in words)."""
    actual, expected = read_schema(conn), expected_schema(version)
    problems: list[str] = []
    for name, kind in actual.objects.items():
        wanted = expected.objects.get(name)
        if wanted is None and name.startswith(_AUTOMATIC):
            continue  # follows from a table's definition: told about with the indexes
        if wanted is None and kind == "trigger":
            problems.append(f"an unexpected trigger {name!r} on {actual.triggers[name][0]!r}")
        elif wanted is None:
            problems.append(f"an unexpected {kind} {name!r}")
        elif wanted != kind:
            problems.append(f"{name!r} is a {kind} where ipsmap has a {wanted}")
    for name, kind in expected.objects.items():
        if name not in actual.objects and not name.startswith(_AUTOMATIC):
            problems.append(f"the {kind} {name!r} is missing")
    for name, shape in actual.tables.items():
        want = expected.tables.get(name)
        if want is None or expected.objects.get(name) != "table":
            continue
        if shape.virtual:
            problems.append(f"the table {name!r} is a virtual table")
            continue
        have_cols = {c[0]: c for c in shape.columns}
        want_cols = {c[0]: c for c in want.columns}
        extra = [c for c in have_cols if c not in want_cols]
        missing = [c for c in want_cols if c not in have_cols]
        for column in extra:
            problems.append(f"the table {name!r} has an unexpected column {column!r}")
        for column in missing:
            problems.append(f"the table {name!r} lacks the column {column!r}")
        if not extra and not missing and shape.columns != want.columns:
            problems.append(f"the columns of the table {name!r} are not defined as ipsmap's")
        if shape.foreign_keys != want.foreign_keys:
            problems.append(f"the references of the table {name!r} are not ipsmap's")
    for name, index in actual.indexes.items():
        want_index = expected.indexes.get(name)
        if want_index is None:
            if name.startswith(_AUTOMATIC) and index[0] in expected.tables:
                problems.append(f"an unexpected constraint on the table {index[0]!r}")
        elif index != want_index:
            problems.append(f"the index {name!r} is not defined as ipsmap's")
    for name, trigger in actual.triggers.items():
        want_trigger = expected.triggers.get(name)
        if want_trigger is not None and trigger != want_trigger:
            problems.append(f"the trigger {name!r} does not do what ipsmap's does")
    return problems


def _normalise(sql: str | None) -> str:
    return " ".join((sql or "").split()).rstrip(";").strip()
