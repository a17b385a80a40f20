"""A restarted ``ipsmap host`` presents the same certificate, code and address, so laptops
rejoin by themselves; stopping on purpose or ``--new-code`` starts afresh. Real processes
over loopback TLS; the kept session lives in the (test's own) user data folder."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ipsmap.live import kept_session
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import HostProcess, PeerProcess, comparable_json, wait_until

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def workshop(tmp_path: Path) -> dict:
    path = tmp_path / "workshop.ipsmap"
    with Project.create(path, "Live workshop") as project:
        add = AddMap("Housing and stress", "system")
        project.execute(add)
        rowan = AddParticipant("Rowan", "parent", "Glasgow")
        project.execute(rowan)
    return {"path": path, "map": add.id, "rowan": rowan.id, "tmp": tmp_path}


def _labels(path: Path, map_id: str) -> set[str]:
    with Project.open(path, read_only=True) as project:
        document = json.loads(comparable_json(project.map_data(map_id)))
    return {f["label"] for f in document["factors"]}


def _kept_file(path: Path) -> Path:
    with Project.open(path, read_only=True) as project:
        return kept_session.kept_path(project)


def test_a_killed_host_restarts_with_the_same_code_and_certificate_and_the_laptop_rejoins(
    workshop,
):
    path, map_id = workshop["path"], workshop["map"]
    host = HostProcess(path)
    first = dict(host.info)
    kept = _kept_file(path)
    # Kept outside the project, readable by this user only, in XDG_DATA_HOME.
    assert kept.is_file() and str(kept).startswith(os.environ["XDG_DATA_HOME"])
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert first["code"].replace("-", "") in kept.read_text()
    laptop = PeerProcess(host, workshop["rowan"], workshop["tmp"] / "laptop")
    try:
        assert laptop.ask(cmd="wait-connected") == {"connected": True}
        laptop.ask(cmd="add", map=map_id, id="f1", label="Before the crash")
        wait_until(lambda: _labels(path, map_id) == {"Before the crash"})
        host.kill()  # SIGKILL: no goodbye, the kept session stays
        laptop.ask(cmd="add", map=map_id, id="f2", label="While the host was down")
        host = HostProcess(path)  # the same command, nothing given
        assert host.info["resumed"].startswith("the interrupted session")
        assert {k: host.info[k] for k in ("address", "code", "fingerprint")} == {
            k: first[k] for k in ("address", "code", "fingerprint")
        }
        # The same laptop process, told nothing, reconnects and its offline edit arrives.
        wait_until(
            lambda: _labels(path, map_id) == {"Before the crash", "While the host was down"},
            timeout=30,
            every=0.3,
        )
        laptop.ask(cmd="add", map=map_id, id="f3", label="After the restart")
        wait_until(lambda: "After the restart" in _labels(path, map_id), timeout=15)
    finally:
        laptop.quit()
        out = host.stop()
    assert "joined: Rowan" in out
    # Stopped on purpose: the next start is a new session.
    assert not kept.exists()
    fresh = HostProcess(path)
    try:
        assert "resumed" not in fresh.info
        assert fresh.info["fingerprint"] != first["fingerprint"]
        assert fresh.info["code"] != first["code"]
    finally:
        fresh.stop()


def test_new_code_forces_a_new_session_after_a_crash(workshop):
    path = workshop["path"]
    host = HostProcess(path)
    first = dict(host.info)
    host.kill()
    host = HostProcess(path, "--new-code")
    try:
        assert "resumed" not in host.info
        assert host.info["fingerprint"] != first["fingerprint"]
        assert host.info["code"] != first["code"]
    finally:
        host.kill()
    # The new session is the one kept now.
    again = HostProcess(path)
    try:
        assert again.info["fingerprint"] == host.info["fingerprint"]
    finally:
        again.stop()


def test_a_damaged_kept_session_is_one_note_and_a_new_session(workshop):
    path = workshop["path"]
    host = HostProcess(path)
    first = dict(host.info)
    host.kill()
    _kept_file(path).write_text('{"version": 1, "code": 3}')
    host = HostProcess(path)
    try:
        assert host.info["note"].startswith("the kept live session ")
        assert "is damaged (a field is missing); starting a new session" in host.info["note"]
        assert host.info["fingerprint"] != first["fingerprint"]
    finally:
        host.stop()
