"""The hallway: what the window shows, as signals the scene and panels follow."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from ipsmap.model.commands import AddFactor
from ipsmap.model.frozen import is_frozen
from ipsmap.model.snapshots import take_snapshot
from ipsmap.ui.actions import MENUS, SEPARATOR
from tests.ui.support import add_factor_by_typing, factor_point, select_factors


def _record(signal) -> list:
    seen: list = []
    signal.connect(lambda *args: seen.append(args))
    return seen


def test_a_map_edit_reaches_the_scene_before_the_panels(window):
    hallway, doc = window.hallway, window.document
    drawn: list[bool] = []

    def check_drawn(change) -> None:
        drawn.append(change.added["factors"] <= set(window.scene.factor_items))

    # Connected after the window's own receivers: the scene, connected first, has drawn.
    hallway.model_changed.connect(check_drawn)
    records = _record(hallway.project_records_changed)
    command = AddFactor("Respite care", 0, 0)
    doc.execute(command)
    assert drawn == [True]
    assert records and records[-1][0].added["factors"] == {command.id}


def test_selection_is_held_as_ids_and_the_inspector_follows_it(qtbot, window):
    hallway, doc = window.hallway, window.document
    changes = _record(hallway.selection_changed)
    first, second = list(doc.factors)[:2]
    select_factors(window.scene, first)
    assert hallway.selected_factor_ids == [first] and hallway.selected_link_ids == []
    assert changes[-1] == ([first], [])
    assert window.inspector.factor_id == first
    select_factors(window.scene, first, second)
    assert set(hallway.selected_factor_ids) == {first, second}
    assert window.inspector.factor_id is None
    # A click on the canvas selects through the same path.
    window.scene.clearSelection()
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=factor_point(window.view, second)
    )
    assert hallway.selected_factor_ids == [second]


def test_a_deleted_factor_leaves_the_selection(qtbot, window):
    new = add_factor_by_typing(qtbot, window.view, "Short-lived", QPoint(60, 60))
    assert window.hallway.selected_factor_ids == [new]
    window.trigger("delete")
    assert new not in window.document.factors
    assert window.hallway.selected_factor_ids == []


def test_showing_another_map_resets_the_selection_and_tells_everyone(window):
    hallway = window.hallway
    shown = _record(hallway.document_changed)
    select_factors(window.scene, next(iter(window.document.factors)))
    other = next(m for m in window.project.maps() if m.id != window.document.id)
    window.show_map(other.id)
    assert shown == [(window.document,)] and window.document.id == other.id
    assert hallway.selected_factor_ids == [] and hallway.selected_link_ids == []
    assert set(window.scene.factor_items) == set(window.document.factors)


def test_a_snapshot_shown_is_a_field_of_the_hallway_not_of_the_document(window):
    hallway, project = window.hallway, window.project
    snapshot = take_snapshot(project, window.document.id, "Before the workshop")
    window.snapshots.open(snapshot.id)
    assert is_frozen(window.document)
    assert hallway.snapshot is not None and hallway.snapshot.id == snapshot.id
    assert not hasattr(window.document, "snapshot")
    window.trigger("close-snapshot")
    assert hallway.snapshot is None and not is_frozen(window.document)


def test_another_project_is_announced_before_its_first_map(window, tmp_path):
    from ipsmap.model.project import Project
    from ipsmap.model.project_commands import AddMap

    project = Project.create(tmp_path / "other.ipsmap", "Other")
    add = AddMap("Leeds map", "system", "Leeds")
    project.execute(add)
    events: list[str] = []
    window.hallway.project_changed.connect(lambda p: events.append(f"project {p.title}"))
    window.hallway.document_changed.connect(
        lambda d: events.append(f"map {d.info.name}" if d else "no map")
    )
    window.files.open(project)
    assert events == ["no map", "project Other", "map Leeds map"]
    assert window.project is project and window.document.id == add.id
    assert "Leeds map" in window.windowTitle() and "demo" not in window.windowTitle()


def test_every_menu_action_has_a_handler_and_keeps_its_name(window):
    for specs in MENUS.values():
        for spec in specs:
            if spec is SEPARATOR:
                continue
            action = window.actions_by_name[spec.name]
            assert action.objectName() == "action-" + spec.name
    assert window.action_table.unhandled() == []
