"""The sketch section of a Vensim ``.mdl`` file: where variables are drawn, and the signs
on the arrows between them.

``10,id,name,x,y,…`` places a variable; ``1,id,from,to,shape,hid,polarity,…`` draws an
arrow whose polarity field is a character code (``+``/``S``/``P`` same, ``-``/``O``/``N``
opposite, ``?``). Element ids are per view (``*View 1``), so they are kept with the view.
"""

from __future__ import annotations

import re
from pathlib import Path

from ipsmap.formats.errors import FormatError
from ipsmap.formats.graph_formats import number
from ipsmap.formats.vensim_equations import normal

__all__ = ["POLARITY", "SKETCH_MARKER", "read_sketch", "split_sketch"]

SKETCH_MARKER = "\\\\\\---///"
# Vensim writes three backslashes; some hand-edited files carry two.
_SKETCH_START = re.compile(r"^[ \t]*\\{2,3}---///", re.MULTILINE)
POLARITY = {"+": "+", "S": "+", "P": "+", "-": "-", "O": "-", "N": "-", "?": "?"}


def split_sketch(text: str) -> tuple[str, str, int]:
    """The equations part, the sketch part ("" if none), and the line the sketch starts on."""
    found = _SKETCH_START.search(text)
    if found is None:
        return text, "", 0
    head = text[: found.start()]
    return head, text[found.end() :], head.count("\n") + 1


def _split_outside_quotes(text: str, separators: str) -> list[tuple[int, str]]:
    """Pieces of ``text`` between separators outside double quotes, with start offsets."""
    pieces: list[tuple[int, str]] = []
    start, quoted, i = 0, False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quoted:
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in separators and not quoted:
            pieces.append((start, text[start:i]))
            start = i + 1
        i += 1
    pieces.append((start, text[start:]))
    return pieces


def _fields(line: str) -> list[str]:
    return [piece for _, piece in _split_outside_quotes(line, ",")]


def read_sketch(
    sketch: str, path: Path | None, first_line: int
) -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], str]]:
    """Positions of variables and polarity marks of arrows between them, by variable."""
    elements: dict[str, str] = {}
    positions: dict[str, tuple[float, float]] = {}
    raw_arrows: list[tuple[str, str, str]] = []
    view = 0
    for number_in_sketch, line in enumerate(sketch.split("\n")):
        if line.startswith("*"):
            view += 1
        fields = _fields(line)
        if len(fields) < 5:
            continue
        kind = fields[0]
        if kind == "10":
            x, y = number(fields[3]), number(fields[4])
            key = normal(fields[2])
            elements[f"{view}:{fields[1]}"] = key
            if x is None or y is None:
                raise FormatError(
                    path,
                    f"line {first_line + number_in_sketch}",
                    "a variable's x, y is not numeric",
                )
            positions.setdefault(key, (x, y))
        elif kind == "1" and len(fields) > 6:
            code = number(fields[6])
            mark = chr(int(code) % 256) if code else ""
            raw_arrows.append((f"{view}:{fields[2]}", f"{view}:{fields[3]}", mark))
    arrows: dict[tuple[str, str], str] = {}
    for source, target, mark in raw_arrows:
        if source in elements and target in elements and mark in POLARITY:
            arrows.setdefault((elements[source], elements[target]), mark)
    return positions, arrows
