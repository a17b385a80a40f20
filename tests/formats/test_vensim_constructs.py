"""Vensim constructs read as Vensim means them, each from a small hand-written model.

Subscript ranges are dimensions, not factors; lookups (subscripted or not) are factors with
their links; macros are local; data equations, unchangeable constants, string variables,
:EXCEPT:, GET XLS functions, continuation lines, nested comments, the units and
documentation fields and quoted names are understood; whatever is dropped or cannot be
read is said in a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsmap.formats import vensim
from ipsmap.formats.errors import FormatError
from ipsmap.model.mapdata import MapData


def model(text: str) -> MapData:
    return vensim.loads("{UTF-8}\n" + text)


def labels(data: MapData) -> list[str]:
    return [f.label for f in data.factors]


def links(data: MapData) -> set[tuple[str, str]]:
    by_id = {f.id: f.label for f in data.factors}
    return {(by_id[ln.source], by_id[ln.target]) for ln in data.links}


def warning(data: MapData, words: str) -> str:
    """The one warning holding ``words`` (fails if none does)."""
    found = [w for w in data.warnings if words in w]
    assert found, f"no warning about {words!r} in {data.warnings}"
    return found[0]


def no_problem_warnings(data: MapData) -> None:
    quiet = ("no polarity marked", "subscript range", "macro(s)")
    assert [w for w in data.warnings if not any(q in w for q in quiet)] == []


def test_subscript_ranges_are_dimensions_not_factors() -> None:
    data = model(
        "layers: (layer1-layer4) ~~|\n"
        "region: north, south, east -> compass ~~|\n"
        "compass: n, s, e ~~|\n"
        "same region <-> region ~~|\n"
        "x[layers] = y[layers] * SUM(z[region!]) / ELMCOUNT(layers) ~~|\n"
        "y[layers] = 1, 2, 3, 4 ~~|\n"
        "z[north] = 1 ~~|\n"
        "z[south, east] = y[layer1] ~~|\n"
    )
    assert labels(data) == ["x", "y", "z"]
    assert links(data) == {("y", "x"), ("z", "x"), ("y", "z")}
    message = warning(data, "4 subscript range(s)")
    assert all(name in message for name in ("layers", "region", "compass", "same region"))
    no_problem_warnings(data)


def test_lookups_subscripted_or_not_are_factors_with_their_links() -> None:
    data = model(
        "effect of crowding(\n\t[(0,0)-(2,1)],(0,1),(1,0.5),(2,0))\n\t~\tdmnl\n\t~\t|\n"
        "table[region]( (0,0), (1,1) ) ~~|\n"
        "from excel( GET XLS LOOKUPS('data.xlsx', 'Sheet', '1', 'B2') ) ~~|\n"
        "region: north, south ~~|\n"
        "crowding = 0.5 ~~|\n"
        "births[region] = effect of crowding(crowding) * table[region](Time) ~~|\n"
        "deaths = from excel(births[north] / 2) ~~|\n"
    )
    assert labels(data) == [
        "effect of crowding",
        "table",
        "from excel",
        "crowding",
        "births",
        "deaths",
    ]
    assert data.factors[0].attributes == {"units": "dmnl"}
    assert links(data) == {
        ("effect of crowding", "births"),
        ("crowding", "births"),
        ("table", "births"),
        ("from excel", "deaths"),
        ("births", "deaths"),
    }
    no_problem_warnings(data)


def test_macros_are_local_and_a_call_links_from_its_arguments() -> None:
    data = model(
        ":MACRO: SMOOTH IT(input, delay : level)\n"
        "SMOOTH IT = level\n\t~\tinput\n\t~\tThe macro's output.\n\t|\n"
        "level = INTEG((input - level) / delay, input) ~ input ~ a local stock |\n"
        "inner only = 3 ~~|\n"
        ":END OF MACRO:\n"
        "demand = 10 ~~|\n"
        "delay time = 4 ~~|\n"
        "smoothed = SMOOTH IT(demand, delay time : smoothed level) ~~|\n"
        "orders = smoothed + smoothed level ~~|\n"
    )
    assert labels(data) == ["demand", "delay time", "smoothed", "orders", "smoothed level"]
    assert links(data) == {
        ("demand", "smoothed"),
        ("delay time", "smoothed"),
        ("smoothed", "orders"),
        ("smoothed level", "orders"),
        ("demand", "smoothed level"),
        ("delay time", "smoothed level"),
    }
    assert "SMOOTH IT" in warning(data, "1 macro(s)")
    no_problem_warnings(data)


@pytest.mark.parametrize(
    ("text", "place", "problem"),
    [
        (":MACRO: M(a)\nM = a ~~|\nx = 1 ~~|\n", "line 2", "never closed"),
        ("x = 1 ~~|\n:END OF MACRO:\n", "line 3", "no :MACRO:"),
        (":MACRO: M(a)\n:MACRO: N(b)\n:END OF MACRO:\n", "line 3", "inside another"),
        ("x = 1 ~~|\n:MACRO:\n:END OF MACRO:\n", "line 3", "no name"),
        ("x = 1 ~~|\ny = x {a comment\n never closed ~~|\n", "line 3", "{ comment"),
        ('x = 1 ~~|\ny = "an open name ~~|\nz = 2 ~~|\n', "line 3", "quoted name"),
        ('"" = 1 ~~|\n', "line 2", "no variable name"),
    ],
)
def test_malformed_structure_is_a_format_error(text: str, place: str, problem: str) -> None:
    with pytest.raises(FormatError) as info:
        model(text)
    assert info.value.place == place
    assert problem in info.value.problem


def test_data_constants_strings_except_and_get_xls_functions() -> None:
    data = model(
        "region: north, south ~~|\n"
        "observed[region] := GET XLS DATA('inputs.xlsx', 'rate', 'A', 'B2') ~~|\n"
        "imported ~ people ~ A data variable with no equation: Vensim fills it. |\n"
        "gravity == 9.8 ~~|\n"
        "site name :IS: 'observed' ~~|\n"
        "rate[region] :EXCEPT: [north] = observed[region] * gravity ~~|\n"
        "rate[north] = GET DIRECT CONSTANTS('c.csv', ',', 'B2') + imported ~~|\n"
        "interpolated :INTERPOLATE: := rate[north] * 2 ~~|\n"
    )
    assert labels(data) == [
        "observed",
        "imported",
        "gravity",
        "site name",
        "rate",
        "interpolated",
    ]
    # The 'observed' text of a literal string names no variable.
    assert links(data) == {
        ("observed", "rate"),
        ("gravity", "rate"),
        ("imported", "rate"),
        ("rate", "interpolated"),
    }
    assert data.factors[1].notes == "A data variable with no equation: Vensim fills it."
    no_problem_warnings(data)


def test_continuation_lines_comments_units_and_documentation() -> None:
    data = model(
        "total = first part + {an old input: dropped part +} second\\\n"
        "\t\t_part {nested {comments} too} + A FUNCTION OF(third,\\\n"
        "\t\tfourth)\n"
        "\t~\tpeople/Year [0,?]\n"
        '\t~\tSays "what it is {not this}" plainly\n'
        "\t~\t:SUPPLEMENTARY\n"
        "\t|\n"
        "first part = 1 ~~|\n"
        'second part = 2 ~ ~ An odd " quote in a description swallows nothing. |\n'
        "third = 3 ~~|\n"
        "fourth = 4 ~~|\n"
        "oops = (third ~~|\n"
    )
    assert labels(data)[:2] == ["total", "first part"]
    assert {s for s, t in links(data) if t == "total"} == {
        "first part",
        "second part",
        "third",
        "fourth",
    }
    total = data.factors[0]
    assert total.attributes == {"units": "people/Year [0,?]"}
    assert total.notes == 'Says "what it is " plainly'
    # Line numbers count the joined continuation lines.
    warning(data, "line 13: the equation of 'oops' could not be read (a ( is never closed")
    assert "dropped part" not in " ".join(data.warnings)


def test_quoted_names_with_special_characters() -> None:
    data = model(
        '"rate | per ~ year (%)" = 0.1 ~~|\n'
        '"say \\"hello\\"" = "rate | per ~ year (%)" * 2 ~~|\n'
        'plain = "say \\"hello\\"" + "Rate_|_per_~_year_(%)" ~~|\n'
    )
    assert labels(data) == ["rate | per ~ year (%)", 'say "hello"', "plain"]
    assert links(data) == {
        ("rate | per ~ year (%)", 'say "hello"'),
        ('say "hello"', "plain"),
        ("rate | per ~ year (%)", "plain"),
    }


def test_sketch_positions_and_polarity_of_a_subscripted_model() -> None:
    data = model(
        "region: north, south ~~|\n"
        "x[region] = y[region] - z ~~|\n"
        "y[region] = 1 ~~|\n"
        "z = 2 ~~|\n"
        "\\\\\\---/// Sketch information\n"
        "V300\n*View 1\n"
        "10,1,x,100,50,40,20,3,3,0,0,0,0,0,0\n"
        "10,2,y,20,50,40,20,3,3,0,0,0,0,0,0\n"
        "10,3,z,100,150,40,20,3,3,0,0,0,0,0,0\n"
        "10,4,region,300,300,40,20,3,3,0,0,0,0,0,0\n"
        "1,5,2,1,1,0,43,0,0,192,0,-1--1--1,,1|(60,50)|\n"
        "1,6,3,1,1,0,45,0,0,192,0,-1--1--1,,1|(100,100)|\n"
        "///---\\\\\\\n"
    )
    assert [(f.label, f.x, f.y) for f in data.factors] == [
        ("x", 100.0, 50.0),
        ("y", 20.0, 50.0),
        ("z", 100.0, 150.0),
    ]
    by_id = {f.id: f.label for f in data.factors}
    assert {(by_id[ln.source], ln.polarity) for ln in data.links} == {("y", "+"), ("z", "-")}


def test_every_drop_is_warned() -> None:
    data = model(
        "stock = INTEG(inflow - stock / 10, 100) ~~|\n"
        "inflow = missing rate * stock + unknown table(stock) ~~|\n"
        "balance :THE CONDITION: stock > 0 :IMPLIES: inflow >= 0 ~~|\n"
        "= 5 ~~|\n"
        "broken = inflow ] 2 ~~|\n"
        "\t~\tpeople\n\t~\tA description that lost its equation.\n\t|\n"
    )
    assert labels(data) == ["stock", "inflow", "broken"]
    assert links(data) == {("inflow", "stock"), ("stock", "inflow")}
    assert "'stock' (line 2)" in warning(data, "use themselves")
    assert "'missing rate' (in 'inflow', line 3)" in warning(data, "defined by no equation")
    assert "'unknown table'" in warning(data, "called like a function")
    assert "'balance' (line 4)" in warning(data, "reality check")
    warning(data, "line 5: '= 5' could not be read")
    warning(data, "line 6: the equation of 'broken' could not be read")
    warning(data, "line 7: units or documentation with no equation before them")


def test_control_variables_and_time_are_not_factors_nor_warned() -> None:
    data = model(
        "INITIAL TIME = 0 ~~|\nFINAL TIME = 100 ~~|\nTIME STEP = 0.5 ~~|\n"
        "SAVEPER = TIME STEP ~~|\n"
        "x = Time * TIME STEP + INITIAL TIME ~~|\n"
    )
    assert labels(data) == ["x"]
    assert data.warnings == []


def test_read_from_a_file_with_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.mdl"
    path.write_bytes(b"{UTF-8}\r\na = b + \\\r\n  c ~~|\r\nb = 1 ~~|\r\nc = 2 ~~|\r\n")
    data = vensim.read(path)
    assert links(data) == {("b", "a"), ("c", "a")}
