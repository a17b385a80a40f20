"""PRSM (Participatory System Mapper) .prsm files: read and write.

A .prsm file is JSON, either plain or compressed with lz-string ``compressToUTF16`` and
saved as UTF-8 (possibly with a BOM). See /work/shared/data/prsm/FORMAT.md for the layout.

Mapping:

* nodes → factors (label, x, y, note → notes, attNN → attributes by their titles);
* the PRSM factor style (``grp``, or a numeric ``group`` in old files) → factor type named
  by the style's legend name (``groupLabel``), with its colours and shape;
* edges → links; the link style → link style by legend name. PRSM has no polarity: it is
  inferred from the style name ("+ve", "Negative influence", a trailing "(-)" that our
  writer adds …), else from a "+"/"-" link label or a Polarity/Sign attribute, else "+";
* a width above 1 → a strong link; the link label → the link attribute "Label";
* a factor attribute titled "Group" → group membership (names separated by " | "); this is
  also how the writer saves groups, as PRSM has none.

Drawing layer, history, votes and per-factor appearance are not imported; the reader warns.
"""

from __future__ import annotations

from pathlib import Path

from ipsmap.formats.base import MapFormat, ReadOptions
from ipsmap.formats.prsm_common import DEFAULT_STYLE_NAME as DEFAULT_STYLE_NAME
from ipsmap.formats.prsm_common import GROUP_ATTRIBUTE as GROUP_ATTRIBUTE
from ipsmap.formats.prsm_common import GROUP_SEPARATOR as GROUP_SEPARATOR
from ipsmap.formats.prsm_common import LABEL_ATTRIBUTE as LABEL_ATTRIBUTE
from ipsmap.formats.prsm_common import STYLE_SLOTS as STYLE_SLOTS
from ipsmap.formats.prsm_common import css_colour as css_colour
from ipsmap.formats.prsm_common import delta_text as delta_text
from ipsmap.formats.prsm_common import style_polarity as style_polarity
from ipsmap.formats.prsm_common import unwrap_label as unwrap_label
from ipsmap.formats.prsm_common import wrap_label as wrap_label
from ipsmap.formats.prsm_reader import decode_text, loads, read
from ipsmap.formats.prsm_writer import WRITE_VERSION as WRITE_VERSION
from ipsmap.formats.prsm_writer import dumps, to_dict, write
from ipsmap.model.mapdata import MapData

SUFFIXES = (".prsm",)


# -- detection -----------------------------------------------------------------------------

_PRSM_KEYS = (b'"mapTitle"', b'"lastNodeSample"', b'"lastLinkSample"')


def sniff(head: bytes) -> bool:
    """True for the first bytes of a .prsm file, plain or compressed."""
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    stripped = body.lstrip()
    if stripped.startswith(b"{"):
        if b'"ipsmap-map"' in body:
            return False
        return any(key in body for key in _PRSM_KEYS) and b'"nodes"' in body
    # Compressed JSON: the first 15-bit character encodes "literal 8-bit '{'" in its top
    # ten bits, so it is one of U+1BE0…U+1BFF (UTF-8 E1 AF A0…E1 AF BF).
    return len(body) >= 3 and body[0] == 0xE1 and body[1] == 0xAF and 0xA0 <= body[2] <= 0xBF


def _read_all(path: Path, options: ReadOptions) -> list[MapData]:
    return read(path, options)


def _write(data: MapData, path: Path) -> None:
    write(data, path)


FORMATS = [
    MapFormat(
        name="prsm",
        label="PRSM map",
        suffixes=SUFFIXES,
        read=_read_all,
        write=_write,
        sniff=sniff,
    )
]


__all__ = [
    "FORMATS",
    "decode_text",
    "dumps",
    "loads",
    "read",
    "sniff",
    "to_dict",
    "write",
]
