"""A phone's marks and dot votes reach the facilitator's window while it hosts: the Marks
panel's grid places the factor and its ranking counts the votes, credited to the phone's
participant, as "Collect marks…" does for marks typed in (issue 15, "live on the
facilitator's grid")."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from tests.ui.live_support import host_from_the_menu
from tests.ui.test_ideas_panel import _post

pytestmark = pytest.mark.timeout(90)


def _phone_marks(url: str, map_id: str, factor: str, out: dict) -> None:
    """Join, mark the factor important and give it two votes (in a thread: the host is on
    the window's loop)."""
    try:
        _post(out, url, "api/join", {"nickname": "Noor", "group": "parent", "consent": True})
        for kind, value in (("important", 1), ("votes", 1), ("votes", 2)):
            body = {"map": map_id, "factor": factor, "kind": kind, "value": value}
            out["mine"] = _post(out, url, "api/marks", body)
    except Exception as exc:  # reported by the test, which waits on the Qt loop
        out["error"] = repr(exc)


def test_a_phone_s_marks_and_votes_show_on_the_facilitator_s_grid_and_ranking(
    qtbot, window, monkeypatch, window_loop_released
):
    project, doc = window.project, window.document
    factor = next(iter(doc.factors.values()))
    panel = window.workshop.marks
    window.docks["marks"].show()
    window.docks["marks"].raise_()
    hosting, _ = host_from_the_menu(window, qtbot, monkeypatch)
    window.docks["marks"].raise_()  # hosting brought its own panel forward
    before = {f.factor_id: f.total.votes for f in panel.summary.ranked()} if panel.summary else {}

    out: dict = {}
    phone = threading.Thread(
        target=_phone_marks, args=(hosting.host.phone_url, doc.id, factor.id, out)
    )
    phone.start()
    qtbot.waitUntil(lambda: not phone.is_alive(), timeout=20000)
    assert "error" not in out, out
    assert out["mine"]["marks"][factor.id] == {"important": 1, "votes": 2}

    noor = next(p for p in project.participants.values() if p.pseudonym == "Noor")
    marks = {(m.kind, m.value) for m in project.marks_of(doc.id) if m.participant == noor.id}
    assert marks == {("important", 1.0), ("votes", 2.0)}

    def shown() -> bool:
        summary = panel.summary
        if summary is None:
            return False
        entry = next((f for f in summary.ranked() if f.factor_id == factor.id), None)
        return entry is not None and entry.total.votes == before.get(factor.id, 0) + 2

    qtbot.waitUntil(shown, timeout=5000)
    assert factor.id in panel.grid.points  # a dot on the grid
    rows = {
        panel.ranking.factor_id_at(row): panel.ranking.item(row, 2).text()
        for row in range(panel.ranking.rowCount())
    }
    assert float(rows[factor.id]) == before.get(factor.id, 0) + 2
    # The audit log credits the phone's participant on the phone's own device.
    events = [e for e in project.history() if e.command == "Set marks" and e.actor == noor.id]
    assert len(events) == 3 and events[0].origin != project.device_id
    qtbot.mouseClick(hosting.panel.stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: hosting.idle, timeout=10000)
