"""File → Import (with preview), drag-and-drop, File → Export map as."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from ipsmap.ui import file_actions

MAP_FILE = {
    "format": "ipsmap-map",
    "version": 1,
    "map": {"name": "From a file", "kind": "system"},
    "factors": [{"id": "a", "label": "Rent arrears"}, {"id": "b", "label": "Stress"}],
    "links": [{"id": "l", "source": "a", "target": "b"}],
}


def test_import_shows_the_new_map_and_export_writes_it(qtbot, window, tmp_path):
    source = tmp_path / "map.json"
    source.write_text(json.dumps(MAP_FILE))
    count = len(window.project.maps())
    window.files.import_map(source, confirm=False)
    assert len(window.project.maps()) == count + 1
    assert window.document.info.name == "From a file"
    assert {f.label for f in window.document.factors.values()} == {"Rent arrears", "Stress"}
    out = tmp_path / "out.json"
    assert window.files.export_map(out) == out
    assert json.loads(out.read_text())["map"]["name"] == "From a file"


def test_import_preview_lists_counts_and_can_be_cancelled(qtbot, window, tmp_path, monkeypatch):
    source = tmp_path / "map.json"
    source.write_text(json.dumps(MAP_FILE))
    seen = {}

    def fake_exec(dialog):
        seen["text"] = dialog.findChildren(file_actions.QLabel)[0].text()
        return file_actions.QDialog.DialogCode.Rejected

    monkeypatch.setattr(file_actions.ImportPreview, "exec", fake_exec)
    count = len(window.project.maps())
    window.files.import_map(source)
    assert "2 factors, 1 links" in seen["text"]
    assert len(window.project.maps()) == count


def test_a_broken_file_shows_an_error_and_imports_nothing(qtbot, window, tmp_path):
    source = tmp_path / "broken.json"
    source.write_text('{"format": "ipsmap-map", "version": 1, "map": {"name": "x"}, "links": [')
    count = len(window.project.maps())
    assert window.files.import_map(source, confirm=False) is None
    boxes = window.findChildren(file_actions.QMessageBox, "error-dialog")
    assert boxes and "broken.json" in boxes[-1].text()
    assert len(window.project.maps()) == count


def test_dropping_a_map_file_on_the_window_imports_it(qtbot, window, tmp_path, monkeypatch):
    source = tmp_path / "dropped.json"
    source.write_text(json.dumps({**MAP_FILE, "map": {"name": "Dropped map"}}))
    monkeypatch.setattr(
        file_actions.ImportPreview, "exec", lambda d: file_actions.QDialog.DialogCode.Accepted
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.document.info.name == "Dropped map"


def test_table_import_preview_lets_the_user_choose_columns(qtbot, window, tmp_path):
    factors = tmp_path / "workshop-factors.csv"
    links = tmp_path / "workshop-links.csv"
    factors.write_text("Code,Wording\nf1,Rent arrears\nf2,Stress\n", encoding="utf-8")
    links.write_text("Cause,Effect,Sign\nf1,f2,+\n", encoding="utf-8")
    try:
        maps = file_actions.read_for_import(links, "csv")
    except file_actions.IpsmapError:
        maps = []
    preview = file_actions.ImportPreview(links, maps, window, "csv")
    qtbot.addWidget(preview)
    qtbot.keyClicks(preview.columns, "id=Code, label=Wording, from=Cause, to=Effect")
    assert preview.read_again()
    (data,) = preview.maps
    assert sorted(f.label for f in data.factors) == ["Rent arrears", "Stress"]
    assert len(data.links) == 1
    preview.columns.setText("label")
    assert not preview.read_again()
    assert "KEY=COLUMN" in preview.problem.text()
    preview.columns.setText("label=Nope")
    assert not preview.read_again()
    assert "Nope" in preview.problem.text()


def test_import_preview_says_a_map_without_positions_was_laid_out(
    qtbot, window, tmp_path, monkeypatch
):
    source = tmp_path / "plain.graphml"
    source.write_text(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
        '<node id="a"/><node id="b"/><node id="c"/><edge source="a" target="b"/></graph></graphml>'
    )
    seen = {}

    def fake_exec(dialog):
        seen["text"] = dialog.contents.text()
        seen["warnings"] = dialog.warnings.count()
        return file_actions.QDialog.DialogCode.Accepted

    monkeypatch.setattr(file_actions.ImportPreview, "exec", fake_exec)
    window.files.import_map(source)
    assert "no positions" in seen["text"] and "laid out automatically" in seen["text"]
    assert "could not be imported" not in seen["text"] and seen["warnings"] == 0
    assert "laid it out" in window.statusBar().currentMessage()
    points = {(f.x, f.y) for f in window.document.factors.values()}
    assert len(points) == 3
