"""Joined laptops editing mirror projects, host and laptops in one asyncio loop over real
TLS sockets on loopback: remote edits land in each mirror credited to their author, a
laptop's edit reaches the host's project credited to its participant, and undo on a
laptop is that person's own (someone else's later value is left alone, with their name)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ipsmap.live.host import LiveHost
from ipsmap.live.joined import JoinedLaptop
from ipsmap.live.mirror import HOST_DEVICE, mirror_folder, open_mirror
from ipsmap.live.security import make_certificate
from ipsmap.model.commands import AddFactor, EditFactor
from ipsmap.model.history import Scope
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant

pytestmark = pytest.mark.timeout(60)
CODE = "KXMR-4PTA"


async def until(check, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("not reached in time")
        await asyncio.sleep(0.02)


class Room:
    """A host project with Rowan and Eilidh, one shared map, hosted on loopback."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.project = Project.create(folder / "host.ipsmap", "Glasgow families")
        add_map = AddMap("Live", "system")
        self.project.execute(add_map)
        self.map_id = add_map.id
        self.people = {}
        for name in ("Rowan", "Eilidh"):
            command = AddParticipant(name, "practitioner")
            self.project.execute(command)
            self.people[name] = command.id
        self.host: LiveHost | None = None
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task] = []
        self.laptops: list[JoinedLaptop] = []

    async def start(self) -> LiveHost:
        self.host = LiveHost(
            self.project, [self.map_id], certificate=make_certificate("127.0.0.1"),
            code=CODE, say=lambda _l: None,
        )  # fmt: skip
        await self.host.start()
        return self.host

    async def join(self, name: str) -> JoinedLaptop:
        assert self.host is not None
        folder = mirror_folder(self.host.fingerprint, self.folder / name)
        mirror = open_mirror(folder, "Glasgow families")
        laptop = JoinedLaptop(
            mirror, address=self.host.address, code=CODE, fingerprint=self.host.fingerprint,
            participant=self.people[name], say=lambda _l: None,
        )  # fmt: skip
        self.laptops.append(laptop)
        self.tasks.append(asyncio.create_task(laptop.run(self.stop)))
        await asyncio.wait_for(laptop.connection.connected.wait(), 10)
        return laptop

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for laptop in self.laptops:
            laptop.close()
            laptop.project.close()
        if self.host is not None:
            await self.host.stop()
        self.project.close()


def run(folder: Path, scenario) -> None:
    async def main() -> None:
        room = Room(folder)
        try:
            await scenario(room)
        finally:
            await room.close()

    asyncio.run(main())


def test_the_mirror_lives_in_the_data_folder_one_per_certificate(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert mirror_folder("AB" * 32) == tmp_path / "xdg" / "ipsmap" / "joined" / ("ab" * 8)
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mirror_folder("cd" * 32) == tmp_path / "home/.local/share/ipsmap/joined" / ("cd" * 8)


def test_remote_and_local_edits_reach_everyone_credited_to_their_author(tmp_path):
    async def scenario(room: Room) -> None:
        await room.start()
        rowan = await room.join("Rowan")
        eilidh = await room.join("Eilidh")
        mirror = rowan.project
        # The map arrived whole, with the people, and the laptop edits as Rowan.
        assert mirror.map_info(room.map_id).name == "Live"
        assert mirror.actor_id == room.people["Rowan"]
        assert {"Rowan", "Eilidh"} <= {p.pseudonym for p in mirror.participants.values()}

        # The facilitator edits on the host: it lands in both mirrors, credited to them.
        housing = AddFactor("Housing")
        room.project.document(room.map_id).execute(housing)
        for laptop in (rowan, eilidh):
            await until(lambda lp=laptop: housing.id in lp.project.document(room.map_id).factors)
        event = mirror.history(room.map_id)[-1]
        assert (event.actor, event.origin) == (room.project.facilitator_id, HOST_DEVICE)

        # Rowan edits his mirror like any project: the host's project has it, as Rowan.
        stress = AddFactor("Stress", x=50, y=60)
        mirror.execute(stress, map_id=room.map_id)
        host_doc = room.project.document(room.map_id)
        await until(lambda: stress.id in host_doc.factors)
        event = room.project.history(room.map_id)[-1]
        assert (event.actor, event.origin) == (room.people["Rowan"], mirror.device_id)
        # ... and Eilidh's mirror, credited to Rowan in her history.
        theirs = eilidh.project
        await until(lambda: stress.id in theirs.document(room.map_id).factors)
        event = theirs.history(room.map_id)[-1]
        assert (event.actor, event.origin) == (room.people["Rowan"], HOST_DEVICE)
        assert theirs.document(room.map_id).factors[stress.id].label == "Stress"
        # Remote edits are not the mirror's to undo: Eilidh has nothing of her own yet.
        assert theirs.undo(Scope(room.map_id)) is None
        assert stress.id in theirs.document(room.map_id).factors
        # Every update is kept in the mirror's file with the ops it made.
        kept = theirs.store.db.execute("SELECT count(*) FROM live_updates").fetchone()[0]
        assert kept >= 2

    run(tmp_path, scenario)


def test_personal_undo_across_two_laptops(tmp_path):
    async def scenario(room: Room) -> None:
        await room.start()
        rowan = await room.join("Rowan")
        eilidh = await room.join("Eilidh")
        map_id = room.map_id
        host_doc = room.project.document(map_id)

        housing = AddFactor("Housing")
        eilidh.project.execute(housing, map_id=map_id)
        await until(lambda: housing.id in rowan.project.document(map_id).factors)
        # Eilidh renames it and writes a note; then Rowan renames it again.
        eilidh.project.execute(EditFactor(housing.id, {"label": "Housing costs"}), map_id=map_id)
        eilidh.project.execute(EditFactor(housing.id, {"notes": "rent arrears"}), map_id=map_id)
        rowans = rowan.project.document(map_id)
        await until(lambda: rowans.factors[housing.id].notes == "rent arrears")
        rowan.project.execute(EditFactor(housing.id, {"label": "Rent"}), map_id=map_id)
        eilidhs = eilidh.project.document(map_id)
        await until(lambda: eilidhs.factors[housing.id].label == "Rent")

        # Eilidh's Ctrl+Z: her last step (the note) is undone everywhere.
        change = eilidh.project.undo(Scope(map_id))
        assert change is not None and not change.notes
        await until(lambda: host_doc.factors[housing.id].notes == "")
        await until(lambda: rowans.factors[housing.id].notes == "")
        # Again: her rename, but Rowan renamed it since: his value stays, and she is told.
        change = eilidh.project.undo(Scope(map_id))
        assert change is not None
        assert change.notes == ["not undone: 'label' of factor 'Rent' was changed since by Rowan"]
        assert eilidhs.factors[housing.id].label == "Rent"
        # Rowan's Ctrl+Z undoes his own rename, never Eilidh's steps.
        change = rowan.project.undo(Scope(map_id))
        assert change is not None and change.actor == room.people["Rowan"]
        await until(lambda: host_doc.factors[housing.id].label == "Housing costs")
        await until(lambda: eilidhs.factors[housing.id].label == "Housing costs")
        assert rowan.project.undo(Scope(map_id)) is None  # nothing else of his
        # Eilidh's next undo would take away the factor she added, but its label has been
        # changed since: it stays, and she is told why.
        change = eilidh.project.undo(Scope(map_id))
        assert change is not None and change.notes[0].startswith("not undone: 'label' of")
        assert housing.id in eilidhs.factors
        # The host credits each undo to the person who pressed Ctrl+Z.
        actors = [e.actor for e in room.project.history(map_id)[-2:]]
        assert actors == [room.people["Eilidh"], room.people["Rowan"]]

    run(tmp_path, scenario)


def test_an_edit_committed_just_before_a_crash_reaches_the_document_on_restart(tmp_path):
    """The mirror commits a local edit, then keeps its update: a crash in between leaves
    the edit in the tables only. The restarted bridge puts it into the document (to send)."""
    from ipsmap.live.mirror import MirrorSession

    async def scenario(room: Room) -> None:
        await room.start()
        rowan = await room.join("Rowan")
        mirror = rowan.project
        rowan.close()  # the bridge is gone: as if the laptop died right after the commit
        lost = AddFactor("Committed, then the lid closed")
        mirror.execute(lost, map_id=room.map_id)
        kept = [bytes(r[0]) for r in mirror.store.db.execute("SELECT data FROM live_updates")]
        again = MirrorSession(mirror)  # the restart's resume
        try:
            assert again.shared.row(room.map_id, "factors", lost.id)["label"] == lost.label
            # ... and it kept the update that put it there.
            now = mirror.store.db.execute("SELECT count(*) FROM live_updates").fetchone()[0]
            assert now > len(kept)
        finally:
            again.close()

    run(tmp_path, scenario)


def test_a_map_added_on_a_laptop_joins_the_session_for_everyone(tmp_path):
    async def scenario(room: Room) -> None:
        await room.start()
        rowan = await room.join("Rowan")
        eilidh = await room.join("Eilidh")
        # Rowan's group starts a map of its own, named like the host's shared one.
        add_map = AddMap("Live", "toc")
        rowan.project.execute(add_map)
        rowan.project.execute(AddFactor("Parents feel heard"), map_id=add_map.id)
        await until(lambda: add_map.id in {m.id for m in room.project.maps()})
        host_map = room.project.map_info(add_map.id)
        # Made in the host's project through the one writer, credited to Rowan, its name
        # made unique there and put right for everyone.
        assert (host_map.kind, host_map.created_by) == ("toc", room.people["Rowan"])
        assert host_map.name == "Live (2)"
        await until(
            lambda: (
                [f.label for f in room.project.document(add_map.id).factors.values()]
                == ["Parents feel heard"]
            )
        )
        event = next(e for e in room.project.history(add_map.id) if e.command == "Live edit")
        assert event.actor == room.people["Rowan"]
        for laptop in (rowan, eilidh):
            await until(
                lambda lp=laptop: (
                    add_map.id in {m.id for m in lp.project.maps()}
                    and lp.project.map_info(add_map.id).name == "Live (2)"
                    and len(lp.project.document(add_map.id).factors) == 1
                )
            )
        assert add_map.id in room.host.session.map_ids

    run(tmp_path, scenario)
