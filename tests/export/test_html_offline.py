"""The offline web page fetches nothing, whatever the map holds.

The page is loaded in headless Chromium next to a local HTTP server that logs every
request; the map carries style values and text aimed at that server (CSS ``url()``, SVG
``fill="url(…)"``, ``<img src>``, ``@import``), written directly into the map and
imported from a PRSM file. Not one request may reach the server. A control page that does
ask the server proves the test can see a request.
"""

from __future__ import annotations

import http.server
import itertools
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from ipsmap.export.all_formats import read_maps, write_map
from ipsmap.export.context import build_context
from ipsmap.model.commands import AddFactor, AddLink, EditMap
from ipsmap.model.entities import Group, Style
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap
from ipsmap.model.record_commands import AddCMO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
FIXTURES = Path(__file__).parent.parent / "fixtures"


class _Log(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def server():
    """A logging HTTP server on 127.0.0.1: (base URL, the paths requested)."""
    requests: list[str] = []
    handler = type("Handler", (_Log,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def _load(page: Path, screenshot: Path | None = None) -> str:
    """Load ``page`` in headless Chromium; its DOM after scripts ran."""
    assert CHROMIUM is not None
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={page.parent / 'chromium-profile'}",
        "--virtual-time-budget=4000",
        "--window-size=1280,800",
    ]
    if screenshot is not None:
        subprocess.run(
            [*common, f"--screenshot={screenshot}", page.as_uri()],
            capture_output=True,
            timeout=120,
            check=False,
        )
    done = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    return done.stdout


def _hostile_texts(base: str) -> list[str]:
    return [
        f'<img src="{base}/img-label">',
        f"<style>@import url({base}/import-label);</style>",
        f'<link rel="stylesheet" href="{base}/link-label">',
        f"url({base}/url-label)",
        f'"><svg><image href="{base}/svg-image"/></svg>',
    ]


def _hostile_map(tmp_path: Path, base: str):
    texts = _hostile_texts(base)
    project = Project.create(tmp_path / "p.ipsmap", f"<img src={base}/title>")
    add = AddMap(f'<img src="{base}/map-name">', "system", f"<img src={base}/site>")
    project.execute(add)
    doc = project.document(add.id)
    doc.execute(EditMap({"description": texts[1]}))
    ids = []
    for i, text in enumerate(texts):
        command = AddFactor(text, x=120.0 * i, y=60.0 * (i % 2), notes=texts[(i + 1) % 5])
        doc.execute(command)
        ids.append(command.id)
    for a, b in itertools.pairwise(ids):
        doc.execute(AddLink(a, b, rationale=texts[0], evidence=texts[3]))
    project.execute(AddCMO({"context": texts[0], "explains": [ids[0]]}))
    data, context = build_context(project, add.id)
    project.close()
    # Styles the project could only hold from an older import: straight into the data.
    hostile = f"url({base}/fill)"
    data.styles = [
        Style(
            id=s.id,
            map_id=s.map_id,
            kind=s.kind,
            name=f"<img src={base}/style-name>",
            color=hostile,
            border_color=f"red;background:url({base}/background)",
            shape='box" onload="fetch(1)',
            dashes="url(x)",  # type: ignore[arg-type]
            font_color=f"url({base}/font)",
        )
        for s in data.styles
    ]
    data.factors = [
        f if i % 2 else type(f)(**{**f.to_row(), "type": data.styles[i % 5].id})
        for i, f in enumerate(data.factors)
    ]
    data.groups = [Group(id="g1", map_id=data.info.id, name="G", color=hostile)]
    data.members = [("g1", ids[0])]
    return data, context


@needs_chromium
def test_the_log_server_sees_a_page_that_asks(server, tmp_path):
    base, requests = server
    page = tmp_path / "control.html"
    page.write_text(f'<!DOCTYPE html><img src="{base}/control">', encoding="utf-8")
    _load(page)
    assert requests == ["/control"]


@needs_chromium
def test_the_exported_page_requests_nothing(server, tmp_path):
    base, requests = server
    data, context = _hostile_map(tmp_path, base)
    page = tmp_path / "map.html"
    with pytest.warns(Warning):  # the bad colours are reported as they are replaced
        write_map(data, page, "html", context=context)
    text = page.read_text(encoding="utf-8")
    # The styles' values reach no attribute: every colour there is a checked one.
    assert 'fill="url(' not in text and "background:url(" not in text
    dom = _load(page, tmp_path / "map.png")
    assert requests == []
    # The page still works under its Content-Security-Policy: vis drew its canvas.
    assert "<canvas" in dom
    assert "vis-network" in dom
    assert (tmp_path / "map.png").stat().st_size > 10_000


@needs_chromium
def test_a_page_from_a_hostile_prsm_file_requests_nothing(server, tmp_path):
    base, requests = server
    document = json.loads((FIXTURES / "prsm" / "small.prsm").read_text(encoding="utf-8"))
    for group in document["styles"]["nodes"].values():
        group["color"] = {"background": f"url({base}/prsm-fill)", "border": "red;x:url(a)"}
        group["font"] = {"color": f"url({base}/prsm-font)"}
        group["shape"] = '"><img src=x>'
    for group in document["styles"]["edges"].values():
        group["color"] = {"color": f"url({base}/prsm-line)"}
    source = tmp_path / "hostile.prsm"
    source.write_text(json.dumps(document), encoding="utf-8")
    (data,) = read_maps(source)
    assert any("is not a colour" in w for w in data.warnings)
    assert all(f"url({base}" not in (s.color + s.border_color) for s in data.styles)
    page = tmp_path / "prsm.html"
    write_map(data, page, "html")
    _load(page)
    assert requests == []
