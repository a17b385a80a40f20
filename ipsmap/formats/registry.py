"""Which format a file is in, and the readers and writers for each format.

Each format module exposes ``FORMATS``: a list of MapFormat. The registry gathers them from
the modules named in FORMAT_MODULES, so adding a format is adding a module and its name.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any, cast

from ipsmap.formats.base import MapFormat, ReadOptions
from ipsmap.formats.errors import FormatError
from ipsmap.model.mapdata import MapData

__all__ = ["FORMATS", "MapFormat", "ReadOptions", "read_maps", "write_map"]


# Order matters for detection: specific formats before general ones.
FORMAT_MODULES = (
    "ipsmap_json",
    "prsm",
    "kumu",
    "mentalmodeler",
    "loopy",
    "graph_formats",
    "dot",
    "vensim",
    "matrix",
    "tables",
    # Evaluator outputs that are written like a format (write-only).
    "ipsmap.export.html_map",
    "ipsmap.export.pdf_report",
    # Replace the csv and xlsx writers of "tables" (same readers): the evaluator workbook.
    "ipsmap.export.workbook",
    "ipsmap.export.qdc",
    "ipsmap.export.images",
    "ipsmap.export.bundle",
)


def _load() -> dict[str, MapFormat]:
    formats: dict[str, MapFormat] = {}
    for module_name in FORMAT_MODULES:
        full_name = module_name if "." in module_name else f"ipsmap.formats.{module_name}"
        try:
            module = importlib.import_module(full_name)
        except ModuleNotFoundError as exc:
            if exc.name != full_name:
                raise
            continue
        for fmt in getattr(module, "FORMATS", ()):
            formats[fmt.name] = fmt
    return formats


FORMATS: dict[str, MapFormat] = _load()


def readable_formats() -> list[str]:
    return [name for name, f in FORMATS.items() if f.read is not None]


def writable_formats() -> list[str]:
    return [name for name, f in FORMATS.items() if f.write is not None]


def get_format(name: str) -> MapFormat:
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise FormatError(None, "", f"unknown format {name!r} (known: {known})") from None


def detect_format(path: Path) -> MapFormat:
    """Pick the reader for a file from its content, then its suffix."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except OSError as exc:
        raise FormatError(path, "", f"cannot read the file ({exc.strerror})") from exc
    candidates = [f for f in FORMATS.values() if f.read is not None]
    for fmt in candidates:
        if fmt.sniff(head):
            return fmt
    name = path.name.lower()
    for fmt in candidates:
        if any(name.endswith(suffix) for suffix in fmt.suffixes):
            return fmt
    raise FormatError(path, "", "this is not a map file ipsmap can read")


def read_maps(
    path: str | Path, format_name: str | None = None, options: ReadOptions | None = None
) -> list[MapData]:
    """Read every map in a file, validated; raise FormatError on any problem."""
    path = Path(path)
    if path.is_dir():
        raise FormatError(path, "", "this is a folder, not a map file")
    fmt = get_format(format_name) if format_name else detect_format(path)
    if fmt.read is None:
        raise FormatError(path, "", f"ipsmap cannot read {fmt.label} files")
    if not path.exists():
        raise FormatError(path, "", "no such file")
    return fmt.read(path, options or ReadOptions())


def format_for_path(path: Path) -> MapFormat | None:
    """The writable format a file name implies (None if it implies none)."""
    name = path.name.lower()
    for fmt in FORMATS.values():
        if fmt.write is not None and any(name.endswith(s) for s in fmt.suffixes):
            return fmt
    return None


def write_map(
    data: MapData,
    path: str | Path,
    format_name: str | None = None,
    anonymise: bool = False,
    context: Any = None,
) -> MapFormat:
    """Write one map in a format named, or implied by the suffix of ``path``.

    People are written as :func:`ipsmap.model.privacy.for_export` allows (pseudonyms, or
    group labels only for those without consent, or for everyone when ``anonymise``).
    ``context`` (an ``ipsmap.export.context.ExportContext``) goes to the writers that
    take one (the evaluator exports); the others ignore it.
    """
    from ipsmap.model.privacy import for_export

    path = Path(path)
    if format_name is None:
        fmt = format_for_path(path)
        if fmt is None:
            raise FormatError(path, "", "cannot tell the format from the file name; give --format")
    else:
        fmt = get_format(format_name)
    if fmt.write is None:
        raise FormatError(path, "", f"ipsmap cannot write {fmt.label} files")
    if context is not None:
        anonymise = anonymise or context.anonymise
    data = for_export(data, anonymise)
    if context is not None:
        # The project's current records decide how people are named, also in a snapshot
        # taken before someone withdrew consent.
        from ipsmap.export.context import with_public_names

        data = with_public_names(data, context)
    if context is not None and "context" in inspect.signature(fmt.write).parameters:
        cast(Any, fmt.write)(data, path, context=context)
    else:
        fmt.write(data, path)
    return fmt
