"""Live-session compaction: a workshop's stored updates before and after the stop folds them.

Run by hand (not in CI):

    .venv/bin/python bench/bench_compaction.py                  # 6 laptops × 500 edits
    .venv/bin/python bench/bench_compaction.py --peers 3 --edits 200 --json

A host session (ipsmap/live/session.py, no network: the sockets are timed by
bench_live.py) takes each laptop's edits as the separate updates a laptop sends (add,
rename, move a factor, write a note, link, delete a factor now and then), in turn, as in a
day's workshop. Then the session is stopped on purpose: ``live_updates`` is folded into one
row and the file vacuumed. Printed: rows and bytes of the stored updates before and after,
the project file (with its write-ahead log) before and after, how long the fold took, and
how long a host takes to resume the document from the updates before and after.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pycrdt import Doc  # noqa: E402 (after the path is set)

from ipsmap.live import host_updates  # noqa: E402
from ipsmap.live.session import HostSession  # noqa: E402
from ipsmap.live.shared_doc import SharedDoc  # noqa: E402
from ipsmap.model.author import Author  # noqa: E402
from ipsmap.model.commands import (  # noqa: E402
    AddFactor,
    AddLink,
    DeleteFactors,
    EditFactor,
    MoveFactors,
)
from ipsmap.model.project import Project  # noqa: E402
from ipsmap.model.project_commands import AddMap, AddParticipant  # noqa: E402
from ipsmap.model.state import MapState  # noqa: E402


def _edit(state: MapState, rng: random.Random, tag: str):
    factors = sorted(state.factors)
    kind = rng.choices(["add", "rename", "move", "note", "link", "delete"], [3, 2, 4, 1, 2, 1])[0]
    if kind == "add" or len(factors) < 4:
        return AddFactor(f"{tag} idea", rng.uniform(0, 800), rng.uniform(0, 600))
    factor = rng.choice(factors)
    if kind == "rename":
        return EditFactor(factor, {"label": f"{tag} renamed"})
    if kind == "note":
        return EditFactor(factor, {"notes": f"{tag}: what the group said about it"})
    if kind == "link":
        source, target = rng.sample(factors, 2)
        if state.link_between(source, target) is None:
            return AddLink(source, target, rng.choice("+-?"))
    if kind == "delete" and len(factors) > 30:
        return DeleteFactors([factor])
    return MoveFactors({factor: (rng.uniform(0, 800), rng.uniform(0, 600))})


def _size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _stored(project: Project) -> tuple[int, int]:
    rows, size = project.store.db.execute(
        "SELECT count(*), coalesce(sum(length(data)), 0) FROM live_updates"
    ).fetchone()
    return int(rows), int(size)


def _resume_s(path: Path, map_id: str) -> float:
    with Project.open(path) as project:
        # Only the replay is timed: a copy of the rows, replayed into a fresh document.
        updates = [bytes(d) for (d,) in project.store.db.execute("SELECT data FROM live_updates")]
    start = time.perf_counter()
    shared = SharedDoc(Doc())
    for update in updates:
        shared.doc.apply_update(update)
    shared.read_map(map_id)
    return time.perf_counter() - start


def run(peers: int, edits: int, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workshop.ipsmap"
        with Project.create(path, "Compaction bench") as project:
            add = AddMap("Housing and stress", "system")
            project.execute(add)
            people = []
            for i in range(peers):
                person = AddParticipant(f"Person {i + 1}", "parent", "Glasgow")
                project.execute(person)
                people.append(person.id)
            map_id = add.id
            session = HostSession(project, [map_id])
            laptops = []
            for _ in people:
                peer = SharedDoc(Doc())
                peer.doc.apply_update(session.shared.doc.get_update())
                laptops.append(peer)
            for turn in range(edits * peers):
                who = turn % peers
                peer = laptops[who]
                peer.doc.apply_update(session.shared.doc.get_update(peer.doc.get_state()))
                state = MapState.from_data(peer.read_map(map_id))
                before = peer.doc.get_state()
                with peer.doc.transaction(origin="local"):
                    peer.edit(_edit(state, rng, f"{who}.{turn}"), state, people[who])
                session.apply_remote(
                    peer.doc.get_update(before), Author(people[who], f"laptop-{who}", None)
                )
            session.close(compact=False)  # as a crash would leave it: timed below
            rows_before, bytes_before = _stored(project)
            factors = len(project.document(map_id).factors)
            links = len(project.document(map_id).links)
            project.store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            file_before = _size(path)
        resume_before = _resume_s(path, map_id)
        with Project.open(path) as project:
            # What a stop on purpose does (HostSession.close), timed alone.
            start = time.perf_counter()
            host_updates.compact(project.store, shrink_file=True)
            fold_s = time.perf_counter() - start
            rows_after, bytes_after = _stored(project)
        file_after = _size(path)
        resume_after = _resume_s(path, map_id)
    return {
        "peers": peers,
        "edits": edits * peers,
        "factors": factors,
        "links": links,
        "rows": [rows_before, rows_after],
        "update_bytes": [bytes_before, bytes_after],
        "file_bytes": [file_before, file_after],
        "fold_s": round(fold_s, 3),
        "resume_s": [round(resume_before, 3), round(resume_after, 3)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=6)
    parser.add_argument("--edits", type=int, default=500, help="edits per laptop")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.peers, args.edits, args.seed)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
