"""The kept session file: where it is, what it holds, when it is no longer used."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ipsmap.live import kept_session
from ipsmap.live.kept_session import KeptSession, KeptSessionError
from ipsmap.live.security import make_certificate
from ipsmap.model.project import Project


def _kept(days: int = 7) -> KeptSession:
    certificate = make_certificate("127.0.0.1", days=days)
    return KeptSession(
        certificate.cert_pem.decode(),
        certificate.key_pem.decode(),
        "KXMR4PTA",
        None,
        "127.0.0.1",
        8765,
        ["device-1"],
    )


def test_saved_loaded_back_the_same_and_forgotten(project: Project, tmp_path):
    kept = _kept()
    path = kept_session.save(project, kept)
    assert path.parent == tmp_path / "user-data" / "ipsmap" / "live-sessions"
    assert not list(path.parent.glob("*.tmp"))
    loaded = kept_session.load(project)
    assert loaded == kept
    assert loaded.certificate.fingerprint == kept.certificate.fingerprint
    # Nothing of it went into the project file that evaluators share.
    assert kept.key_pem.encode()[40:80] not in project.path.read_bytes()
    kept_session.forget(project)
    assert kept_session.load(project) is None
    kept_session.forget(project)  # twice is harmless


def test_a_copy_of_the_project_does_not_take_over_the_original_s_session(project, tmp_path):
    kept_session.save(project, _kept())
    copy = project.save_as(tmp_path / "copy.ipsmap")
    with Project.open(copy) as other:
        assert other.device_id == project.device_id
        assert kept_session.kept_path(other) != kept_session.kept_path(project)
        assert kept_session.load(other) is None


def test_a_kept_session_older_than_a_day_or_with_an_expiring_certificate_is_dropped(project):
    kept_session.save(project, _kept())
    later = dt.datetime.now(dt.UTC) + kept_session.MAX_AGE + dt.timedelta(minutes=1)
    assert kept_session.load(project, now=later) is None
    assert not kept_session.kept_path(project).exists()
    kept_session.save(project, _kept(days=0))  # valid for 5 minutes more only
    assert kept_session.load(project) is None


@pytest.mark.parametrize(
    "content, why",
    [
        ("not json", "cannot read"),
        ("[]", "not a kept session of this version"),
        ('{"version": 1}', "a field is missing"),
    ],
)
def test_a_damaged_file_is_a_one_line_error(project, content, why):
    path = kept_session.save(project, _kept())
    path.write_text(content)
    with pytest.raises(KeptSessionError, match=why) as error:
        kept_session.load(project)
    assert "\n" not in str(error.value)


def test_a_bad_port_or_code_in_the_file_is_refused(project):
    path = kept_session.save(project, _kept())
    document = json.loads(path.read_text())
    for field, value in (("port", 0), ("port", "8765"), ("code", "ab"), ("removed_devices", 3)):
        path.write_text(json.dumps({**document, field: value}))
        with pytest.raises(KeptSessionError, match="is damaged"):
            kept_session.load(project)
