"""A joined laptop's mirror across crashes, with real processes: the host stops, the laptop
goes on editing offline, is killed (SIGKILL), and when both come back (the same
certificate) its offline edit merges into the host's project, credited to its person."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ipsmap.live.security import make_certificate
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from tests.live.support import REPO, HostProcess, PeerProcess, _env, wait_until

pytestmark = pytest.mark.timeout(120)
MIRROR_PEER = REPO / "tests" / "helpers" / "mirror_peer.py"
CODE = "KXMR-4PTA"


class MirrorPeer(PeerProcess):
    """tests/helpers/mirror_peer.py: a laptop joined through its mirror project."""

    def __init__(self, host: HostProcess, participant: str, data_home: Path, log: Path) -> None:
        self._log = log.open("a")
        self.process = subprocess.Popen(
            [
                sys.executable, str(MIRROR_PEER),
                "--address", host.info["address"],
                "--code", CODE,
                "--fingerprint", host.info["fingerprint"],
                "--as", participant,
                "--data-home", str(data_home),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=_env(),
        )  # fmt: skip


def test_offline_edits_survive_a_laptop_crash_and_merge_when_both_are_back(tmp_path):
    path = tmp_path / "host.ipsmap"
    with Project.create(path, "Glasgow families") as project:
        add_map = AddMap("Live", "system")
        project.execute(add_map)
        people = {}
        for name in ("Rowan", "Eilidh"):
            command = AddParticipant(name, "practitioner")
            project.execute(command)
            people[name] = command.id
    certificate = make_certificate("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(certificate.cert_pem)
    key.write_bytes(certificate.key_pem)
    host_args = ("--cert", str(cert), "--key", str(key), "--code", CODE)
    log = tmp_path / "peers.log"

    host = HostProcess(path, *host_args)
    rowan = MirrorPeer(host, people["Rowan"], tmp_path / "rowan", log)
    try:
        assert rowan.ask(cmd="wait-connected") == {"connected": True}
        # The host goes away; Rowan's laptop notices and goes on editing its mirror.
        host.stop()
        assert rowan.ask(cmd="wait-offline") == {"offline": True}
        idea = str(uuid.uuid4())
        rowan.ask(cmd="add", map=add_map.id, id=idea, label="Offline idea")
        rowan.kill()  # SIGKILL: no goodbye, nothing flushed beyond what was committed
    finally:
        rowan.kill()

    host = HostProcess(path, *host_args)  # the same certificate: the same mirror folder
    rowan = MirrorPeer(host, people["Rowan"], tmp_path / "rowan", log)
    eilidh = MirrorPeer(host, people["Eilidh"], tmp_path / "eilidh", log)
    try:
        assert rowan.ask(cmd="labels", map=add_map.id)["labels"] == {idea: "Offline idea"}
        assert rowan.ask(cmd="wait-connected") == {"connected": True}
        assert eilidh.ask(cmd="wait-connected") == {"connected": True}
        wait_until(
            lambda: eilidh.ask(cmd="labels", map=add_map.id)["labels"] == {idea: "Offline idea"}
        )
        rowan.quit()
        eilidh.quit()
    finally:
        rowan.kill()
        eilidh.kill()
        host.stop()
    with Project.open(path) as project:
        assert project.document(add_map.id).factors[idea].label == "Offline idea"
        event = next(e for e in project.history(add_map.id) if idea in str(e.ops))
        assert event.actor == people["Rowan"] and event.origin != project.device_id
