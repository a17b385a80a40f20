"""The evaluator exports, checked by their content: PDF text, HTML, workbook, CSV, codebook,
bundle, and people named only as they may be."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from ipsmap.export.all_formats import read_maps, write_map
from ipsmap.export.context import build_context
from ipsmap.export.workbook import csv_paths
from ipsmap.model.errors import NotFoundError
from tests.export.evaluator_project import NAMED, TRICKY_LABEL, WITHHELD, evaluation_project

pytest.importorskip("reportlab")
pytest.importorskip("pandas")

DATA = Path(__file__).parent / "data"
QDC = "{urn:QDA-XML:codebook:1.0}"


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ev = evaluation_project(tmp_path_factory.mktemp("ev") / "trial.ipsmap")
    yield ev
    ev.project.close()


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", " ", out)


# -- context ------------------------------------------------------------------------------


def test_context_of_a_snapshot_states_it_and_the_changes_since_the_one_before(evaluation):
    _, context = build_context(evaluation.project, snapshot_id=evaluation.second_snapshot)
    assert context.snapshot is not None and context.snapshot.label == "Adaptation point 2"
    assert context.changes_since is not None
    assert context.changes_since.label == "Adaptation point 1"
    assert context.changes is not None
    added = [e["name"] for e in context.changes["factors"]["added"]]
    changed = {e["name"]: e["fields"] for e in context.changes["factors"]["changed"]}
    assert added == ["Peer support"]
    assert changed["Crisis referrals"]["label"] == ["Crisis referrals", "Crisis referrals (A&E)"]
    # Only the CMO that explains something on this map.
    assert [c.area for c in context.cmos] == ["Trust & engagement"]
    assert context.project_title == "Family support trial — Site A"


def test_a_snapshot_is_found_by_label_and_unknown_ones_are_clear_errors(evaluation):
    _, context = build_context(evaluation.project, snapshot_id="Adaptation point 1")
    assert context.snapshot is not None and context.snapshot.id == evaluation.first_snapshot
    assert context.changes is None  # nothing before the first snapshot
    with pytest.raises(NotFoundError, match="no snapshot 'nope'"):
        build_context(evaluation.project, snapshot_id="nope")
    with pytest.raises(NotFoundError, match=r"No saved view 'nope'.*What stress affects"):
        build_context(evaluation.project, evaluation.map_id, view="nope")


def test_a_saved_view_exports_its_submap(evaluation):
    data, context = build_context(evaluation.project, evaluation.map_id, view="What stress affects")
    labels = {f.label for f in data.factors}
    # Downstream of the stress factor: itself, help-seeking, crisis referrals; not trust.
    assert labels == {TRICKY_LABEL, "Help-seeking", "Crisis referrals (A&E)"}
    assert all(ln.source in {f.id for f in data.factors} for ln in data.links)
    assert context.view is not None and context.view.question == "What does this affect?"


# -- PDF ----------------------------------------------------------------------------------


def test_pdf_report_has_provenance_cmos_changes_and_views(evaluation, tmp_path: Path):
    data, context = build_context(evaluation.project, snapshot_id=evaluation.second_snapshot)
    path = tmp_path / "report.pdf"
    write_map(data, path, "pdf", context=context)
    text = _pdf_text(path)
    snap = context.snapshot
    assert snap is not None
    for expected in (
        "Family support trial — Site A",
        "Glasgow systems map",
        "Adaptation point 2",
        snap.sha256,
        snap.id,
        "CMO configurations (1)",
        "Continuity",  # table cells wrap: single words survive pdftotext's reading order
        "engagement",
        "Changes since the previous snapshot",
        "Compared with “Adaptation point 1”",
        "Peer support",
        "Crisis referrals → Crisis referrals (A&E)",
        "Saved view: What stress affects",
        "What does this affect?",
        "Balance of voices",
        "Feedback loops",
        TRICKY_LABEL,  # escaped for reportlab, shown as typed
        NAMED,  # accented name in a covered font
    ):
        assert expected in text, expected
    assert WITHHELD not in text
    missing = [e for e in ("Trust & engagement",) if e not in text]
    assert not missing or "Trust &" in text


def test_pdf_without_context_still_writes_the_plain_report(evaluation, tmp_path: Path):
    data = evaluation.project.map_data(evaluation.map_id)
    path = tmp_path / "plain.pdf"
    write_map(data, path, "pdf")
    text = _pdf_text(path)
    assert "Analysis summary" in text
    assert "CMO configurations" not in text


# -- HTML ---------------------------------------------------------------------------------


def test_html_is_offline_escaped_and_states_the_snapshot(evaluation, tmp_path: Path):
    data, context = build_context(evaluation.project, snapshot_id=evaluation.second_snapshot)
    path = tmp_path / "map.html"
    write_map(data, path, "html", context=context)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "http://" not in page.split("<script>")[0]
    assert context.snapshot is not None and context.snapshot.sha256 in page
    assert "<stress>" not in page  # never raw markup
    assert WITHHELD not in page


# -- workbook and CSV ---------------------------------------------------------------------


def test_workbook_sheets_load_back_and_the_tables_reader_ignores_the_extras(
    evaluation, tmp_path: Path
):
    import pandas as pd

    data, context = build_context(evaluation.project, snapshot_id=evaluation.second_snapshot)
    path = tmp_path / "workbook.xlsx"
    write_map(data, path, "xlsx", context=context)
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == [
        "Factors", "Links", "Loops", "Metrics", "CMOs", "Voices", "Snapshot", "Changes",
    ]  # fmt: skip
    assert set(sheets["Factors"]["label"]) == {f.label for f in data.factors}
    assert {"Label", "Indegree", "Outdegree", "Betweenness"} <= set(sheets["Metrics"].columns)
    loops = sheets["Loops"]
    assert list(loops["Polarity"]) == ["R"] and loops["Length"][0] == 3
    cmos = sheets["CMOs"]
    assert cmos["Mechanism (resource)"][0] == "Continuity of one worker"
    assert "Trust in the family worker" in cmos["Explains"][0]
    provenance = dict(zip(sheets["Snapshot"]["Field"], sheets["Snapshot"]["Value"], strict=True))
    assert context.snapshot is not None
    assert provenance["Snapshot sha256"] == context.snapshot.sha256
    assert provenance["Snapshot label"] == "Adaptation point 2"
    changes = sheets["Changes"]
    assert set(changes["Name"]) == {"Peer support", "Crisis referrals"}
    assert "Parent/carer" in set(sheets["Voices"]["Group or site"])
    # The interchange reader reads it back as the same map.
    (back,) = read_maps(path)
    assert {f.label for f in back.factors} == {f.label for f in data.factors}
    assert len(back.links) == len(data.links)


def test_csv_writes_the_pair_and_the_evaluator_tables_beside_it(evaluation, tmp_path: Path):
    data, context = build_context(evaluation.project, evaluation.map_id)
    write_map(data, tmp_path / "glasgow.csv", "csv", context=context)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in csv_paths(tmp_path / "glasgow.csv"))
    assert "glasgow-cmos.csv" in names and "glasgow-loops.csv" in names
    (back,) = read_maps(tmp_path / "glasgow-links.csv")
    assert len(back.factors) == len(data.factors)
    # Without a context: the interchange pair only, as before.
    plain = tmp_path / "plain"
    plain.mkdir()
    write_map(data, plain / "m.csv", "csv")
    assert sorted(p.name for p in plain.iterdir()) == ["m-factors.csv", "m-links.csv"]


# -- REFI-QDA codebook --------------------------------------------------------------------


def test_codebook_structure_and_stable_guids(evaluation, tmp_path: Path):
    data, context = build_context(evaluation.project, evaluation.map_id)
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    write_map(data, first, "qdc", context=context)
    _, again = build_context(evaluation.project, evaluation.map_id)
    write_map(data, second, "qdc", context=again)
    assert first.read_bytes() == second.read_bytes()  # re-exports keep their GUIDs

    root = ET.parse(first).getroot()
    assert root.tag == f"{QDC}CodeBook"
    top = root.find(f"{QDC}Codes")
    assert top is not None
    areas = {c.get("name"): c for c in top.findall(f"{QDC}Code")}
    assert set(areas) == {"Trust & engagement", "Map factors"}
    (cmo,) = areas["Trust & engagement"].findall(f"{QDC}Code")
    assert cmo.get("name", "").startswith("CMO 1")
    description = cmo.findtext(f"{QDC}Description") or ""
    assert "Mechanism (reasoning): Parents feel safe" in description
    children = [c.get("name", "") for c in cmo.findall(f"{QDC}Code")]
    assert [n.split(":")[0] for n in children] == [
        "Context", "Mechanism (resource)", "Mechanism (reasoning)", "Outcome",
    ]  # fmt: skip
    factor_codes = {c.get("name"): c for t in areas["Map factors"].findall(f"{QDC}Code") for c in t}
    assert TRICKY_LABEL in factor_codes
    assert factor_codes[TRICKY_LABEL].findtext(f"{QDC}Description") == f"Notes on {TRICKY_LABEL}"
    guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    for code in root.iter(f"{QDC}Code"):
        assert guid.match(code.get("guid", "")), code.get("guid")
        assert code.get("isCodable") in ("true", "false")
        # Description, when present, comes before child codes (the schema's sequence).
        kids = [child.tag for child in code]
        assert f"{QDC}Description" not in kids[1:]


def test_codebook_validates_against_the_refi_qda_schema(evaluation, tmp_path: Path):
    etree = pytest.importorskip("lxml.etree")
    data, context = build_context(evaluation.project, evaluation.map_id)
    path = tmp_path / "c.qdc"
    write_map(data, path, "qdc", context=context)
    schema = etree.XMLSchema(etree.parse(str(DATA / "refi-qda-codebook-1.0.xsd")))
    assert schema.validate(etree.parse(str(path))), schema.error_log


# -- bundle -------------------------------------------------------------------------------


def test_bundle_manifest_hashes_match_and_a_failure_leaves_nothing(
    evaluation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    data, context = build_context(evaluation.project, snapshot_id=evaluation.second_snapshot)
    path = tmp_path / "bundle.zip"
    steps: list[str] = []
    from ipsmap.export.bundle import write_bundle

    write_bundle(data, path, context, progress=lambda what, done, total: steps.append(what))
    assert steps[0] == "Writing report.pdf" and steps[-1] == "Done"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert set(names) == {
            "report.pdf", "map.html", "workbook.xlsx", "map.ipsmap.json", "codebook.qdc",
            "manifest.json", "SHA256SUMS",
        }  # fmt: skip
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            content = archive.read(entry["name"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content) == entry["size"]
        sums = archive.read("SHA256SUMS").decode()
        assert all(f"{e['sha256']}  {e['name']}" in sums for e in manifest["files"])
        assert context.snapshot is not None
        assert manifest["snapshot"]["sha256"] == context.snapshot.sha256
        assert manifest["snapshot"]["label"] == "Adaptation point 2"
        assert manifest["exported_at"]
        document = json.loads(archive.read("map.ipsmap.json"))
        assert {f["label"] for f in document["factors"]} == {f.label for f in data.factors}

    # A writer failing half-way leaves the old zip untouched and no temporary file.
    before = path.read_bytes()
    from ipsmap.formats import registry

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setitem(
        registry.FORMATS, "qdc", dataclasses.replace(registry.FORMATS["qdc"], write=broken)
    )
    with pytest.raises(OSError, match="disk full"):
        write_bundle(data, path, context)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle.zip"]


def test_a_cancelled_bundle_leaves_no_file(evaluation, tmp_path: Path):
    from ipsmap.export.bundle import ExportCancelled, write_bundle

    data, context = build_context(evaluation.project, evaluation.map_id)

    def cancel(what: str, done: int, total: int) -> None:
        if done == 2:
            raise ExportCancelled

    with pytest.raises(ExportCancelled):
        write_bundle(data, tmp_path / "b.zip", context, progress=cancel)
    assert list(tmp_path.iterdir()) == []


# -- people -------------------------------------------------------------------------------

TEXT_FORMATS = {"pdf": "pdf", "html": "html", "xlsx": "xlsx", "csv": "csv", "qdc": "qdc"}


def _all_text(path: Path) -> str:
    """Every piece of text an exported file holds (PDF via pdftotext, zip members too)."""
    if path.suffix == ".pdf":
        return _pdf_text(path)
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            parts = []
            for name in archive.namelist():
                content = archive.read(name)
                if name.endswith(".pdf"):
                    inner = path.with_name(f"inner-{path.stem}.pdf")
                    inner.write_bytes(content)
                    parts.append(_pdf_text(inner))
                elif name.endswith(".xlsx"):
                    inner = path.with_name(f"inner-{path.stem}.xlsx")
                    inner.write_bytes(content)
                    parts.append(_all_text(inner))
                else:
                    parts.append(content.decode("utf-8", "replace"))
            return "\n".join(parts)
    return path.read_text(encoding="utf-8-sig", errors="replace")


@pytest.mark.parametrize("fmt", ["pdf", "html", "xlsx", "csv", "qdc", "bundle", "json"])
def test_anonymised_exports_hold_no_pseudonym(evaluation, tmp_path: Path, fmt: str):
    data, context = build_context(
        evaluation.project, snapshot_id=evaluation.second_snapshot, anonymise=True
    )
    suffix = {"bundle": "zip", "json": "ipsmap.json"}.get(fmt, fmt)
    path = tmp_path / f"out.{suffix}"
    write_map(data, path, fmt, anonymise=True, context=context)
    files = csv_paths(path) if fmt == "csv" else [path]
    text = "\n".join(_all_text(p) for p in files)
    for person in evaluation.project.participants.values():
        if person.stakeholder_group != "facilitator":
            assert person.pseudonym not in text, (fmt, person.pseudonym)
    assert NAMED not in text and WITHHELD not in text
    if fmt in ("pdf", "xlsx", "csv", "bundle"):
        assert "Parent/carer" in text  # named by group instead


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv", "bundle"])
def test_without_anonymise_consenting_people_keep_their_pseudonym(
    evaluation, tmp_path: Path, fmt: str
):
    data, context = build_context(evaluation.project, snapshot_id=evaluation.second_snapshot)
    suffix = "zip" if fmt == "bundle" else fmt
    path = tmp_path / f"out.{suffix}"
    write_map(data, path, fmt, context=context)
    files = csv_paths(path) if fmt == "csv" else [path]
    text = "\n".join(_all_text(p) for p in files)
    assert NAMED in text
    assert WITHHELD not in text  # never stored, never shown
    withheld = evaluation.project.participants[evaluation.withheld_id]
    assert withheld.pseudonym not in text  # their "Practitioner N" alias stays inside too
