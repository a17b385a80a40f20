"""A hosted session's certificate, key, codes and port, kept so a restarted host resumes it.

Laptops pin the certificate's fingerprint and prove the join code, and reconnect by
themselves to the same address: a host that comes back after a crash (or a closed window)
with the same certificate, code and port is rejoined without anyone being told anything.

Where: the user's data folder (platformdirs: ``$XDG_DATA_HOME/ipsmap/live-sessions`` on
Linux), never inside the project file, which evaluators export and share; the folder is
0700 and each file 0600 (it holds the private key and the code). One file per project,
named by a hash of the project's device id and its path, so a copy of the project (same
device id, another file) does not take over the original's session.

How long: until the session is stopped on purpose (the window's *Stop the session*, or
Ctrl+C / SIGTERM for ``ipsmap host``), or for at most ``MAX_AGE`` since it was last saved,
or until the certificate is about to expire. A crash leaves it in place, and that is the
point.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ipsmap.live.security import Certificate, SecurityError, fingerprint_of_pem, normalise_code

FORMAT_VERSION = 1
MAX_AGE = dt.timedelta(hours=24)  # a workshop day; the next workshop gets new codes
MAX_FILE_BYTES = 256 * 1024  # a certificate and 200 phones' digests fit with room


class KeptSessionError(Exception):
    """A kept session that cannot be read (the message is one line)."""


@dataclass
class KeptSession:
    """What a restarted host needs to look the same to the laptops."""

    cert_pem: str
    key_pem: str
    code: str
    viewer_code: str | None
    interface: str
    port: int
    removed_devices: list[str] = field(default_factory=list)
    saved_at: str = ""
    # Phones (issue 15): the phone page's port, what phones may do, and each joined phone's
    # token digest (sha256: never the token) with who it is, and the removed ones' digests,
    # so a phone carries on as the same participant after a crash (see phones_from).
    phone_port: int | None = None
    phone_key: str | None = None  # the /p/KEY/ of the page (New code does not change it)
    phone_switches: dict[str, bool] = field(default_factory=dict)
    phones: list[dict[str, str]] = field(default_factory=list)
    removed_phones: list[str] = field(default_factory=list)

    @property
    def certificate(self) -> Certificate:
        return Certificate(self.cert_pem.encode("ascii"), self.key_pem.encode("ascii"))

    @property
    def saved(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.saved_at)


def sessions_folder() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("ipsmap", appauthor=False)) / "live-sessions"


def kept_path(project: Any) -> Path:
    """The file that keeps ``project``'s session (whether or not it exists)."""
    identity = f"{project.device_id or ''}\n{Path(project.path).resolve()}"
    name = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    return sessions_folder() / f"{name}.json"


def load(project: Any, now: dt.datetime | None = None) -> KeptSession | None:
    """``project``'s kept session, or None if there is none still usable (stale ones are
    removed); KeptSessionError if the file is there but damaged."""
    path = kept_path(project)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise KeptSessionError(f"the kept live session {path} is too large to be one")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise KeptSessionError(f"cannot read the kept live session {path} ({exc})") from exc
    kept = _checked(raw, path)
    now = now or dt.datetime.now(dt.UTC)
    if now - kept.saved > MAX_AGE or _expires_soon(kept.cert_pem, now):
        forget(project)
        return None
    return kept


def save(project: Any, kept: KeptSession) -> Path:
    """Write ``kept`` for ``project`` (0600, replaced whole: never half-written)."""
    folder = sessions_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    kept.saved_at = dt.datetime.now(dt.UTC).isoformat()
    path = kept_path(project)
    document = {"version": FORMAT_VERSION, "project": str(project.path), **asdict(kept)}
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return path


def forget(project: Any) -> None:
    """The session was stopped on purpose: the next start makes a new one."""
    with contextlib.suppress(FileNotFoundError):
        kept_path(project).unlink()


def _checked(raw: Any, path: Path) -> KeptSession:
    def bad(why: str) -> KeptSessionError:
        return KeptSessionError(f"the kept live session {path} is damaged ({why})")

    if not isinstance(raw, dict) or raw.get("version") != FORMAT_VERSION:
        raise bad("not a kept session of this version")
    texts = ("cert_pem", "key_pem", "code", "interface", "saved_at")
    if not all(isinstance(raw.get(key), str) for key in texts):
        raise bad("a field is missing")
    port = raw.get("port")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise bad("no usable port")
    removed = raw.get("removed_devices", [])
    if not isinstance(removed, list) or not all(isinstance(d, str) for d in removed):
        raise bad("the removed devices are not a list of ids")
    viewer = raw.get("viewer_code")
    try:
        kept = KeptSession(
            raw["cert_pem"],
            raw["key_pem"],
            normalise_code(raw["code"]),
            normalise_code(viewer) if isinstance(viewer, str) else None,
            raw["interface"],
            port,
            removed,
            raw["saved_at"],
        )
        fingerprint_of_pem(kept.cert_pem.encode("ascii"))
        kept.saved  # noqa: B018 (checks the date)
    except (SecurityError, ValueError, UnicodeEncodeError) as exc:
        raise bad(str(exc)) from exc
    if kept.saved.tzinfo is None:
        raise bad("its date has no time zone")
    _check_phones(raw, kept, bad)
    return kept


PHONE_FIELDS = {"digest", "participant", "device", "joined_at"}


def _check_phones(raw: dict[str, Any], kept: KeptSession, bad: Any) -> None:
    """The phones' part of a kept file (absent in files from before phones were kept)."""
    from ipsmap.live.phone_switches import PhoneSwitches, SwitchesError

    port = raw.get("phone_port")
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535
    ):
        raise bad("no usable phone port")
    switches = raw.get("phone_switches", {})
    try:
        PhoneSwitches.from_dict(switches)  # only checked: phones_from reads it again
    except SwitchesError as exc:
        raise bad(str(exc)) from exc
    phones = raw.get("phones", [])
    if not isinstance(phones, list) or not all(
        isinstance(p, dict)
        and set(p) == PHONE_FIELDS
        and all(isinstance(v, str) for v in p.values())
        and _is_digest(p["digest"])
        for p in phones
    ):
        raise bad("the phones are not a list of digests and ids")
    removed = raw.get("removed_phones", [])
    if not isinstance(removed, list) or not all(_is_digest(d) for d in removed):
        raise bad("the removed phones are not a list of digests")
    key = raw.get("phone_key")
    if key is not None and not (isinstance(key, str) and len(key) == 24 and _is_hex(key)):
        raise bad("no usable phone key")
    kept.phone_port, kept.phone_key, kept.phone_switches = port, key, switches
    kept.phones, kept.removed_phones = phones, removed


def _is_digest(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and _is_hex(value)


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdef" for c in value)


def _expires_soon(cert_pem: str, now: dt.datetime) -> bool:
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
    return certificate.not_valid_after_utc - now < dt.timedelta(hours=1)


def kept_from(host: Any) -> KeptSession:
    """What to keep of a running ``LiveHost`` (after ``start``: its port is known)."""
    kept = KeptSession(
        host.certificate.cert_pem.decode("ascii"),
        host.certificate.key_pem.decode("ascii"),
        host.code,
        host.viewer_code,
        host.interface,
        int(host.port),
        sorted(host.removed_devices),
    )
    phones = getattr(host, "phones", None)
    if phones is not None:
        kept.phone_port = int(phones.port)
        kept.phone_key = phones.key
        kept.phone_switches = phones.desk.switches.as_dict()
        held = phones.desk.kept_phones()
        kept.phones, kept.removed_phones = held["phones"], held["removed"]
    return kept


def phones_from(kept: KeptSession | None) -> dict[str, Any] | None:
    """What ``LiveHost(kept_phones=…)`` takes back of a kept session (None: nothing)."""
    if kept is None:
        return None
    from ipsmap.live.phone_switches import PhoneSwitches

    return {
        "key": kept.phone_key,
        "switches": PhoneSwitches.from_dict(kept.phone_switches),
        "phones": kept.phones,
        "removed": kept.removed_phones,
    }
