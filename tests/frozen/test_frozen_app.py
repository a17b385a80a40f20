"""The built app, run the way a facilitator gets it: no Python on the PATH, no venv.

Marked ``frozen_app``: the README's test run leaves these out (pyproject's addopts); CI
builds the app in a step of its own (.ci/run) and runs ``pytest -m frozen_app`` with
IPSMAP_APP naming the built folder. Without IPSMAP_APP the app is built here first.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.frozen_app,
    pytest.mark.skipif(sys.platform != "linux", reason="Linux app"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
GLASGOW = "Glasgow: families' local system"
# Allowed on stderr: Qt's offscreen platform noting what it cannot do (not an error).
QT_OFFSCREEN_NOTES = ("This plugin does not support",)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("IPSMAP_APP")
    if given:
        folder = Path(given).resolve()
    else:
        work = tmp_path_factory.mktemp("app")
        subprocess.run(
            [
                sys.executable,
                str(REPO_ROOT / "packaging" / "build.py"),
                "--dist",
                str(work / "dist"),
                "--work",
                str(work / "work"),
            ],
            check=True,
            timeout=1200,
        )
        folder = work / "dist" / "ipsmap"
    assert (folder / "ipsmap").is_file(), f"no program in {folder}"
    return folder


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """A user's session with nothing of Python in it: PATH holds an empty folder."""
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {
        "PATH": str(empty),
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "home" / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / "config"),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
    }
    (tmp_path / "run").mkdir(mode=0o700)
    assert shutil.which("python3", path=env["PATH"]) is None
    assert shutil.which("python", path=env["PATH"]) is None
    return env


def _run(app: Path, env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(app / "ipsmap"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_version_names_the_build(app: Path, bare_env: dict[str, str], tmp_path: Path) -> None:
    from ipsmap import __version__
    from ipsmap.model.schema import SCHEMA_VERSION

    result = _run(app, bare_env, "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ipsmap {__version__}"
    assert re.fullmatch(r"build: [0-9a-f]{7,}(-modified)? \(\d{4}-\d\d-\d\d\)", lines[1]), lines[1]
    assert lines[2] == f"project file format (schema): {SCHEMA_VERSION}"


def test_demo_and_exports(app: Path, bare_env: dict[str, str], tmp_path: Path) -> None:
    result = _run(app, bare_env, "demo", "d.ipsmap", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "g.pdf"
    result = _run(
        app,
        bare_env,
        "export",
        "d.ipsmap",
        "--map",
        GLASGOW,
        "--format",
        "pdf",
        "-o",
        str(pdf),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page\b", data)) >= 2
    assert b"DejaVuSans" in data  # the font the app carries, embedded

    page = tmp_path / "g.html"
    result = _run(
        app,
        bare_env,
        "export",
        "d.ipsmap",
        "--map",
        GLASGOW,
        "--format",
        "html",
        "-o",
        str(page),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "vis.Network" in html
    # Nothing is loaded from elsewhere: no src/href to another place, no stylesheet link,
    # no url() or @import in the CSS (vis-network's licence comments may name sites).
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"<link\b", html, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", html, re.IGNORECASE)
    assert "default-src 'none'" in html


def test_window_runs_five_seconds_without_error(
    app: Path, bare_env: dict[str, str], tmp_path: Path
) -> None:
    # No file: the user's copy of the demo, made in this (empty) home.
    process = subprocess.Popen(
        [str(app / "ipsmap")],
        env=bare_env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(5)
    still_running = process.poll() is None
    process.terminate()
    out, err = process.communicate(timeout=30)
    assert still_running, f"the window closed early: {out}\n{err}"
    problems = [
        line
        for line in err.splitlines()
        if line.strip() and not line.startswith(QT_OFFSCREEN_NOTES)
    ]
    assert not problems, "\n".join(problems)
    assert list((tmp_path / "home" / "data").rglob("*.ipsmap")), "the demo copy was not made"


def test_window_start_up_probe(app: Path, bare_env: dict[str, str], tmp_path: Path) -> None:
    env = {**bare_env, "IPSMAP_STARTUP_PROBE": "1"}
    result = _run(app, env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ipsmap: window shown" in result.stdout


GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <graph edgedefault="directed">
    <node id="a"><data key="label">Waiting lists</data></node>
    <node id="b"><data key="label">Parents' stress</data></node>
    <edge source="a" target="b"/>
  </graph>
</graphml>
"""


def test_open_with_on_another_tool_s_map_opens_it_as_a_new_project(
    app: Path, bare_env: dict[str, str], tmp_path: Path
) -> None:
    # The desktop's "Open with ipsmap" on a GraphML file: the readers load frozen, and the
    # window opens on a new project beside the file.
    source = tmp_path / "loops.graphml"
    source.write_text(GRAPHML, encoding="utf-8")
    env = {**bare_env, "IPSMAP_STARTUP_PROBE": "1"}
    result = _run(app, env, str(source), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ipsmap: window shown" in result.stdout
    assert (tmp_path / "loops.ipsmap").is_file()
    assert source.read_text(encoding="utf-8") == GRAPHML


def test_live_session_host_starts_and_stops(
    app: Path, bare_env: dict[str, str], tmp_path: Path
) -> None:
    # The frozen pycrdt (Rust), zeroconf (Cython) and aiohttp: a headless host serves,
    # says where, and stops on Ctrl+C.
    assert _run(app, bare_env, "demo", "d.ipsmap", cwd=tmp_path).returncode == 0
    process = subprocess.Popen(
        [str(app / "ipsmap"), "host", "d.ipsmap", "--port", "0", "--interface", "127.0.0.1"],
        env=bare_env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("maps:"):
                break
        assert any(line.startswith("address:") for line in lines), "".join(lines)
        # The phone page and vis-network are served from inside the app (resources found
        # frozen), gzipped when asked.
        phones = next(line for line in lines if line.startswith("phones: ")).split(": ", 1)[1]
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the session's own certificate
        for name, expected in (("", b"Take part from your phone"), ("vis-network.min.js", b"")):
            request = urllib.request.Request(
                phones.strip() + name, headers={"Accept-Encoding": "gzip"}
            )
            with urllib.request.urlopen(request, context=context, timeout=20) as answer:
                body = gzip.decompress(answer.read())
            assert expected in body and len(body) > 1000, name
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    assert process.returncode in (0, 130), err
    assert "Traceback" not in err, err


def test_the_app_folder_is_under_300_mb(app: Path):
    # As `du` counts it: each file once (build.py turns repeated libraries into links).
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in app.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        if (stat.st_dev, stat.st_ino) in seen:
            continue
        seen.add((stat.st_dev, stat.st_ino))
        total += stat.st_size
    print(f"app folder: {total / 1e6:.1f} MB")
    assert total < 300e6, f"the app is {total / 1e6:.1f} MB (limit 300 MB): see docs/packaging.md"
