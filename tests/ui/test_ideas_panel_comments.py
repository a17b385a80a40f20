"""Comments in the window's Ideas panel: listed with what they are about and who wrote
them, placed by a real click as a line of the item's notes credited to the writer, taken
off again by the facilitator's Ctrl+Z; one whose factor was deleted stays in the list; a
phone's comment over HTTPS reaches the hosting window's panel."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from ipsmap.model.author import Author
from ipsmap.model.commands import DeleteFactors
from ipsmap.model.idea_commands import AddIdea
from ipsmap.model.project_commands import AddParticipant
from tests.ui.live_support import host_from_the_menu
from tests.ui.test_ideas_panel import _post

pytestmark = pytest.mark.timeout(90)


def comment(project, who: str, map_id: str, on: str, item: str, text: str) -> str:
    """A comment as a phone's participant makes it (the desk runs AddIdea so)."""
    command = AddIdea(map_id, kind="comment", about_kind=on, about=item, note=text)
    project.execute(command, author=Author(who, "phone-1", None))
    return command.id


def test_comments_are_listed_placed_into_the_notes_and_undone(qtbot, window):
    project, doc = window.project, window.document
    sam = AddParticipant("Sam", "parent")
    project.execute(sam)
    said: list[str] = []
    window.hallway.message.connect(said.append)
    window.actions_by_name["show-ideas"].trigger()
    panel = window.workshop.hosting.ideas
    factor = next(iter(doc.factors.values()))
    link = next(iter(doc.links.values()))
    source, target = doc.factors[link.source].label, doc.factors[link.target].label
    notes_before, link_notes_before = factor.notes, link.notes
    on_factor = comment(project, sam.id, doc.id, "factor", factor.id, "<b>Two</b> months\nlate")
    on_link = comment(project, sam.id, doc.id, "link", link.id, "Every week")
    assert panel.waiting_ids() == [on_factor, on_link]
    assert panel.heading.text() == f"2 ideas waiting for '{doc.info.name}'"
    # As typed, never as markup.
    assert [panel.ideas.item(r).text() for r in range(2)] == [
        f"Comment on '{factor.label}' — Sam: <b>Two</b> months\nlate",
        f"Comment on the link '{source}' → '{target}' — Sam: Every week",
    ]

    qtbot.mouseClick(panel.place_button, Qt.MouseButton.LeftButton)
    placed = doc.factors[factor.id]
    line = "Sam: <b>Two</b> months late"
    assert placed.notes == (f"{notes_before.rstrip()}\n{line}" if notes_before.strip() else line)
    assert placed.modified_by == sam.id
    assert project.ideas[on_factor].status == "placed"
    assert (
        said[-1] == f"Added the comment to the notes of '{factor.label}', credited to who wrote it"
    )
    assert panel.waiting_ids() == [on_link]
    stored = project.store.db.execute(
        "SELECT notes FROM factors WHERE id = ?", [factor.id]
    ).fetchone()
    assert stored == (placed.notes,)

    # A double click places the link's comment into the link's notes.
    rect = panel.ideas.visualItemRect(panel.ideas.item(0))
    qtbot.mouseClick(panel.ideas.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.ideas.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert doc.links[link.id].notes.splitlines()[-1] == "Sam: Every week"
    assert panel.waiting_ids() == []

    # The facilitator's undo takes the lines off again, and the comments wait once more.
    window.view.setFocus()
    window.actions_by_name["undo"].trigger()
    assert doc.links[link.id].notes == link_notes_before
    window.actions_by_name["undo"].trigger()
    assert doc.factors[factor.id].notes == notes_before
    assert panel.waiting_ids() == [on_factor, on_link]


def test_a_comment_on_a_deleted_factor_is_refused_with_one_line_and_waits(qtbot, window):
    project, doc = window.project, window.document
    sam = AddParticipant("Sam", "parent")
    project.execute(sam)
    said: list[str] = []
    window.hallway.message.connect(said.append)
    window.actions_by_name["show-ideas"].trigger()
    panel = window.workshop.hosting.ideas
    factor = next(iter(doc.factors.values()))
    waiting = comment(project, sam.id, doc.id, "factor", factor.id, "Gone?")
    doc.execute(DeleteFactors([factor.id]))
    assert panel.ideas.item(0).text() == "Comment on a factor since deleted — Sam: Gone?"
    qtbot.mouseClick(panel.place_button, Qt.MouseButton.LeftButton)
    assert said[-1].startswith("Could not place the idea: The factor this comment is about")
    assert "\n" not in said[-1]
    assert project.ideas[waiting].status == "open" and panel.waiting_ids() == [waiting]


def _phone_comments(url: str, map_id: str, factor_id: str, out: dict) -> None:
    """A phone joins the window's session and comments on a factor (a thread: the host
    runs on Qt's loop)."""
    try:
        join = {"nickname": "Sam", "group": "parent", "consent": True}
        _post(out, url, "api/join", join)
        body = {"map": map_id, "on": "factor", "item": factor_id, "text": "<i>Every</i> week"}
        out["answer"] = _post(out, url, "api/comments", body)
    except Exception as exc:  # reported by the test, which waits on the Qt loop
        out["error"] = repr(exc)


def test_a_phones_comment_reaches_the_hosting_windows_panel_and_is_placed(
    qtbot, window, monkeypatch, window_loop_released
):
    project, doc = window.project, window.document
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    factor = next(iter(doc.factors.values()))
    out: dict = {}
    phone = threading.Thread(
        target=_phone_comments, args=(hosting.host.phone_url, doc.id, factor.id, out)
    )
    phone.start()
    qtbot.waitUntil(lambda: not phone.is_alive(), timeout=20000)
    assert "error" not in out, out
    assert out["answer"]["ideas"][0]["label"] == f"On '{factor.label}': <i>Every</i> week"
    panel = hosting.ideas
    qtbot.waitUntil(lambda: len(panel.waiting_ids()) == 1, timeout=5000)
    assert panel.ideas.item(0).text() == f"Comment on '{factor.label}' — Sam: <i>Every</i> week"
    qtbot.mouseClick(panel.place_button, Qt.MouseButton.LeftButton)
    assert doc.factors[factor.id].notes.splitlines()[-1] == "Sam: <i>Every</i> week"
    sam = doc.factors[factor.id].modified_by
    assert project.participants[sam].pseudonym == "Sam"
    qtbot.mouseClick(hosting.panel.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hosting.idle, timeout=10000)
