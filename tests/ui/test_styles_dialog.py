"""The factor types and link styles dialog, driven with real clicks and keys."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QPushButton

from ipsmap.model.commands import AddFactor, AddLink, EditFactors, EditStyle
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.ui.canvas.legend import LegendOverlay
from ipsmap.ui.dialogs.styles_dialog import StylesDialog
from tests.ui.support import Canvas


class Workshop(Canvas):
    """A canvas on one map, with the styles and types as stored in the project file."""

    @property
    def factors(self) -> dict[str, str]:  # label -> factor id
        return self.ids

    def stored(self, style_id: str, column: str):
        row = self.project.store.db.execute(
            f"SELECT {column} FROM styles WHERE id = ?", [style_id]
        ).fetchone()
        return row[0] if row is not None else None

    def stored_type(self, factor_id: str) -> str:
        query = "SELECT type FROM factors WHERE id = ?"
        return self.project.store.db.execute(query, [factor_id]).fetchone()[0]


def _open(make_canvas, tmp_path: Path, kind: str = "system") -> Workshop:
    project = Project.create(tmp_path / f"{kind}.ipsmap", "Styles test")
    command = AddMap("Leeds workshop", kind)
    project.execute(command)
    doc = project.document(command.id)
    types = doc.state.factor_styles()
    mechanism = types[3].id
    factors: dict[str, str] = {}
    for i, (label, type_id) in enumerate(
        [
            ("Parental stress", types[0].id),
            ("Child sleep", mechanism),
            ("Routine at bedtime", mechanism),
            ("Screen time", mechanism),
        ]
    ):
        add = AddFactor(label, i * 200.0, (i % 2) * 120.0, type=type_id)
        doc.execute(add)
        factors[label] = add.id
    doc.execute(AddLink(factors["Parental stress"], factors["Child sleep"], "-"))
    canvas = make_canvas(doc)
    return Workshop(project, doc, canvas.hallway, canvas.scene, canvas.view, canvas.editor, factors)


@pytest.fixture
def workshop(make_canvas, tmp_path: Path):
    return _open(make_canvas, tmp_path)


@pytest.fixture
def toc_workshop(make_canvas, tmp_path: Path):
    return _open(make_canvas, tmp_path, "toc")


def _dialog(qtbot, workshop: Workshop) -> StylesDialog:
    dialog = StylesDialog(workshop.editor)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def dialog(qtbot, workshop: Workshop) -> StylesDialog:
    return _dialog(qtbot, workshop)


def _find(dialog: StylesDialog, cls, name: str):
    widget = dialog.findChild(cls, name)
    assert widget is not None, name
    return widget


def _rows(style_list: QListWidget) -> list[str]:
    return [style_list.item(i).text() for i in range(style_list.count())]


def _click_row(qtbot, style_list: QListWidget, text: str) -> None:
    item = style_list.findItems(text, Qt.MatchFlag.MatchExactly)[0]
    rect = style_list.visualItemRect(item)
    qtbot.mouseClick(style_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _type_name(qtbot, dialog: StylesDialog, text: str) -> None:
    name = _find(dialog, object, "style-name")
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(name, text)
    qtbot.keyClick(name, Qt.Key.Key_Return)


def _click(qtbot, dialog: StylesDialog, name: str) -> None:
    qtbot.mouseClick(_find(dialog, QPushButton, name), Qt.MouseButton.LeftButton)


def _steps(workshop: Workshop) -> int:
    """How many undo steps the map has."""
    return len(workshop.doc.undo_stack.names()[0])


def _message(dialog: StylesDialog) -> str:
    return _find(dialog, QLabel, "style-message").text()


# -- showing ------------------------------------------------------------------------------


def test_lists_show_the_maps_styles_in_order(dialog, workshop):
    assert dialog.objectName() == "styles-dialog"
    assert dialog.windowTitle() == "Factor types and link styles"
    factor_list = _find(dialog, QListWidget, "style-factor-list")
    link_list = _find(dialog, QListWidget, "style-link-list")
    assert _rows(factor_list) == [s.name for s in workshop.doc.state.factor_styles()]
    assert _rows(link_list) == ["Causal", "Uncertain"]
    assert not factor_list.item(0).icon().isNull()


def test_every_button_has_an_object_name_and_accessible_name(dialog):
    for button in dialog.findChildren(QPushButton):
        assert button.objectName(), button.text()
        assert button.accessibleName(), button.objectName()


def test_shape_choices_are_plain_words(dialog):
    shape = _find(dialog, object, "style-shape")
    words = [shape.itemText(i) for i in range(shape.count())]
    assert words == ["Box", "Oval", "Hexagon", "Double border (focal)", "Note"]


def test_selecting_a_link_style_shows_link_fields(qtbot, dialog):
    _click_row(qtbot, _find(dialog, QListWidget, "style-link-list"), "Uncertain")
    assert _find(dialog, object, "style-name").text() == "Uncertain"
    assert _find(dialog, object, "style-dashes").isVisibleTo(dialog)
    assert _find(dialog, object, "style-dashes").isChecked()
    assert not _find(dialog, object, "style-shape").isVisibleTo(dialog)
    assert not _find(dialog, object, "style-level").isVisibleTo(dialog)
    assert not _find(dialog, QListWidget, "style-factor-list").selectedItems()


# -- editing ------------------------------------------------------------------------------


def test_renaming_a_type_updates_model_file_canvas_and_legend(qtbot, workshop, dialog):
    legend = LegendOverlay(workshop.hallway, workshop.view, workshop.scene)
    mechanism = workshop.style("factor", "Mechanism")
    steps = _steps(workshop)
    factor_list = _find(dialog, QListWidget, "style-factor-list")
    _click_row(qtbot, factor_list, "Mechanism")
    _type_name(qtbot, dialog, "Sleep and routines")

    assert workshop.doc.styles[mechanism.id].name == "Sleep and routines"
    assert workshop.stored(mechanism.id, "name") == "Sleep and routines"
    assert "Sleep and routines" in _rows(factor_list)
    assert "Sleep and routines" in legend.entries()
    assert "Mechanism" not in legend.entries()
    assert _steps(workshop) == steps + 1
    assert _message(dialog) == ""


def test_duplicate_name_is_refused_inline(qtbot, workshop, dialog):
    mechanism = workshop.style("factor", "Mechanism")
    _click_row(qtbot, _find(dialog, QListWidget, "style-factor-list"), "Mechanism")
    _type_name(qtbot, dialog, "context")

    assert workshop.doc.styles[mechanism.id].name == "Mechanism"
    message = _find(dialog, QLabel, "style-message")
    assert "already" in message.text()
    assert message.isVisibleTo(dialog)
    # The refused name stays for correcting, and a good one then goes through.
    assert _find(dialog, object, "style-name").text() == "context"
    _type_name(qtbot, dialog, "Context of the family")
    assert workshop.doc.styles[mechanism.id].name == "Context of the family"
    assert _message(dialog) == ""


def test_enter_in_the_name_field_does_not_close_the_dialog(qtbot, workshop, dialog):
    _type_name(qtbot, dialog, "Anything")
    assert dialog.isVisible()
    assert workshop.doc.state.default_style("factor").name == "Anything"


def test_changing_colour_restyles_all_members_in_one_undo_step(
    qtbot, workshop, dialog, monkeypatch
):
    mechanism = workshop.style("factor", "Mechanism")
    members = [workshop.factors[k] for k in ("Child sleep", "Routine at bedtime", "Screen time")]
    old = mechanism.color
    asked: list[QColor] = []

    def choose(initial: QColor, title: str = "") -> QColor:
        asked.append(initial)
        return QColor("#ff8800")

    monkeypatch.setattr(dialog, "_choose_color", choose)
    _click_row(qtbot, _find(dialog, QListWidget, "style-factor-list"), "Mechanism")
    steps = _steps(workshop)
    _click(qtbot, dialog, "style-color")

    assert asked == [QColor(old)]
    assert workshop.doc.styles[mechanism.id].color == "#ff8800"
    assert workshop.stored(mechanism.id, "color") == "#ff8800"
    for factor_id in members:
        assert workshop.scene.factor_items[factor_id].style.color == "#ff8800"
    assert _steps(workshop) == steps + 1
    assert _find(dialog, QPushButton, "style-color").text() == "#FF8800"

    # One undo, with the dialog still open, brings every member back.
    workshop.doc.undo()
    assert workshop.stored(mechanism.id, "color") == old
    for factor_id in members:
        assert workshop.scene.factor_items[factor_id].style.color == old
    assert _find(dialog, QPushButton, "style-color").text() == QColor(old).name().upper()


def test_cancelled_colour_choice_changes_nothing(qtbot, workshop, dialog, monkeypatch):
    monkeypatch.setattr(dialog, "_choose_color", lambda initial, title="": None)
    steps = _steps(workshop)
    _click(qtbot, dialog, "style-border")
    assert _steps(workshop) == steps


def test_border_colour_and_shape(qtbot, workshop, dialog, monkeypatch):
    monkeypatch.setattr(dialog, "_choose_color", lambda initial, title="": QColor("#123456"))
    factor = workshop.style("factor", "Factor")
    _click(qtbot, dialog, "style-border")
    assert workshop.stored(factor.id, "border_color") == "#123456"

    shape = _find(dialog, object, "style-shape")
    shape.setFocus()
    qtbot.keyClick(shape, Qt.Key.Key_Down)
    assert workshop.doc.styles[factor.id].shape == "ellipse"
    assert workshop.stored(factor.id, "shape") == "ellipse"
    item = workshop.scene.factor_items[workshop.factors["Parental stress"]]
    assert item.style.shape == "ellipse"


def test_dashed_link_style(qtbot, workshop, dialog):
    causal = workshop.style("link", "Causal")
    _click_row(qtbot, _find(dialog, QListWidget, "style-link-list"), "Causal")
    dashes = _find(dialog, object, "style-dashes")
    qtbot.mouseClick(dashes, Qt.MouseButton.LeftButton, pos=QPoint(8, dashes.height() // 2))
    assert workshop.stored(causal.id, "dashes") == 1
    link_item = next(iter(workshop.scene.link_items.values()))
    assert link_item.style.dashes


def test_add_then_delete_a_type_moves_its_members(qtbot, workshop, dialog):
    factor_list = _find(dialog, QListWidget, "style-factor-list")
    _click(qtbot, dialog, "style-add-factor")
    _type_name(qtbot, dialog, "Barrier")
    barrier = workshop.style("factor", "Barrier")
    assert _rows(factor_list)[-1] == "Barrier"
    assert barrier.position == max(s.position for s in workshop.doc.state.factor_styles())

    moved = [workshop.factors["Child sleep"], workshop.factors["Screen time"]]
    assert workshop.editor.run(EditFactors(moved, {"type": barrier.id}))
    first = workshop.doc.state.factor_styles()[0]

    _click_row(qtbot, factor_list, "Barrier")
    _click(qtbot, dialog, "style-delete")

    assert barrier.id not in workshop.doc.styles
    assert workshop.stored(barrier.id, "name") is None
    assert "Barrier" not in _rows(factor_list)
    for factor_id in moved:
        assert workshop.doc.factors[factor_id].type == first.id
        assert workshop.stored_type(factor_id) == first.id
        assert workshop.scene.factor_items[factor_id].style.id == first.id
    assert "2 factors" in _message(dialog)

    workshop.doc.undo()
    assert "Barrier" in _rows(factor_list)
    for factor_id in moved:
        assert workshop.scene.factor_items[factor_id].style.id == barrier.id


def test_added_type_after_a_delete_still_comes_last(qtbot, workshop, dialog):
    _click_row(qtbot, _find(dialog, QListWidget, "style-factor-list"), "Context")
    _click(qtbot, dialog, "style-delete")
    _click(qtbot, dialog, "style-add-factor")
    names = [s.name for s in workshop.doc.state.factor_styles()]
    assert names[-1] == "New type"
    assert _rows(_find(dialog, QListWidget, "style-factor-list")) == names


def test_refuses_to_delete_the_last_link_style(qtbot, workshop, dialog):
    link_list = _find(dialog, QListWidget, "style-link-list")
    _click_row(qtbot, link_list, "Uncertain")
    _click(qtbot, dialog, "style-delete")
    assert _rows(link_list) == ["Causal"]

    steps = _steps(workshop)
    _click_row(qtbot, link_list, "Causal")
    _click(qtbot, dialog, "style-delete")
    assert _rows(link_list) == ["Causal"]
    assert "only link style" in _message(dialog)
    assert _steps(workshop) == steps


def test_add_link_style(qtbot, workshop, dialog):
    _click(qtbot, dialog, "style-add-link")
    _type_name(qtbot, dialog, "Blocks")
    style = workshop.style("link", "Blocks")
    assert style.kind == "link"
    assert _rows(_find(dialog, QListWidget, "style-link-list"))[-1] == "Blocks"


def test_level_only_for_theory_of_change(qtbot, toc_workshop, dialog):
    # ``dialog`` is on the systems map: no level there.
    assert not _find(dialog, object, "style-level").isVisibleTo(dialog)
    toc_dialog = _dialog(qtbot, toc_workshop)
    level = _find(toc_dialog, object, "style-level")
    assert level.isVisibleTo(toc_dialog)
    activity = toc_workshop.style("factor", "Activity")
    _click_row(qtbot, _find(toc_dialog, QListWidget, "style-factor-list"), "Activity")
    steps = _steps(toc_workshop)
    level.setFocus()
    qtbot.keyClick(level, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(level, "12")
    qtbot.keyClick(level, Qt.Key.Key_Return)
    assert toc_workshop.doc.styles[activity.id].level == 12
    assert toc_workshop.stored(activity.id, "level") == 12
    assert _steps(toc_workshop) == steps + 1


def test_follows_undo_of_a_delete_while_open(qtbot, workshop, dialog):
    factor_list = _find(dialog, QListWidget, "style-factor-list")
    _click_row(qtbot, factor_list, "Outcome")
    _click(qtbot, dialog, "style-delete")
    assert "Outcome" not in _rows(factor_list)
    workshop.editor.undo()
    assert "Outcome" in _rows(factor_list)


def test_exec_works(qtbot, workshop):
    dialog = StylesDialog(workshop.editor)
    qtbot.addWidget(dialog)
    QTimer.singleShot(0, dialog.reject)
    assert dialog.exec() == QDialog.DialogCode.Rejected


def test_a_closed_dialog_stops_listening(qtbot, workshop):
    dialog = StylesDialog(workshop.editor)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    mechanism = workshop.style("factor", "Mechanism")
    assert workshop.editor.run(AddFactor("New", 0, 300, type=mechanism.id))


def test_no_map_open(qtbot, workshop):
    workshop.hallway.show(None)
    dialog = _dialog(qtbot, workshop)
    assert _find(dialog, QListWidget, "style-factor-list").count() == 0
    assert "Open a map" in _message(dialog)
    _click(qtbot, dialog, "style-add-factor")


# -- label colour -------------------------------------------------------------------------


def test_label_colour_is_shown_and_changed_through_one_undo_step(
    qtbot, workshop, dialog, monkeypatch
):
    mechanism = workshop.style("factor", "Mechanism")
    members = [workshop.factors[k] for k in ("Child sleep", "Routine at bedtime", "Screen time")]
    asked: list[QColor] = []

    def choose(initial: QColor, title: str = "") -> QColor:
        asked.append(initial)
        return QColor("#ffff00")

    monkeypatch.setattr(dialog, "_choose_color", choose)
    _click_row(qtbot, _find(dialog, QListWidget, "style-factor-list"), "Mechanism")
    button = _find(dialog, QPushButton, "style-font-color")
    assert button.isVisibleTo(dialog)
    assert button.accessibleName() == "Label colour"
    # No colour of its own yet: the button shows the black the canvas draws.
    assert button.text() == "#000000"
    steps = _steps(workshop)
    _click(qtbot, dialog, "style-font-color")

    assert asked == [QColor("#000000")]
    assert workshop.doc.styles[mechanism.id].font_color == "#ffff00"
    assert workshop.stored(mechanism.id, "font_color") == "#ffff00"
    for factor_id in members:
        assert workshop.scene.factor_items[factor_id].text_color() == QColor("#ffff00")
    assert _steps(workshop) == steps + 1
    assert button.text() == "#FFFF00"

    workshop.doc.undo()
    assert workshop.stored(mechanism.id, "font_color") is None
    assert workshop.scene.factor_items[members[0]].text_color() == QColor("#000000")
    assert button.text() == "#000000"


def test_choosing_black_returns_a_type_to_the_default_label_colour(
    qtbot, workshop, dialog, monkeypatch
):
    factor = workshop.style("factor", "Factor")
    workshop.doc.execute(EditStyle(factor.id, {"font_color": "#ffffff"}))
    button = _find(dialog, QPushButton, "style-font-color")
    assert button.text() == "#FFFFFF"
    monkeypatch.setattr(dialog, "_choose_color", lambda initial, title="": QColor("#000000"))
    _click(qtbot, dialog, "style-font-color")
    assert workshop.stored(factor.id, "font_color") is None
    assert button.text() == "#000000"


def test_a_stored_label_colour_that_is_not_a_colour_shows_as_black(qtbot, workshop, dialog):
    factor = workshop.style("factor", "Factor")
    workshop.doc.execute(EditStyle(factor.id, {"font_color": "url(javascript:x)"}))
    assert _find(dialog, QPushButton, "style-font-color").text() == "#000000"
    item = workshop.scene.factor_items[workshop.factors["Parental stress"]]
    assert item.text_color() == QColor("#000000")


def test_link_styles_have_no_label_colour(qtbot, dialog):
    _click_row(qtbot, _find(dialog, QListWidget, "style-link-list"), "Causal")
    assert not _find(dialog, QPushButton, "style-font-color").isVisibleTo(dialog)
