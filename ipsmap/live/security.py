"""Certificates, join codes and tokens for a live session.

The host serves TLS with a self-signed certificate made for the session (or one it is
given). A joining laptop is told the address, the join code and the certificate's
fingerprint (typed, or later read from a QR code); it pins that fingerprint before it
sends anything, and proves it knows the code with a token: an HMAC of the fingerprint, its
participant and its device keyed by the code. The token is useless against any other
certificate (another session, or a machine in the middle) and never reveals the code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: nothing that is misheard or misread when said aloud.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
_TOKEN_CONTEXT = b"ipsmap-live-1"


class SecurityError(Exception):
    """A certificate, code or token that cannot be used (the message says why)."""


@dataclass(frozen=True)
class Certificate:
    cert_pem: bytes
    key_pem: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint_of_pem(self.cert_pem)

    def server_context(self) -> ssl.SSLContext:
        """A TLS server context. Python's ssl loads keys only from files: the key is
        written for a moment to a folder only this user can read, then removed."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        with tempfile.TemporaryDirectory(prefix="ipsmap-tls-") as folder:
            cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert.write_bytes(self.cert_pem)
            key.touch(mode=0o600)
            key.write_bytes(self.key_pem)
            context.load_cert_chain(cert, key)
        return context


def make_certificate(address: str, days: int = 7) -> Certificate:
    """A new self-signed certificate (EC P-256) for one session on ``address``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ipsmap live session")])
    now = dt.datetime.now(dt.UTC)
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(address))
    except ValueError:
        alt = x509.DNSName(address)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        # Its own trust anchor: the joining laptop trusts exactly this certificate.
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Certificate(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def load_certificate(cert_path: Path, key_path: Path) -> Certificate:
    try:
        certificate = Certificate(cert_path.read_bytes(), key_path.read_bytes())
        fingerprint_of_pem(certificate.cert_pem)
    except (OSError, ValueError) as exc:
        raise SecurityError(f"cannot use the certificate {cert_path} ({exc})") from exc
    return certificate


def fingerprint_of_der(der: bytes) -> str:
    """SHA-256 of a certificate, as 64 lower-case hex digits."""
    return hashlib.sha256(der).hexdigest()


def fingerprint_of_pem(pem: bytes) -> str:
    return fingerprint_of_der(ssl.PEM_cert_to_DER_cert(pem.decode("ascii")))


def normalise_fingerprint(text: str) -> str:
    """Accept a fingerprint with colons, spaces or capitals; raise SecurityError if it is
    not 64 hex digits."""
    cleaned = "".join(ch for ch in text.lower() if ch not in ": -")
    if len(cleaned) != 64 or any(ch not in "0123456789abcdef" for ch in cleaned):
        raise SecurityError("a certificate fingerprint is 64 hexadecimal digits")
    return cleaned


def new_join_code() -> str:
    """An 8-character code in two groups of four, easy to read aloud: ``KX7M-R4PT``."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str:
    """A code as typed (any case, dashes, spaces) in its canonical form, or SecurityError."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -")
    if len(cleaned) < CODE_LENGTH or not cleaned.isalnum() or not cleaned.isascii():
        raise SecurityError(
            f"a join code has at least {CODE_LENGTH} letters and digits (e.g. KX7M-R4PT)"
        )
    return cleaned


def join_token(code: str, fingerprint: str, participant: str, device: str) -> str:
    """The proof a joining device sends: HMAC-SHA256 keyed by the code, over the session's
    certificate fingerprint and who is joining from where."""
    message = b"\n".join(
        [
            _TOKEN_CONTEXT,
            normalise_fingerprint(fingerprint).encode(),
            participant.encode(),
            device.encode(),
        ]
    )
    return hmac.new(normalise_code(code).encode(), message, hashlib.sha256).hexdigest()


def token_matches(token: str, code: str, fingerprint: str, participant: str, device: str) -> bool:
    expected = join_token(code, fingerprint, participant, device)
    return hmac.compare_digest(expected, token)
