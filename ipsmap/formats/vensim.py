"""Vensim ``.mdl`` models read as causal loop diagrams (read only).

Each variable defined by an equation is a factor (underscores read as spaces, as Vensim
does; units and comment kept). Each variable an equation uses — the arguments of
``A FUNCTION OF(…)`` or any known variable name in an ordinary equation — gives a link from
it to the variable defined. The sketch section supplies positions (``10,`` variable lines)
and polarities (``1,`` arrow lines whose polarity field is ``+``/``S`` or ``-``/``O``);
a link with no marked arrow is ``?``. Subscripts, macros and the simulation control
variables (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER) are not part of the diagram.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions, read_bytes
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import FormatError
from ipsmap.formats.graph_formats import number
from ipsmap.model.mapdata import MapData

__all__ = ["FORMATS", "loads", "read"]

SKETCH_MARKER = "\\\\\\---///"
CONTROL = {"initial time", "final time", "time step", "saveper", "time"}
_POLARITY = {"+": "+", "S": "+", "P": "+", "-": "-", "O": "-", "N": "-", "?": "?"}
# A name: anything up to an operator, bracket, separator or quote; never starts with a digit.
_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|[^\s\d+\-*/^(),=<>\[\]:;"!{}|~\\][^+\-*/^(),=<>\[\]:;"!{}|~\\]*'
)
_FUNCTION_OF = re.compile(r"^\s*A\s+FUNCTION\s+OF\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


def normal(name: str) -> str:
    """A variable's name as Vensim compares them: no quotes, _ as space, any case."""
    return " ".join(display(name).split()).casefold()


def display(name: str) -> str:
    text = name.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    return " ".join(text.replace("_", " ").split())


def read(path: str | Path) -> MapData:
    path = Path(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return loads(text, path)


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


def _strip_comments(text: str) -> str:
    """Drop ``{…}`` comments outside quoted names."""
    out, depth, quoted = [], 0, False
    for ch in text:
        if ch == '"' and depth == 0:
            quoted = not quoted
        if not quoted and ch == "{":
            depth += 1
            continue
        if not quoted and ch == "}" and depth:
            depth -= 1
            continue
        if depth == 0 or ch in "\n\v":
            out.append(ch)
    return "".join(out)


def loads(text: str, path: Path | None = None) -> MapData:
    """A causal loop diagram from the text of a ``.mdl`` file (``path`` names errors)."""
    if not text.strip():
        raise FormatError(path, "", "the file is empty")
    head, marker, sketch = text.partition(SKETCH_MARKER)
    # Joined lines keep a vertical tab (whitespace to names) so line numbers stay right.
    body = re.sub(r"\\[ \t]*\r?\n", "\v", head)
    body = re.sub(r"^\s*\{UTF-8\}", "", body)
    body = re.sub(
        r":MACRO:.*?:END OF MACRO:",
        lambda m: "\n" * m.group(0).count("\n"),
        body,
        flags=re.DOTALL | re.IGNORECASE,
    )
    body = _strip_comments(body)
    equations: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for offset, record in _split_outside_quotes(body, "|"):
        offset += len(record) - len(record.lstrip())
        line = body.count("\n", 0, offset) + body.count("\v", 0, offset) + 1
        if not record.strip() or record.lstrip().startswith("*"):
            continue
        parts = [piece for _, piece in _split_outside_quotes(record, "~")]
        equation = parts[0]
        units = parts[1].strip() if len(parts) > 1 else ""
        comment = parts[2].strip() if len(parts) > 2 else ""
        lhs, rhs = _sides(equation)
        if lhs is None:
            continue
        name = display(lhs)
        key = normal(lhs)
        if not key:
            raise FormatError(path, f"line {line}", "an equation with no variable name")
        if key in CONTROL:
            continue
        entry = equations.get(key)
        if entry is None:
            entry = {"label": name, "rhs": [], "units": units, "notes": comment, "line": line}
            equations[key] = entry
            order.append(key)
        entry["rhs"].append(rhs)
        entry["units"] = entry["units"] or units
        entry["notes"] = entry["notes"] or comment
    if not equations:
        raise FormatError(path, "", "no variables found: this is not a Vensim model")
    if not marker:
        sketch = ""
    positions, arrows = _sketch(sketch, path, text.count("\n", 0, len(head)) + 1)
    builder = MapBuilder(path, path.stem if path is not None else "Vensim model")
    for key in order:
        entry = equations[key]
        fields: dict[str, Any] = {"notes": entry["notes"]}
        if key in positions:
            fields["x"], fields["y"] = positions[key]
        fields["attributes"] = {"units": entry["units"]} if entry["units"] else {}
        builder.factor(key, entry["label"], f"line {entry['line']}", **fields)
    unmarked = 0
    for key in order:
        entry = equations[key]
        dependencies: dict[str, None] = {}
        for rhs in entry["rhs"]:
            for dep in _dependencies(rhs, equations):
                dependencies.setdefault(dep)
        for dep in dependencies:
            if dep == key:
                continue
            mark = arrows.get((dep, key))
            polarity = _POLARITY.get(mark or "", "?")
            if polarity == "?":
                unmarked += 1
            builder.link(dep, key, f"line {entry['line']}", polarity=polarity)
    if unmarked:
        builder.warn(
            f"{unmarked} link(s) have no polarity marked in the sketch; they are read as '?'"
        )
    return builder.build()


def _sides(equation: str) -> tuple[str | None, str]:
    """The defined name and right-hand side of one equation (None: not a variable)."""
    pieces = _split_outside_quotes(equation, "=")
    if len(pieces) < 2:
        # A lookup table "name( [(0,0)-(1,1)], … )" defines a variable with no inputs.
        match = re.match(r'\s*("(?:[^"\\]|\\.)*"|[^(\[]+?)\s*\(', equation)
        return (match.group(1), "") if match and equation.strip() else (None, "")
    lhs = pieces[0][1]
    if ":" in lhs.replace(":=", ""):
        return None, ""  # subscript range or other definition
    rhs = equation[pieces[1][0] :].lstrip("=")
    lhs = re.sub(r"\[.*?\]", "", lhs).rstrip(":").strip()
    if not lhs:
        return None, ""
    return lhs, rhs


def _dependencies(rhs: str, known: dict[str, Any]) -> list[str]:
    match = _FUNCTION_OF.match(rhs)
    if match:
        names = [piece for _, piece in _split_outside_quotes(match.group(1), ",")]
        return [normal(n) for n in names if normal(n) in known]
    found = []
    for token in _TOKEN.findall(rhs):
        key = normal(token)
        if key in known:
            found.append(key)
    return found


def _fields(line: str) -> list[str]:
    return [piece for _, piece in _split_outside_quotes(line, ",")]


def _sketch(
    sketch: str, path: Path | None, first_line: int
) -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], str]]:
    """Positions of variables and polarity marks of arrows between them, by variable."""
    elements: dict[str, str] = {}
    positions: dict[str, tuple[float, float]] = {}
    raw_arrows: list[tuple[str, str, str]] = []
    view = 0
    for number_in_sketch, line in enumerate(sketch.splitlines()):
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
        if source in elements and target in elements and mark in _POLARITY:
            arrows.setdefault((elements[source], elements[target]), mark)
    return positions, arrows


def _sniff(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{UTF-8}") and b"~" in head


def _read_all(path: Path, options: ReadOptions) -> list[MapData]:
    return [read(path)]


FORMATS = [
    MapFormat(
        name="vensim",
        label="Vensim model (causal loop diagram)",
        suffixes=(".mdl",),
        read=_read_all,
        write=None,
        sniff=_sniff,
    )
]
