"""A second start on an open project brings the first window forward and exits 0.

Two real ipsmap processes (offscreen): the first opens the project and listens; the second
finds the project locked, hands over and exits; the first says it was asked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ipsmap.demo.project import create_demo_project
from ipsmap.ui.single_instance import server_name

pytestmark = pytest.mark.slow


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "cfg"))
    env.update(XDG_DATA_HOME=str(home / "data"))
    return env


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_second_start_hands_over_to_the_open_window(tmp_path: Path) -> None:
    project = tmp_path / "workshop.ipsmap"
    create_demo_project(project).close()
    env = _env(tmp_path)
    socket_file = Path(tempfile.gettempdir()) / server_name(project)
    first = subprocess.Popen(
        [sys.executable, "-m", "ipsmap", str(project)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for(socket_file.exists, 60), "the first window never listened"
        started = time.monotonic()
        second = subprocess.run(
            # Through a different spelling of the same file: the resolved path counts.
            [sys.executable, "-m", "ipsmap", str(tmp_path / "." / "workshop.ipsmap")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.monotonic() - started
        assert second.returncode == 0, second.stderr
        assert "open in another ipsmap window" in second.stdout
        assert "Traceback" not in second.stderr
        assert took < 15, f"the second start took {took:.1f} s"
        assert first.poll() is None, "the first window must still be running"
    finally:
        first.terminate()
        _out, err = first.communicate(timeout=30)
        socket_file.unlink(missing_ok=True)  # terminated, the first left its socket behind
    assert "another start asked for this project's window" in err


def test_the_socket_name_depends_on_the_resolved_file(tmp_path: Path) -> None:
    a = tmp_path / "a.ipsmap"
    assert server_name(a) == server_name(tmp_path / "sub" / ".." / "a.ipsmap")
    assert server_name(a) != server_name(tmp_path / "b.ipsmap")
