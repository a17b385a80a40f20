"""Presence in the host's window: a real laptop process's selection is outlined on the canvas
in that person's colour with their name, "Rowan is editing …" is shown, and both go when
they deselect or leave; the host's own selection (real mouse clicks) reaches the laptop; the
panel lists people with their colour and map; the history credits their edit."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from ipsmap.model.commands import MoveFactors
from ipsmap.model.project_commands import AddParticipant
from ipsmap.ui.live.presence_rows import shortened
from tests.live.support import PeerProcess
from tests.ui.live_support import answer_while_the_window_runs, host_from_the_menu

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("window_loop_released")]


def join_laptop(hosting, participant: str, workdir, log) -> PeerProcess:
    panel = hosting.panel
    shown = SimpleNamespace(
        info={
            "address": panel.address.text().splitlines()[0].removeprefix("Address: "),
            "code": panel.code.text().replace(" ", ""),
            "fingerprint": panel.fingerprint.toolTip(),
        }
    )
    return PeerProcess(shown, participant, workdir, stderr=log)  # type: ignore[arg-type]


def clickable_factors(window) -> list[str]:
    """Factors whose centre, on screen, is the factor itself (no link or mark on top)."""
    view, scene = window.view, window.scene
    found = []
    for factor_id, item in scene.factor_items.items():
        centre = item.sceneBoundingRect().center()
        on_screen = view.viewport().rect().contains(view.mapFromScene(centre))
        if on_screen and scene.itemAt(centre, view.transform()) is item:
            found.append(factor_id)
    return found


def stop_and_wait(hosting, qtbot) -> None:
    """End the session on this test's loop (the next test gets a loop of its own)."""
    hosting.stop()
    qtbot.waitUntil(lambda: hosting.idle, timeout=10000)


def ask(peer: PeerProcess, qtbot, **command) -> dict:
    peer.send(**command)
    return answer_while_the_window_runs(peer, qtbot)


def test_a_laptop_s_selection_is_outlined_on_the_host_and_the_host_s_reaches_the_laptop(
    qtbot, window, monkeypatch, tmp_path
):
    project, doc = window.project, window.document
    rowan = AddParticipant("Rowan", "practitioner", "Glasgow")
    project.execute(rowan)
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    layer = hosting.presence.layer
    first, second, mine = clickable_factors(window)[:3]
    labels = {f: doc.factors[f].label for f in (first, second, mine)}

    with (tmp_path / "peer.log").open("w") as log:
        peer = join_laptop(hosting, rowan.id, tmp_path / "laptop", log)
        try:
            assert ask(peer, qtbot, cmd="wait-connected") == {"connected": True}
            ask(peer, qtbot, cmd="presence", map=doc.id, selected=[first, second], editing=first)
            qtbot.waitUntil(lambda: len(layer.outlines()) == 2, timeout=10000)

            # Outlined in Rowan's colour (the one the host gave), named on the first.
            colour = hosting.host.presence.colour_for(rowan.id)
            outlines = layer.outlines()
            items = window.scene.factor_items
            assert {o.parentItem() for o in outlines} == {items[first], items[second]}
            assert {o.colour.name() for o in outlines} == {colour}
            assert [(t.text, t.outline.parentItem()) for t in layer.tags()] == [
                ("Rowan", items[first])
            ]
            assert layer.hint.isVisible()
            assert layer.hint.lines == [f"Rowan is editing '{labels[first]}'"]
            # The panel: Rowan, role, map, with a swatch.
            qtbot.waitUntil(
                lambda: (
                    hosting.panel.listed_people()
                    == [f"Rowan — editor\non '{shortened(doc.info.name)}'"]
                ),
                timeout=5000,
            )
            swatches = hosting.panel.people.findChildren(QLabel, "live-swatch")
            assert [swatch.property("colour") for swatch in swatches] == [colour]

            # The outline follows its factor when it moves.
            x, y = doc.factors[first].x + 300, doc.factors[first].y + 200
            doc.execute(MoveFactors({first: (x, y)}))
            moved = [o for o in layer.outlines() if o.parentItem() is items[first]]
            assert len(moved) == 1
            assert moved[0].sceneBoundingRect().contains(items[first].sceneBoundingRect())

            # The host's own selection, made with the mouse, reaches the laptop.
            view = window.view
            point = view.mapFromScene(items[mine].sceneBoundingRect().center())
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
            assert window.hallway.selected_factor_ids == [mine]

            def host_seen() -> dict | None:
                others = ask(peer, qtbot, cmd="others")["others"]
                host = others.get("host")
                return host if host and host["selected"] == [mine] else None

            seen = None
            for _ in range(50):
                seen = host_seen()
                if seen:
                    break
                qtbot.wait(100)
            assert seen is not None and seen["role"] == "host" and seen["map_id"] == doc.id

            # Rowan deselects: the outlines and the hint go.
            ask(peer, qtbot, cmd="presence", map=doc.id, selected=[])
            qtbot.waitUntil(lambda: layer.outlines() == [], timeout=10000)
            assert not layer.hint.isVisible()

            # Rowan's edit is in the history panel under Rowan's name.
            factor_id = str(uuid.uuid4())
            ask(peer, qtbot, cmd="add", map=doc.id, id=factor_id, label="Waiting lists")
            qtbot.waitUntil(lambda: factor_id in window.scene.factor_items, timeout=10000)
            top = window.history.log.item(0).text()
            assert "Rowan" in top and "Waiting lists" in top

            # Selected again, then Rowan leaves: withdrawn from the canvas and the panel.
            ask(peer, qtbot, cmd="presence", map=doc.id, selected=[second])
            qtbot.waitUntil(lambda: len(layer.outlines()) == 1, timeout=10000)
            peer.send(cmd="quit")
            answer_while_the_window_runs(peer, qtbot)
            qtbot.waitUntil(lambda: layer.outlines() == [], timeout=10000)
            qtbot.waitUntil(lambda: hosting.panel.listed_people() == [], timeout=10000)
        finally:
            peer.kill()
            stop_and_wait(hosting, qtbot)


def test_the_label_being_edited_on_the_host_is_published(qtbot, window, monkeypatch):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    doc = window.document
    factor_id = clickable_factors(window)[0]
    window.activateWindow()  # the host dialog had the keyboard
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.edit_label(factor_id)  # what double-clicking a factor does
    assert window.view.label_editor() is not None
    qtbot.waitUntil(lambda: hosting.host.presence.everyone()["host"].editing == factor_id)
    window.inspector.factor_notes.setFocus()  # its notes in the inspector: the same factor
    window.scene.clearSelection()
    window.scene.factor_items[factor_id].setSelected(True)
    qtbot.waitUntil(
        lambda: (
            window.inspector.factor_id == factor_id
            and hosting.host.presence.everyone()["host"].editing == factor_id
        )
    )
    window.view.setFocus()
    qtbot.waitUntil(lambda: hosting.host.presence.everyone()["host"].editing is None)
    assert hosting.host.presence.everyone()["host"].map_id == doc.id
    stop_and_wait(hosting, qtbot)
    assert hosting.presence is None
    assert not any(hint.isVisible() for hint in window.findChildren(QLabel, "presence-hint"))
