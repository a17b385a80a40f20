"""Crash safety: a writer killed (SIGKILL) mid-edit loses no acknowledged edit.

A child process edits a project and acknowledges each edit on stdout only after
``document.execute`` returned. The parent kills it at a random moment, then reopens the
file and checks that the database is intact and that every acknowledged edit (and an audit
event for it) is there. The same file is used for all runs, so later kills hit a file that
still has the WAL of the previous crash.

Also: a second process cannot open a project that another process has open for writing
(ProjectInUseError), while read-only opens keep working, and a killed writer leaves no
stale lock.
"""

from __future__ import annotations

import contextlib
import copy
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ipsmap.model.commands import AddFactor
from ipsmap.model.errors import ProjectInUseError
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]

CHILD = Path(__file__).resolve().parent / "helpers" / "crash_child.py"
RUNS = 20
# The child would make this many edits if never killed; it is always killed long before.
CHILD_LIMIT = 1_000_000
FIRST_ACK_TIMEOUT = 60.0


# -- the child and its acknowledgements ---------------------------------------------------


class ChildRun:
    """A child process whose stdout lines are collected by a thread as they arrive."""

    def __init__(self, args: list[str], stderr_path: Path) -> None:
        self._stderr = stderr_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        self.stderr_path = stderr_path
        self.lines: list[str] = []
        self.partial = ""
        self.first_line = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.endswith("\n"):
                self.lines.append(line.rstrip("\n"))
                self.first_line.set()
            else:
                # Cut short by the kill: not an acknowledgement.
                self.partial = line

    def wait_first_line(self, timeout: float = FIRST_ACK_TIMEOUT) -> None:
        if not self.first_line.wait(timeout):
            self.kill()
            pytest.fail(f"child printed nothing within {timeout}s; stderr:\n{self.stderr()}")

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        self._close_pipes()
        return code

    def _close_pipes(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()

    def stderr(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")


@dataclass
class Expected:
    """Everything acknowledged by children so far (across runs: nothing may be lost later)."""

    labels: dict[str, str] = field(default_factory=dict)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    links: dict[str, tuple[str, str]] = field(default_factory=dict)

    def record(self, line: str) -> str:
        """Add one ``ack`` line; return its kind."""
        parts = line.split(" ")
        assert parts[0] == "ack", f"unexpected line from child: {line!r}"
        kind = parts[2]
        if kind == "add":
            self.labels[parts[3]] = parts[4]
        elif kind == "move":
            self.positions[parts[3]] = (float(parts[4]), float(parts[5]))
        elif kind == "link":
            self.links[parts[3]] = (parts[4], parts[5])
        elif kind == "edit":
            self.notes[parts[3]] = parts[4]
        else:
            raise AssertionError(f"unknown ack kind in {line!r}")
        return kind


@dataclass
class Rig:
    path: Path
    map_id: str
    seed_factors: int
    expected: Expected = field(default_factory=Expected)
    # Whether the previous run left the file with a crashed writer's WAL beside it.
    left_hot_wal: bool = False
    runs_started_on_wal: int = 0
    runs_done: int = 0


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Rig:
    path = tmp_path_factory.mktemp("crash") / "crash.ipsmap"
    with Project.create(path, "Crash test") as project:
        command = AddMap("Workshop map", "system", "Glasgow")
        project.execute(command)
        document = project.document(command.id)
        for i in range(3):
            document.execute(AddFactor(f"seed {i}", x=float(i), y=0.0))
        map_id = command.id
    return Rig(path=path, map_id=map_id, seed_factors=3)


def _integrity(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]


# -- kill during edits -------------------------------------------------------------------


@pytest.mark.parametrize("run", range(RUNS))
def test_kill_during_edits_loses_no_acknowledged_edit(rig: Rig, run: int, tmp_path: Path) -> None:
    rng = random.Random(20240611 + run)
    delay = rng.uniform(0.05, 0.6)
    wal = rig.path.with_name(rig.path.name + "-wal")
    started_on_wal = wal.exists() and wal.stat().st_size > 0
    previous_left_wal, rig.left_hot_wal = rig.left_hot_wal, False
    if previous_left_wal:
        # The previous run verified read-only, so the crashed writer's WAL must still be there.
        assert started_on_wal, "expected the previous crash's WAL beside the project"
    if started_on_wal:
        rig.runs_started_on_wal += 1

    with Project.open(rig.path, read_only=True) as before:
        events_before = len(before.history(rig.map_id))
        factors_before = len(before.document(rig.map_id).factors)
        links_before = len(before.document(rig.map_id).links)

    tag = f"r{run}"
    child = ChildRun(["edit", str(rig.path), tag, str(CHILD_LIMIT)], tmp_path / "stderr.txt")
    try:
        child.wait_first_line()
        time.sleep(delay)
    finally:
        code = child.kill()

    context = f"run {run} (delay {delay:.3f}s), child stderr:\n{child.stderr()}"
    # The child really was killed mid-run: by SIGKILL, after >= 1 ack, before finishing.
    assert code == -signal.SIGKILL, f"child exited with {code}; {context}"
    assert "done" not in child.lines, context
    acks = [line for line in child.lines if line.startswith("ack ")]
    assert acks, f"child acknowledged no edit; lines={child.lines!r}; {context}"
    assert len(acks) == len(child.lines), f"unexpected output {child.lines!r}"
    assert len(acks) < CHILD_LIMIT
    steps = [int(line.split(" ")[1]) for line in acks]
    assert steps == list(range(len(acks))), "acks out of order"
    # What this run acknowledged, on top of what earlier runs did (merged in on success, so
    # that one failing run does not make all later ones fail).
    expected = copy.deepcopy(rig.expected)
    kinds = [expected.record(line) for line in acks]
    new_adds = kinds.count("add")
    new_links = kinds.count("link")

    # Alternate how the file is reopened: read-only (which leaves the crashed writer's WAL
    # in place, so the next child starts on it) or for writing (recovery by ipsmap itself).
    read_only = run % 2 == 0
    if read_only:
        conn = sqlite3.connect(f"{rig.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            assert _integrity(conn) == ["ok"], context
        finally:
            conn.close()
    project = Project.open(rig.path, read_only=read_only)
    try:
        if not read_only:
            assert _integrity(project.store.db.conn) == ["ok"], context
        document = project.document(rig.map_id)
        factors, links = document.factors, document.links

        # Every acknowledged edit, from this run and all earlier ones, is in the file.
        missing = [fid for fid in expected.labels if fid not in factors]
        assert not missing, f"acknowledged factors lost: {missing}; {context}"
        for fid, label in expected.labels.items():
            assert factors[fid].label == label, context
        for fid, (x, y) in expected.positions.items():
            assert (factors[fid].x, factors[fid].y) == (x, y), f"move of {fid} lost; {context}"
        for fid, notes in expected.notes.items():
            assert factors[fid].notes == notes, f"edit of {fid} lost; {context}"
        for lid, (source, target) in expected.links.items():
            assert lid in links, f"acknowledged link {lid} lost; {context}"
            assert (links[lid].source, links[lid].target) == (source, target)
            assert links[lid].polarity == "-"
            assert links[lid].strength == 0.75

        # At most one edit (the one in flight when the child died) beyond the acknowledged.
        assert factors_before + new_adds <= len(factors) <= factors_before + new_adds + 1
        assert links_before + new_links <= len(links) <= links_before + new_links + 1

        # The audit log has an event for every acknowledged edit (+ at most the one in flight).
        events = project.history(rig.map_id)
        new_events = events[events_before:]
        assert len(acks) <= len(new_events) <= len(acks) + 1, context
        logged_factor_inserts = {
            op["key"]
            for event in events
            for op in event.ops
            if op["op"] == "insert" and op["table"] == "factors"
        }
        assert set(expected.labels) <= logged_factor_inserts
        for event, kind in zip(new_events, kinds, strict=False):
            assert event.action == "do"
            assert (
                event.command
                == {
                    "add": "Add factor",
                    "move": "Move",
                    "link": "Add link",
                    "edit": "Edit factor",
                }[kind]
            )
    finally:
        project.close()

    rig.expected = expected
    wal_after = rig.path.with_name(rig.path.name + "-wal")
    rig.left_hot_wal = read_only and wal_after.exists() and wal_after.stat().st_size > 0
    rig.runs_done += 1


def test_file_is_sound_after_all_the_kills(rig: Rig) -> None:
    """After the runs (whatever ran), a plain sqlite3 connection finds the file intact."""
    if rig.runs_done == RUNS:
        # Every other run reopened read-only, leaving the crashed writer's WAL in place:
        # about half the kills hit a file that already had a WAL from the previous crash.
        assert rig.runs_started_on_wal >= RUNS // 2 - 1, rig.runs_started_on_wal
    conn = sqlite3.connect(rig.path)
    try:
        assert _integrity(conn) == ["ok"]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        count = conn.execute("SELECT COUNT(*) FROM factors WHERE map_id = ?", [rig.map_id])
        assert count.fetchone()[0] >= rig.seed_factors + len(rig.expected.labels)
    finally:
        conn.close()


# -- a second writer is refused ----------------------------------------------------------

_SECOND_WRITER = """
import sys
from ipsmap.model.errors import ProjectInUseError
from ipsmap.model.project import Project
try:
    project = Project.open(sys.argv[1])
except ProjectInUseError as exc:
    print("in-use", exc)
else:
    project.close()
    print("opened")
"""

_READER = """
import sys
from ipsmap.model.project import Project
with Project.open(sys.argv[1], read_only=True) as project:
    for info in project.maps():
        document = project.document(info.id)
        first = sorted(document.factors)[0] if document.factors else "-"
        print(info.id, info.name, len(document.factors), first)
"""


def test_second_writer_process_gets_project_in_use(tmp_path: Path) -> None:
    path = tmp_path / "shared.ipsmap"
    with Project.create(path, "Shared") as project:
        project.execute(AddMap("first map"))
    holder = ChildRun(["hold", str(path)], tmp_path / "holder-stderr.txt")
    try:
        holder.wait_first_line()
        assert holder.lines[0].startswith("ready "), holder.lines
        _, map_id, factor_id = holder.lines[0].split(" ")

        # Another process asking to write is refused with a clear error...
        second = subprocess.run(
            [sys.executable, "-c", _SECOND_WRITER, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        assert second.stdout.startswith("in-use "), second.stdout + second.stderr
        assert str(path) in second.stdout
        assert "already open" in second.stdout

        # ...and so is this process (the lock is on the file, not per process).
        with pytest.raises(ProjectInUseError):
            Project.open(path)

        # Read-only opening works meanwhile and sees what the writer committed,
        # in this process and in another one.
        with Project.open(path, read_only=True) as reader:
            names = {m.name: m.id for m in reader.maps()}
            assert set(names) == {"first map", "held map"}
            assert names["held map"] == map_id
            factor = reader.document(map_id).factors[factor_id]
            assert (factor.label, factor.x, factor.y) == ("committed while held", 3.0, 4.0)
        other = subprocess.run(
            [sys.executable, "-c", _READER, str(path)], capture_output=True, text=True, timeout=60
        )
        assert other.returncode == 0, other.stderr
        assert f"{map_id} held map 1 {factor_id}" in other.stdout.splitlines()

        assert holder.proc.poll() is None, "the holder must still have the project open"
    finally:
        code = holder.kill()
    assert code == -signal.SIGKILL

    # The killed holder leaves no stale lock: the project opens for writing again.
    with Project.open(path) as project:
        assert {m.name for m in project.maps()} == {"first map", "held map"}


def test_writer_that_closes_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "released.ipsmap"
    Project.create(path, "Released").close()
    holder = ChildRun(["hold", str(path)], tmp_path / "holder-stderr.txt")
    try:
        holder.wait_first_line()
        with pytest.raises(ProjectInUseError):
            Project.open(path)
        assert holder.proc.stdin is not None
        holder.proc.stdin.write("close\n")
        holder.proc.stdin.flush()
        code = holder.proc.wait(timeout=60)
        assert code == 0, holder.stderr()
    finally:
        holder.kill()
    assert "closed" in holder.lines
    with Project.open(path) as project:
        assert [m.name for m in project.maps()] == ["held map"]
