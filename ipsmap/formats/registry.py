"""The format registry: which format a file is in, and its reader and writer.

The registry holds formats; it imports none. ``ipsmap.formats.interchange`` registers the
interchange formats, ``ipsmap.export.all_formats`` the evaluator exports on top of them:
code that reads or writes any format imports that module (formats never import export).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

from ipsmap.formats import boundary
from ipsmap.formats.base import MapFormat, ReadOptions, WriteContext
from ipsmap.formats.errors import ExportWarning, FormatError, WriteError
from ipsmap.formats.target_files import check_target, os_error_problem
from ipsmap.model.file_kind import not_a_file_reason, read_head
from ipsmap.model.mapdata import MapData

__all__ = [
    "FORMATS",
    "DuplicateFormatError",
    "MapFormat",
    "ReadOptions",
    "read_maps",
    "register",
    "write_map",
]


class DuplicateFormatError(ValueError):
    """Two formats registered under one name (a programming error, raised at import)."""


# In registration order, which is the order of detection: specific formats first.
FORMATS: dict[str, MapFormat] = {}


def register(*formats: MapFormat, replacing: bool = False) -> None:
    """Add formats; a name already taken is an error unless ``replacing`` says so.

    ``replacing`` is for a format that knowingly takes over another's name (the evaluator
    workbook writes csv and xlsx with more tables); it keeps its place in detection order.
    """
    names = [fmt.name for fmt in formats]
    for name in names:
        taken = name in FORMATS
        if (taken and not replacing) or names.count(name) > 1:
            raise DuplicateFormatError(f"a format named {name!r} is registered already")
        if replacing and not taken:
            raise DuplicateFormatError(f"there is no format {name!r} to replace")
    # Checked first, so a refused registration adds none of its formats.
    for fmt in formats:
        FORMATS[fmt.name] = fmt


def _formats() -> dict[str, MapFormat]:
    # An empty registry means nothing imported the modules that fill it: say so, rather
    # than call every file unreadable.
    if not FORMATS:
        raise RuntimeError(
            "no formats are registered: import ipsmap.export.all_formats "
            "(or ipsmap.formats.interchange for the interchange formats only)"
        )
    return FORMATS


def readable_formats() -> list[str]:
    return [name for name, f in _formats().items() if f.read is not None]


def writable_formats() -> list[str]:
    return [name for name, f in _formats().items() if f.write is not None]


def get_format(name: str) -> MapFormat:
    try:
        return _formats()[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise FormatError(None, "", f"unknown format {name!r} (known: {known})") from None


def detect_format(path: Path) -> MapFormat:
    """Pick the reader for a file from its content, then its suffix."""
    try:
        head = read_head(path, 8192)
    except FileNotFoundError:
        raise FormatError(path, "", "no such file") from None
    except OSError as exc:
        raise FormatError(path, "", f"cannot read the file ({exc.strerror})") from exc
    candidates = [f for f in _formats().values() if f.read is not None]
    for fmt in candidates:
        if fmt.sniff(head):
            return fmt
    name = path.name.lower()
    for fmt in candidates:
        if any(name.endswith(suffix) for suffix in fmt.suffixes):
            return fmt
    raise FormatError(path, "", not_a_map_message(candidates))


def not_a_map_message(formats: list[MapFormat] | None = None) -> str:
    """What to tell someone who chose a file ipsmap cannot read, naming what it can read."""
    if formats is None:
        formats = [f for f in _formats().values() if f.read is not None]
    names = "; ".join(f"{f.label} {', '.join(f.suffixes)}" for f in formats)
    return f"this is not a map file ipsmap can read. It reads: {names}"


def read_maps(
    path: str | Path, format_name: str | None = None, options: ReadOptions | None = None
) -> list[MapData]:
    """Read every map in a file, validated; raise FormatError on any problem."""
    path = Path(path)
    options = options or ReadOptions()
    # Looked at before anything opens them: reading a named pipe would wait forever.
    for given in (path, options.nodes):
        if given is not None and (reason := not_a_file_reason(given, "a map file")):
            raise FormatError(Path(given), "", reason)
    fmt = get_format(format_name) if format_name else detect_format(path)
    if fmt.read is None:
        raise FormatError(path, "", f"ipsmap cannot read {fmt.label} files")
    if not path.exists():
        raise FormatError(path, "", "no such file")
    with boundary.limits_in_force(options.limits):
        boundary.check_file_size(path)
        maps = guarded_read(fmt, path, options)
        # Every reader checks its map's values (MapBuilder.build, the JSON reader; the
        # boundary tests hold each to it); the counts are checked again here, over all maps.
        limits = boundary.active_limits()
        if sum(len(d.factors) for d in maps) > limits.max_factors:
            raise boundary.count_error(path, "factors", limits.max_factors, "--max-factors")
        if sum(len(d.links) for d in maps) > limits.max_links:
            raise boundary.count_error(path, "links", limits.max_links, "--max-links")
    return maps


def guarded_read(fmt: MapFormat, path: Path, options: ReadOptions) -> list[MapData]:
    """``fmt.read``, with any failure turned into a FormatError naming the file.

    Readers raise FormatError for every problem they know of; this is the last resort for
    the ones they do not (a library's own exception, a bug), so the user still gets one line
    naming the file instead of a traceback. The fuzz tests call the readers directly, so a
    reader's own escape still fails them.
    """
    assert fmt.read is not None
    try:
        return fmt.read(path, options)
    except FormatError:
        raise
    except MemoryError:
        raise FormatError(path, "", "the file is too large to read") from None
    except RecursionError:
        raise FormatError(path, "", "the file is nested too deeply to read") from None
    except Exception as exc:  # the last resort: see the docstring
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise FormatError(path, "", f"cannot be read as a {fmt.label} file ({detail})") from exc


def format_for_path(path: Path) -> MapFormat | None:
    """The writable format a file name implies (None if it implies none)."""
    name = path.name.lower()
    for fmt in _formats().values():
        if fmt.write is not None and any(name.endswith(s) for s in fmt.suffixes):
            return fmt
    return None


def _export_warning(message: str) -> None:
    warnings.warn(message, ExportWarning, stacklevel=3)


def write_map(
    data: MapData,
    path: str | Path,
    format_name: str | None = None,
    anonymise: bool = False,
    context: WriteContext | None = None,
    renderer: Callable[[MapData, str], bytes] | None = None,
) -> MapFormat:
    """Write one map in a format named, or implied by the suffix of ``path``.

    People are written as :func:`ipsmap.model.privacy.for_export` allows (pseudonyms, or
    group labels only for those without consent, or for everyone when ``anonymise``).
    ``context`` (an ``ipsmap.export.context.ExportContext``) goes to the writers declared
    to take one (the evaluator exports); ``renderer`` to those that draw the canvas.
    """
    from ipsmap.model.colors import with_checked_looks
    from ipsmap.model.privacy import for_export
    from ipsmap.model.safe_text import clean_values

    path = Path(path)
    if format_name is None:
        fmt = format_for_path(path)
        if fmt is None:
            raise FormatError(path, "", "cannot tell the format from the file name; give --format")
    else:
        fmt = get_format(format_name)
    if fmt.write is None:
        raise FormatError(path, "", f"ipsmap cannot write {fmt.label} files")
    if fmt.needs_renderer and renderer is None:
        raise FormatError(path, "", f"{fmt.label} files are drawn by the map window's canvas")
    if context is not None:
        anonymise = anonymise or context.anonymise
    data = for_export(data, anonymise)
    if context is not None:
        # The project's current records decide how people are named, also in a snapshot
        # taken before someone withdrew consent.
        data = context.name_people(data)
        # Control characters reach no file (XML cannot hold them, CSV readers choke).
        context = clean_values(context)
    data = clean_values(data)
    # Every colour and shape written is checked here, whatever the project holds (styles
    # imported before this check existed included).
    data = with_checked_looks(data, _export_warning)
    keywords: dict[str, object] = {}
    if context is not None and fmt.takes_context:
        keywords["context"] = context
    if fmt.needs_renderer:
        keywords["renderer"] = renderer
    check_target(path)
    try:
        fmt.write(data, path, **keywords)
    except OSError as exc:
        # Writers put files down through target_files, which says this in one line; this
        # is for whatever a library wrote by itself (the message is the same).
        raise WriteError(path, os_error_problem(exc)) from exc
    return fmt
