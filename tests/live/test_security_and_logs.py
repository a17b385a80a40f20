"""Join codes, tokens, certificates, the joined laptop's update log, and ``ipsmap host``'s
refusals of bad arguments."""

from __future__ import annotations

import ssl

import pytest
from pycrdt import Doc, Map

from ipsmap.cli import main
from ipsmap.live.security import (
    CODE_ALPHABET,
    SecurityError,
    fingerprint_of_pem,
    join_token,
    make_certificate,
    new_join_code,
    normalise_code,
    normalise_fingerprint,
    token_matches,
)
from ipsmap.live.update_log import UpdateLog


def test_a_join_code_is_eight_unambiguous_characters_read_in_two_groups():
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        first, second = code.split("-")
        assert len(first) == len(second) == 4
        assert set(first + second) <= set(CODE_ALPHABET)
        assert not set(first + second) & set("0O1IL5S2Z8B")
    assert normalise_code(" kxmr-4pta ") == "KXMR4PTA"
    with pytest.raises(SecurityError, match="at least 8"):
        normalise_code("KXM-4PT")


def test_a_token_is_bound_to_the_code_the_certificate_the_person_and_the_device():
    one, two = make_certificate("127.0.0.1"), make_certificate("127.0.0.1")
    assert one.fingerprint != two.fingerprint
    token = join_token("KXMR-4PTA", one.fingerprint, "rowan", "laptop-1")
    assert token_matches(token, "kxmr4pta", one.fingerprint, "rowan", "laptop-1")
    assert not token_matches(token, "KXMR-4PTC", one.fingerprint, "rowan", "laptop-1")
    assert not token_matches(token, "KXMR-4PTA", two.fingerprint, "rowan", "laptop-1")
    assert not token_matches(token, "KXMR-4PTA", one.fingerprint, "eilidh", "laptop-1")
    assert not token_matches(token, "KXMR-4PTA", one.fingerprint, "rowan", "laptop-2")
    assert "KXMR" not in token


def test_the_session_certificate_loads_into_tls_and_its_fingerprint_is_stable():
    certificate = make_certificate("192.168.1.20")
    assert isinstance(certificate.server_context(), ssl.SSLContext)
    assert fingerprint_of_pem(certificate.cert_pem) == certificate.fingerprint
    spaced = ":".join(certificate.fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    assert normalise_fingerprint(spaced) == certificate.fingerprint
    with pytest.raises(SecurityError):
        normalise_fingerprint("abc")


def test_the_update_log_survives_a_record_torn_by_a_crash(tmp_path):
    path = tmp_path / "session.updates"
    doc = Doc()
    shared = doc.get("m", type=Map)
    log = UpdateLog(path)
    updates = []
    subscription = doc.observe(lambda event: updates.append(bytes(event.update)))
    for i in range(3):
        shared[f"k{i}"] = i
    doc.unobserve(subscription)
    for update in updates:
        log.append(update)
    log.close()
    with open(path, "ab") as torn:
        torn.write(b"\x00\x00\x01\x00partial")  # a length promising more than was written
    again = UpdateLog(path)
    assert again.updates == updates
    again.append(updates[0])
    again.close()
    assert UpdateLog(path).updates == [*updates, updates[0]]
    copy = Doc()
    for update in UpdateLog(path).updates:
        copy.apply_update(update)
    assert copy.get("m", type=Map).to_py() == {"k0": 0.0, "k1": 1.0, "k2": 2.0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cert", "c.pem"], "both --cert and --key"),
        (["--code", "AB"], "at least 8"),
        (["--port", "70000"], "--port"),
        (["--maps", "No such map"], "No map"),
        (["--cert", "missing.pem", "--key", "missing.pem"], "cannot use the certificate"),
    ],
)
def test_ipsmap_host_refuses_bad_arguments_in_one_line(tmp_path, capsys, args, message):
    main(["new", str(tmp_path / "p.ipsmap")])
    capsys.readouterr()
    assert main(["host", str(tmp_path / "p.ipsmap"), "--interface", "127.0.0.1", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
