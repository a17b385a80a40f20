"""PNG and SVG pictures of a map (formats ``png`` and ``svg``).

The drawing is the canvas's own (Qt, in ``ipsmap.ui.canvas.image_export``), and export
imports no ui: the window or the command line passes that drawing in as a ``renderer``
(``write_map(..., renderer=...)``), and this module writes what it returns, naming people
as exports may.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ipsmap.export.context import ExportContext, with_public_names
from ipsmap.export.files import write_bytes_atomically
from ipsmap.formats.base import MapFormat
from ipsmap.model.mapdata import MapData

# Draws a map: (data, "png" | "svg") → the picture file's bytes.
Renderer = Callable[[MapData, str], bytes]


def write_png(
    data: MapData,
    path: str | os.PathLike[str],
    context: ExportContext | None = None,
    *,
    renderer: Renderer,
) -> None:
    """The map (or a saved view's submap) as a PNG, two pixels per map unit, with its key."""
    write_bytes_atomically(Path(path), renderer(with_public_names(data, context), "png"))


def write_svg(
    data: MapData,
    path: str | os.PathLike[str],
    context: ExportContext | None = None,
    *,
    renderer: Renderer,
) -> None:
    """The map (or a saved view's submap) as an SVG with its key."""
    write_bytes_atomically(Path(path), renderer(with_public_names(data, context), "svg"))


FORMATS = [
    MapFormat(
        name=name,
        label=label,
        suffixes=(f".{name}",),
        read=None,
        write=write,
        takes_context=True,
        needs_renderer=True,
    )
    for name, label, write in (("png", "PNG image", write_png), ("svg", "SVG image", write_svg))
]
