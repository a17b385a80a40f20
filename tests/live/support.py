"""Helpers for the live-session tests: comparable map JSON and peer processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ipsmap.model.canonical import canonical_json
from ipsmap.model.mapdata import MapData

REPO = Path(__file__).resolve().parents[2]
PEER_SCRIPT = REPO / "tests" / "helpers" / "live_peer.py"


def comparable_json(data: MapData) -> str:
    """The map's canonical JSON with factors and links in id order.

    Two factors added at once on two laptops can get the same creation number, so peers
    may list them in either order (and people in the order they were met); the content is
    what must be identical."""
    document = json.loads(canonical_json(data))
    for key in ("factors", "links", "participants"):
        document[key].sort(key=lambda row: row["id"])
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


class HostProcess:
    """``ipsmap host`` in its own process; its first lines give address, code, fingerprint."""

    def __init__(self, project: Path, *extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ipsmap", "host", str(project), "--interface", "127.0.0.1",
             *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )  # fmt: skip
        self.info: dict[str, str] = {}
        self.lines: list[str] = []
        while "maps" not in self.info:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError(f"host did not start: {self.process.stderr.read()}")  # type: ignore[union-attr]
            key, _, value = line.strip().partition(": ")
            self.info[key] = value

    def stop(self, how: int = signal.SIGTERM) -> str:
        """A clean stop (SIGTERM, or SIGINT as Ctrl+C sends): the rest of its output."""
        self.process.send_signal(how)
        out, _ = self.process.communicate(timeout=15)
        return out

    def kill(self) -> None:
        self.process.kill()
        self.process.communicate(timeout=15)


class PeerProcess:
    """tests/helpers/live_peer.py in its own process, driven by JSON lines."""

    def __init__(self, host: HostProcess, participant: str, workdir: Path, *extra: str,
                 code: str | None = None, address: str | None = None,
                 stderr: Any = None) -> None:  # fmt: skip
        self.process = subprocess.Popen(
            [
                sys.executable, str(PEER_SCRIPT),
                "--address", address or host.info["address"],
                "--code", code or host.info["code"],
                "--fingerprint", host.info["fingerprint"],
                "--as", participant,
                "--workdir", str(workdir),
                *extra,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,  # its "connected" / "offline" lines (the bench hides them)
            text=True,
            env=_env(),
        )  # fmt: skip

    def ask(self, **command: Any) -> dict[str, Any]:
        self.send(**command)
        return self.answer()

    def send(self, **command: Any) -> None:
        """Send a command without waiting (several peers then work at once)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"peer exited ({self.process.poll()})")
        return json.loads(line)

    def quit(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(RuntimeError, BrokenPipeError, ValueError):
                self.ask(cmd="quit")
        self.process.wait(timeout=10)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def wait_until(check, timeout: float = 15.0, every: float = 0.1) -> Any:
    """Poll ``check()`` until it returns something truthy; fail the test after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout} s (last: {last!r})")


class Clock:
    """A clock a test moves by hand (``clock.now += 61``), for rate limits and presence."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
