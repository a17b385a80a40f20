"""Registers every interchange format (read and/or write) with the format registry.

Import this for the interchange formats alone; ``ipsmap.export.all_formats`` adds the
evaluator exports. The order is the order of detection: specific formats before general
ones (several share suffixes such as .json, .xml and .csv).
"""

from __future__ import annotations

from ipsmap.formats import (
    dot,
    graph_formats,
    ipsmap_json,
    kumu,
    loopy,
    matrix,
    mentalmodeler,
    prsm,
    tables,
    vensim,
)
from ipsmap.formats.registry import register

for _module in (
    ipsmap_json,
    prsm,
    kumu,
    mentalmodeler,
    loopy,
    graph_formats,
    dot,
    vensim,
    matrix,
    tables,
):
    register(*_module.FORMATS)
