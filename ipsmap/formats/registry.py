"""Which format a file is in, and the readers and writers for each format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ipsmap.formats import ipsmap_json
from ipsmap.formats.errors import FormatError
from ipsmap.model.mapdata import MapData


@dataclass(frozen=True)
class MapFormat:
    """One interchange format: its name on the command line, suffixes, reader, writer."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    read: Callable[[Path], list[MapData]] | None
    write: Callable[[MapData, Path], None] | None
    # Recognises the format from the first bytes, for suffixes several formats share.
    sniff: Callable[[bytes], bool]


def _read_one(reader: Callable[[Path], MapData]) -> Callable[[Path], list[MapData]]:
    return lambda path: [reader(path)]


FORMATS: dict[str, MapFormat] = {
    "json": MapFormat(
        name="json",
        label="ipsmap map (JSON)",
        suffixes=ipsmap_json.SUFFIXES,
        read=_read_one(ipsmap_json.read),
        write=ipsmap_json.write,
        sniff=lambda head: b'"ipsmap-map"' in head,
    ),
}


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
            head = handle.read(4096)
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


def read_maps(path: str | Path, format_name: str | None = None) -> list[MapData]:
    """Read every map in a file, validated; raise FormatError on any problem."""
    path = Path(path)
    if path.is_dir():
        raise FormatError(path, "", "this is a folder, not a map file")
    fmt = get_format(format_name) if format_name else detect_format(path)
    if fmt.read is None:
        raise FormatError(path, "", f"ipsmap cannot read {fmt.label} files")
    return fmt.read(path)


def write_map(data: MapData, path: str | Path, format_name: str | None = None) -> MapFormat:
    """Write one map in a format named, or implied by the suffix of ``path``."""
    path = Path(path)
    if format_name is None:
        matches = [
            f for f in FORMATS.values() if f.write and path.name.lower().endswith(f.suffixes)
        ]
        if not matches:
            raise FormatError(path, "", "cannot tell the format from the file name; give --format")
        fmt = matches[0]
    else:
        fmt = get_format(format_name)
    if fmt.write is None:
        raise FormatError(path, "", f"ipsmap cannot write {fmt.label} files")
    fmt.write(data, path)
    return fmt
