"""Every format ipsmap reads or writes: the interchange formats, then the evaluator exports.

The window and the command line import the registry from here, so every format is
registered before a file is detected or a format listed. The evaluator workbook takes over
the csv and xlsx names of the interchange tables (same readers, more tables written).
"""

from __future__ import annotations

import ipsmap.formats.interchange  # noqa: F401  (registers the interchange formats first)
from ipsmap.export import bundle, html_map, images, pdf_report, qdc, workbook
from ipsmap.formats.registry import (
    FORMATS,
    MapFormat,
    ReadOptions,
    detect_format,
    format_for_path,
    get_format,
    read_maps,
    readable_formats,
    register,
    writable_formats,
    write_map,
)

register(*workbook.FORMATS, replacing=True)
for _module in (html_map, pdf_report, qdc, images, bundle):
    register(*_module.FORMATS)

__all__ = [
    "FORMATS",
    "MapFormat",
    "ReadOptions",
    "detect_format",
    "format_for_path",
    "get_format",
    "read_maps",
    "readable_formats",
    "writable_formats",
    "write_map",
]
