"""LOOPY links: the real example payload, exact re-encoding, round trips, bad data, fuzz.

Fields kept by a round trip ipsmap → link → ipsmap: factor label, x and y (rounded to
whole pixels), link ends and polarity ('?' becomes '+'); LOOPY's init, hue, arc and text
labels (as attributes). Strength, confidence, notes, types and map name are not kept.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsmap.export.all_formats import detect_format, read_maps, write_map
from ipsmap.formats import loopy
from ipsmap.formats.errors import ExportWarning, FormatError

from .test_graph_formats import TRICKY, sample_map, shared

# Writers warn of what a format cannot hold; the tests named *warns* check those warnings.
pytestmark = pytest.mark.filterwarnings("ignore::ipsmap.formats.tables.ExportWarning")


def raw_payload() -> str:
    document = json.loads(shared("loopy_depression_anxiety.json").read_text("utf-8"))
    return str(document["loopy_data_param_raw"])


def test_example_counts_labels_signs() -> None:
    path = shared("loopy_depression_anxiety.json")
    assert detect_format(path).name == "loopy"
    data = read_maps(path)[0]
    assert (len(data.factors), len(data.links)) == (7, 8)
    assert [f.label for f in data.factors][:2] == ["depression", "doing things"]
    assert (data.factors[0].x, data.factors[0].y) == (198.0, 285.0)
    assert [ln.polarity for ln in data.links] == ["+", "+", "-", "+", "-", "-", "+", "-"]
    labels = data.info.attributes["loopy_labels"]
    assert len(labels) == 2 and "depression &\nanxiety" in labels[0]["text"]


@pytest.mark.parametrize("form", ["raw", "url", "decoded"])
def test_reads_raw_url_and_decoded_payload(tmp_path: Path, form: str) -> None:
    raw = raw_payload()
    text = {
        "raw": raw,
        "url": f"See {loopy.BASE_URL}{raw}&embed=1 here",
        "decoded": raw.replace("%22", '"').replace("%25", "%"),
    }[form]
    path = tmp_path / "m.loopy"
    path.write_text(text, "utf-8")
    data = read_maps(path)[0]
    assert (len(data.factors), len(data.links)) == (7, 8)
    assert data.factors[3].label == "fear of mistakes"


def test_example_re_encodes_exactly() -> None:
    data = read_maps(shared("loopy_depression_anxiety.json"))[0]
    assert loopy.payload(data) == raw_payload()
    assert loopy.url(data) == loopy.BASE_URL + raw_payload()


def test_round_trip(tmp_path: Path) -> None:
    original = sample_map()
    path = tmp_path / "m.loopy"
    assert write_map(original, path).name == "loopy"
    text = path.read_text("utf-8")
    assert text.startswith(loopy.BASE_URL) and '"' not in text and "\n" not in text.strip()
    back = read_maps(path)[0]
    assert [(f.label, f.x, f.y) for f in back.factors] == [
        (f.label, f.x, f.y) for f in original.factors
    ]
    assert [f.label for f in back.factors] == TRICKY
    assert [ln.polarity for ln in back.links] == ["+", "-", "+", "-"]


@pytest.mark.parametrize(
    ("payload", "place"),
    [
        ("[[[1,0,0,0,%22a%22,0]],[[1,2,0,1,0]],[],2]", "edges[0].target"),
        ("[[[1,0,0,0,%22a%22,0],[1,5,5,0,%22b%22,0]],[],[],2]", "nodes[1]"),
        ("[[[1,%22x%22,0,0,%22a%22,0]],[],[],1]", "nodes[0].x"),
        ("[[[1,0,0,0,%22a%22", "data, character"),
        ("[[[1,0,0]],[],[],1]", "nodes[0]"),
        ('{"other": 1}', ""),
        ("[[[1,0,0,0,%22%22,0]],[],[],1]", "nodes[0]"),
    ],
)
def test_bad_data(tmp_path: Path, payload: str, place: str) -> None:
    path = tmp_path / "bad.loopy"
    path.write_text(payload, "utf-8")
    with pytest.raises(FormatError) as info:
        read_maps(path, "loopy")
    assert info.value.path == path
    assert info.value.place.startswith(place), info.value


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_only_format_errors(data: st.DataObject) -> None:
    base = (
        "[[[1,198,285,0,%22a%2520b%22,0],[2,5,5,0.5,%22c%22,4]],[[1,2,59,-1,0]],[[1,2,%22t%22]],2]"
    )
    start = data.draw(st.integers(0, len(base)))
    end = data.draw(st.integers(start, min(len(base), start + 20)))
    insert = data.draw(st.one_of(st.text(max_size=8), st.text(max_size=8).map(quote)))
    text = base[:start] + insert + base[end:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.loopy"
        path.write_text(text, "utf-8", errors="surrogatepass")
        with contextlib.suppress(FormatError):
            loopy.read(path)


def test_writer_warns_of_unknown_polarity_and_strength(tmp_path: Path) -> None:
    with pytest.warns(ExportWarning) as caught:
        write_map(sample_map(), tmp_path / "m.loopy")
    messages = [str(w.message) for w in caught]
    assert any("unknown polarity" in m for m in messages)
    assert any("no strength" in m for m in messages)
