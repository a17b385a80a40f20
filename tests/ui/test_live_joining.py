"""Workshop → Join a live session…: two windows in one process, one hosting and one joined
over real TLS on loopback, each seeing the other's edits (made with real input) on its
canvas; the offline banner comes when the host goes and goes when it is back; refusals
are one line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from ipsmap.live.host import LiveHost
from ipsmap.live.qr import laptop_join_url
from ipsmap.live.security import make_certificate
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.ui.live.join_dialog import JoinChoice, JoinDialog
from ipsmap.ui.live.joining import OFFLINE_TEXT
from ipsmap.ui.live.loop import window_loop
from ipsmap.ui.live.session_panel import short_fingerprint
from tests.ui.live_support import host_from_the_menu
from tests.ui.support import add_factor_by_typing, factor_point, type_into
from tests.ui.test_first_hour import fill_new_map_dialog

pytestmark = pytest.mark.timeout(90)


def join_from_the_menu(window, qtbot, monkeypatch, fill) -> JoinDialog:
    """Trigger the action; ``fill(dialog)`` drives the (modal) dialog with real input."""
    seen = {}

    def fake_exec(dialog: JoinDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen["dialog"] = dialog
        fill(dialog)
        return dialog.result()

    monkeypatch.setattr(JoinDialog, "exec", fake_exec)
    window.actions_by_name["join-live-session"].trigger()
    return seen["dialog"]


def map_names_listed(tree) -> set[str]:
    """Every row of the Maps panel's tree (sites, kinds and maps)."""
    names, stack = set(), [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        names.add(item.text(0))
        stack += [item.child(i) for i in range(item.childCount())]
    return names


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def pick(qtbot, listing, text: str) -> None:
    """Click the list's row that starts with ``text``."""
    for row in range(listing.count()):
        item = listing.item(row)
        if item.text().startswith(text):
            rect = listing.visualItemRect(item)
            qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            return
    raise AssertionError(
        f"no row {text!r} in {[listing.item(r).text() for r in range(listing.count())]}"
    )


def test_two_windows_host_and_join_and_see_each_other_s_edits(
    qtbot,
    window,
    empty_window,
    monkeypatch,
    window_loop_released,
):
    host_window, joined = window, empty_window
    project = host_window.project
    rowan = AddParticipant("Rowan", "practitioner", "Glasgow")
    project.execute(rowan)
    hosting, _ = host_from_the_menu(host_window, qtbot, monkeypatch)
    host = hosting.host
    shared_map = host_window.document.id
    # What the facilitator's QR code and join address carry.
    address = laptop_join_url("127.0.0.1", host.port, host.code, host.fingerprint)

    def fill(dialog: JoinDialog) -> None:
        qtbot.keyClicks(dialog.paste, address)
        click(qtbot, dialog.next)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)
        assert not dialog.compare.isVisible()  # the fingerprint came with the address
        pick(qtbot, dialog.people, "Rowan")
        click(qtbot, dialog.join)

    join_from_the_menu(joined, qtbot, monkeypatch, fill)
    joining = joined.workshop.joining
    qtbot.waitUntil(lambda: joining.online, timeout=10000)
    qtbot.waitUntil(lambda: joined.document is not None and joined.document.id == shared_map,
                    timeout=5000)  # fmt: skip
    assert joined.windowTitle().endswith(
        f"Joined: {project.title} — 127.0.0.1:{host.port} — ipsmap"
    )
    assert joined.project.actor_id == rowan.id
    assert joined.participants.currentData() == rowan.id  # "Editing as" says so too
    assert not joined.participants.isEnabled()  # the host credits this laptop to Rowan
    assert joined.project.path.parent.name == host.fingerprint[:16]
    assert set(joined.scene.factor_items) == set(host_window.document.factors)
    assert not joining.banner.isVisible()
    assert joining.live_connection() is joining.laptop.connection

    # Rowan types a factor on the joined window: it is drawn on the host's canvas, his.
    mine = add_factor_by_typing(qtbot, joined.view, "Waiting lists")
    qtbot.waitUntil(lambda: mine in host_window.scene.factor_items, timeout=5000)
    assert host_window.scene.factor_items[mine].label == "Waiting lists"
    event = project.history(shared_map)[-1]
    assert event.actor == rowan.id and event.origin == joined.project.device_id

    # The facilitator types one on the host: it is drawn on the joined window.
    theirs = add_factor_by_typing(qtbot, host_window.view, "Respite care")
    qtbot.waitUntil(lambda: theirs in joined.scene.factor_items, timeout=5000)
    assert joined.scene.factor_items[theirs].label == "Respite care"

    # Presence both ways: Rowan clicks his factor, the host its own; each is outlined on
    # the other's canvas.
    viewport = joined.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=factor_point(joined.view, mine))
    qtbot.mouseClick(
        host_window.view.viewport(), Qt.MouseButton.LeftButton,
        pos=factor_point(host_window.view, theirs),
    )  # fmt: skip
    on_host, on_laptop = hosting.presence.layer, joining.presence.layer

    def outlined(layer, scene) -> list:
        return [o.parentItem() for o in layer.outlines()]

    qtbot.waitUntil(
        lambda: outlined(on_host, host_window.scene) == [host_window.scene.factor_items[mine]],
        timeout=10000,
    )
    assert [t.text for t in on_host.tags()] == ["Rowan"]
    qtbot.waitUntil(
        lambda: outlined(on_laptop, joined.scene) == [joined.scene.factor_items[theirs]],
        timeout=10000,
    )

    # Ctrl+Z on the joined window undoes Rowan's own step only, on both canvases.
    joined.view.setFocus()
    joined.actions_by_name["undo"].trigger()
    qtbot.waitUntil(lambda: mine not in host_window.scene.factor_items, timeout=5000)
    assert theirs in joined.scene.factor_items

    # Rowan's group starts a map of its own (Map → New map on the joined window): it joins
    # the session, made in the host's project as Rowan's and listed in its Maps panel.
    fill_new_map_dialog(qtbot, "Group 2 ideas")
    joined.actions_by_name["add-map"].trigger()
    new_map = joined.document.id
    assert new_map != shared_map
    qtbot.waitUntil(lambda: new_map in {m.id for m in project.maps()}, timeout=5000)
    assert project.map_info(new_map).created_by == rowan.id
    qtbot.waitUntil(
        lambda: "Group 2 ideas" in map_names_listed(host_window.map_list.tree), timeout=5000
    )

    # The host stops: the joined window says it is offline, and keeps editing.
    click(qtbot, hosting.panel.stop)
    qtbot.waitUntil(lambda: joining.banner.isVisible(), timeout=15000)
    assert joining.banner.text() == OFFLINE_TEXT
    assert joining.banner.geometry().top() == joined.view.viewport().geometry().top()
    add_factor_by_typing(qtbot, joined.view, "Kept offline")

    # A joined window neither hosts nor joins a second session; the host window does not join.
    said: list[str] = []
    joined.hallway.message.connect(said.append)
    host_window.hallway.message.connect(said.append)
    joined.actions_by_name["host-live-session"].trigger()
    joined.actions_by_name["join-live-session"].trigger()
    assert said[-2:] == [
        "This window is in a session hosted elsewhere: leave it first",
        "This window is already in a live session: leave it first",
    ]

    # Leave: the banner goes, the title no longer says Joined, the copy stays open.
    joined.actions_by_name["leave-live-session"].trigger()
    assert not joining.joined and not joining.banner.isVisible()
    assert "Joined" not in joined.windowTitle()
    assert not joined.actions_by_name["leave-live-session"].isEnabled()
    assert joined.participants.isEnabled()
    qtbot.waitUntil(lambda: joining.idle and hosting.idle, timeout=10000)


def test_the_offline_banner_comes_and_goes_with_the_host(
    qtbot,
    empty_window,
    tmp_path,
    window_loop_released,
):
    joined = empty_window
    certificate = make_certificate("127.0.0.1")
    project = Project.create(tmp_path / "host.ipsmap", "Fife families")
    project.execute(AddMap("Fife", "system"))
    eilidh = AddParticipant("Eilidh", "parent")
    project.execute(eilidh)
    map_id = project.maps()[0].id
    loop = window_loop()

    def start_host(port: int = 0) -> LiveHost:
        host = LiveHost(project, [map_id], certificate=certificate, code="KXMR-4PTA",
                        port=port, say=lambda _l: None)  # fmt: skip
        task = loop.create_task(host.start())
        qtbot.waitUntil(task.done, timeout=5000)
        task.result()
        return host

    def stop_host(host: LiveHost) -> None:
        task = loop.create_task(host.stop())
        qtbot.waitUntil(task.done, timeout=5000)

    host = start_host()
    joining = joined.workshop.joining
    choice = JoinChoice(
        host.address, "KXMR-4PTA", host.fingerprint, "Fife families", eilidh.id, "Eilidh"
    )
    joining.join(choice)
    try:
        qtbot.waitUntil(lambda: joining.online, timeout=10000)
        assert not joining.banner.isVisible()
        port = host.port
        stop_host(host)
        qtbot.waitUntil(lambda: joining.banner.isVisible(), timeout=15000)
        assert joining.banner.text() == OFFLINE_TEXT
        host = start_host(port)  # back, with the same certificate and address
        qtbot.waitUntil(lambda: not joining.banner.isVisible(), timeout=15000)
        assert joining.online
        # Leave, then join again: the same copy (still open here) carries on.
        mirror = joined.project
        joining.leave()
        qtbot.waitUntil(lambda: joining.idle, timeout=10000)
        joining.join(choice)
        qtbot.waitUntil(lambda: joining.online, timeout=10000)
        assert joined.project is mirror and "Joined: Fife families" in joined.windowTitle()
    finally:
        joining.leave()
        stop_host(host)
        qtbot.waitUntil(lambda: joining.idle, timeout=10000)
        project.close()


def test_a_wrong_code_is_one_line_in_the_dialog_and_a_typed_address_is_compared(
    qtbot,
    window,
    empty_window,
    monkeypatch,
    window_loop_released,
):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host = hosting.host
    heard: list[str] = []
    window.hallway.message.connect(heard.append)
    window.actions_by_name["join-live-session"].trigger()  # the hosting window: no
    assert heard == ["This window is hosting a live session: stop it first to join another"]
    said = {}

    def fill(dialog: JoinDialog) -> None:
        # Typed: the address, and a wrong code.
        qtbot.keyClicks(dialog.address, f"127.0.0.1:{host.port}")
        qtbot.keyClicks(dialog.code, "AAAA AAAA")
        click(qtbot, dialog.next)
        qtbot.waitUntil(lambda: dialog.compare.isVisible(), timeout=10000)
        said["compare"] = dialog.certificate.text()
        click(qtbot, dialog.next)  # not ticked yet: it asks first
        said["unticked"] = dialog.problem.text()
        # On the box itself (a wide check box takes clicks on its box and text only).
        box = QPoint(8, dialog.matches.height() // 2)
        qtbot.mouseClick(dialog.matches, Qt.MouseButton.LeftButton, pos=box)
        assert dialog.matches.isChecked()
        click(qtbot, dialog.next)
        qtbot.waitUntil(lambda: "refused" in dialog.problem.text(), timeout=10000)
        said["refused"] = dialog.problem.text()
        click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Cancel))

    join_from_the_menu(empty_window, qtbot, monkeypatch, fill)
    # The same characters as the host's panel shows after "Certificate: ".
    panel = hosting.panel.fingerprint.text()
    assert said["compare"] == short_fingerprint(host.fingerprint) == panel.split(": ")[1]
    assert said["unticked"].startswith("Compare the characters")
    assert said["refused"] == "The host refused to let this device join: wrong join code"
    assert not empty_window.workshop.joining.joined
    assert empty_window.project.title == "Workshop"  # nothing opened


def test_i_m_new_here_adds_me_through_the_lobby_as_my_group_without_consent(
    qtbot,
    window,
    empty_window,
    monkeypatch,
    window_loop_released,
):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host = hosting.host
    address = laptop_join_url("127.0.0.1", host.port, host.code, host.fingerprint)

    def fill(dialog: JoinDialog) -> None:
        qtbot.keyClicks(dialog.paste, address)
        click(qtbot, dialog.next)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)
        qtbot.mouseClick(
            dialog.new_person, Qt.MouseButton.LeftButton,
            pos=QPoint(8, dialog.new_person.height() // 2),
        )  # fmt: skip
        assert dialog.new_fields.isEnabled() and not dialog.consent.isChecked()
        qtbot.keyClicks(dialog.pseudonym, "Jo Bloggs")
        dialog.group.setCurrentIndex(dialog.group.findData("parent"))
        type_into(qtbot, dialog.site.lineEdit(), "Fife")
        click(qtbot, dialog.join)
        qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=10000)

    join_from_the_menu(empty_window, qtbot, monkeypatch, fill)
    joining = empty_window.workshop.joining
    qtbot.waitUntil(lambda: joining.online, timeout=10000)
    people = window.project.participants
    (me,) = [p for p in people.values() if p.site == "Fife" and p.stakeholder_group == "parent"]
    assert me.pseudonym.startswith("Parent/carer ") and not me.consent
    assert "Jo Bloggs" not in {p.pseudonym for p in people.values()}
    qtbot.waitUntil(lambda: empty_window.project.actor_id == me.id, timeout=5000)
    joining.leave()
    qtbot.waitUntil(lambda: joining.idle, timeout=10000)


def test_a_refusal_while_joined_is_one_line_in_the_banner(
    qtbot,
    window,
    empty_window,
    monkeypatch,
    window_loop_released,
):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host = hosting.host
    person = next(iter(window.project.participants))
    joining = empty_window.workshop.joining
    # The code the laptop knew is no longer the session's (the host changed it).
    joining.join(JoinChoice(host.address, "AAAA-AAAA", host.fingerprint, "Demo", person, "X"))
    qtbot.waitUntil(lambda: not joining.joined, timeout=10000)
    assert joining.banner.isVisible()
    assert joining.banner.text() == (
        "Left the live session: the host refused to let this device join: wrong join code"
    )
    assert "Joined" not in empty_window.windowTitle()
    qtbot.waitUntil(lambda: joining.idle, timeout=10000)


def test_a_session_found_on_the_network_is_listed_and_its_certificate_compared(
    qtbot,
    window,
    empty_window,
    monkeypatch,
    window_loop_released,
):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch, announce=True)
    host = hosting.host
    seen = {}

    def ours(dialog: JoinDialog) -> str | None:
        # Other helpers' sessions may be on this machine's network too: find ours by its
        # certificate.
        for row in range(dialog.found.count()):
            item = dialog.found.item(row)
            if item.data(Qt.ItemDataRole.UserRole)[2] == host.fingerprint:
                return item.text()
        return None

    def fill(dialog: JoinDialog) -> None:
        qtbot.waitUntil(lambda: ours(dialog) is not None, timeout=15000)
        seen["label"] = ours(dialog)
        pick(qtbot, dialog.found, seen["label"])
        qtbot.keyClicks(dialog.code, host.code.lower())
        click(qtbot, dialog.next)
        # An advert proves nothing: the fingerprint is shown to compare first.
        qtbot.waitUntil(lambda: dialog.compare.isVisible(), timeout=5000)
        seen["compare"] = dialog.certificate.text()
        qtbot.mouseClick(
            dialog.matches, Qt.MouseButton.LeftButton, pos=QPoint(8, dialog.matches.height() // 2)
        )
        click(qtbot, dialog.next)
        qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1, timeout=10000)
        seen["people"] = [dialog.people.item(r).text() for r in range(dialog.people.count())]
        click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Cancel))

    join_from_the_menu(empty_window, qtbot, monkeypatch, fill)
    assert seen["label"] == f"{window.project.title} — 127.0.0.1:{host.port}"
    assert seen["compare"] == short_fingerprint(host.fingerprint)
    assert "Eilidh — Parent/carer" in seen["people"]
    assert not empty_window.workshop.joining.joined
    qtbot.waitUntil(lambda: empty_window.workshop.joining.idle, timeout=10000)


@pytest.mark.parametrize("how", ["open another project", "close the window"])
def test_opening_another_project_or_closing_the_window_leaves(
    qtbot,
    window,
    empty_window,
    monkeypatch,
    tmp_path,
    how,
    window_loop_released,
):
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    host = hosting.host
    person = next(p.id for p in window.project.participants.values() if p.pseudonym == "Shona")
    joining = empty_window.workshop.joining
    joining.join(JoinChoice(host.address, host.code, host.fingerprint, "Demo", person, "Shona"))
    qtbot.waitUntil(lambda: joining.online, timeout=10000)
    qtbot.waitUntil(lambda: len(host.peers) == 1, timeout=5000)
    mirror = empty_window.project
    if how == "close the window":
        empty_window.close()
    else:
        empty_window.hallway.open(Project.create(tmp_path / "other.ipsmap", "Other"))
        assert "Joined" not in empty_window.windowTitle()
    assert not joining.joined
    qtbot.waitUntil(lambda: not host.peers, timeout=10000)  # the host saw it leave
    qtbot.waitUntil(lambda: joining.idle, timeout=10000)
    assert not joining.banner.isVisible() and mirror is not empty_window.project


def test_a_viewer_s_window_shows_the_edits_but_offers_no_editing(
    qtbot,
    empty_window,
    tmp_path,
    window_loop_released,
):
    joined = empty_window
    project = Project.create(tmp_path / "host.ipsmap", "Fife families")
    project.execute(AddMap("Fife", "system"))
    map_id = project.maps()[0].id
    loop = window_loop()
    host = LiveHost(project, [map_id], certificate=make_certificate("127.0.0.1"),
                    code="KXMR-4PTA", viewer_code="CDEF-GHJK", say=lambda _l: None)  # fmt: skip
    started = loop.create_task(host.start())
    qtbot.waitUntil(started.done, timeout=5000)
    joining = joined.workshop.joining
    joining.join(JoinChoice(host.address, "CDEF-GHJK", host.fingerprint, "Fife families",
                            "viewer", "Viewer", viewer=True))  # fmt: skip
    try:
        qtbot.waitUntil(lambda: joining.online, timeout=10000)
        qtbot.waitUntil(lambda: joined.document is not None, timeout=5000)
        assert joined.project.read_only
        assert [p.role for p in host.peers] == ["viewer"]
        # The facilitator's edit arrives and is drawn...
        from ipsmap.model.commands import AddFactor

        housing = AddFactor("Housing")
        project.document(map_id).execute(housing)
        qtbot.waitUntil(lambda: housing.id in joined.scene.factor_items, timeout=5000)
        # ... but pressing N here adds nothing, and the status bar says why.
        joined.view.setFocus()
        joined.actions_by_name["add-factor"].trigger()
        assert joined.view.label_editor() is None or not joined.view.label_editor().isVisible()
        assert "read-only" in joined.statusBar().currentMessage()
        assert set(joined.document.factors) == {housing.id}
    finally:
        joining.leave()
        stopped = loop.create_task(host.stop())
        qtbot.waitUntil(stopped.done, timeout=5000)
        qtbot.waitUntil(lambda: joining.idle, timeout=10000)
        project.close()
