"""Live sessions end to end: ``ipsmap host`` and joined laptops as real processes, over
loopback with TLS. Nothing of the network is mocked."""

from __future__ import annotations

import json
import signal
import socket
from pathlib import Path

import pytest

from ipsmap.live.security import make_certificate
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

from .support import HostProcess, PeerProcess, comparable_json, wait_until

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def workshop(tmp_path: Path) -> dict:
    """A project with one map and three participants."""
    path = tmp_path / "workshop.ipsmap"
    with Project.create(path, "Live workshop") as project:
        add = AddMap("Housing and stress", "system")
        project.execute(add)
        people = {}
        for name in ("Rowan", "Eilidh", "Sam"):
            command = AddParticipant(name, "parent", "Glasgow")
            project.execute(command)
            people[name] = command.id
    return {"path": path, "map": add.id, "people": people, "tmp": tmp_path}


def _host_json(path: Path, map_id: str) -> str:
    with Project.open(path, read_only=True) as project:
        return comparable_json(project.map_data(map_id))


def _labels(path: Path, map_id: str) -> set[str]:
    return {f["label"] for f in json.loads(_host_json(path, map_id))["factors"]}


def _converged(peers: list[PeerProcess], path: Path, map_id: str) -> str | None:
    dumps = {p.ask(cmd="dump", map=map_id)["json"] for p in peers}
    host = _host_json(path, map_id)
    return host if dumps == {host} else None


def _events_by_device(path: Path) -> dict[str, set[str]]:
    with Project.open(path, read_only=True) as project:
        found: dict[str, set[str]] = {}
        for event in project.history():
            found.setdefault(event.origin or "", set()).add(event.actor or "")
        return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_three_laptops_editing_at_once_converge_with_the_host_file(workshop):
    path, map_id, people = workshop["path"], workshop["map"], workshop["people"]
    host = HostProcess(path)
    names = ["Rowan", "Eilidh", "Sam"]
    # Sam's laptop claims Rowan made its edits: the host believes the connection only.
    extra = {"Sam": ("--as-claim", people["Rowan"])}
    peers = [PeerProcess(host, people[n], workshop["tmp"] / n, *extra.get(n, ())) for n in names]
    try:
        assert all(p.ask(cmd="wait-connected") == {"connected": True} for p in peers)
        for seed, peer in enumerate(peers):
            peer.send(cmd="random", map=map_id, n=40, seed=seed)
        made = [peer.answer()["edits"] for peer in peers]
        assert min(made) > 20
        final = wait_until(lambda: _converged(peers, path, map_id), timeout=20, every=0.3)
        document = json.loads(final)
        assert len(document["factors"]) > 5
        # Every link in the host's file joins two factors that exist (none dangling).
        ids = {f["id"] for f in document["factors"]}
        assert all(ln["source"] in ids and ln["target"] in ids for ln in document["links"])
        # Each laptop's edits are credited to the participant it authenticated as.
        by_device = _events_by_device(path)
        for name in names:
            device = (workshop["tmp"] / name / "device-id").read_text().strip()
            assert by_device[device] == {people[name]}
        assert all(
            f["created_by"] in people.values() for f in document["factors"] if f["created_by"]
        )
    finally:
        for peer in peers:
            peer.quit()
        out = host.stop()
    assert "stopped" in out


def test_a_wrong_code_a_token_for_another_certificate_and_a_wrong_fingerprint_are_refused(
    workshop,
):
    path, rowan = workshop["path"], workshop["people"]["Rowan"]
    host = HostProcess(path, "--code", "KXMR-4PTA")
    other = make_certificate("127.0.0.1").fingerprint
    wrong_code = PeerProcess(host, rowan, workshop["tmp"] / "a", code="KXMR-4PTC")
    other_cert = PeerProcess(host, rowan, workshop["tmp"] / "b", "--token-fingerprint", other)
    try:
        assert "wrong join code" in wrong_code.ask(cmd="wait-connected")["refused"]
        assert "wrong join code" in other_cert.ask(cmd="wait-connected")["refused"]
        # Told another fingerprint, a laptop refuses the host before it sends anything.
        host.info["fingerprint"], real = other, host.info["fingerprint"]
        impostor = PeerProcess(host, rowan, workshop["tmp"] / "c")
        host.info["fingerprint"] = real
        assert "certificate" in impostor.ask(cmd="wait-connected")["refused"]
        impostor.quit()
    finally:
        wrong_code.quit()
        other_cert.quit()
        out = host.stop()
    assert out.count("refused: a device") == 2
    assert "joined" not in out


def test_a_viewer_sees_the_map_but_its_own_edits_are_dropped_at_the_host(workshop):
    path, map_id, people = workshop["path"], workshop["map"], workshop["people"]
    host = HostProcess(path, "--viewer-code", "VVVV-WWWW")
    editor = PeerProcess(host, people["Rowan"], workshop["tmp"] / "editor")
    viewer = PeerProcess(host, people["Sam"], workshop["tmp"] / "viewer", code="VVVV-WWWW")
    try:
        assert editor.ask(cmd="wait-connected") == {"connected": True}
        assert viewer.ask(cmd="wait-connected") == {"connected": True}
        editor.ask(cmd="add", map=map_id, id="f-editor", label="Housing")
        wait_until(lambda: "Housing" in viewer.ask(cmd="dump", map=map_id)["json"])
        viewer.ask(cmd="add", map=map_id, id="f-viewer", label="Viewer idea")
        editor.ask(cmd="add", map=map_id, id="f-editor-2", label="Stress")
        wait_until(lambda: _labels(path, map_id) == {"Housing", "Stress"})
        wait_until(lambda: "Stress" in viewer.ask(cmd="dump", map=map_id)["json"])
        assert "Viewer idea" not in editor.ask(cmd="dump", map=map_id)["json"]
        assert _labels(path, map_id) == {"Housing", "Stress"}
    finally:
        editor.quit()
        viewer.quit()
        out = host.stop(signal.SIGINT)  # Ctrl+C
    assert "Sam (viewer" in out and out.rstrip().endswith("stopped")
    assert host.process.returncode == 0


def test_a_laptop_dying_mid_broadcast_does_not_stop_the_others(workshop):
    path, map_id, people = workshop["path"], workshop["map"], workshop["people"]
    host = HostProcess(path)
    a, b, c = (PeerProcess(host, people[n], workshop["tmp"] / n) for n in people)
    try:
        for peer in (a, b, c):
            assert peer.ask(cmd="wait-connected") == {"connected": True}
        a.send(cmd="random", map=map_id, n=40, seed=7)
        c.kill()  # SIGKILL while the host is relaying A's edits to it
        a.answer()
        b.ask(cmd="add", map=map_id, id="f-after", label="After the crash")
        wait_until(lambda: _converged([a, b], path, map_id), timeout=15, every=0.3)
        assert "After the crash" in _labels(path, map_id)
    finally:
        a.quit()
        b.quit()
        host.stop()


def _fixed_host(workshop, port: int) -> HostProcess:
    folder = workshop["tmp"]
    if not (folder / "cert.pem").exists():
        certificate = make_certificate("127.0.0.1")
        (folder / "cert.pem").write_bytes(certificate.cert_pem)
        (folder / "key.pem").write_bytes(certificate.key_pem)
    return HostProcess(
        workshop["path"], "--port", str(port), "--code", "KXMR-4PTA",
        "--cert", str(folder / "cert.pem"), "--key", str(folder / "key.pem"),
    )  # fmt: skip


def test_the_host_killed_and_restarted_resumes_with_every_acknowledged_edit(workshop):
    path, map_id, people = workshop["path"], workshop["map"], workshop["people"]
    port = _free_port()
    host = _fixed_host(workshop, port)
    a = PeerProcess(host, people["Rowan"], workshop["tmp"] / "a")
    b = PeerProcess(host, people["Eilidh"], workshop["tmp"] / "b")
    try:
        assert a.ask(cmd="wait-connected") == {"connected": True}
        assert b.ask(cmd="wait-connected") == {"connected": True}
        a.ask(cmd="add", map=map_id, id="f1", label="Acknowledged from A")
        b.ask(cmd="add", map=map_id, id="f2", label="Acknowledged from B")
        wait_until(lambda: len(_labels(path, map_id)) == 2)
        host.kill()  # SIGKILL
        a.ask(cmd="add", map=map_id, id="f3", label="Made while the host was down")
        host = _fixed_host(workshop, port)
        # Both laptops reconnect by themselves (backoff) and everything merges.
        final = wait_until(lambda: _converged([a, b], path, map_id), timeout=20, every=0.3)
        assert {f["label"] for f in json.loads(final)["factors"]} == {
            "Acknowledged from A",
            "Acknowledged from B",
            "Made while the host was down",
        }
    finally:
        a.quit()
        b.quit()
        host.stop()


def test_a_laptop_killed_with_offline_edits_merges_them_when_restarted(workshop):
    path, map_id, people = workshop["path"], workshop["map"], workshop["people"]
    port = _free_port()
    host = _fixed_host(workshop, port)
    folder = workshop["tmp"] / "a"
    a = PeerProcess(host, people["Rowan"], folder)
    try:
        assert a.ask(cmd="wait-connected") == {"connected": True}
        a.ask(cmd="add", map=map_id, id="f1", label="Online")
        wait_until(lambda: _labels(path, map_id) == {"Online"})
        host.kill()
        for i in range(5):
            a.ask(cmd="add", map=map_id, id=f"off{i}", label=f"Offline {i}")
        a.kill()  # SIGKILL: its edits live only in its own update log
        host = _fixed_host(workshop, port)
        a = PeerProcess(host, people["Rowan"], folder)
        assert a.ask(cmd="wait-connected") == {"connected": True}
        wait_until(lambda: _converged([a], path, map_id), timeout=15, every=0.3)
        assert _labels(path, map_id) == {"Online"} | {f"Offline {i}" for i in range(5)}
    finally:
        a.quit()
        host.stop()
