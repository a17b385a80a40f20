"""Vensim ``.mdl`` models read as causal loop diagrams (read only).

Each variable an equation defines is a factor (underscores read as spaces, as Vensim does;
units and documentation kept): ordinary, data (``:=``, or no equation), unchangeable
(``==``), string (``:IS:``) and lookup variables alike, a subscripted one once however many
equations define its elements. Each variable an equation uses gives a link from it to the
variable defined, a lookup called as ``name(x)`` included. Subscript ranges, mappings and
equivalences are dimensions, not factors; what is inside a macro is local to it (a call
links from its arguments, and defines the extra outputs named after ``:``). Control
variables and ``Time`` are not part of the diagram. The sketch section supplies positions
(``10,`` variable lines) and polarities (``1,`` arrow lines whose polarity field is
``+``/``S`` or ``-``/``O``); a link with no marked arrow is ``?``.

Nothing is dropped without a warning: names used but never defined, self-references,
unknown functions, reality checks, and any equation that cannot be read are listed. The
text is cut into records by ``vensim_text``, each equation read by ``vensim_equations``
and the sketch by ``vensim_sketch``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsmap.formats.base import MapFormat, ReadOptions, read_bytes
from ipsmap.formats.builder import MapBuilder
from ipsmap.formats.errors import FormatError
from ipsmap.formats.vensim_equations import (
    Reference,
    UnreadableEquation,
    display,
    normal,
    parse_equation,
    references,
)
from ipsmap.formats.vensim_functions import VENSIM_FUNCTIONS
from ipsmap.formats.vensim_sketch import POLARITY, SKETCH_MARKER, read_sketch, split_sketch
from ipsmap.formats.vensim_text import Macro, Record, equation_records
from ipsmap.model.mapdata import MapData

__all__ = ["FORMATS", "SKETCH_MARKER", "display", "loads", "normal", "read"]

CONTROL = {"initial time", "final time", "time step", "saveper", "time"}


def read(path: str | Path) -> MapData:
    path = Path(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return loads(text, path)


def _listing(items: list[str], limit: int = 8) -> str:
    """``a, b, c`` — at most ``limit`` of them, then how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@dataclass
class _Variable:
    """A variable of the model as its equations define it (several for a subscripted one)."""

    label: str
    line: int
    units: str
    notes: str
    # Each definition's references (None: its right side could not be read) and its line.
    definitions: list[tuple[list[Reference] | None, int]] = field(default_factory=list)
    inputs: dict[str, None] = field(default_factory=dict)


@dataclass
class _Model:
    """What the equations define, and what the reader has to tell the user about them."""

    variables: dict[str, _Variable] = field(default_factory=dict)
    ranges: dict[str, str] = field(default_factory=dict)
    elements: set[str] = field(default_factory=set)
    macros: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _define(model: _Model, key: str, label: str, record: Record) -> _Variable:
    variable = model.variables.get(key)
    if variable is None:
        variable = _Variable(label, record.line, record.units, record.documentation)
        model.variables[key] = variable
    variable.units = variable.units or record.units
    variable.notes = variable.notes or record.documentation
    return variable


def _read_definitions(records: list[Record], model: _Model, path: Path | None) -> None:
    """Sort each record into variables, subscript ranges, or a warning; read right sides."""
    reality_checks: list[str] = []
    for record in records:
        try:
            equation = parse_equation(record.equation)
        except UnreadableEquation as exc:
            text = " ".join(record.equation.split())
            model.warnings.append(
                f"line {record.line}: {text[:60]!r} could not be read ({exc}); it was left out"
            )
            continue
        if equation is None:
            if not record.equation.strip():
                model.warnings.append(
                    f"line {record.line}: units or documentation with no equation before "
                    "them; left out"
                )
            continue
        if equation.kind == "data" and not equation.rhs and not record.has_fields:
            text = " ".join(record.equation.split())
            model.warnings.append(
                f"line {record.line}: {text[:60]!r} is not a Vensim equation; it was left out"
            )
            continue
        key, label = normal(equation.name), display(equation.name)
        if not key:
            raise FormatError(path, f"line {record.line}", "an equation with no variable name")
        if equation.kind == "range":
            model.ranges.setdefault(key, label)
            with contextlib.suppress(UnreadableEquation):
                elements = equation.rhs.split("->")[0]
                model.elements.update(normal(ref.name) for ref in references(elements))
            continue
        if key in CONTROL:
            continue
        if equation.kind == "reality":
            reality_checks.append(f"{label!r} (line {record.line})")
            continue
        variable = _define(model, key, label, record)
        if equation.kind == "lookup":
            # A table's points or its GET XLS LOOKUPS('file', …) name no variables.
            variable.definitions.append(([], record.line))
            continue
        try:
            variable.definitions.append((references(equation.rhs), record.line))
        except UnreadableEquation as exc:
            variable.definitions.append((None, record.line))
            model.warnings.append(
                f"line {record.line}: the equation of {label!r} could not be read ({exc}); "
                "its inputs were left out"
            )
    if reality_checks:
        model.warnings.append(
            f"{len(reality_checks)} reality check(s) left out (they test the model, they are "
            f"not part of it): {_listing(reality_checks)}"
        )


def _define_macro_outputs(model: _Model) -> None:
    """Variables a macro call defines as extra outputs (``y = M(a, b : z)`` defines z,
    from the variables in that call's arguments)."""
    for variable in list(model.variables.values()):
        for refs, line in variable.definitions:
            for ref in refs or []:
                if ref.output_of is None or normal(ref.output_of) not in model.macros:
                    continue
                if ref.call is None or refs is None:
                    continue  # an output always knows its call; this keeps mypy sure of it
                last = refs[ref.call].last_inside or ref.call
                inputs = [r for r in refs[ref.call + 1 : last + 1] if r.output_of is None]
                record = Record(line, "", "", f"An output of macro {display(ref.output_of)}.")
                output = _define(model, normal(ref.name), display(ref.name), record)
                output.definitions.append((inputs, line))


def _where(ref: Reference, variable: _Variable, line: int) -> str:
    return f"{display(ref.name)!r} (in {variable.label!r}, line {line})"


def _find_inputs(model: _Model) -> None:
    """Each variable's inputs; names used but never defined, and self-references, warned."""
    undefined: dict[str, str] = {}
    unknown_calls: dict[str, str] = {}
    itself: dict[str, None] = {}
    for key, variable in model.variables.items():
        for refs, line in variable.definitions:
            for ref in refs or []:
                used = normal(ref.name)
                if ref.output_of is not None and normal(ref.output_of) in model.macros:
                    continue
                if used == key:
                    itself.setdefault(f"{variable.label!r} (line {line})")
                elif used in model.variables:
                    variable.inputs.setdefault(used)
                elif ref.called:
                    if used not in model.macros and used not in VENSIM_FUNCTIONS:
                        unknown_calls.setdefault(used, _where(ref, variable, line))
                elif used and not (
                    used in CONTROL or used in model.ranges or used in model.elements
                ):
                    undefined.setdefault(used, _where(ref, variable, line))
    if undefined:
        model.warnings.append(
            f"{len(undefined)} name(s) used but defined by no equation, so no link comes "
            f"from them: {_listing(list(undefined.values()))}"
        )
    if unknown_calls:
        model.warnings.append(
            f"{len(unknown_calls)} name(s) called like a function but neither a lookup, a "
            "macro nor a Vensim function this reader knows, so no link comes from them "
            f"(their arguments still link): {_listing(list(unknown_calls.values()))}"
        )
    if itself:
        model.warnings.append(
            f"{len(itself)} variable(s) use themselves (a stock's own level, a loop within "
            "one equation); a map holds no link from a factor to itself, so these were left "
            f"out: {_listing(list(itself))}"
        )


def _read_model(records: list[Record], macros: list[Macro], path: Path | None) -> _Model:
    model = _Model()
    for macro in macros:
        model.macros.setdefault(normal(macro.name), display(macro.name))
    _read_definitions(records, model, path)
    _define_macro_outputs(model)
    _find_inputs(model)
    if model.ranges:
        model.warnings.insert(
            0,
            f"{len(model.ranges)} subscript range(s) read as dimensions of the variables "
            f"that use them, not as factors: {_listing(list(model.ranges.values()))}",
        )
    if model.macros:
        model.warnings.insert(
            0,
            f"{len(model.macros)} macro(s) ({_listing(list(model.macros.values()))}): the "
            "variables inside a macro are local to it and are not factors; a call to a macro "
            "links from the variables in its arguments",
        )
    return model


def loads(text: str, path: Path | None = None) -> MapData:
    """A causal loop diagram from the text of a ``.mdl`` file (``path`` names errors)."""
    if not text.strip():
        raise FormatError(path, "", "the file is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise FormatError(path, f"line {line}", "the text holds an invalid character") from None
    head, sketch, sketch_line = split_sketch(text)
    records, macros = equation_records(head, path)
    model = _read_model(records, macros, path)
    if not model.variables:
        raise FormatError(path, "", "no variables found: this is not a Vensim model")
    positions, arrows = read_sketch(sketch, path, sketch_line)
    builder = MapBuilder(path, path.stem if path is not None else "Vensim model")
    for message in model.warnings:
        builder.warn(message)
    for key, variable in model.variables.items():
        fields: dict[str, Any] = {"notes": variable.notes}
        if key in positions:
            fields["x"], fields["y"] = positions[key]
        fields["attributes"] = {"units": variable.units} if variable.units else {}
        builder.factor(key, variable.label, f"line {variable.line}", **fields)
    unmarked = 0
    for key, variable in model.variables.items():
        for source in variable.inputs:
            polarity = POLARITY.get(arrows.get((source, key)) or "", "?")
            if polarity == "?":
                unmarked += 1
            builder.link(source, key, f"line {variable.line}", polarity=polarity)
    if unmarked:
        builder.warn(
            f"{unmarked} link(s) have no polarity marked in the sketch; they are read as '?'"
        )
    return builder.build()


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
