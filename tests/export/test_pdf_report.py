"""The printable PDF report of one map."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ipsmap.demo import create_demo_project
from ipsmap.export import pdf_report
from ipsmap.export.pdf_report import FORMATS, esc, write_pdf
from ipsmap.model.commands import AddFactor
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant

pytest.importorskip("reportlab")


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    project = create_demo_project(tmp_path / "d.ipsmap")
    yield project
    project.close()


@pytest.fixture(autouse=True)
def plain_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Uncompressed streams, so the raw bytes can be searched when pdftotext is missing."""
    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "pageCompression", 0)
    if shutil.which("pdftotext") is None:
        # Embedded TrueType subsets hide the text; the standard fonts keep it readable.
        monkeypatch.setattr(pdf_report, "FONT_FILES", ())


def _data(project: Project) -> MapData:
    return project.map_data(project.maps()[0].id)


def _text(path: Path) -> str:
    """The PDF's text, one string (line breaks and hyphenation folded into spaces)."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    else:
        # Literal strings of the standard fonts: "(text) Tj" and TJ arrays.
        raw = path.read_bytes().decode("latin-1")
        out = " ".join(m.group(1) for m in re.finditer(r"\(((?:[^()\\]|\\.)*)\)", raw))
        out = re.sub(r"\\(.)", r"\1", out)
    return re.sub(r"\s+", " ", out)


def _pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def test_is_a_multipage_pdf(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    write_pdf(_data(project), out, snapshot_label="Round 1", sha256="ab" * 32)
    raw = out.read_bytes()
    assert raw.startswith(b"%PDF-")
    assert raw.rstrip().endswith(b"%%EOF")
    assert _pages(out) >= 4
    # Atomic write: no temp file is left beside the report.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_contents(project: Project, tmp_path: Path) -> None:
    data = _data(project)
    out = tmp_path / "report.pdf"
    sha = "0123456789abcdef" * 4
    write_pdf(data, out, snapshot_label="Round 1", sha256=sha, project_title="IPS trial")
    text = _text(out)
    assert data.info.name in text
    assert sha in text
    assert "IPS trial" in text and "Round 1" in text
    for factor in sorted(data.factors, key=lambda f: f.seq)[:5]:
        assert factor.label in text, factor.label
    assert "reinforcing" in text
    assert "Most central factors" in text
    assert "same direction" in text  # the polarity legend


def test_no_sha_when_not_given(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    write_pdf(_data(project), out)
    assert "SHA-256" not in _text(out)


def test_every_map_kind_builds(project: Project, tmp_path: Path) -> None:
    for i, info in enumerate(project.maps()):
        out = tmp_path / f"r{i}.pdf"
        write_pdf(project.map_data(info.id), out)
        assert info.name in _text(out)


def test_markup_in_labels_does_not_break_the_build(project: Project, tmp_path: Path) -> None:
    map_id = project.maps()[0].id
    evil = 'a <b>bold</b> & <font name="x"> "q" </para> <&">'
    project.document(map_id).execute(AddFactor(evil, x=10, y=20))
    data = project.map_data(map_id)
    data.info.name = "Map <&> name"
    out = tmp_path / "report.pdf"
    write_pdf(data, out, snapshot_label="<snap & shot>")
    text = _text(out)
    assert "<b>bold</b>" in text
    assert "Map <&> name" in text
    assert "<snap & shot>" in text


def test_empty_map(tmp_path: Path) -> None:
    from ipsmap.model.entities import MapInfo

    out = tmp_path / "empty.pdf"
    write_pdf(MapData(info=MapInfo(id="m", name="Empty")), out)
    assert "Empty" in _text(out)


def test_non_consenting_participant_shown_by_group(project: Project, tmp_path: Path) -> None:
    map_id = project.maps()[0].id
    skye = AddParticipant("Skye", "parent", consent=False)
    project.execute(skye)
    project.set_actor(skye.id)
    project.document(map_id).execute(AddFactor("x"))
    out = tmp_path / "report.pdf"
    write_pdf(project.map_data(map_id), out)
    text = _text(out)
    assert "Skye" not in text
    assert "Skye" not in out.read_bytes().decode("latin-1")
    # Named as every export names them (ipsmap.model.privacy.public_name).
    assert "Parent/carer" in text


def test_consenting_participant_shown_by_pseudonym(project: Project, tmp_path: Path) -> None:
    map_id = project.maps()[0].id
    robin = AddParticipant("Robin", "practitioner", consent=True)
    project.execute(robin)
    project.set_actor(robin.id)
    project.document(map_id).execute(AddFactor("y"))
    out = tmp_path / "report.pdf"
    write_pdf(project.map_data(map_id), out)
    assert "Robin" in _text(out)


def test_failed_write_leaves_no_file(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old")
    data = _data(project)
    data.factors[0].label = None  # type: ignore[assignment]
    with pytest.raises(Exception):  # noqa: B017 - any failure will do
        write_pdf(data, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_escape() -> None:
    assert esc('<a & "b">') == "&lt;a &amp; &quot;b&quot;&gt;"


def test_format_declaration() -> None:
    (fmt,) = FORMATS
    assert fmt.name == "pdf" and fmt.suffixes == (".pdf",)
    assert fmt.read is None and fmt.write is write_pdf


def test_theory_of_change_assumptions_and_indicators_are_listed(
    project: Project, tmp_path: Path
) -> None:
    toc = next(m for m in project.maps() if m.kind == "toc")
    data = project.map_data(toc.id)
    noted = [f for f in data.factors if f.attributes.get("indicators")]
    assert noted, "the demo theory of change carries indicators"
    out = tmp_path / "toc.pdf"
    write_pdf(data, out)
    text = " ".join(_text(out).split())
    assert "Assumptions and indicators" in text
    assert "Parent-reported working alliance at 3 months" in text
    assert "Parents see the practitioner as separate from child protection decisions" in text
    # A map without any has no such section.
    glasgow = next(m for m in project.maps() if m.kind == "system")
    plain = tmp_path / "glasgow.pdf"
    write_pdf(project.map_data(glasgow.id), plain)
    assert "Assumptions and indicators" not in _text(plain)
