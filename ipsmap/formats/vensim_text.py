"""The equations part of a Vensim ``.mdl`` file cut into records (one per equation).

A record is ``equation ~ units ~ documentation |``. Vensim joins a line ending in ``\\`` to
the next, drops ``{…}`` comments (they nest here, as they do in Vensim), and lets a quoted
name hold any character, so ``|`` and ``~`` end a field only outside quotes and comments of
the equation. Units and documentation are free text: quotes there mean nothing (a stray
``"`` in a description must not swallow the records after it). Macro definitions
(``:MACRO: NAME(args)`` … ``:END OF MACRO:``) are cut out here and their names kept: what is
inside a macro is local to it, not part of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ipsmap.formats.errors import FormatError

__all__ = ["Macro", "Record", "equation_records"]

_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")
_MACRO = re.compile(r":MACRO:|:END OF MACRO:", re.IGNORECASE)
_MACRO_HEAD = re.compile(r':MACRO:\s*("(?:[^"\\\n]|\\.)*"|[^"(\n]+?)\s*\(', re.IGNORECASE)
_DOC_COMMENT = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Record:
    """One ``equation ~ units ~ documentation`` record and the line it starts on."""

    line: int
    equation: str
    units: str
    documentation: str
    # Whether the record has its ~ fields: a bare name is a data variable only then.
    has_fields: bool = True


@dataclass(frozen=True)
class Macro:
    """A macro the model defines: its name and the line its definition starts on."""

    name: str
    line: int


def _line_at(text: str, offset: int) -> int:
    # Joined continuation lines are kept as vertical tabs, so they still count as lines.
    return text.count("\n", 0, offset) + text.count("\v", 0, offset) + 1


def _cut_macros(body: str, path: Path | None) -> tuple[str, list[Macro]]:
    """The body with each macro definition blanked (its lines kept), and the macros."""
    macros: list[Macro] = []
    pieces: list[str] = []
    cursor, start = 0, None
    for match in _MACRO.finditer(body):
        opening = match.group(0).upper() == ":MACRO:"
        line = _line_at(body, match.start())
        if opening and start is not None:
            raise FormatError(path, f"line {line}", "a :MACRO: starts inside another macro")
        if not opening and start is None:
            raise FormatError(path, f"line {line}", ":END OF MACRO: with no :MACRO: before it")
        if opening:
            head = _MACRO_HEAD.match(body, match.start())
            if head is None:
                raise FormatError(path, f"line {line}", "a :MACRO: with no name(arguments)")
            macros.append(Macro(head.group(1).strip(), line))
            pieces.append(body[cursor : match.start()])
            start = match.start()
        else:
            blank = body[start : match.end()]
            pieces.append("\n" * blank.count("\n") + "\v" * blank.count("\v"))
            cursor, start = match.end(), None
    if start is not None:
        raise FormatError(
            path, f"line {_line_at(body, start)}", "a :MACRO: is never closed by :END OF MACRO:"
        )
    pieces.append(body[cursor:])
    return "".join(pieces), macros


def _record(body: str, start: int, fields: list[list[str]]) -> Record | None:
    texts = ["".join(chars) for chars in fields]
    while len(texts) < 3:
        texts.append("")
    equation = texts[0]
    if not equation.strip() and not any(t.strip() for t in texts[1:]):
        return None
    # Vensim writes a fourth field for flags such as :SUPPLEMENTARY; it is not text.
    documentation = _DOC_COMMENT.sub("", texts[2])
    while _DOC_COMMENT.search(documentation):
        documentation = _DOC_COMMENT.sub("", documentation)
    offset = start + len(equation) - len(equation.lstrip())
    return Record(
        _line_at(body, offset),
        equation,
        " ".join(texts[1].split()),
        " ".join(documentation.split()),
        len(fields) > 1,
    )


def equation_records(head: str, path: Path | None) -> tuple[list[Record], list[Macro]]:
    """The records of the equations part (``head``: the text before the sketch)."""
    body = _CONTINUATION.sub("\v", head)
    body = re.sub(r"^\s*\{UTF-8\}", lambda m: "\n" * m.group(0).count("\n"), body)
    body, macros = _cut_macros(body, path)
    records: list[Record] = []
    fields: list[list[str]] = [[]]
    start, depth, quoted, comment_start, quote_start = 0, 0, False, 0, 0
    i, size = 0, len(body)
    while i < size:
        ch = body[i]
        in_equation = len(fields) == 1
        if in_equation and quoted:
            fields[-1].append(ch)
            if ch == "\\" and i + 1 < size:
                fields[-1].append(body[i + 1])
                i += 1
            elif ch == '"':
                quoted = False
        elif in_equation and depth:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch in "\n\v":
                fields[-1].append(ch)  # keeps the line count of the equation
        elif in_equation and ch == "{":
            depth, comment_start = 1, i
        elif in_equation and ch == '"':
            quoted, quote_start = True, i
            fields[-1].append(ch)
        elif ch == "~":
            fields.append([])
        elif ch == "|":
            record = _record(body, start, fields)
            if record is not None:
                records.append(record)
            fields, start = [[]], i + 1
        else:
            fields[-1].append(ch)
        i += 1
    if quoted:
        raise FormatError(
            path, f"line {_line_at(body, quote_start)}", 'a quoted name is never closed by "'
        )
    if depth:
        raise FormatError(
            path, f"line {_line_at(body, comment_start)}", "a { comment is never closed by }"
        )
    record = _record(body, start, fields)
    if record is not None:
        records.append(record)
    return records, macros
