"""A joined laptop for tests/live (run as a script, never imported by pytest).

Usage: live_peer.py --address wss://H:P --code C --fingerprint F --as PARTICIPANT
                    --workdir DIR [--token-fingerprint F2]
Reads one JSON command per line on stdin and answers one JSON line on stdout:
    {"cmd": "wait-connected"}                 -> {"connected": true} or {"refused": "..."}
    {"cmd": "add", "map": M, "id": I, "label": L}
    {"cmd": "random", "map": M, "n": N, "seed": S}   seeded random edits (add, rename,
                                                      move, link, unlink, delete with links)
    {"cmd": "dump", "map": M}                 -> {"json": <comparable map JSON>}
    {"cmd": "quit"}
For bench/bench_live.py (times are time.monotonic(), one clock for every process here):
    {"cmd": "paced", "map": M, "n": N, "pace": S, "seed": S}   N edits (add, rename, move
        a factor, add a link, delete one of its own links), one every S seconds
    {"cmd": "timings"}       -> {"own": [[marks, sent]], "seen": {mark: first seen}}
    {"cmd": "wait-size", "map": M, "factors": F, "links": L}  -> {"seconds": since start}
    {"cmd": "wait-json", "map": M, "json": J}                 -> {"seconds": since start}
``--as-claim P2``: commands name P2 as their author (the host must not believe it).
Presence:
    {"cmd": "presence", "map": M, "selected": [ids], "editing": I}   set this laptop's
    {"cmd": "send-text", "text": T}     a raw text frame to the host (invalid presence)
    {"cmd": "others"}                  -> {"others": {key: presence as the host stamped it}}
    {"cmd": "flood", "map": M, "ids": [ids], "n": N}   N selections as fast as it can
        -> {"seconds": how long sending took}
    {"cmd": "heard"}                   -> {"heard": how many presence changes arrived}
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ipsmap.live.client import JoinRefused, LiveClient
from ipsmap.model.command import Command
from ipsmap.model.commands import (
    AddFactor,
    AddLink,
    DeleteFactors,
    DeleteLinks,
    EditFactor,
    MoveFactors,
)
from ipsmap.model.errors import CommandError
from ipsmap.model.state import MapState
from tests.live.support import comparable_json

# When this process began joining: late join and reconnect are timed from here.
STARTED = time.monotonic()
# Fields whose new value tells one edit from another (a label or a position, "pos" being
# one value, is unique per bench edit; modified_by repeats, so it would date an edit by an
# earlier one).
TELLING_FIELDS = {"label", "pos"}


def random_command(state: MapState, rng: random.Random, tag: str) -> Command:
    """One random edit of the map as it is: add, rename, move, link, unlink, delete."""
    factors = list(state.factors)
    links = list(state.links)
    choice = rng.choices(["add", "rename", "move", "link", "unlink", "delete"], [4, 2, 2, 3, 1, 1])[
        0
    ]
    if choice == "add" or len(factors) < 2:
        return AddFactor(f"{tag} {rng.randrange(10**6)}", rng.uniform(0, 800), rng.uniform(0, 600))
    if choice == "rename":
        return EditFactor(rng.choice(factors), {"label": f"{tag} renamed {rng.randrange(1000)}"})
    if choice == "move":
        return MoveFactors({rng.choice(factors): (rng.uniform(0, 800), rng.uniform(0, 600))})
    if choice == "link":
        source, target = rng.sample(factors, 2)
        return AddLink(source, target, rng.choice("+-?"))
    if choice == "unlink" and links:
        return DeleteLinks([rng.choice(links)])
    if choice == "delete":
        return DeleteFactors([rng.choice(factors)])
    return AddFactor(f"{tag} {rng.randrange(10**6)}")


def edit_marks(events) -> list[str]:
    """What an edit's transaction did, as marks another peer will see when it arrives: a
    record added or deleted, or a telling field set to its new value."""
    marks = []
    for event in events:
        path = [str(step) for step in event.path]
        for key, change in getattr(event, "keys", {}).items():
            action = change.get("action")
            if len(path) == 2 and action in ("add", "delete"):
                marks.append(json.dumps([*path, key, action]))
            elif len(path) == 3 and key in TELLING_FIELDS and action in ("add", "update"):
                marks.append(json.dumps([*path, key, change.get("newValue")]))
    return marks


def paced_command(state: MapState, rng: random.Random, tag: str, own_links: list[str]) -> Command:
    """One bench edit: add, rename or move a factor, add a link, delete a link it made."""
    factors = list(state.factors)
    kind = rng.choices(["add", "rename", "move", "link", "unlink"], [3, 2, 3, 2, 1])[0]
    own_links[:] = [key for key in own_links if key in state.links]
    if kind == "add" or len(factors) < 2:
        return AddFactor(f"{tag} {rng.randrange(10**9)}", rng.uniform(0, 800), rng.uniform(0, 600))
    if kind == "rename":
        return EditFactor(rng.choice(factors), {"label": f"{tag} renamed {rng.randrange(10**9)}"})
    if kind == "unlink" and own_links:
        return DeleteLinks([own_links.pop(rng.randrange(len(own_links)))])
    if kind == "link":
        source, target = rng.sample(factors, 2)
        link = AddLink(source, target, rng.choice("+-?"))
        own_links.append(link.id)
        return link
    return MoveFactors({rng.choice(factors): (rng.uniform(0, 800), rng.uniform(0, 600))})


async def _paced(client: LiveClient, command: dict, own: list) -> int:
    """Edits on a schedule (a random start within one pace, then one every pace)."""
    rng = random.Random(command["seed"])
    pace, own_links, made = command["pace"], [], 0
    start = time.monotonic() + rng.uniform(0, pace)
    for i in range(command["n"]):
        await asyncio.sleep(max(0.0, start + i * pace - time.monotonic()))
        edit = paced_command(client.state(command["map"]), rng, f"p{command['seed']}", own_links)
        before, sent = len(own), time.monotonic()
        try:
            client.edit(edit, command["map"])
        except CommandError:
            continue  # e.g. a link between two factors already linked
        if len(own) > before:
            own[before][1] = sent  # timed from just before the edit, not its commit
        made += 1
    return made


def _has_size(client: LiveClient, command: dict):
    """Whether the document holds all of the map (late join: every record arrived)."""
    doc, map_id, want = client.shared, command["map"], (command["factors"], command["links"])

    def check() -> bool:
        if not doc.has_map(map_id):
            return False
        return (len(doc.maps[map_id]["factors"]), len(doc.maps[map_id]["links"])) == want

    return check


def _holds_json(client: LiveClient, command: dict):
    """Whether this laptop's map is the one expected (reconnect: caught up)."""
    map_id, expected = command["map"], command["json"]
    return lambda: comparable_json(client.map_data(map_id)) == expected


async def _wait_for(check, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return {"seconds": None}
        await asyncio.sleep(0.005)
    return {"seconds": time.monotonic() - STARTED}


async def _commands(client: LiveClient, claim: str | None, runner: asyncio.Task) -> None:
    arrivals: dict = {"own": []}
    # For the bench: each own edit's marks and when it was made; when each mark was first
    # seen here (arriving from elsewhere).
    own_edits: list = []
    seen: dict[str, float] = {}

    def mark(events) -> None:
        now = time.monotonic()
        marks = edit_marks(events)
        if client._local:
            own_edits.append([marks, now])
        else:
            for one in marks:
                seen.setdefault(one, now)

    marking = client.shared.maps.observe_deep(mark)  # noqa: F841 (kept alive)

    def note(events) -> None:
        # When each factor first appears here (local edits are noted as our own).
        now = time.time_ns()
        for event in events:
            path = list(event.path)
            if len(path) == 2 and path[1] == "factors":
                for key, change in event.keys.items():
                    if change.get("action") == "add" and key not in arrivals:
                        arrivals[key] = now
                        if client._local:
                            arrivals["own"].append(key)

    subscription = client.shared.maps.observe_deep(note)  # noqa: F841 (kept alive)
    heard = [0]

    def count(_others) -> None:
        heard[0] += 1

    client.on_presence = count
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        command = json.loads(line)
        kind = command["cmd"]
        reply: dict = {"ok": True}
        if kind == "quit":
            print(json.dumps(reply), flush=True)
            return
        if kind == "wait-connected":
            waiter = asyncio.create_task(client.connected.wait())
            await asyncio.wait([waiter, runner], timeout=15, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            reply = (
                {"refused": client.refused}
                if client.refused
                else {"connected": client.connected.is_set()}
            )
        elif kind == "add":
            client.edit(AddFactor(command["label"], id=command["id"]), command["map"], claim)
        elif kind == "random":
            rng = random.Random(command["seed"])
            made = 0
            for _ in range(command["n"]):
                state = client.state(command["map"])
                edit = random_command(state, rng, f"s{command['seed']}")
                try:
                    client.edit(edit, command["map"], claim)
                    made += 1
                except CommandError:
                    pass
                await asyncio.sleep(rng.uniform(0, 0.02))
            reply = {"edits": made}
        elif kind == "stamp":
            # Timed adds for latency figures: the label carries when the edit was made.
            for _ in range(command["n"]):
                stamp = f"t{time.time_ns()}"
                client.edit(AddFactor(stamp), command["map"], claim)
                await asyncio.sleep(command.get("pause", 0.0))
        elif kind == "arrivals":
            # How long each other laptop's stamped factor took to arrive here (ms).
            own = set(arrivals.get("own", ()))
            state = client.state(command["map"])
            delays = [
                (arrived - int(state.factors[key].label[1:])) / 1e6
                for key, arrived in arrivals.items()
                if key != "own"
                and key in state.factors
                and state.factors[key].label.startswith("t")
                and key not in own
            ]
            reply = {"latency_ms": delays}
        elif kind == "paced":
            reply = {"edits": await _paced(client, command, own_edits)}
        elif kind == "timings":
            reply = {"own": own_edits, "seen": seen}
        elif kind == "wait-size":
            reply = await _wait_for(_has_size(client, command), command.get("timeout", 30))
        elif kind == "wait-json":
            reply = await _wait_for(_holds_json(client, command), command.get("timeout", 30))
        elif kind == "presence":
            client.set_presence(command["map"], command.get("selected", []), command.get("editing"))
        elif kind == "send-text":
            # Raw, past set_presence's checks: what a hostile laptop could send.
            outbox = client.connection._outbox
            if outbox is not None:
                outbox.put_nowait(command["text"])
            reply = {"sent": outbox is not None}
        elif kind == "flood":
            began, ids = time.monotonic(), command["ids"]
            for i in range(command["n"]):
                client.set_presence(command["map"], [ids[i % len(ids)]])
                if i % 20 == 0:
                    await asyncio.sleep(0)  # let the sender write to the socket
            reply = {"seconds": time.monotonic() - began}
        elif kind == "heard":
            reply = {"heard": heard[0]}
        elif kind == "others":
            reply = {"others": {key: asdict(one) for key, one in client.others.items()}}
        elif kind == "dump":
            # This laptop's kept-up-to-date copy, and a fresh read of the document: the same.
            kept = comparable_json(client.map_data(command["map"]))
            fresh = comparable_json(client.shared.read_map(command["map"]))
            reply = {"json": kept if kept == fresh else f"copy differs from document: {kept}"}
        print(json.dumps(reply), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--code", required=True)
    parser.add_argument("--fingerprint", required=True)
    parser.add_argument("--as", dest="participant", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--token-fingerprint")
    parser.add_argument("--as-claim")
    args = parser.parse_args()
    client = LiveClient(
        args.address,
        code=args.code,
        fingerprint=args.fingerprint,
        participant=args.participant,
        workdir=args.workdir,
        token_fingerprint=args.token_fingerprint,
        say=lambda line: print(line, file=sys.stderr, flush=True),
    )
    stop = asyncio.Event()
    runner = asyncio.create_task(client.run(stop))
    try:
        await _commands(client, args.as_claim, runner)
    finally:
        stop.set()
        with contextlib.suppress(JoinRefused, asyncio.TimeoutError):
            await asyncio.wait_for(runner, 5)
        client.close()


if __name__ == "__main__":
    asyncio.run(main())
