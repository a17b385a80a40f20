"""Forgetting a person: their pseudonym and free text leave the file, the log, every export."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import zipfile
import zlib
from pathlib import Path

import pytest

from ipsmap.cli import main
from ipsmap.export.all_formats import writable_formats
from ipsmap.model import forget as forget_module
from ipsmap.model.errors import CommandError, NotFoundError
from ipsmap.model.forget import REMOVED_TEXT, forget_participant
from ipsmap.model.project import Project
from ipsmap.model.snapshots import find_snapshot, list_snapshots, snapshot_document
from ipsmap.model.store import backup_path

from .forget_scenario import ABOUT, NAME, SECRETS, WROTE, build
from .test_cli import assert_user_error, ipsmap


def stored_bytes(path: Path) -> bytes:
    """The project file and its -wal/-shm companions, as they are on disk."""
    return b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )


def found(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [s for s in SECRETS if s.encode() in data]


def readable(path: Path) -> bytes:
    """What a reader of an exported file can get at: zip members unpacked, PDF streams
    inflated, everything else as written."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    if data.startswith(b"%PDF"):
        parts = [data]
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
            stream = stream.strip()
            try:
                if stream.endswith(b"~>"):  # reportlab's ASCII85 around the deflated page
                    stream = base64.a85decode(stream[:-2])
                parts.append(zlib.decompress(stream))
            except (ValueError, zlib.error):
                continue
        return b"".join(parts)
    return data


@pytest.mark.parametrize("withdrawn_first", [True, False], ids=["withdrawn", "still-named"])
def test_forgetting_leaves_no_trace_in_the_file(tmp_path, withdrawn_first):
    path = tmp_path / "people.ipsmap"
    ids = build(path, withdraw=withdrawn_first)
    assert found(path.read_bytes())  # the case of the issue: the file held them
    with Project.open(path) as project:
        document = project.document(ids["map"])  # open, so its in-memory map must follow
        old_sha = list_snapshots(project)[0].sha256
        result = forget_participant(project, ids["alice"])
        # Right after the operation, with the file still open: nothing in any file on disk.
        assert found(stored_bytes(path)) == []
        person = project.participants[ids["alice"]]
        assert (person.pseudonym, person.consent, person.notes) == ("Parent/carer 1", False, "")
        assert result.alias == "Parent/carer 1"
        assert document.factors[ids["school"]].notes == REMOVED_TEXT
        # Someone else's note that named her now names her group alias, and stays.
        assert "Parent/carer 1 mentioned this first" in [f.notes for f in document.factors.values()]
        notes = [f.notes for f in document.factors.values()]
        assert "Bob's own note" in notes
        # Bob's note quoting hers keeps Bob's words only.
        assert f"{REMOVED_TEXT} (Bob heard it too)" in notes
        # The snapshot: rewritten, verifiable under its new hash, the old one kept.
        snapshot = list_snapshots(project)[0]
        assert snapshot.sha256 != old_sha
        assert [s["sha256"] for s in snapshot.superseded] == [old_sha]
        assert snapshot.superseded[0]["event"] == result.seq
        assert result.snapshots == [("Adaptation point 1", old_sha, snapshot.sha256)]
        frozen = snapshot_document(project, snapshot.id)
        assert found(json.dumps(frozen, ensure_ascii=False)) == []
        assert snapshot.note == "after Parent/carer 1's story"
        # The log says it happened, when and by whom, and which snapshot was re-hashed.
        event = project.history()[-1]
        assert event.seq == result.seq and event.command == "Forget participant"
        assert event.actor == project.facilitator_id and event.at
        assert old_sha[:12] in event.summary
        assert found(json.dumps([e.__dict__ for e in project.history()])) == []
        # Still an append-only log afterwards.
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            project.store.db.execute("UPDATE events SET summary = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
            project.store.db.execute("UPDATE snapshots SET label = 'x'")
    assert found(stored_bytes(path)) == []
    out = ipsmap("history", path, "--json", "--ops")
    assert out.returncode == 0 and found(out.stdout) == []
    assert "Forget participant" in out.stdout


def test_no_export_of_the_map_or_the_snapshot_names_them(tmp_path, capsys):
    path = tmp_path / "people.ipsmap"
    build(path)
    assert main(["forget", str(path), "Parent/carer 1"]) == 0
    said = capsys.readouterr().out
    assert "now 'Parent/carer 1' everywhere" in said and "1 snapshot rewritten" in said
    for fmt in writable_formats():
        if fmt == "png":
            continue  # pixels: the svg export draws the same canvas as text
        for source in (["--map", "Glasgow workshop 1"], ["--snapshot", "Adaptation point 1"]):
            out = tmp_path / f"{fmt}-{source[0][2:]}.{fmt}"
            assert main(["export", str(path), *source, "--format", fmt, "-o", str(out)]) == 0
            written = sorted(tmp_path.glob(f"{fmt}-{source[0][2:]}*"))
            assert written, fmt
            for one in written:
                assert found(readable(one)) == [], (fmt, source, one)
    for command in (["history", "--json", "--ops"], ["snapshots", "--json"], ["check"]):
        assert main([command[0], str(path), *command[1:]]) == 0
        assert found(capsys.readouterr().out) == [], command


def test_undo_and_redo_cannot_bring_their_text_back(tmp_path):
    path = tmp_path / "people.ipsmap"
    ids = build(path, withdraw=False)
    with Project.open(path) as project:
        # The steps made while the file was open are the ones an undo could replay.
        project.set_actor(ids["alice"])
        document = project.document(ids["map"])
        from ipsmap.model.commands import EditFactor

        document.execute(EditFactor(ids["school"], {"notes": f"{WROTE}, said {NAME}"}))
        project.set_actor(None)
        from ipsmap.model.project_commands import EditParticipant

        project.execute(EditParticipant(ids["alice"], {"notes": f"{NAME} {ABOUT}, again"}))
        forget_participant(project, ids["alice"])
        for actor in (ids["alice"], ids["bob"], None):
            project.set_actor(actor)
            while project.undo() is not None or document.undo() is not None:
                assert found(stored_bytes(path)) == []
            while project.redo() is not None or document.redo() is not None:
                assert found(stored_bytes(path)) == []
        person = project.participants[ids["alice"]]
        assert (person.pseudonym, person.notes) == ("Parent/carer 1", "")
        assert found(json.dumps([e.__dict__ for e in project.history()])) == []


def test_forgetting_is_one_step_that_commits_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "people.ipsmap"
    ids = build(path)

    def fail(*_args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(forget_module, "_rewrite_snapshots", fail)
    with Project.open(path) as project:
        events = len(project.history())
        with pytest.raises(CommandError, match="nothing was changed"):
            forget_participant(project, ids["alice"])
        assert len(project.history()) == events
        content = project.store.db.execute("SELECT group_concat(ops) FROM events").fetchone()[0]
        assert WROTE in content  # the log was left as it was, guard and all
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            project.store.db.execute("UPDATE events SET summary = 'x'")
        with pytest.raises(NotFoundError):
            forget_participant(project, "no-such-id")


def test_cli_forget_reports_and_removes_backups_beside_the_project(tmp_path):
    path = tmp_path / "people.ipsmap"
    build(path)
    # A copy taken before a migration holds the old text too.
    backup = backup_path(path, 6)
    shutil.copyfile(path, backup)
    out = ipsmap("forget", path, "Parent/carer 1")
    assert out.returncode == 0, out.stderr
    assert f"the backup {backup} still holds the old text" in out.stderr
    assert found(backup.read_bytes())  # told about, not removed unasked
    assert found(path.read_bytes()) == []
    out = ipsmap("forget", path, "Parent/carer 1", "--remove-backups", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["backups_removed"] == [str(backup)]
    assert not backup.exists()


def test_cli_forget_unknown_participant_is_one_line_exit_2(tmp_path):
    path = tmp_path / "people.ipsmap"
    build(path)
    out = ipsmap("forget", path, "Nobody")
    assert_user_error(out, "no participant 'Nobody'")
    assert out.stderr.count("\n") == 1
    with Project.open(path, read_only=True) as project:
        assert find_snapshot(project, list_snapshots(project)[0].id).superseded == ()


def test_cli_forget_by_pseudonym_does_not_echo_it(tmp_path):
    path = tmp_path / "people.ipsmap"
    build(path, withdraw=False)
    out = ipsmap("forget", path, NAME)
    assert out.returncode == 0, out.stderr
    assert found(out.stdout + out.stderr) == []
    assert "now 'Parent/carer 1' everywhere" in out.stdout
    assert found(path.read_bytes()) == []
