"""The find bar: find factors by label or notes, step through matches, show "no match"."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ipsmap.model.command import Macro
from ipsmap.model.commands import AddFactor, DeleteFactors
from ipsmap.model.document import MapDocument
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.search_bar import SearchBar, find_factors
from ipsmap.ui.canvas.view import MapView

SHIFT = Qt.KeyboardModifier.ShiftModifier


@dataclass
class World:
    project: Project
    doc: MapDocument
    scene: MapScene
    view: MapView
    editor: MapEditor
    bar: SearchBar
    ids: dict[str, str]


LABELS = {
    "stress": ("Parent stress", "Worry about money"),
    "sleep": ("Child sleep", ""),
    "money": ("Household money", ""),
    "creche": ("Crèche places", "Few places near home"),
    "screens": ("Screen time", "Evenings, when parents are stressed"),
}


def _build_map(project: Project) -> tuple[MapDocument, dict[str, str]]:
    add = AddMap("Glasgow workshop")
    project.execute(add)
    doc = project.document(add.id)
    commands = {
        key: AddFactor(label, n * 900, n * 700, notes=notes)
        for n, (key, (label, notes)) in enumerate(LABELS.items())
    }
    doc.execute(Macro("Workshop map", list(commands.values())))
    return doc, {key: command.id for key, command in commands.items()}


@pytest.fixture
def world(qtbot, make_canvas, tmp_path: Path):
    project = Project.create(tmp_path / "workshop.ipsmap", "Workshop")
    doc, ids = _build_map(project)
    window = QWidget()
    qtbot.addWidget(window)
    canvas = make_canvas(doc, host=window)
    scene, view, editor = canvas.scene, canvas.view, canvas.editor
    bar = SearchBar(canvas.hallway, editor, scene, window)
    layout = QVBoxLayout(window)
    layout.addWidget(bar)
    layout.addWidget(view, 1)
    window.resize(800, 600)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    yield World(project, doc, scene, view, editor, bar, ids)
    window.close()


def centred_on(world: World, factor_id: str) -> bool:
    centre = world.view.mapToScene(world.view.viewport().rect().center())
    item = world.scene.factor_items[factor_id].pos()
    return abs(centre.x() - item.x()) < 2 and abs(centre.y() - item.y()) < 2


# -- the pure search ------------------------------------------------------------------------


def test_find_factors_by_label_and_notes_in_map_order(world: World) -> None:
    ids = world.ids
    assert find_factors(world.doc, "money") == [ids["stress"], ids["money"]]  # notes, label
    assert find_factors(world.doc, "STRESS") == [ids["stress"], ids["screens"]]
    assert find_factors(world.doc, "creche") == [ids["creche"]]  # accents don't count
    assert find_factors(world.doc, "  places ") == [ids["creche"]]
    assert find_factors(world.doc, "") == []
    assert find_factors(world.doc, "   ") == []
    assert find_factors(world.doc, "tractor") == []
    assert find_factors(None, "money") == []


# -- the bar ----------------------------------------------------------------------------------


def test_typing_finds_and_enter_cycles_through_matches(qtbot, world: World) -> None:
    bar, ids = world.bar, world.ids
    assert not bar.isVisible()
    bar.activate()
    assert bar.isVisible()
    assert bar.field.objectName() == "search-field"
    assert bar.field.placeholderText() == "Find factors by label or notes…"
    qtbot.waitUntil(bar.field.hasFocus)

    qtbot.keyClicks(bar.field, "stress")
    assert bar.matches() == [ids["stress"], ids["screens"]]
    assert bar.count_label.text() == "1 of 2"
    assert world.scene.selected_factor_ids() == [ids["stress"]]
    assert centred_on(world, ids["stress"])

    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.count_label.text() == "2 of 2"
    assert world.scene.selected_factor_ids() == [ids["screens"]]
    assert centred_on(world, ids["screens"])

    qtbot.keyClick(bar.field, Qt.Key.Key_Return)  # wraps round
    assert world.scene.selected_factor_ids() == [ids["stress"]]
    assert bar.count_label.text() == "1 of 2"

    qtbot.keyClick(bar.field, Qt.Key.Key_Return, SHIFT)  # back, wrapping
    assert world.scene.selected_factor_ids() == [ids["screens"]]
    qtbot.keyClick(bar.field, Qt.Key.Key_F3)
    assert world.scene.selected_factor_ids() == [ids["stress"]]
    qtbot.keyClick(bar.field, Qt.Key.Key_F3, SHIFT)
    assert world.scene.selected_factor_ids() == [ids["screens"]]
    assert centred_on(world, ids["screens"])


def test_buttons_step_through_matches(qtbot, world: World) -> None:
    bar, ids = world.bar, world.ids
    bar.activate()
    qtbot.keyClicks(bar.field, "money")
    next_button = bar.findChild(QWidget, "search-next")
    previous_button = bar.findChild(QWidget, "search-previous")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert world.scene.selected_factor_ids() == [ids["money"]]
    qtbot.mouseClick(previous_button, Qt.MouseButton.LeftButton)
    assert world.scene.selected_factor_ids() == [ids["stress"]]


def test_no_match_tints_the_field(qtbot, world: World) -> None:
    bar = world.bar
    bar.activate()
    qtbot.keyClicks(bar.field, "tractor")
    assert bar.matches() == []
    assert bar.count_label.text() == "No match"
    assert bar.field.property("no_match") is True
    assert "background" in bar.field.styleSheet()
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)  # nothing to go to, no error
    assert world.scene.selected_factor_ids() == []

    for _ in "tractor":
        qtbot.keyClick(bar.field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(bar.field, "sleep")
    assert bar.count_label.text() == "1 of 1"
    assert bar.field.property("no_match") is False
    assert bar.field.styleSheet() == ""


def test_escape_hides_the_bar_and_returns_focus_to_the_view(qtbot, world: World) -> None:
    bar = world.bar
    bar.activate()
    qtbot.waitUntil(bar.field.hasFocus)
    qtbot.keyClicks(bar.field, "sleep")
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    qtbot.waitUntil(world.view.hasFocus)
    # The match stays selected, ready for the next gesture on the canvas.
    assert world.scene.selected_factor_ids() == [world.ids["sleep"]]


def test_activate_again_selects_the_previous_text(qtbot, world: World) -> None:
    bar = world.bar
    bar.activate()
    qtbot.keyClicks(bar.field, "sleep")
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    bar.activate()
    assert bar.field.selectedText() == "sleep"
    qtbot.keyClicks(bar.field, "creche")  # typing replaces the old text
    assert bar.field.text() == "creche"
    assert world.scene.selected_factor_ids() == [world.ids["creche"]]


def test_matches_follow_model_changes(qtbot, world: World) -> None:
    bar, ids = world.bar, world.ids
    bar.activate()
    qtbot.keyClicks(bar.field, "stress")
    assert bar.count_label.text() == "1 of 2"
    world.editor.run(AddFactor("Teacher stress", 50, 50))
    assert bar.count_label.text() == "1 of 3"
    world.editor.run(DeleteFactors([ids["stress"]]))
    assert bar.count_label.text() == "1 of 2"
    assert bar.current_match() == ids["screens"]
