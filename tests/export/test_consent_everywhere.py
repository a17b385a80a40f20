"""A pseudonym that may not leave the project appears in no exported file, in any format.

Kit contributes, a snapshot is taken, then Kit withdraws consent to attribution. Every
writable format is exported from the live map and from the snapshot, with the export
context (CMOs, voices, changes), and the written bytes are searched, inside zip
containers and PDF text too. With ``anonymise`` even consenting Rowan must vanish.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ipsmap.export.all_formats import get_format, writable_formats, write_map
from ipsmap.model.commands import AddFactor, AddLink, EditFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant, EditParticipant
from ipsmap.model.record_commands import AddCMO, AddSession, MarkSpec, SetMarks
from ipsmap.model.snapshots import take_snapshot

# Images carry no searchable text; SVG does and is searched.
NO_TEXT = {"png"}


def _text_of(path: Path) -> str:
    """Everything a reader of the file could see, as text."""
    paths = sorted(path.parent.glob(path.stem + "*")) if path.suffix == ".csv" else [path]
    chunks: list[str] = []
    for one in paths:
        raw = one.read_bytes()
        if zipfile.is_zipfile(one):
            with zipfile.ZipFile(one) as archive:
                for name in archive.namelist():
                    member = archive.read(name)
                    chunks.append(member.decode("utf-8", "replace"))
                    if name.endswith(".pdf"):
                        chunks.append(_pdf_text(member, one.parent / "inner.pdf"))
        elif raw.startswith(b"%PDF"):
            chunks.append(_pdf_text(raw, one))
        else:
            chunks.append(raw.decode("utf-8", "replace"))
    if path.suffix == ".prsm":
        from ipsmap.export.all_formats import read_maps

        (data,) = read_maps(path, "prsm")
        chunks.append(repr(data))
    return "\n".join(chunks)


def _names(name: str, text: str) -> list[str]:
    """Whole-word occurrences (the inlined vis.js says "WebKit")."""
    return re.findall(rf"\b{name}\b", text)


def _pdf_text(raw: bytes, where: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    target = where.with_suffix(".check.pdf")
    target.write_bytes(raw)
    out = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True)
    return out.stdout


@pytest.fixture(scope="module")
def withdrawn(tmp_path_factory):
    folder = tmp_path_factory.mktemp("consent")
    project = Project.create(folder / "p.ipsmap", "Consent check")
    people = {}
    for name, group in (("Rowan", "parent"), ("Kit", "practitioner")):
        command = AddParticipant(name, group, "Glasgow")
        project.execute(command)
        people[name] = command.id
    from ipsmap.model.project_commands import AddMap

    add = AddMap("Glasgow map", "system", "Glasgow")
    project.execute(add)
    doc = project.document(add.id)
    project.set_actor(people["Rowan"])
    a = AddFactor("Housing", notes="damp flat")
    doc.execute(a)
    project.set_actor(people["Kit"])
    b = AddFactor("Stress")
    doc.execute(b)
    doc.execute(AddLink(a.id, b.id, rationale="cold homes worry parents"))
    session = AddSession("Workshop", "2026-03-02", "Glasgow", people["Kit"], list(people.values()))
    project.execute(session)
    project.execute(SetMarks(doc.id, [MarkSpec(people["Kit"], b.id, "important")]))
    project.execute(AddCMO({"context": "Damp housing", "explains": [a.id]}))
    snapshot = take_snapshot(project, doc.id, "Before withdrawal")
    doc.execute(EditFactor(b.id, {"notes": "edited after"}))
    project.set_actor(None)
    project.execute(EditParticipant(people["Kit"], {"consent": False}))
    yield project, doc.id, snapshot.id, folder
    project.close()


def _export(project, map_id, snapshot_id, fmt, folder, anonymise) -> Path:
    from ipsmap.export.context import build_context

    data, context = build_context(
        project, map_ref=map_id, snapshot_id=snapshot_id, anonymise=anonymise
    )
    suffix = get_format(fmt).suffixes[0]
    tag = f"{'snap' if snapshot_id else 'live'}-{'anon' if anonymise else 'named'}"
    path = folder / fmt / tag / f"export{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    renderer = None
    if get_format(fmt).needs_renderer:
        from ipsmap.ui.canvas.image_export import render as renderer
    write_map(data, path, fmt, anonymise=anonymise, context=context, renderer=renderer)
    return path


@pytest.mark.parametrize("fmt", [f for f in writable_formats() if f not in NO_TEXT])
@pytest.mark.parametrize("from_snapshot", [False, True], ids=["live", "snapshot"])
def test_withdrawn_pseudonym_is_in_no_export(withdrawn, fmt, from_snapshot):
    project, map_id, snapshot_id, folder = withdrawn
    path = _export(project, map_id, snapshot_id if from_snapshot else None, fmt, folder, False)
    text = _text_of(path)
    assert not _names("Kit", text)
    if fmt not in ("matrix", "loopy"):  # formats with no place for people at all
        assert "Housing" in text or "Housing" in text.replace("\\", "")


@pytest.mark.parametrize("fmt", [f for f in writable_formats() if f not in NO_TEXT])
def test_anonymised_exports_carry_no_pseudonym_at_all(withdrawn, fmt):
    project, map_id, _, folder = withdrawn
    text = _text_of(_export(project, map_id, None, fmt, folder, True))
    assert not _names("Rowan", text) and not _names("Kit", text)
