"""A laptop joined through a mirror project, for tests/live (a script, never imported).

Usage: mirror_peer.py --address wss://H:P --code C --fingerprint F --as PARTICIPANT
                      --data-home DIR
The mirror project lives where the window keeps it (mirror_folder under DIR). Reads one
JSON command per line on stdin and answers one JSON line on stdout:
    {"cmd": "wait-connected"}        -> {"connected": true} or {"refused": "..."}
    {"cmd": "wait-offline"}          -> {"offline": true} once the connection is down
    {"cmd": "add", "map": M, "id": I, "label": L}   committed in the mirror (offline too)
    {"cmd": "labels", "map": M}      -> {"labels": {id: label}} as the mirror holds them
    {"cmd": "quit"}
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ipsmap.live.connection import JoinRefused
from ipsmap.live.joined import JoinedLaptop
from ipsmap.live.mirror import mirror_folder, open_mirror
from ipsmap.model.commands import AddFactor


async def _until(check, timeout: float = 15.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _commands(laptop: JoinedLaptop) -> None:
    project = laptop.project
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
            await _until(lambda: laptop.online or laptop.connection.refused is not None)
            refused = laptop.connection.refused
            reply = {"refused": refused} if refused else {"connected": laptop.online}
        elif kind == "wait-offline":
            reply = {"offline": await _until(lambda: not laptop.online)}
        elif kind == "add":
            factor = AddFactor(command["label"], id=command["id"])
            project.execute(factor, map_id=command["map"])
        elif kind == "labels":
            factors = project.document(command["map"]).factors
            reply = {"labels": {key: f.label for key, f in factors.items()}}
        print(json.dumps(reply), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--code", required=True)
    parser.add_argument("--fingerprint", required=True)
    parser.add_argument("--as", dest="participant", required=True)
    parser.add_argument("--data-home", type=Path, required=True)
    args = parser.parse_args()
    project = open_mirror(mirror_folder(args.fingerprint, args.data_home), "Joined")
    laptop = JoinedLaptop(
        project,
        address=args.address,
        code=args.code,
        fingerprint=args.fingerprint,
        participant=args.participant,
        say=lambda line: print(line, file=sys.stderr, flush=True),
    )
    stop = asyncio.Event()
    runner = asyncio.create_task(laptop.run(stop))
    try:
        await _commands(laptop)
    finally:
        stop.set()
        with contextlib.suppress(JoinRefused, asyncio.TimeoutError):
            await asyncio.wait_for(runner, 5)
        laptop.close()
        project.close()


if __name__ == "__main__":
    asyncio.run(main())
