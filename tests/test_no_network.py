"""README: "ipsmap makes no network connections unless you host or join a live session".

In a fresh process every Python-level way to reach the network (connect, send, bind, name
lookups) is replaced by one that records the call and fails; then the command line makes a
project, lists its maps and reads its history, and the window opens and draws it. Nothing
may have been called, and Qt's network module must not even be loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, socket, sys
calls = []

def refuse(name):
    def call(*args, **kwargs):
        calls.append(name)
        raise OSError(f"network use: {name}")
    return call

for name in ("connect", "connect_ex", "sendto", "sendmsg", "bind", "listen"):
    setattr(socket.socket, name, refuse(name))
for name in ("getaddrinfo", "gethostbyname", "create_connection", "create_server"):
    setattr(socket, name, refuse(name))

from ipsmap.cli import main

project = sys.argv[1]
codes = [
    main(["new", project, "--title", "Offline"]),
    main(["maps", project]),
    main(["history", project]),
]

from PySide6.QtWidgets import QApplication

app = QApplication([])
from ipsmap.model.project import Project
from ipsmap.ui.main_window import MainWindow

window = MainWindow(Project.open(project))
window.show()
for _ in range(50):
    app.processEvents()
window.close()
app.processEvents()
loaded = sorted(m for m in sys.modules if m.startswith(("PySide6.QtNetwork", "ipsmap.live")))
print(json.dumps({"calls": calls, "codes": codes, "loaded": loaded}))
"""


def test_the_window_and_the_command_line_touch_no_network(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(REPO),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "p.ipsmap")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"calls": [], "codes": [0, 0, 0], "loaded": []}
