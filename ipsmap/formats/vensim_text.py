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

_SPECIAL = '"{}~|\n\v\\'
_PIECES = re.compile(r'[^"{}~|\n\v\\]+|.', re.DOTALL)
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")
_MACRO = re.compile(r":MACRO:|:END OF MACRO:", re.IGNORECASE)
_MACRO_HEAD = re.compile(r':MACRO:\s*("(?:[^"\\\n]|\\.)*"|[^"(\n]{1,300}?)\s*\(', re.IGNORECASE)


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


class _LineCounter:
    """Line numbers of offsets met in increasing order, in time linear in the text."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        # Joined continuation lines are vertical tabs, so they still count as lines.
        self.line += self.text.count("\n", self.offset, offset)
        self.line += self.text.count("\v", self.offset, offset)
        self.offset = offset
        return self.line


def _cut_macros(body: str, path: Path | None) -> tuple[str, list[Macro]]:
    """The body with each macro definition blanked (its lines kept), and the macros."""
    macros: list[Macro] = []
    pieces: list[str] = []
    lines = _LineCounter(body)
    cursor, start = 0, None
    for match in _MACRO.finditer(body):
        opening = match.group(0).upper() == ":MACRO:"
        line = lines.at(match.start())
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
            path, f"line {lines.at(start)}", "a :MACRO: is never closed by :END OF MACRO:"
        )
    pieces.append(body[cursor:])
    return "".join(pieces), macros


def _without_comments(text: str) -> str:
    """Free text without its ``{…}`` comments; a brace with no partner stays as written."""
    opened: list[int] = []
    spans: list[tuple[int, int]] = []
    for index, ch in enumerate(text):
        if ch == "{":
            opened.append(index)
        elif ch == "}" and opened:
            spans.append((opened.pop(), index + 1))
    kept, cursor = [], 0
    for start, end in sorted(spans):
        if start >= cursor:  # a span inside one already dropped is dropped with it
            kept.append(text[cursor:start])
            cursor = end
    kept.append(text[cursor:])
    return "".join(kept)


def _record(line: int, fields: list[list[str]]) -> Record | None:
    texts = ["".join(chars) for chars in fields]
    while len(texts) < 3:
        texts.append("")
    if not any(t.strip() for t in texts):
        return None
    # Vensim writes a fourth field for flags such as :SUPPLEMENTARY; it is not text.
    return Record(
        line,
        texts[0],
        " ".join(texts[1].split()),
        " ".join(_without_comments(texts[2]).split()),
        len(fields) > 1,
    )


def equation_records(head: str, path: Path | None) -> tuple[list[Record], list[Macro]]:
    """The records of the equations part (``head``: the text before the sketch)."""
    body = _CONTINUATION.sub("\v", head)
    body = re.sub(r"^\s*\{UTF-8\}", lambda m: "\n" * m.group(0).count("\n"), body)
    body, macros = _cut_macros(body, path)
    records: list[Record] = []
    fields: list[list[str]] = [[]]
    depth, quoted = 0, False
    # The line now, where the record began (its first visible character), and where an
    # open comment or quoted name began (named if it is never closed).
    line, record_line, comment_line, quote_line = 1, 0, 0, 0
    escaped = False
    # Runs of ordinary characters are taken whole; only the characters that change the
    # state (quotes, braces, separators, line ends, backslashes) are looked at one by one.
    for piece in _PIECES.findall(body):
        ch = piece[0]
        if len(piece) > 1 or ch not in _SPECIAL:
            if not depth:
                fields[-1].append(piece)
                if not record_line and not piece.isspace():
                    record_line = line
            escaped = False
            continue
        if ch in "\n\v":
            line += 1
        in_equation = len(fields) == 1
        if in_equation and quoted:
            fields[-1].append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif in_equation and depth:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
        elif in_equation and ch == "{":
            depth, comment_line = 1, line
        elif in_equation and ch == '"':
            quoted, quote_line = True, line
            record_line = record_line or line
            fields[-1].append(ch)
        elif ch == "~":
            fields.append([])
        elif ch == "|":
            record = _record(record_line or line, fields)
            if record is not None:
                records.append(record)
            fields, record_line = [[]], 0
        else:
            fields[-1].append(ch)
            if not record_line and not ch.isspace():
                record_line = line
    if quoted:
        raise FormatError(path, f"line {quote_line}", 'a quoted name is never closed by "')
    if depth:
        raise FormatError(path, f"line {comment_line}", "a { comment is never closed by }")
    record = _record(record_line or line, fields)
    if record is not None:
        records.append(record)
    return records, macros
