"""A big room scanning the QR code in the same minute: how many joins the host takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipsmap.live.phones import JOINS_PER_MINUTE, PhoneDesk, PhoneError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap


def test_a_room_of_sixty_joins_in_one_minute_and_the_sixty_first_waits(tmp_path: Path):
    now = [1000.0]
    with Project.create(tmp_path / "w.ipsmap", "Community event") as project:
        shared = AddMap("Shared")
        project.execute(shared)
        desk = PhoneDesk(
            project, lambda: [shared.id], session_id=lambda: None, say=lambda _: None,
            clock=lambda: now[0],
        )  # fmt: skip
        assert JOINS_PER_MINUTE == 60
        for n in range(JOINS_PER_MINUTE):
            now[0] += 0.5  # 60 people in 30 s
            desk.join({"nickname": f"Person {n}", "group": "community member", "consent": True})
        with pytest.raises(PhoneError) as refused:
            desk.join({"nickname": "Late", "group": "community member", "consent": True})
        assert refused.value.status == 429
        assert str(refused.value) == "Many people are joining at once: try again in a minute."
        now[0] += 60
        desk.join({"nickname": "Late", "group": "community member", "consent": True})
        assert len(desk.listed()) == JOINS_PER_MINUTE + 1
