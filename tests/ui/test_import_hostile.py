"""File → Import of a hostile file: an error dialog, and the project as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ipsmap.formats.lzstring_utf16 import compress_to_utf16
from ipsmap.ui import file_actions

HOSTILE = {
    "surrogate.json": '{"format": "ipsmap-map", "version": 1, "map": {"name": "M"}, '
    '"factors": [{"id": "a", "label": "\\ud800"}]}',
    "digits.prsm": '{"mapTitle": "m", "nodes": [{"id": "a", "x": ' + "1" * 5000 + "}]}",
    "deep.loopy": '{"data": "' + "[" * 20_000 + '"}',
    "bomb.prsm": compress_to_utf16('{"nodes": [], "x": "' + "a" * 1_500_000 + '"}'),
    "utf16-dtd.graphml": None,  # written as UTF-16 below
}

GRAPHML_WITH_DTD = """<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE g [<!ENTITY e "lol">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
 <graph edgedefault="directed"><node id="a"/></graph>
</graphml>"""


def _state(project) -> list:
    path = project.path
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [(t, db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables]


def _write(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if HOSTILE[name] is None:
        path.write_bytes(GRAPHML_WITH_DTD.encode("utf-16"))
    else:
        path.write_text(HOSTILE[name], encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_importing_a_hostile_file_shows_an_error_and_changes_nothing(
    qtbot, window, tmp_path, monkeypatch, name
):
    source = _write(tmp_path, name)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        file_actions, "_error", lambda parent, title, exc: shown.append((title, str(exc)))
    )
    monkeypatch.setattr(
        file_actions.QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), "")
    )
    before = _state(window.project)
    maps = len(window.project.maps())
    window.actions_by_name["import-map"].trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    title, message = shown[0]
    assert title == "Cannot import the map"
    assert message.startswith(str(source)) and "\n" not in message
    assert len(window.project.maps()) == maps
    assert _state(window.project) == before


def test_an_unexpected_reader_failure_still_shows_a_dialog(qtbot, window, tmp_path, monkeypatch):
    from ipsmap.formats import registry

    source = tmp_path / "m.gml"
    source.write_text('graph [ node [ id 0 label "A" ] ]')
    fmt = registry.get_format("gml")

    def broken(path, options):
        raise IndexError("a reader bug")

    monkeypatch.setitem(
        registry.FORMATS, "gml", registry.MapFormat(**{**vars(fmt), "read": broken})
    )
    before = _state(window.project)
    assert window.files.import_map(source, confirm=False) is None
    boxes = window.findChildren(file_actions.QMessageBox, "error-dialog")
    assert boxes and "m.gml: cannot be read as a GML file (a reader bug)" in boxes[-1].text()
    assert _state(window.project) == before
