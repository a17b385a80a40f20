"""Convergence, driven by hypothesis: a host and 3 laptops make generated edit scripts at
once, over real TLS sockets on loopback (LiveHost and LiveClient in one asyncio loop, as the
window runs them), and every example ends with identical canonical map JSON on every
laptop and in the host's project re-opened from disk (its stored updates folded into one
by the stop, and resumed by a new host); the audit log names, for each surviving factor
and link, the participant whose device made its last edit.

Steps: add, move, rename, restyle a factor, recolour a group, link, change a polarity,
delete a factor with its links, delete a link, join or leave a group, go offline for k
edits then reconnect (a no-op for the host), restart (the host: stopped on purpose, its
updates folded, and hosting again on the same port and certificate; a laptop: closed and
started again from its update log). A script is a list of steps per person; record picks
are numbers resolved against that laptop's copy of the map when the step runs (modulo the
records there, in id order), so a failing example prints as plain data and replays the
same edits. Which step runs next and
how long the loop is left to deliver messages in between are drawn too; the network's own
timing is not (real sockets), so a failure that depends on it may need a few runs.
``IPSMAP_LIVE_EXAMPLES=200`` runs more examples than CI's 15, ``IPSMAP_LIVE_STEPS=30``
longer scripts (12 steps at most per person by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import event as count_case
from hypothesis import strategies as st

from ipsmap.live.client import LiveClient
from ipsmap.live.host import LiveHost
from ipsmap.live.security import make_certificate
from ipsmap.live.session import HostSession
from ipsmap.model.command import Command
from ipsmap.model.commands import (
    AddFactor,
    AddGroup,
    AddLink,
    DeleteFactors,
    DeleteLinks,
    EditFactor,
    EditGroup,
    EditLink,
    MoveFactors,
    SetGroupMembers,
)
from ipsmap.model.errors import CommandError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.state import MapState

from .support import comparable_json

PEOPLE = ("Rowan", "Eilidh", "Sam")
HOST = len(PEOPLE)  # the facilitator, editing on the host
CODE = "KXMR-4PTA"
EXAMPLES = int(os.environ.get("IPSMAP_LIVE_EXAMPLES", "15"))
# A hang must fail, not stall; longer runs (IPSMAP_LIVE_EXAMPLES) get longer.
pytestmark = pytest.mark.timeout(max(120, 3 * EXAMPLES))

_pick = st.integers(0, 1000)
_coordinate = st.integers(0, 800).map(float)
_step = st.one_of(
    st.tuples(st.just("add"), _coordinate, _coordinate),
    st.tuples(st.just("move"), _pick, _coordinate, _coordinate),
    st.tuples(st.just("rename"), _pick),
    st.tuples(st.just("style"), _pick, _pick),
    st.tuples(st.just("recolour"), _pick, st.sampled_from(["#ffcc00", "#3366ff", "#aa0000"])),
    st.tuples(st.just("link"), _pick, _pick, st.sampled_from("+-?")),
    st.tuples(st.just("polarity"), _pick, st.sampled_from("+-?")),
    st.tuples(st.just("delete-factor"), _pick),
    st.tuples(st.just("delete-link"), _pick),
    st.tuples(st.just("member"), _pick, _pick, st.booleans()),
    st.tuples(st.just("offline"), st.integers(1, 5)),
    # The host: stopped on purpose (its updates folded) and hosting again on the same
    # port and certificate. A laptop: closed and started again from its update log.
    st.tuples(st.just("restart")),
)
_script = st.lists(_step, min_size=1, max_size=int(os.environ.get("IPSMAP_LIVE_STEPS", "12")))


@st.composite
def workshops(draw: Any) -> tuple[list[list[tuple]], list[tuple[int, int]]]:
    """Four scripts (three laptops, then the host) and the turns: whose step runs next and
    the pause after it (0: none, 1: one pass of the loop, 2: 10 ms)."""
    scripts = [draw(_script) for _ in range(HOST + 1)]
    tokens = [who for who, script in enumerate(scripts) for _ in script]
    order = draw(st.permutations(tokens))
    pauses = draw(st.lists(st.sampled_from([0, 0, 1, 2]), min_size=len(order), max_size=len(order)))
    return scripts, list(zip(order, pauses, strict=True))


def _sorted_ids(records: dict[str, Any]) -> list[str]:
    return sorted(records)


def _choose(ids: list[str], pick: int) -> str | None:
    return ids[pick % len(ids)] if ids else None


def command_for(step: tuple, state: MapState, tag: str) -> Command | None:
    """The model command a step stands for on this copy of the map (None: nothing to do)."""
    kind, *args = step
    factors = _sorted_ids(state.factors)
    links = _sorted_ids(state.links)
    if kind == "add":
        return AddFactor(f"{tag} idea", args[0], args[1])
    if kind == "link" and len(factors) >= 2:
        source = factors[args[0] % len(factors)]
        target = factors[args[1] % len(factors)]
        if source == target:
            target = factors[(args[1] + 1) % len(factors)]
        if state.link_between(source, target) is None:
            return AddLink(source, target, args[2])
        return None
    if kind == "polarity" and links:
        return EditLink(_choose(links, args[0]), {"polarity": args[1]})  # type: ignore[arg-type]
    if kind == "delete-link" and links:
        return DeleteLinks([_choose(links, args[0])])  # type: ignore[list-item]
    if kind == "recolour" and state.groups:
        group = _choose(_sorted_ids(state.groups), args[0])
        return EditGroup(group, {"color": args[1]})  # type: ignore[arg-type]
    factor = _choose(factors, args[0]) if args else None
    if factor is None:
        return None
    if kind == "move":
        return MoveFactors({factor: (args[1], args[2])})
    if kind == "rename":
        return EditFactor(factor, {"label": f"{tag} renamed"})
    if kind == "style":
        styles = sorted(s.id for s in state.styles.values() if s.kind == "factor")
        return EditFactor(factor, {"type": _choose(styles, args[1])})
    if kind == "delete-factor":
        return DeleteFactors([factor])
    if kind == "member" and state.groups:
        group = _choose(_sorted_ids(state.groups), args[1])
        change = {"add": [factor]} if args[2] else {"remove": [factor]}
        return SetGroupMembers(group, **change)  # type: ignore[arg-type]
    return None


class Laptop:
    """One joined laptop: its client, its connection task, its offline countdown."""

    def __init__(self, start: Callable[[], LiveClient]) -> None:
        self.start = start
        self.client = start()
        self.stop = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.offline_for = 0

    def connect(self) -> None:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.client.run(self.stop))

    async def disconnect(self) -> None:
        self.stop.set()
        if self.task is not None:
            await self.task
            self.task = None

    async def restart(self) -> None:
        """Closed and started again: the new client replays the laptop's update log."""
        await self.disconnect()
        self.client.close()
        self.client = self.start()
        self.offline_for = 0
        self.connect()


class Hosting:
    """The host, which a step can stop and start again (same port and certificate, so the
    laptops reconnect by themselves)."""

    def __init__(self, project: Project, map_id: str) -> None:
        self.project = project
        self.map_id = map_id
        self.certificate = make_certificate("127.0.0.1")
        self.host = self._new(0)

    def _new(self, port: int) -> LiveHost:
        return LiveHost(
            self.project,
            [self.map_id],
            certificate=self.certificate,
            code=CODE,
            port=port,
            say=lambda line: None,
        )

    async def restart(self) -> None:
        port = self.host.port
        await self.host.stop()
        self.host = self._new(port)
        await self.host.start()


def _workshop(folder: Path) -> tuple[Path, str, dict[str, str]]:
    path = folder / "workshop.ipsmap"
    with Project.create(path, "Live workshop") as project:
        add = AddMap("Housing and stress", "system")
        project.execute(add)
        people = {}
        for name in PEOPLE:
            command = AddParticipant(name, "parent", "Glasgow")
            project.execute(command)
            people[name] = command.id
        document = project.document(add.id)
        for name in ("Services", "Family"):
            document.execute(AddGroup(name))
        for label in ("Housing", "Stress"):
            document.execute(AddFactor(label))
    return path, add.id, people


async def _run_example(folder: Path, scripts: list[list[tuple]], turns: list) -> None:
    path, map_id, people = _workshop(folder)
    with Project.open(path) as project:
        hosting = Hosting(project, map_id)
        await hosting.host.start()
        host = hosting.host

        def laptop(name: str) -> Callable[[], LiveClient]:
            return lambda: LiveClient(
                host.address,
                code=CODE,
                fingerprint=host.fingerprint,
                participant=people[name],
                workdir=folder / name,
                say=lambda line: None,
            )

        laptops = [Laptop(laptop(name)) for name in PEOPLE]
        try:
            for laptop in laptops:
                laptop.connect()
            for laptop in laptops:
                await asyncio.wait_for(laptop.client.connected.wait(), 10)
            await _play(hosting, map_id, laptops, scripts, turns)
            for laptop in laptops:
                if laptop.task is None:
                    laptop.connect()
            final = await _converged(project, map_id, laptops)
            _check_audit(project, map_id, laptops, people, folder)
        finally:
            for laptop in laptops:
                await laptop.disconnect()
                laptop.client.close()
            await hosting.host.stop()
    with Project.open(path) as reopened:
        assert comparable_json(reopened.map_data(map_id)) == final, "the file differs"
        # The stop folded the stored updates into one; hosting again resumes the document.
        rows = reopened.store.db.execute("SELECT count(*) FROM live_updates").fetchone()[0]
        assert rows == 1
        resumed = HostSession(reopened, [map_id])
        assert comparable_json(resumed.shared.read_map(map_id)) == final, "the resumed document"
        resumed.close()


async def _play(
    hosting: Hosting, map_id: str, laptops: list[Laptop], scripts: list[list[tuple]], turns: list
) -> None:
    project = hosting.project
    next_step = [0] * len(scripts)
    for who, pause in turns:
        step = scripts[who][next_step[who]]
        next_step[who] += 1
        tag = f"{who}.{next_step[who]}"
        if step[0] in ("restart", "offline"):
            count_case(f"{'host' if who == HOST else 'a laptop'}: {step[0]}")  # statistics
        if who == HOST and step[0] == "restart":
            await hosting.restart()
        elif who == HOST:
            command = command_for(step, project.document(map_id).state, tag)
            if command is not None:
                # e.g. a group membership it already has
                with contextlib.suppress(CommandError):
                    project.document(map_id).execute(command)
        else:
            await _laptop_step(laptops[who], map_id, step, tag)
        if pause == 1:
            await asyncio.sleep(0)
        elif pause == 2:
            await asyncio.sleep(0.01)


async def _laptop_step(laptop: Laptop, map_id: str, step: tuple, tag: str) -> None:
    if step[0] == "restart":
        await laptop.restart()
        return
    if step[0] == "offline":
        if laptop.task is not None:
            await laptop.disconnect()
        laptop.offline_for = step[1]
        return
    command = command_for(step, laptop.client.state(map_id), tag)
    if command is not None:
        with contextlib.suppress(CommandError):
            laptop.client.edit(command, map_id)
    if laptop.task is None:
        laptop.offline_for -= 1
        if laptop.offline_for <= 0:
            laptop.connect()


async def _converged(project: Project, map_id: str, laptops: list[Laptop]) -> str:
    """Wait until every laptop's copy (kept up to date, and read afresh from its document)
    and the host's project give the same canonical JSON; return it."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        host = comparable_json(project.map_data(map_id))
        copies = []
        for laptop in laptops:
            copies.append(comparable_json(laptop.client.map_data(map_id)))
            copies.append(comparable_json(laptop.client.shared.read_map(map_id)))
        if all(copy == host for copy in copies):
            return host
        if asyncio.get_running_loop().time() > deadline:
            different = [i for i, copy in enumerate(copies) if copy != host]
            which = ["copy kept", "document read afresh"]
            raise AssertionError(
                "\n".join(
                    f"laptop {i // 2} ({which[i % 2]}) differs from the host: "
                    f"{_differences(host, copies[i])}"
                    for i in different
                )
            )
        await asyncio.sleep(0.05)


def _differences(host: str, copy: str) -> list[tuple[str, Any, Any]]:
    """(section, the host's, the laptop's) for each record that differs."""
    ours, theirs = json.loads(host), json.loads(copy)
    found = []
    for section in sorted(set(ours) | set(theirs)):
        a, b = ours.get(section), theirs.get(section)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            by_id_a = {
                json.dumps(r, sort_keys=True)
                if not isinstance(r, dict)
                else r.get("id", json.dumps(r, sort_keys=True)): r
                for r in a
            }
            by_id_b = {
                json.dumps(r, sort_keys=True)
                if not isinstance(r, dict)
                else r.get("id", json.dumps(r, sort_keys=True)): r
                for r in b
            }
            for key in sorted(set(by_id_a) | set(by_id_b), key=str):
                if by_id_a.get(key) != by_id_b.get(key):
                    found.append((section, by_id_a.get(key), by_id_b.get(key)))
        else:
            found.append((section, a, b))
    return found


def _check_audit(
    project: Project, map_id: str, laptops: list[Laptop], people: dict[str, str], folder: Path
) -> None:
    """Each event names the participant its device authenticated as; the last event that
    touched each surviving factor or link names the person its record says modified it."""
    devices = {(folder / name / "device-id").read_text().strip(): people[name] for name in PEOPLE}
    devices[project.device_id] = project.facilitator_id
    last: dict[tuple[str, str], Any] = {}
    for event in project.history(map_id):
        if event.origin in devices:
            assert event.actor == devices[event.origin], event
        for one in event.ops:
            last[(one["table"], one["key"])] = event
    data = project.map_data(map_id)
    for table, records in (("factors", data.factors), ("links", data.links)):
        for record in records:
            event = last[(table, record.id)]
            assert event.actor == record.modified_by, (table, record, event)
            assert event.origin in devices, event


@given(workshops())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
def test_a_host_and_three_laptops_editing_at_once_converge(example):
    scripts, turns = example
    for name, script in zip([*PEOPLE, "host"], scripts, strict=True):
        note(f"{name}: {script}")
    note(f"turns: {turns}")
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_run_example(Path(folder), scripts, turns))
