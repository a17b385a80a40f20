"""PNG and SVG pictures of a map (formats ``png`` and ``svg``).

The drawing is the canvas's own (Qt), so it lives in ``ipsmap.ui.canvas.image_export``; this
module only declares the formats and imports Qt when a picture is written, so loading
the format registry (and the command line) never loads Qt.
"""

from __future__ import annotations

import os
from typing import Any

from ipsmap.formats.base import MapFormat
from ipsmap.model.mapdata import MapData


def write_png(data: MapData, path: str | os.PathLike[str], context: Any = None) -> None:
    """The map (or a saved view's submap) as a PNG, two pixels per map unit, with its key."""
    from ipsmap.export.context import with_public_names
    from ipsmap.ui.canvas.image_export import write_png as write

    write(with_public_names(data, context), path)


def write_svg(data: MapData, path: str | os.PathLike[str], context: Any = None) -> None:
    """The map (or a saved view's submap) as an SVG with its key."""
    from ipsmap.export.context import with_public_names
    from ipsmap.ui.canvas.image_export import write_svg as write

    write(with_public_names(data, context), path)


FORMATS = [
    MapFormat(name="png", label="PNG image", suffixes=(".png",), read=None, write=write_png),
    MapFormat(name="svg", label="SVG image", suffixes=(".svg",), read=None, write=write_svg),
]
