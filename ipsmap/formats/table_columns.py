"""Which table columns mean which factor and link fields, and finding them in a table."""

from __future__ import annotations

from pathlib import Path

from ipsmap.formats.errors import FormatError
from ipsmap.formats.table_cells import Table, _norm

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

_KNOWN_NAMES = {
    _norm(a) for table in (FACTOR_COLUMNS, LINK_COLUMNS) for v in table.values() for a in v
}


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
