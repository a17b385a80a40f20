"""The presence layer on a window's canvas, without a session: outlines are really drawn in
the person's colour on every theme, two people on one item both show, a link is outlined,
a factor deleted or another map shown leaves nothing stale, and the window's own state is
what PresenceView publishes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage

from ipsmap.live.presence import PALETTE, Presence
from ipsmap.model.commands import DeleteFactors
from ipsmap.model.snapshots import take_snapshot
from ipsmap.ui.live.presence_layer import PresenceLayer, text_colour_on
from ipsmap.ui.live.presence_view import PresenceView


def person(key: str, name: str, colour: str, map_id: str, selected, editing=None) -> Presence:
    return Presence(key, f"p-{key}", name, "editor", colour, map_id, tuple(selected), editing)


def pixels_like(window, scene_rect: QRectF, colour: str) -> int:
    """How many pixels of the canvas, within ``scene_rect``, are close to ``colour``."""
    view = window.view
    image: QImage = view.viewport().grab().toImage()
    area = view.mapFromScene(scene_rect).boundingRect().intersected(image.rect())
    want = QColor(colour)
    count = 0
    for x in range(area.left(), area.right(), 1):
        for y in range(area.top(), area.bottom(), 1):
            got = image.pixelColor(x, y)
            close = (
                abs(got.red() - want.red())
                + abs(got.green() - want.green())
                + abs(got.blue() - want.blue())
            )
            count += close < 40
    return count


@pytest.mark.parametrize("look", ["standard", "contrast", "presentation"])
def test_an_outline_is_drawn_in_the_person_s_colour_on_every_look(qtbot, window, look):
    doc, scene = window.document, window.scene
    if look == "presentation":
        window.actions_by_name["presentation"].trigger()
    else:
        window.actions_by_name[f"theme-{look}"].trigger()
    qtbot.wait(50)
    factor_id = next(iter(scene.factor_items))
    window.view.centerOn(scene.factor_items[factor_id])
    around = scene.factor_items[factor_id].sceneBoundingRect().adjusted(-40, -40, 40, 40)
    colour = PALETTE[3]
    before = pixels_like(window, around, colour)
    try:
        layer = PresenceLayer(window.hallway, scene, window.view)
        layer.show_people({"d1": person("d1", "Rowan", colour, doc.id, [factor_id])})
        qtbot.wait(50)
        after = pixels_like(window, around, colour)
        assert after > before + 40, (before, after)
        layer.show_people({})
        qtbot.wait(50)
        assert pixels_like(window, around, colour) <= before + 5
    finally:
        # The look is the application's: the next test must start from the standard one.
        if look == "presentation":
            window.actions_by_name["presentation"].trigger()
        window.actions_by_name["theme-standard"].trigger()


def test_two_people_on_one_factor_both_show_and_a_link_is_outlined(qtbot, window):
    doc, scene = window.document, window.scene
    factor_id, link_id = next(iter(doc.factors)), next(iter(doc.links))
    layer = PresenceLayer(window.hallway, scene, window.view)
    layer.show_people(
        {
            "d1": person("d1", "Rowan", PALETTE[0], doc.id, [factor_id, link_id]),
            "d2": person("d2", "Sam", PALETTE[1], doc.id, [factor_id], editing=link_id),
        }
    )
    on_factor = [o for o in layer.outlines() if o.parentItem() is scene.factor_items[factor_id]]
    assert len(on_factor) == 2
    inner, outer = sorted(on_factor, key=lambda o: o.boundingRect().width())
    assert outer.boundingRect().contains(inner.boundingRect().adjusted(4, 4, -4, -4))
    on_link = [o for o in layer.outlines() if o.parentItem() is scene.link_items[link_id]]
    assert len(on_link) == 1 and on_link[0].colour.name() == PALETTE[0]
    assert sorted(tag.text for tag in layer.tags()) == ["Rowan", "Sam"]
    link = doc.links[link_id]
    ends = f"'{doc.factors[link.source].label}' → '{doc.factors[link.target].label}'"
    assert layer.hint.lines == [f"Sam is editing the link {ends}"]
    # The outlines never get in the way of a click.
    centre = scene.factor_items[factor_id].sceneBoundingRect().center()
    assert scene.itemAt(centre, window.view.transform()) is scene.factor_items[factor_id]


def test_a_deleted_factor_or_another_map_leaves_nothing_stale(qtbot, window):
    doc, scene = window.document, window.scene
    first, second = list(doc.factors)[:2]
    layer = PresenceLayer(window.hallway, scene, window.view)
    layer.show_people({"d1": person("d1", "Rowan", PALETTE[0], doc.id, [first, second], first)})
    assert len(layer.outlines()) == 2 and layer.hint.isVisible()
    doc.execute(DeleteFactors([first]))  # deleted here (or by someone else) meanwhile
    assert [o.parentItem() for o in layer.outlines()] == [scene.factor_items[second]]
    assert not layer.hint.isVisible()  # what Rowan was editing is gone
    other = next(m.id for m in window.project.maps() if m.id != doc.id)
    window.hallway.show_map(other)
    assert layer.outlines() == [] and layer.tags() == []
    window.hallway.show_map(doc.id)
    assert len(layer.outlines()) == 1
    layer.close()
    assert layer.outlines() == [] and not any(i.zValue() == 1000 for i in scene.items())


def test_presence_view_publishes_the_map_the_selection_and_nothing_of_a_snapshot(qtbot, window):
    published: list = []
    view = PresenceView.for_window(window, lambda *state: published.append(state))
    doc = window.document
    assert published == [(doc.id, [], None)]
    factor_id = next(iter(window.scene.factor_items))
    window.scene.factor_items[factor_id].setSelected(True)
    qtbot.waitUntil(lambda: published[-1] == (doc.id, [factor_id], None))
    count = len(published)
    window.scene.factor_items[factor_id].setSelected(True)  # the same again: not repeated
    qtbot.wait(100)
    assert len(published) == count
    window.snapshots.open(take_snapshot(window.project, doc.id, "Before lunch").id)
    qtbot.waitUntil(lambda: published[-1] == (None, [], None))
    view.close()


def test_a_tag_s_text_is_black_or_white_whichever_reads():
    assert text_colour_on(QColor("#e69f00")).name() == "#000000"
    assert text_colour_on(QColor("#0072b2")).name() == "#ffffff"
