"""The format registry: one name per format, declared writer needs, no cycle with export."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ipsmap.export.all_formats import FORMATS, get_format, write_map
from ipsmap.formats.base import MapFormat
from ipsmap.formats.errors import FormatError
from ipsmap.formats.registry import DuplicateFormatError, register
from ipsmap.model.entities import MapInfo
from ipsmap.model.mapdata import MapData


def _fake(name: str) -> MapFormat:
    return MapFormat(name=name, label="Fake", suffixes=(".fake",), read=None, write=None)


def test_a_duplicate_format_name_is_refused_and_nothing_is_added() -> None:
    before = dict(FORMATS)
    with pytest.raises(DuplicateFormatError, match="'json'"):
        register(_fake("brand-new"), _fake("json"))
    with pytest.raises(DuplicateFormatError, match="'twice'"):
        register(_fake("twice"), _fake("twice"))
    with pytest.raises(DuplicateFormatError, match="no format 'missing'"):
        register(_fake("missing"), replacing=True)
    assert before == FORMATS


def test_a_module_registering_a_taken_name_fails_to_import(tmp_path: Path) -> None:
    (tmp_path / "clash.py").write_text(
        "from ipsmap.formats.base import MapFormat\n"
        "from ipsmap.formats.registry import register\n"
        "import ipsmap.export.all_formats\n"
        "register(MapFormat('pdf', 'Another PDF', ('.pdf',), None, None))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import clash"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DuplicateFormatError" in result.stderr


def test_evaluator_writers_declare_that_they_take_a_context() -> None:
    takes = {name for name, fmt in FORMATS.items() if fmt.takes_context}
    assert takes == {"csv", "xlsx", "html", "pdf", "qdc", "png", "svg", "bundle"}
    assert {name for name, fmt in FORMATS.items() if fmt.needs_renderer} == {"png", "svg"}
    # The workbook replaced the interchange tables' writers but kept their place and reader.
    names = list(FORMATS)
    assert names.index("csv") < names.index("html")
    assert get_format("csv").read is not None


def test_a_picture_needs_the_canvas_renderer(tmp_path: Path) -> None:
    data = MapData(info=MapInfo(id="m", name="Empty"))
    with pytest.raises(FormatError, match="canvas"):
        write_map(data, tmp_path / "m.png")
    drawn: list[str] = []

    def renderer(shown: MapData, kind: str) -> bytes:
        drawn.append(kind)
        return b"picture"

    write_map(data, tmp_path / "m.svg", renderer=renderer)
    assert drawn == ["svg"]
    assert (tmp_path / "m.svg").read_bytes() == b"picture"


def test_an_empty_registry_says_what_to_import() -> None:
    code = (
        "from ipsmap.formats.registry import readable_formats\n"
        "try:\n"
        "    readable_formats()\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "import ipsmap.export.all_formats" in result.stdout
