"""One Vensim equation read as Vensim means it: what it defines and which names it uses.

The left side is a name, perhaps subscripted (``x[region]``, ``x[a] :EXCEPT: [a1]``), and
what follows it says what kind of definition this is: ``=`` an ordinary equation, ``==`` an
unchangeable constant, ``:=`` a data equation, ``:IS:`` a string, ``(`` a lookup table
(``name[sub]( [(0,0)-(1,1)], (0,1), … )`` or ``name(GET XLS LOOKUPS(…))``), nothing at all
a data variable filled from outside, ``:`` or ``<->`` a subscript range (never a factor).
The right side is read token by token, without recursion (any depth of parentheses):
quoted and plain names, whether each is called like a function, and the names written after
``:`` in a macro call (a macro's extra outputs, which the call defines).
Subscripts in ``[…]``, numbers, ``'literal'`` strings and ``:NA:``-style keywords are not
names of variables.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

__all__ = [
    "Equation",
    "Reference",
    "UnreadableEquation",
    "display",
    "normal",
    "parse_equation",
    "references",
]

# A plain (unquoted) name: no operator, bracket, separator or quote; never starts with a
# digit or an apostrophe (a name may hold one inside, as in households'_finance).
_PLAIN = re.compile(r"[^\s\d.'\"\[\](){}:=<>~|,;+\-*/^!\\][^\"\[\](){}:=<>~|,;+\-*/^!\\]*")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORD = re.compile(r":\s*([A-Za-z][A-Za-z ]{0,40}?)\s*:")
_FLAGS = {"INTERPOLATE", "RAW", "HOLD BACKWARD", "LOOK FORWARD", "SUPPLEMENTARY"}
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_OPERATORS = {"NA", "AND", "OR", "NOT"}
_REALITY_CHECK = {"TEST INPUT", "THE CONDITION", "CROSSING", "IMPLIES"}


@functools.lru_cache(maxsize=65536)
def normal(name: str) -> str:
    """A variable's name as Vensim compares them: no quotes, _ as space, any case."""
    return " ".join(display(name).split()).casefold()


def display(name: str) -> str:
    """A variable's name as a label: no quotes, _ as space, control characters as spaces."""
    text = name.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    text = _CONTROL_CHARACTERS.sub(" ", text)
    return " ".join(text.replace("_", " ").split())


class UnreadableEquation(ValueError):
    """An equation this reader cannot make sense of (the message says why)."""


@dataclass(frozen=True)
class Equation:
    """What one equation defines.

    ``kind`` is one of ``variable`` (``=``, ``==``, ``:IS:``), ``data`` (``:=`` or no right
    side), ``lookup``, ``range`` (a subscript range, mapping or equivalence) and ``reality``
    (a reality check, which defines nothing of the model).
    """

    kind: str
    name: str
    rhs: str = ""
    subscripts: str = ""


@dataclass(frozen=True)
class Reference:
    """A name an equation uses; ``called``: written as ``name(…)``; ``output_of``: a macro's
    extra output named after ``:`` in a call to that macro."""

    name: str
    called: bool = False
    output_of: str | None = None
    # For a macro output, the index of its call in the equation's list of references; for
    # a call, the index of the last reference inside its parentheses (they come between).
    call: int | None = None
    last_inside: int | None = None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _closing_bracket(text: str, pos: int) -> int:
    """The offset after the ``]`` that closes the ``[`` at ``pos``."""
    end = text.find("]", pos)
    if end < 0:
        raise UnreadableEquation("a [ is never closed by ]")
    return end + 1


def _name_at(text: str, pos: int) -> re.Match[str] | None:
    return _QUOTED.match(text, pos) or _PLAIN.match(text, pos)


def _keyword_at(text: str, pos: int) -> tuple[str, int]:
    """The ``:KEYWORD:`` at ``pos`` (upper case, single spaces) and where it ends."""
    keyword = _KEYWORD.match(text, pos)
    if keyword is None:
        return "", pos
    return " ".join(keyword.group(1).upper().split()), keyword.end()


def parse_equation(text: str) -> Equation | None:
    """The definition in an equation's text; None for a group heading or an empty record."""
    text = text.strip()
    if not text or text.startswith("*"):
        return None
    name_match = _name_at(text, 0)
    if name_match is None:
        raise UnreadableEquation("it does not start with a variable name")
    name = name_match.group(0).strip()
    pos = _skip_space(text, name_match.end())
    subscripts = ""
    if text.startswith("[", pos):
        end = _closing_bracket(text, pos)
        subscripts, pos = text[pos + 1 : end - 1], _skip_space(text, end)
    word, after = _keyword_at(text, pos)
    while word == "EXCEPT" or word in _FLAGS:
        pos = _skip_space(text, after)
        while word == "EXCEPT" and text.startswith("[", pos):
            pos = _skip_space(text, _closing_bracket(text, pos))
            if text.startswith(",", pos):
                pos = _skip_space(text, pos + 1)
        word, after = _keyword_at(text, pos)
    rest = text[pos:]
    if word in _REALITY_CHECK:
        return Equation("reality", name)
    if word == "IS":
        return Equation("variable", name, text[after:], subscripts)
    if rest.startswith(":="):
        return Equation("data", name, rest[2:], subscripts)
    if rest.startswith("=="):
        return Equation("variable", name, rest[2:], subscripts)
    if rest.startswith("="):
        return Equation("variable", name, rest[1:], subscripts)
    if rest.startswith("("):
        return Equation("lookup", name, rest, subscripts)
    if not rest:
        return Equation("data", name, "", subscripts)
    if (rest.startswith(":") or rest.startswith("<->")) and not subscripts:
        return Equation("range", name, rest.lstrip(":<->"))
    raise UnreadableEquation(f"{rest[:1]!r} after the name {name!r} is not a Vensim definition")


def references(rhs: str) -> list[Reference]:
    """The names a right-hand side uses, in order (repeats kept)."""
    found: list[Reference] = []
    # One entry per open parenthesis: the index in ``found`` of the name called there
    # (None for a plain bracket), and whether a ':' has been seen inside it (what follows
    # names a macro's extra outputs).
    calls: list[tuple[int | None, bool]] = []
    pos, size = 0, len(rhs)
    while pos < size:
        ch = rhs[pos]
        if ch.isspace() or ch in "+-*/^,;=<>!&":
            pos += 1
        elif ch == "(":
            calls.append((None, False))
            pos += 1
        elif ch == ")":
            if not calls:
                raise UnreadableEquation("a ) closes no (")
            callee, _ = calls.pop()
            if callee is not None:
                found[callee] = replace(found[callee], last_inside=len(found) - 1)
            pos += 1
        elif ch == "[":
            pos = _closing_bracket(rhs, pos)
        elif ch == "'":
            end = rhs.find("'", pos + 1)
            if end < 0:
                raise UnreadableEquation("a 'text' string is never closed")
            pos = end + 1
        elif ch == ":":
            word, after = _keyword_at(rhs, pos)
            if word in _OPERATORS:
                pos = after
            else:
                if calls:
                    calls[-1] = (calls[-1][0], True)
                pos += 1
        elif (number := _NUMBER.match(rhs, pos)) is not None:
            pos = number.end()
        elif (name := _name_at(rhs, pos)) is not None:
            after = _skip_space(rhs, name.end())
            called = rhs.startswith("(", after)
            callee, after_colon = calls[-1] if calls else (None, False)
            output = after_colon and callee is not None
            found.append(
                Reference(
                    name.group(0).strip(),
                    called,
                    found[callee].name if output and callee is not None else None,
                    callee if output else None,
                )
            )
            if called:
                calls.append((len(found) - 1, False))
                after += 1
            pos = after
        elif ch in '"{}]|~\\':
            raise UnreadableEquation(f"{ch!r} where a name or operator should be")
        else:
            pos += 1
    if calls:
        raise UnreadableEquation("a ( is never closed by )")
    return found
