"""The host's stored updates (``live_updates``) folded into one when a session stops on
purpose and when a host starts; forgetting a person folds them with their words removed."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from pycrdt import Doc

from ipsmap.live.client import LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.live.session import HostSession
from ipsmap.live.shared_doc import SharedDoc
from ipsmap.model.author import Author
from ipsmap.model.commands import AddFactor, AddLink, DeleteFactors, EditFactor, MoveFactors
from ipsmap.model.forget import REMOVED_TEXT, forget_participant
from ipsmap.model.live_updates import state_clocks
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.state import MapState

from .support import comparable_json

pytestmark = pytest.mark.timeout(120)


def _rows(project: Project) -> list[tuple[int | None, bytes]]:
    return [
        (event, bytes(data))
        for event, data in project.store.db.execute(
            "SELECT event, data FROM live_updates ORDER BY seq"
        )
    ]


def _workshop(path: Path) -> tuple[str, dict[str, str]]:
    with Project.create(path, "Live workshop") as project:
        add = AddMap("Housing and stress", "system")
        project.execute(add)
        people = {}
        for name in ("Rowan", "Eilidh"):
            command = AddParticipant(name, "parent", "Glasgow")
            project.execute(command)
            people[name] = command.id
    return add.id, people


def _random_edit(state: MapState, rng: random.Random, i: int):
    factors = list(state.factors)
    kind = rng.choices(["add", "rename", "move", "link", "delete"], [3, 3, 4, 2, 1])[0]
    if kind == "add" or len(factors) < 3:
        return AddFactor(f"factor {i}", rng.uniform(0, 800), rng.uniform(0, 600))
    factor = rng.choice(factors)
    if kind == "rename":
        return EditFactor(factor, {"label": f"renamed {i}", "notes": f"note {i}"})
    if kind == "move":
        return MoveFactors({factor: (rng.uniform(0, 800), rng.uniform(0, 600))})
    if kind == "link":
        source, target = rng.sample(factors, 2)
        if state.link_between(source, target) is None:
            return AddLink(source, target, rng.choice("+-?"))
        return MoveFactors({source: (float(i), float(i))})
    return DeleteFactors([factor])


def _remote_edits(session: HostSession, map_id: str, author: Author, count: int) -> SharedDoc:
    """``count`` edits made on a laptop's copy, each sent to the host as its own update."""
    peer = SharedDoc(Doc())
    peer.doc.apply_update(session.shared.doc.get_update())
    rng = random.Random(7)
    for i in range(count):
        state = MapState.from_data(peer.read_map(map_id))
        before = peer.doc.get_state()
        with peer.doc.transaction(origin="local"):
            peer.edit(_random_edit(state, rng, i), state, author.actor)
        session.apply_remote(peer.doc.get_update(before), author)
    return peer


def test_500_edits_then_a_stop_leave_one_row_and_a_smaller_file_that_resumes_the_same_document(
    tmp_path,
):
    path = tmp_path / "workshop.ipsmap"
    map_id, people = _workshop(path)
    with Project.open(path) as project:
        session = HostSession(project, [map_id])
        peer = _remote_edits(session, map_id, Author(people["Rowan"], "laptop-1", None), 500)
        rows = _rows(project)
        assert len(rows) >= 500
        last_event = max(e for e, _ in rows if e is not None)
        document = comparable_json(session.shared.read_map(map_id))
        size_before = _size(path)
        session.close()  # a stop on purpose
        folded = _rows(project)
        assert len(folded) == 1
        # The one row names the last edit it holds (the audit log keeps who did what).
        assert folded[0][0] == last_event
        # Overwritten values are dropped; their keys stay as Yjs tombstones (about 60 %).
        assert len(folded[0][1]) < 0.75 * sum(len(d) for _, d in rows)
        size_after = _size(path)
        assert size_after < size_before
    assert comparable_json(_read_map(folded[0][1], map_id)) == document
    # The project reopened and hosted again resumes that document; the laptop that made
    # the edits still holds the same history: nothing is sent either way.
    with Project.open(path) as project:
        again = HostSession(project, [map_id])
        assert comparable_json(again.shared.read_map(map_id)) == document
        assert comparable_json(project.map_data(map_id)) == document
        assert state_clocks(again.shared.doc.get_state()) == state_clocks(peer.doc.get_state())
        again.close()
    print(f"500 edits: {len(rows)} rows, {sum(len(d) for _, d in rows)} bytes -> 1 row, "
          f"{len(folded[0][1])} bytes; file {size_before} -> {size_after} bytes")  # fmt: skip


def test_a_host_starting_folds_what_a_crashed_session_left(tmp_path):
    path = tmp_path / "workshop.ipsmap"
    map_id, people = _workshop(path)
    with Project.open(path) as project:
        session = HostSession(project, [map_id])
        _remote_edits(session, map_id, Author(people["Rowan"], "laptop-1", None), 40)
        document = comparable_json(session.shared.read_map(map_id))
        session.close(compact=False)  # as a crash leaves it
        assert len(_rows(project)) > 40
    with Project.open(path) as project:
        again = HostSession(project, [map_id])
        assert len(_rows(project)) == 1
        assert comparable_json(again.shared.read_map(map_id)) == document
        again.close()


def test_laptops_rejoining_a_compacted_session_merge_their_offline_edits(tmp_path):
    path = tmp_path / "workshop.ipsmap"
    map_id, people = _workshop(path)
    certificate = make_certificate("127.0.0.1")

    def laptop(host: LiveHost, name: str) -> LiveClient:
        return LiveClient(
            host.address,
            code="KXMR-4PTA",
            fingerprint=host.fingerprint,
            participant=people[name],
            workdir=tmp_path / name,
            say=lambda line: None,
        )

    async def hosted(project: Project, port: int = 0) -> LiveHost:
        host = LiveHost(
            project, [map_id], certificate=certificate, code="KXMR-4PTA", port=port,
            say=lambda line: None,
        )  # fmt: skip
        await host.start()
        return host

    async def scenario() -> None:
        with Project.open(path) as project:
            host = await hosted(project)
            port = host.port
            rowan, eilidh = laptop(host, "Rowan"), laptop(host, "Eilidh")
            stops = [asyncio.Event(), asyncio.Event()]
            runs = [
                asyncio.create_task(c.run(s)) for c, s in zip([rowan, eilidh], stops, strict=True)
            ]
            await asyncio.wait_for(rowan.connected.wait(), 10)
            await asyncio.wait_for(eilidh.connected.wait(), 10)
            rng = random.Random(3)
            for i in range(60):
                client = (rowan, eilidh)[i % 2]
                client.edit(_random_edit(client.state(map_id), rng, i), map_id)
                await asyncio.sleep(0.005)
            await _until(lambda: _same(host, project, [rowan, eilidh]))
            for stop in stops:
                stop.set()
            await asyncio.gather(*runs)
            await host.stop()  # on purpose: the updates are folded
            assert len(_rows(project)) == 1
            # Both laptops edit offline, one of them on a factor the other deletes.
            target = sorted(rowan.state(map_id).factors)[0]
            rowan.edit(EditFactor(target, {"label": "edited offline"}), map_id)
            rowan.edit(AddFactor("Rowan offline"), map_id)
            eilidh.edit(AddFactor("Eilidh offline"), map_id)
            eilidh.edit(MoveFactors({target: (1.0, 2.0)}), map_id)
            rowan.close()
            eilidh.close()
        with Project.open(path) as project:
            host = await hosted(project, port)
            rowan, eilidh = laptop(host, "Rowan"), laptop(host, "Eilidh")
            stops = [asyncio.Event(), asyncio.Event()]
            runs = [
                asyncio.create_task(c.run(s)) for c, s in zip([rowan, eilidh], stops, strict=True)
            ]
            await _until(lambda: _same(host, project, [rowan, eilidh]))
            labels = {f.label for f in project.document(map_id).factors.values()}
            assert {"Rowan offline", "Eilidh offline", "edited offline"} <= labels
            factor = project.document(map_id).factors[target]
            assert (factor.x, factor.y) == (1.0, 2.0)
            for stop in stops:
                stop.set()
            await asyncio.gather(*runs)
            await host.stop()
            rowan.close()
            eilidh.close()

    asyncio.run(scenario())


def test_forgetting_a_person_leaves_their_words_in_no_stored_update(tmp_path):
    path = tmp_path / "workshop.ipsmap"
    map_id, people = _workshop(path)
    secret = "my landlord Mr Haddock shouts at the kids"
    with Project.open(path) as project:
        session = HostSession(project, [map_id])
        peer = SharedDoc(Doc())
        peer.doc.apply_update(session.shared.doc.get_update())
        rowan = Author(people["Rowan"], "laptop-1", None)
        for command in (
            AddFactor("Housing", 1.0, 2.0, notes=secret),
            AddFactor("Stress", 3.0, 4.0),
        ):
            state = MapState.from_data(peer.read_map(map_id))
            before = peer.doc.get_state()
            with peer.doc.transaction(origin="local"):
                peer.edit(command, state, rowan.actor)
            session.apply_remote(peer.doc.get_update(before), rowan)
        assert any(secret.encode() in data for _, data in _rows(project))
        assert any(b"Rowan" in data for _, data in _rows(project))
        forget_participant(project, people["Rowan"])
        rows = _rows(project)
        assert len(rows) >= 1
        assert not any(secret.encode() in data for _, data in rows)
        assert not any(b"Rowan" in data for _, data in rows)
        session.close()
    with Project.open(path) as project:
        again = HostSession(project, [map_id])
        notes = {f.label: f.notes for f in again.shared.read_map(map_id).factors}
        assert notes["Housing"] == REMOVED_TEXT
        assert not any(secret.encode() in data for _, data in _rows(project))
        again.close()
    assert secret.encode() not in path.read_bytes()


def _size(path: Path) -> int:
    """The project file with its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _read_map(update: bytes, map_id: str):
    shared = SharedDoc(Doc())
    shared.doc.apply_update(update)
    return shared.read_map(map_id)


def _same(host: LiveHost, project: Project, clients: list[LiveClient]) -> bool:
    map_id = host.session.map_ids[0]
    want = comparable_json(project.map_data(map_id))
    return all(comparable_json(c.map_data(map_id)) == want for c in clients)


async def _until(check, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.05)
