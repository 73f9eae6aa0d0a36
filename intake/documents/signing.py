"""Sealing PDFs with the clinic's key (PAdES baseline B-B, B-T or B-LTA) and checking them later.

The clinic key and its self-signed certificate are made on first use in the data folder
(``clinic-key.pem``, encrypted with a passphrase kept in the secret store outside that folder and
readable by its owner only; ``clinic-cert.pem``), unless a PKCS#12 file is configured. Checking
a document reads the certificate only: it never makes, decrypts or converts a key. A document counts as valid only if its one signature is intact, made with the
clinic's certificate, and covers every byte of the file: anything appended afterwards, even a
well-formed incremental update, makes it invalid, except what PAdES itself adds: a document
timestamp (added later to a document sealed while the time-stamping authority could not be
reached, or an archive timestamp) and updates of the document security store (DSS) with
validation data. Each seal is a certification signature (DocMDP, no changes permitted), so
other readers (Acrobat, poppler's ``pdfsig``) flag later edits too.

Levels (ETSI EN 319 142-1): B-B is the signature alone, its signing time only claimed by the
signer; B-T adds a time-stamp token from a time-stamping authority over the signature (in it, or
as a document timestamp after it), which proves the signature existed at that time. B-LT adds
the validation data of the certificate chains (certificates, CRLs, OCSP responses) in the DSS,
so the certificate's status at signing is proven by the file alone; B-LTA adds a document
timestamp over that data. B-LT/B-LTA need a CA-issued certificate whose CA publishes revocation
data (see ``fetch_validation_data``); the self-signed default stays B-B/B-T.

pyHanko and cryptography are imported inside the functions, so importing this module (for
``NotAPdf`` or ``VerifyResult``) costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intake.documents.errors import DocumentError, NotAPdf
from intake.documents.files import atomic_write

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

__all__ = [
    "CERT_FILE",
    "KEY_FILE",
    "CertificateReplaced",
    "CertificateRevoked",
    "ClinicSigner",
    "NotAPdf",
    "RevocationUnavailable",
    "SigningKeyError",
    "TimestampUnavailable",
    "ValidationData",
    "VerifyResult",
    "add_document_timestamp",
    "fingerprint",
    "installation_certificate",
    "certificate_fingerprint",
    "embedded_document_id",
    "fetch_validation_data",
    "load_certificate",
    "preload",
    "sign_detached",
    "sign_pdf",
    "verify_detached",
    "time_stamper",
    "verify_pdf",
]

KEY_FILE = "clinic-key.pem"
CERT_FILE = "clinic-cert.pem"
LOCK_FILE = ".clinic-key.lock"
FIELD_NAME = "ClinicSignature"
TIMESTAMP_FIELD = "ClinicTimestamp"
# Hex digits for a time-stamp token: the TSA's signature and the certificates it sends (a
# public TSA sends a chain of 3-5 KB).
TIMESTAMP_RESERVE = 2 * 12288
TSA_TIMEOUT = 5  # seconds; the document is sealed B-B and timestamped later when it passes
# Revocation data for one seal: each request, and all of them together (seconds). When they
# pass, the document is sealed without it (B-T or B-B).
REVOCATION_REQUEST_TIMEOUT = 4
REVOCATION_TIMEOUT = 10
ARCHIVE_TIMESTAMP_FIELD = "ClinicArchiveTimestamp"
CERT_YEARS = 10
SIGNATURE_RESERVE = 8192  # bytes for the CMS signature; an RSA-2048 one with its cert is ~2 KB
PDF_HEADER_WINDOW = 1024  # the PDF spec lets "%PDF-" start anywhere in the first 1024 bytes


class SigningKeyError(DocumentError):
    """The clinic key or certificate cannot be created or read."""


class CertificateReplaced(SigningKeyError):
    """The key or certificate in the data folder is not the pair this installation made."""


class TimestampUnavailable(DocumentError):
    """The time-stamping authority could not be reached or gave no usable token."""


@dataclass(frozen=True)
class VerifyResult:
    """What a check of a signed document found; ``reason`` is meant for a person to read.

    ``signed_at`` is the proven signing time (the time-stamp token's) when ``time_proven``, else
    the time the signer claimed (``claimed_at``). ``level`` is the PAdES baseline level reached
    ("B-B", "B-T", "B-LT", "B-LTA"), empty when the signature is not valid.
    """

    valid: bool
    reason: str
    signer_subject: str = ""
    signed_at: dt.datetime | None = None
    covers_whole_file: bool = False
    signer_sha256: str = ""  # fingerprint of the certificate the document was signed with
    level: str = ""
    claimed_at: dt.datetime | None = None
    time_proven: bool = False
    tsa_subject: str = ""
    document_timestamp: bool = False  # the proof is a document timestamp added after sealing
    # B-LT/B-LTA: what the embedded validation data proves, or why the level stops below B-LT
    # (for a CA-issued certificate; empty for the self-signed one, which has no such data).
    long_term: str = ""

    def level_text(self) -> str:
        """The level and the signing time, for a person: empty unless valid."""
        if not self.valid or self.signed_at is None:
            return ""
        when = self.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        note = f"; {self.long_term}" if self.long_term else ""
        if self.time_proven:
            how = "document timestamp" if self.document_timestamp else "signature timestamp"
            return (
                f"PAdES {self.level}; signing time {when}, proven by a {how} of "
                f"{self.tsa_subject}{note}"
            )
        return (
            f"PAdES {self.level}; signing time {when} as claimed by the signer (no timestamp)"
            f"{note}"
        )


@dataclass(frozen=True)
class ClinicSigner:
    """The clinic's signing key and certificate, as PEM bytes (the key only ever in memory).

    ``chain_pem`` holds the certificates that issued ``certificate_pem`` (PEM, one after the
    other), as a clinic's own PKCS#12 file brings them; it is empty for the self-signed key.
    """

    key_pem: bytes = field(repr=False)
    certificate_pem: bytes
    source: str = ""  # where the key came from, for messages
    chain_pem: bytes = b""

    @classmethod
    def load_or_create(
        cls,
        data_dir: str | os.PathLike[str],
        *,
        pkcs12: str | os.PathLike[str] | None = None,
        passphrase: bytes | str | None = None,
        common_name: str = "Clinic document signing",
        organisation: str = "",
        key_passphrase: bytes | None = None,
    ) -> ClinicSigner:
        """The key in ``pkcs12`` if given, else the one in ``data_dir``, made there on first use.

        The key file in ``data_dir`` is encrypted (PKCS#8) with the passphrase kept in the
        secret store (``clinic-key-passphrase``), or with ``key_passphrase`` when given. A key
        found there in the clear, as earlier versions wrote it, is encrypted in place, but only
        while no certificate is pinned yet.

        The certificate's SHA-256 is pinned in the secret store (``clinic-cert-sha256``) when
        the key is made, converted, or first loaded by a version that pins: from then on a
        certificate in the data folder other than the pinned one is refused
        (:class:`CertificateReplaced`), so a key pair planted there is never adopted. A caller
        that brings its own ``key_passphrase`` keeps its own secrets: nothing is pinned for it.
        """
        if pkcs12 is not None:
            return cls.from_pkcs12(pkcs12, passphrase)
        folder = Path(data_dir)
        key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
        _private_folder(folder)
        pins = key_passphrase is None
        pinned = _pinned_fingerprint(folder) if pins else None
        if not (key_path.exists() and cert_path.exists()):
            # Two stations starting at once must not make two keys, nor two certificates
            # for one key: whoever holds the lock makes the pair, the other then loads it.
            with _creation_lock(folder):
                pinned = _pinned_fingerprint(folder) if pins else None
                if not key_path.exists():
                    # A key made here (even in place of a deleted one) is this installation's:
                    # its passphrase never leaves the secret store, so no one else holds it.
                    secret = key_passphrase or _new_or_stored_passphrase(folder)
                    key = _new_private_key()
                    cert_pem = _self_signed(key, common_name, organisation)
                    atomic_write(cert_path, cert_pem, mode=0o644)
                    atomic_write(key_path, _encrypted_pem(key, secret), mode=0o600)
                    if pins:
                        pinned = _pin(folder, cert_pem)
                elif not cert_path.exists():
                    # The certificate was deleted: a new one for the same key keeps every
                    # document sealed so far checkable against the key. Once pinned, only a key
                    # that opens with this installation's passphrase (it cannot have been
                    # planted) gets one, and the new certificate is pinned in place of the old.
                    if pinned is not None and not _is_encrypted(_read_bytes(key_path)):
                        raise _clear_key_planted(folder, pinned)
                    key = _read_key(key_path, key_passphrase)
                    cert_pem = _self_signed(key, common_name, organisation)
                    atomic_write(cert_path, cert_pem, mode=0o644)
                    if pinned is not None:
                        pinned = _pin(folder, cert_pem)
        _tighten(key_path)
        try:
            cert_pem = cert_path.read_bytes()
            if pinned is not None:
                _check_pinned(folder, cert_pem, pinned)
            if not _is_encrypted(key_path.read_bytes()):
                with _creation_lock(folder):
                    pinned = _pinned_fingerprint(folder) if pins else None
                    if pinned is not None and not _is_encrypted(key_path.read_bytes()):
                        # This installation's key is encrypted: a clear one was put there.
                        raise _clear_key_planted(folder, pinned)
                    if not _is_encrypted(key_path.read_bytes()):
                        _encrypt_in_place(key_path, key_passphrase or _new_or_stored_passphrase(folder))
            key = _read_key(key_path, key_passphrase)
        except OSError as exc:
            raise SigningKeyError(
                f"cannot read the clinic key in {folder}: {exc.strerror}"
            ) from exc
        signer = cls(_clear_pem(key), cert_pem, str(folder))
        signer.__dict__["_private_key"] = key  # parsed once already (see _private_key)
        signer._check_pair()
        if pins and pinned is None:
            # A clear key just converted, or an installation from before pinning: the pair
            # that loads now is the one from then on.
            with _creation_lock(folder):
                pinned = _pinned_fingerprint(folder)
                if pinned is None:
                    _pin(folder, cert_pem)
                else:
                    _check_pinned(folder, cert_pem, pinned)
        return signer

    @classmethod
    def from_pkcs12(
        cls, path: str | os.PathLike[str], passphrase: bytes | str | None = None
    ) -> ClinicSigner:
        key, cert, chain = _open_pkcs12(path, passphrase)
        if key is None or cert is None:
            raise SigningKeyError(f"the PKCS#12 file {path} holds no key and certificate")
        signer = cls(_clear_pem(key), _pem(cert), str(path), b"".join(_pem(c) for c in chain))
        signer._check_pair()
        return signer

    @property
    def subject(self) -> str:
        return _asn1_cert(self.certificate_pem).subject.human_friendly

    @property
    def chain(self) -> list[Any]:
        """The issuing certificates (asn1crypto), without the signing certificate itself."""
        return _asn1_certs(self.chain_pem) if self.chain_pem else []

    def _check_pair(self) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        try:
            key = self._private_key
            cert = x509.load_pem_x509_certificate(self.certificate_pem)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(
                f"the clinic key or certificate in {self.source} is damaged"
            ) from exc
        pub = serialization.PublicFormat.SubjectPublicKeyInfo
        enc = serialization.Encoding.DER
        if key.public_key().public_bytes(enc, pub) != cert.public_key().public_bytes(enc, pub):
            raise SigningKeyError(f"the clinic key and certificate in {self.source} do not match")

    @cached_property
    def _private_key(self) -> Any:
        """The key, parsed and validated once: for RSA that takes ~50 ms, all of it holding the
        interpreter lock, so the check of the pair and the signer share one parse."""
        from cryptography.hazmat.primitives import serialization

        return serialization.load_pem_private_key(self.key_pem, None)

    @cached_property
    def pyhanko_signer(self) -> Signer:
        return _make_pyhanko_signer(
            self.key_pem, self.certificate_pem, self._private_key, self.chain
        )

    @cached_property
    def signature_reserve(self) -> int:
        """Hex digits to reserve in the PDF for this signer's CMS signature."""
        return _signature_reserve(_asn1_cert(self.certificate_pem), self.chain, self._private_key)


def _make_pyhanko_signer(key_pem: bytes, cert_pem: bytes, loaded: Any, chain: list[Any]) -> Signer:
    from asn1crypto import keys, pem
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    # pyHanko parses (and validates) the private key again for every signature, which costs
    # ~25 ms for RSA; the key parsed once (``loaded``) is reused.

    class CachedKeySigner(SimpleSigner):  # type: ignore[misc]
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            try:
                mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            except ValueError:
                mechanism = ""
            if mechanism == "rsassa_pkcs1v15" and isinstance(loaded, RSAPrivateKey):
                return loaded.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return bytes(super().sign_raw(data, digest_algorithm))

    _, _, key_der = pem.unarmor(key_pem)
    cert = _asn1_cert(cert_pem)
    # pyHanko embeds the signing certificate itself and every certificate of the registry: the
    # registry holds the issuers only, so that each certificate is in the signature once (a
    # second copy of the signer's makes validators refuse the signature).
    return CachedKeySigner(
        signing_cert=cert,
        signing_key=keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(_issuers(cert, chain)),
    )


def _issuers(cert: Any, chain: list[Any]) -> list[Any]:
    """``chain`` without the signing certificate and without repeats, in its order."""
    seen = {cert.dump()}
    out = []
    for c in chain:
        if c.dump() not in seen:
            seen.add(c.dump())
            out.append(c)
    return out


def _signature_reserve(cert: Any, chain: list[Any], key: Any) -> int:
    """Hex digits for the CMS container: its certificates, the signature value, the rest.

    Sized from the real certificates (a CA-issued RSA-4096 certificate with its chain needs
    far more than a self-signed RSA-2048 one). Reserving by arithmetic rather than leaving it
    to pyHanko spares a trial signature per document. The rest (algorithm identifiers, signed
    attributes naming the signer's issuer and serial twice, the signing-certificate digest) is
    well under 1 KB plus the issuer's name; the floor keeps the self-signed layout unchanged.
    """
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        value = (key.key_size + 7) // 8
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        value = 2 * ((key.curve.key_size + 7) // 8) + 16
    else:
        value = 1024
    certs = sum(len(c.dump()) for c in [cert, *_issuers(cert, chain)])
    overhead = 2048 + 2 * len(cert.issuer.dump())
    return max(SIGNATURE_RESERVE, 2 * (certs + value + overhead))


# --- key files ----------------------------------------------------------------------------------

PASSPHRASE_SECRET = "clinic-key-passphrase"
PIN_SECRET = "clinic-cert-sha256"  # the fingerprint of the certificate this installation made


def _new_private_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    # RSA with PKCS#1 v1.5 signs deterministically, so a document sealed twice at the same
    # time gives the same bytes.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _clear_pem(key: Any) -> bytes:
    """The key as unencrypted PKCS#8 PEM: for pyHanko, in memory only, never written."""
    from cryptography.hazmat.primitives import serialization

    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _encrypted_pem(key: Any, secret: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret),
        )
    )


def _is_encrypted(pem_bytes: bytes) -> bool:
    return b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in pem_bytes


def _key_passphrase(folder: Path, *, create: bool) -> bytes | None:
    """The key passphrase of the installation whose data folder is ``folder``."""
    from intake.secrets import SecretStoreError, get_secret

    try:
        value = get_secret(PASSPHRASE_SECRET, create=create, folder=folder)
    except SecretStoreError as exc:
        raise SigningKeyError(f"the clinic key's passphrase cannot be fetched: {exc}") from exc
    except Exception as exc:  # a keyring backend fails in ways of its own
        raise SigningKeyError(
            f"the clinic key's passphrase cannot be fetched from the secret store "
            f"({type(exc).__name__})"
        ) from exc
    return value.encode("ascii") if value else None


def _secret_store_error(what: str, exc: Exception) -> SigningKeyError:
    from intake.secrets import SecretStoreError

    if isinstance(exc, SecretStoreError):
        return SigningKeyError(f"{what} cannot be fetched: {exc}")
    # A keyring backend fails in ways of its own.
    return SigningKeyError(f"{what} cannot be fetched from the secret store ({type(exc).__name__})")


def _pinned_fingerprint(folder: Path) -> str | None:
    """The SHA-256 (as :func:`fingerprint` shows it) of the certificate this installation
    made, from the secret store; None when nothing is pinned yet."""
    from intake.secrets import get_secret

    try:
        value = get_secret(PIN_SECRET, folder=folder)
    except Exception as exc:
        raise _secret_store_error("the clinic certificate's pinned fingerprint", exc) from exc
    return value.strip().upper() if value else None


def _pin(folder: Path, cert_pem: bytes) -> str:
    """Record ``cert_pem`` as this installation's certificate; its fingerprint."""
    from intake.secrets import set_secret

    value = _fingerprint_of(folder, cert_pem)
    try:
        set_secret(PIN_SECRET, value, folder=folder)
    except Exception as exc:
        raise _secret_store_error("the secret store", exc) from exc
    return value


def _fingerprint_of(folder: Path, cert_pem: bytes) -> str:
    try:
        return fingerprint(cert_pem)
    except Exception as exc:  # not a certificate at all
        raise SigningKeyError(f"the clinic certificate in {folder} is damaged") from exc


def _clear_key_planted(folder: Path, pinned: str) -> CertificateReplaced:
    return CertificateReplaced(
        f"the clinic key in {folder} is not the one this installation made (it is in the "
        f"clear, this installation's key is encrypted; its certificate has SHA-256 {pinned}): "
        "someone replaced it; restore the original key files"
    )


def _check_pinned(folder: Path, cert_pem: bytes, pinned: str) -> None:
    found = _fingerprint_of(folder, cert_pem)
    if found != pinned:
        raise CertificateReplaced(
            f"the clinic certificate in {folder} is not the one this installation made "
            f"(SHA-256 {found}, expected {pinned}): someone replaced it; restore the original "
            "key files"
        )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the clinic key in {path.parent}: {exc.strerror}") from exc


def _new_or_stored_passphrase(folder: Path) -> bytes:
    """The passphrase to encrypt a key file with: the stored one, made on first use."""
    secret = _key_passphrase(folder, create=True)
    if secret is None:  # pragma: no cover - get_secret(create=True) always gives one
        raise SigningKeyError("the secret store gave no passphrase for the clinic key")
    return secret


def _read_key(key_path: Path, key_passphrase: bytes | None) -> Any:
    """The private key in ``key_path``, decrypted (clear keys of earlier versions load too)."""
    from cryptography.hazmat.primitives import serialization

    data = key_path.read_bytes()
    secret: bytes | None = None
    if _is_encrypted(data):
        secret = key_passphrase or _key_passphrase(key_path.parent, create=False)
        if secret is None:
            raise SigningKeyError(
                f"the clinic key in {key_path.parent} is encrypted, and its passphrase "
                f"('{PASSPHRASE_SECRET}') is not in this installation's secret store: restore "
                "the secret store from the backup (see README, Security: keys)"
            )
    try:
        return serialization.load_pem_private_key(data, secret)
    except (ValueError, TypeError) as exc:
        if secret is not None:
            raise SigningKeyError(
                f"the clinic key in {key_path.parent} cannot be decrypted with the passphrase "
                f"in the secret store ('{PASSPHRASE_SECRET}'): the passphrase is not the one "
                "it was written with, or the key file is damaged"
            ) from exc
        raise SigningKeyError(f"the clinic key in {key_path.parent} is damaged") from exc
    except Exception as exc:  # cryptography refuses some malformed keys with other types
        raise SigningKeyError(f"the clinic key in {key_path.parent} is damaged") from exc


def _encrypt_in_place(key_path: Path, secret: bytes) -> None:
    """Replace a clear key file by the same key encrypted: write it beside, check that it
    decrypts to the same key, then rename it over the clear one (readers see one or the other)."""
    import tempfile

    from cryptography.hazmat.primitives import serialization

    from intake.documents.files import _fsync_dir

    key = _read_key(key_path, None)
    folder = key_path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{key_path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_encrypted_pem(key, secret))
            out.flush()
            os.fsync(out.fileno())
        try:
            again = serialization.load_pem_private_key(Path(tmp_name).read_bytes(), secret)
        except Exception as exc:
            raise SigningKeyError(f"the clinic key in {folder} could not be encrypted") from exc
        if _clear_pem(again) != _clear_pem(key):
            raise SigningKeyError(f"the clinic key in {folder} could not be encrypted")
        os.replace(tmp_name, key_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)


def _self_signed(key: Any, common_name: str, organisation: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    name = x509.Name(attrs)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # "non-repudiation": what pyHanko expects of a signer
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem(cert: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return bytes(cert.public_bytes(Encoding.PEM))


def _open_pkcs12(
    path: str | os.PathLike[str], passphrase: bytes | str | None
) -> tuple[Any, Any, list[Any]]:
    """(key, certificate, the other certificates) of a PKCS#12 file, as cryptography objects."""
    from cryptography.hazmat.primitives.serialization import pkcs12 as p12

    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    try:
        key, cert, others = p12.load_key_and_certificates(Path(path).read_bytes(), passphrase)
    except OSError as exc:
        raise SigningKeyError(f"cannot read the PKCS#12 file {path}: {exc.strerror}") from exc
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"cannot open the PKCS#12 file {path}: wrong passphrase or not a PKCS#12 file"
        ) from exc
    return key, cert, list(others)


def installation_certificate(
    data_dir: str | os.PathLike[str],
    *,
    pkcs12: str | os.PathLike[str] | None = None,
    passphrase: bytes | str | None = None,
) -> bytes | None:
    """The clinic's certificate (PEM, its issuers after it) to check documents against.

    Reads only: no key is made, decrypted or converted and the only secret read is the pinned
    fingerprint, so checking a document never changes the installation. None when there is no
    certificate yet; :class:`CertificateReplaced` when it is not the pinned one (a PKCS#12
    file is not pinned: the clinic's CA manages it).
    """
    if pkcs12 is not None:
        _key, cert, chain = _open_pkcs12(pkcs12, passphrase)
        if cert is None:
            raise SigningKeyError(f"the PKCS#12 file {pkcs12} holds no certificate")
        return _pem(cert) + b"".join(_pem(c) for c in chain)
    path = Path(data_dir) / CERT_FILE
    try:
        cert_pem = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SigningKeyError(f"cannot read the clinic certificate {path}: {exc.strerror}") from exc
    pinned = _pinned_fingerprint(path.parent)
    if pinned is not None:
        _check_pinned(path.parent, cert_pem, pinned)
    return cert_pem


def fingerprint(cert: Any) -> str:
    """A certificate's SHA-256 fingerprint as ``openssl x509 -fingerprint -sha256`` shows it."""
    import hashlib

    digest = hashlib.sha256(_asn1_cert(cert).dump()).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


_thread_lock = threading.Lock()


@contextlib.contextmanager
def _creation_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on the key folder, across threads and processes."""
    with _thread_lock, open(folder / LOCK_FILE, "a+b") as handle:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _private_folder(folder: Path) -> None:
    """The key's folder, made or kept readable by its owner only."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        if stat.S_IMODE(folder.stat().st_mode) & 0o077:
            os.chmod(folder, 0o700)


def _tighten(key_path: Path) -> None:
    # Anyone who can read the key can seal a forged consent: keep it owner-only.
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        if stat.S_IMODE(key_path.stat().st_mode) & 0o077:
            os.chmod(key_path, 0o600)


def preload() -> None:
    """Import the signing libraries now (about half a second), e.g. in a background thread
    after start-up, so the first consent is sealed without that wait."""
    import pyhanko.sign.signers  # noqa: F401
    import pyhanko.sign.validation  # noqa: F401
    import pyhanko_certvalidator  # noqa: F401


def load_certificate(path: str | os.PathLike[str]) -> bytes:
    """A certificate file's bytes (PEM or DER), to pass to ``verify_pdf``."""
    return Path(path).read_bytes()


def _asn1_cert(data: Any) -> Any:
    """An asn1crypto certificate from PEM/DER bytes, a path, a cryptography cert or a signer."""
    from asn1crypto import pem, x509

    if isinstance(data, ClinicSigner):
        data = data.certificate_pem
    elif isinstance(data, str | os.PathLike):
        data = Path(data).read_bytes()
    elif hasattr(data, "public_bytes"):  # cryptography.x509.Certificate
        from cryptography.hazmat.primitives.serialization import Encoding

        data = data.public_bytes(Encoding.DER)
    if isinstance(data, x509.Certificate):
        return data
    if pem.detect(data):
        data = next(iter(pem.unarmor(data, multiple=True)))[2]
    return x509.Certificate.load(data)


def _asn1_certs(data: Any) -> list[Any]:
    """Every certificate in ``data`` (as ``_asn1_cert`` takes it; PEM may hold several)."""
    from asn1crypto import pem, x509

    if isinstance(data, ClinicSigner):
        return [_asn1_cert(data.certificate_pem), *data.chain]
    if isinstance(data, str | os.PathLike):
        data = Path(data).read_bytes()
    if isinstance(data, bytes | bytearray) and pem.detect(bytes(data)):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(bytes(data), multiple=True)]
    return [_asn1_cert(data)]


# --- signing ------------------------------------------------------------------------------------


def _require_pdf(data: bytes) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("PDF data must be bytes")
    if b"%PDF-" not in bytes(data[:PDF_HEADER_WINDOW]):
        raise NotAPdf("this is not a PDF file")


def time_stamper(
    url: str, *, user: str = "", password: str = "", timeout: float = TSA_TIMEOUT
) -> Any:
    """An RFC 3161 client (pyHanko's ``HTTPTimeStamper``) for the authority at ``url``.

    Its failures, whatever the library or the network raise, come out as
    ``TimestampUnavailable`` naming the authority's address only.
    """
    from pyhanko.sign.timestamps import HTTPTimeStamper

    class ClinicTimeStamper(HTTPTimeStamper):  # type: ignore[misc]
        async def async_request_tsa_response(self, req: Any) -> Any:
            try:
                return await super().async_request_tsa_response(req)
            except Exception as exc:
                raise TimestampUnavailable(
                    f"the time-stamping authority at {url} cannot be reached ({type(exc).__name__})"
                ) from exc

    headers = {}
    if user:
        import base64

        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return ClinicTimeStamper(url, timeout=timeout, headers=headers)


def _timestamp_failure(exc: BaseException) -> TimestampUnavailable | None:
    """The time-stamping failure behind ``exc``, if that is what it is."""
    from pyhanko.sign.timestamps import TimestampRequestError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TimestampUnavailable):
            return current
        if isinstance(current, TimestampRequestError):
            return TimestampUnavailable(
                f"the time-stamping authority gave no usable token ({_short(current)})"
            )
        current = current.__cause__ or current.__context__
    return None


# --- validation data (PAdES B-LT) ------------------------------------------------------------


class CertificateRevoked(DocumentError):
    """The clinic's certificate (or a CA certificate above it) is revoked: nothing is sealed."""


class RevocationUnavailable(DocumentError):
    """No revocation data could be had for the clinic's certificate chain (or the TSA's)."""


@dataclass(frozen=True)
class ValidationData:
    """What a validator needs later to check the chains of one seal without going online.

    Fetched by :func:`fetch_validation_data` from the certificates' own CRL and OCSP
    addresses; embedded by :func:`sign_pdf` in the document's DSS (PAdES B-LT), under a
    document timestamp (B-LTA).
    """

    trust_roots: tuple[Any, ...]
    certs: tuple[Any, ...]
    crls: tuple[Any, ...]
    ocsps: tuple[Any, ...]
    system_trust: bool = False  # the TSA chains to the operating system's trust list

    def context(self) -> Any:
        """A validation context holding this data, which never fetches anything."""
        import warnings

        from pyhanko_certvalidator import ValidationContext

        common: dict[str, Any] = {
            "other_certs": list(self.certs),
            "crls": list(self.crls),
            "ocsps": list(self.ocsps),
            "allow_fetching": False,
            "revocation_mode": "hard-fail",
        }
        if self.system_trust:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ValidationContext(extra_trust_roots=list(self.trust_roots), **common)
        return ValidationContext(trust_roots=list(self.trust_roots), **common)


def revocation_addresses(cert: Any) -> list[str]:
    """The CRL distribution points and OCSP responders a certificate names (asn1crypto)."""
    urls = [str(p.url) for p in cert.crl_distribution_points if p.url]
    return urls + [str(u) for u in cert.ocsp_urls]


def _reachable(url: str) -> bool:
    """Whether an address can be asked at all: http(s), and not a name RFC 6761 reserves as
    never resolving (``.invalid``), which is never looked up."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    return parts.scheme in ("http", "https") and bool(host) and not (
        host == "invalid" or host.endswith(".invalid")
    )


def _chain_roots(leaf: Any, chain: list[Any]) -> list[Any]:
    """The trust anchors of the clinic's chain: its self-signed certificates, else the top one."""
    roots = [c for c in chain if c.self_issued]
    if roots:
        return roots
    return [chain[-1]] if chain else [leaf]


def fetch_validation_data(
    signer: ClinicSigner,
    *,
    timestamper: Any = None,
    tsa_roots: Any = None,
    timeout: float = REVOCATION_TIMEOUT,
) -> ValidationData:
    """Revocation data for the clinic's CA-issued certificate chain (and, with a
    ``timestamper``, the TSA's), fetched from the addresses the certificates name.

    Bounded: each request by ``REVOCATION_REQUEST_TIMEOUT``, the whole by ``timeout`` seconds
    and a few requests. Raises ``CertificateRevoked`` when a certificate of the clinic's chain
    is revoked, ``RevocationUnavailable`` when the data cannot be had (self-signed certificate,
    no usable address, a server down or slow, a TSA chain not trusted), and
    ``TimestampUnavailable`` when the TSA does not answer (its certificate is learnt from a
    token).
    """
    import asyncio
    import warnings

    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
    from pyhanko_certvalidator.fetchers.api import FetchLimits

    _quiet_library_logs()
    leaf = _asn1_cert(signer.certificate_pem)
    chain = _issuers(leaf, signer.chain)
    if not chain or leaf.self_issued:
        raise RevocationUnavailable(
            "the clinic's certificate is self-signed: no revocation data exists for it"
        )
    for cert in [leaf, *[c for c in chain if not c.self_issued]]:
        urls = revocation_addresses(cert)
        if not any(_reachable(u) for u in urls):
            raise RevocationUnavailable(
                f"the certificate {cert.subject.human_friendly} names no CRL or OCSP address"
                " that can be reached" + (f" ({', '.join(urls)})" if urls else "")
            )
    roots = _chain_roots(leaf, chain)
    system = isinstance(tsa_roots, str) and tsa_roots == "system"
    ts_roots = [] if tsa_roots is None or system else _asn1_certs(tsa_roots)

    async def gather() -> ValidationData:
        backend = AIOHttpFetcherBackend(
            per_request_timeout=REVOCATION_REQUEST_TIMEOUT,
            limits=FetchLimits(max_requests=24, max_cert_requests=4),
        )
        try:
            # Every certificate of the clinic's chain must come with revocation data.
            signer_context = ValidationContext(
                trust_roots=roots,
                other_certs=chain,
                allow_fetching=True,
                revocation_mode="require",
                fetcher_backend=backend,
            )
            validator = CertificateValidator(
                leaf, intermediate_certs=chain, validation_context=signer_context
            )
            await validator.async_validate_usage({"non_repudiation"})
            crls, ocsps = list(signer_context.crls), list(signer_context.ocsps)
            certs = list(chain)
            if timestamper is not None:
                # The TSA's chain: data for whatever its certificates name.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ts_context = ValidationContext(
                        trust_roots=None if system else ts_roots,
                        allow_fetching=True,
                        revocation_mode="hard-fail",
                        fetcher_backend=backend,
                    )
                async for path in timestamper.validation_paths(ts_context):
                    certs.extend(path)
                crls += list(ts_context.crls)
                ocsps += list(ts_context.ocsps)
            return ValidationData(
                tuple(roots + ts_roots),
                tuple(_unique(certs)),
                tuple(_unique(crls)),
                tuple(_unique(ocsps)),
                system_trust=system,
            )
        finally:
            await backend.close()

    try:
        return asyncio.run(asyncio.wait_for(gather(), timeout))
    except RevokedError as exc:
        raise CertificateRevoked(
            f"the clinic's certificate chain is revoked ({_short(exc)}): documents cannot be "
            "sealed with it; install the clinic's new certificate (INTAKE_PKCS12)"
        ) from exc
    except TimestampUnavailable:
        raise
    except TimeoutError as exc:
        raise RevocationUnavailable(
            f"the revocation data could not be fetched within {timeout:g} seconds"
        ) from exc
    except (PathValidationError, PathBuildingError) as exc:
        failure = _timestamp_failure(exc)
        if failure is not None:
            raise failure from exc
        raise RevocationUnavailable(f"the revocation data could not be had ({_short(exc)})") from exc
    except Exception as exc:  # the network and the fetchers fail in many ways
        failure = _timestamp_failure(exc)
        if failure is not None:
            raise failure from exc
        raise RevocationUnavailable(
            f"the revocation data could not be had ({type(exc).__name__}: {_short(exc)})"
        ) from exc


def _unique(items: list[Any]) -> list[Any]:
    seen: set[bytes] = set()
    out = []
    for item in items:
        key = item.dump()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def sign_pdf(
    pdf_bytes: bytes,
    signer: ClinicSigner,
    when: dt.datetime | None = None,
    *,
    reason: str = "",
    location: str = "",
    timestamper: Any = None,
    validation: ValidationData | None = None,
) -> bytes:
    """Seal the whole file with an invisible PAdES certification signature (DocMDP: no changes
    permitted), appended as an incremental update.

    ``when`` is the signing time recorded in the signature (now if None). Without a
    ``timestamper`` (see ``time_stamper``) the seal is B-B, and the same input, signer and time
    give the same bytes; with one it is B-T, or ``TimestampUnavailable`` is raised when the
    authority gives no token (the caller may then seal B-B and timestamp the file later).

    With a ``timestamper`` and ``validation`` (see ``fetch_validation_data``) the seal is
    B-LTA: after the signature one more revision holds the validation data in the DSS and a
    document timestamp over it. When that part fails, ``RevocationUnavailable`` is raised (the
    caller may seal B-T instead).
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    _require_pdf(pdf_bytes)
    moment = (when or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        writer = _deterministic_writer(bytes(pdf_bytes), moment)
    except (PdfError, ValueError) as exc:
        raise DocumentError(f"this PDF cannot be read for signing: {exc}") from exc
    if any(s.field_name == FIELD_NAME for s in writer.prev.embedded_signatures):
        raise DocumentError("this PDF is already sealed by the clinic")
    long_term = validation is not None and timestamper is not None
    lta: dict[str, Any] = {}
    if long_term:
        assert validation is not None
        from pyhanko.sign.signers.pdf_signer import (
            DSSContentSettings,
            TimestampDSSContentSettings,
        )

        # The signature's validation data and the archive timestamp in one revision, the DSS
        # first so that the timestamp covers it; the file ends with the timestamp.
        lta = {
            "embed_validation_info": True,
            "use_pades_lta": True,
            "timestamp_field_name": ARCHIVE_TIMESTAMP_FIELD,
            "validation_context": validation.context(),
            "dss_settings": DSSContentSettings(
                next_ts_settings=TimestampDSSContentSettings(
                    update_before_ts=True, include_vri=False
                )
            ),
        }
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        **lta,
    )
    reserve = signer.signature_reserve + (TIMESTAMP_RESERVE if timestamper is not None else 0)
    try:
        pdf_signer = _timed_pdf_signer(meta, signer.pyhanko_signer, moment, timestamper)
        out = pdf_signer.sign_pdf(writer, output=io.BytesIO(), bytes_reserved=reserve)
    except Exception as exc:
        failure = _timestamp_failure(exc) if timestamper is not None else None
        if failure is not None:
            raise failure from exc
        if long_term:
            raise RevocationUnavailable(
                f"the validation data could not be embedded ({type(exc).__name__}: {_short(exc)})"
            ) from exc
        # pyHanko and the key raise many types; none of them is the person's to read as a
        # traceback. The message names the library's reason (sizes, algorithms), never content.
        raise DocumentError(
            f"the document could not be sealed with the clinic key from {signer.source or 'the data folder'}"
            f" ({type(exc).__name__}: {_short(exc)})"
        ) from exc
    return bytes(out.getvalue())


def add_document_timestamp(pdf_bytes: bytes, timestamper: Any) -> bytes:
    """The sealed document with an RFC 3161 document timestamp appended (PAdES B-T for a
    document sealed B-B). Raises ``TimestampUnavailable`` when the authority gives no token,
    ``DocumentError`` when the file is not a sealed document or is timestamped already."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfTimeStamper

    _require_pdf(pdf_bytes)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(pdf_bytes)), strict=False)
        existing = list(writer.prev.embedded_signatures)
    except Exception as exc:
        raise DocumentError(f"this PDF cannot be read for timestamping ({_short(exc)})") from exc
    if not any(s.field_name == FIELD_NAME for s in existing):
        raise DocumentError("this PDF is not sealed by the clinic")
    if len(existing) != 1:
        raise DocumentError("this PDF is timestamped already")
    try:
        out = PdfTimeStamper(timestamper, field_name=TIMESTAMP_FIELD).timestamp_pdf(
            writer, "sha256", output=io.BytesIO(), bytes_reserved=TIMESTAMP_RESERVE
        )
    except Exception as exc:
        failure = _timestamp_failure(exc)
        if failure is not None:
            raise failure from exc
        raise DocumentError(
            f"the document timestamp could not be added ({type(exc).__name__}: {_short(exc)})"
        ) from exc
    return bytes(out.getvalue())


def _deterministic_writer(data: bytes, moment: dt.datetime) -> Any:
    import hashlib

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class Writer(IncrementalPdfFileWriter):  # type: ignore[misc]
        @classmethod
        def _handle_id(cls, prev: Any) -> Any:
            # pyHanko draws the second file id at random; derive it from the input and the
            # signing time instead so that sealing is repeatable.
            ids = super()._handle_id(prev)
            digest = hashlib.sha256(data + moment.isoformat().encode()).digest()[:16]
            return generic.ArrayObject([ids[0], generic.ByteStringObject(digest)])

        def _update_meta(self) -> None:
            super()._update_meta()
            # pyHanko stamps /ModDate with the wall clock; the signing time is the truth.
            if self._info is not None:
                info = self._info.get_object()
                if "/ModDate" in info:
                    info["/ModDate"] = generic.pdf_date(moment)
            # The XMP packet (PDF/A) must say the same moment as /ModDate, not the wall clock.
            meta_stm = self.root.get("/Metadata")
            if meta_stm is not None and hasattr(meta_stm.get_object(), "update_xmp_with_meta"):
                self._meta.last_modified = moment
                meta_stm.get_object().update_xmp_with_meta(self._meta)
                self.update_container(meta_stm.get_object())

    return Writer(io.BytesIO(data), strict=False)


def _timed_pdf_signer(
    meta: Any, signer: Signer, moment: dt.datetime, timestamper: Any = None
) -> Any:
    from pyhanko.sign.signers import PdfSigner

    class TimedPdfSigner(PdfSigner):  # type: ignore[misc]
        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = moment  # the signing time is otherwise always "now"
            return session

    return TimedPdfSigner(meta, signer=signer, timestamper=timestamper)


# --- verification -------------------------------------------------------------------------------


def _quiet_library_logs() -> None:
    """pyHanko logs each failed check with a traceback; the result carries the reason already.

    A NullHandler keeps those records off the terminal when the application has configured no
    logging (Python's last-resort handler would print them), and still lets them reach any
    handler the application does configure.
    """
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def verify_pdf(
    pdf_bytes: bytes,
    trusted_cert: Any,
    expected_sha256: str | None = None,
    *,
    tsa_roots: Any = None,
) -> VerifyResult:
    """Check that a document is sealed by ``trusted_cert`` and unchanged since.

    ``trusted_cert`` is the clinic certificate as PEM/DER bytes (PEM may carry its issuers
    after it), a file path, a cryptography certificate or a ``ClinicSigner``; None when the
    installation has none, which no document passes. Raises ``NotAPdf`` for input that is not a PDF at all;
    every other problem is a ``VerifyResult`` with ``valid=False`` and a reason.

    ``tsa_roots`` are the certificates a time-stamping authority must chain to (as
    ``trusted_cert`` takes them), ``"system"`` for the operating system's trust list, or None
    for no authority at all. A timestamp that is broken, or from an authority not trusted, makes
    the document not valid; so does a signing time, claimed or proven, outside the validity of
    the signer's certificate.

    The signature covers every byte except its own value, and that value is checked too
    (certificate, padding). A few bytes of a signature container carry no meaning (e.g. the case
    of its hex digits), so to catch literally any change, pass the SHA-256 stored beside the
    document as ``expected_sha256``.
    """
    import hashlib

    _require_pdf(pdf_bytes)
    _quiet_library_logs()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    installed = _asn1_certs(trusted_cert) if trusted_cert is not None else []
    trusted = installed[0] if installed else None
    data = bytes(pdf_bytes)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_regular_signatures)
        stamps = list(reader.embedded_timestamp_signatures)
        revisions = reader.xrefs.total_revisions
    except Exception as exc:  # pyHanko raises several types for a damaged file
        return VerifyResult(False, f"the file is damaged or incomplete ({_short(exc)})")
    if not signatures:
        return VerifyResult(False, "the file is not signed")
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=[trusted] if trusted is not None else [], allow_fetching=False
    )
    ts_context = _tsa_context(tsa_roots)
    try:
        status = validate_pdf_signature(embedded, context, ts_validation_context=ts_context)
    except Exception as exc:  # a mangled signature or byte range cannot be evaluated at all
        return VerifyResult(False, f"the signature cannot be checked ({_short(exc)})")

    subject = status.signing_cert.subject.human_friendly
    claimed_at = status.signer_reported_dt
    # After the signature only validation data (DSS updates) and document timestamps may
    # follow, in the revisions PAdES B-LT/B-LTA make (see _after_seal); nothing else.
    after = (
        _after_seal(reader, data, status, embedded, stamps) if len(signatures) == 1 else None
    )
    whole = after is not None
    ordered = sorted(stamps, key=lambda st: st.signed_revision)
    doc_stamp = ordered[0] if ordered else None

    signer_sha256 = fingerprint(status.signing_cert)
    proof: tuple[dt.datetime, str] | None = None  # (proven time, authority)
    long_term: tuple[str, str] = ("", "")  # (level, what the validation data proves)
    signature_ts = False  # the proof is the signature's own timestamp

    def result(valid: bool, reason: str) -> VerifyResult:
        at = proof[0] if proof is not None else claimed_at
        level = long_term[0] or ("B-T" if proof is not None else "B-B")
        return VerifyResult(
            valid,
            reason,
            subject,
            at,
            whole,
            signer_sha256,
            level=level if valid else "",
            claimed_at=claimed_at,
            time_proven=proof is not None,
            tsa_subject=proof[1] if proof is not None else "",
            document_timestamp=proof is not None and doc_stamp is not None and not signature_ts,
            long_term=long_term[1],
        )

    if not status.intact:
        return result(False, "the document was changed after it was signed")
    if not status.valid:
        return result(False, "the signature is broken")
    if trusted is None:
        return result(
            False,
            f"no clinic certificate in this installation to check it against: signed by "
            f"{subject} (certificate SHA-256 {signer_sha256})",
        )
    if status.signing_cert.dump() != trusted.dump() or not status.trusted:
        return result(
            False,
            f"unknown signer: signed by {subject} (certificate SHA-256 {signer_sha256}), not by "
            f"this installation's certificate (SHA-256 {fingerprint(trusted)})",
        )
    if not whole:
        return result(False, "something was added to the file after it was signed")
    if not _container_untouched(embedded, installed):
        return result(False, "the signature container was altered after signing")
    stamp_status = status.timestamp_validity
    if stamp_status is not None:
        problem = _timestamp_problem(stamp_status, "signature timestamp")
        if problem:
            return result(False, problem)
    if not status.bottom_line:
        return result(False, f"the signature is not acceptable ({status.summary()})")
    if stamp_status is not None:
        proof = (stamp_status.timestamp, _tsa_name(stamp_status))
        signature_ts = True
    last_revision = revisions - 1
    for stamp in ordered:
        try:
            doc_status = validate_pdf_timestamp(stamp, ts_context)
        except Exception as exc:
            return result(False, f"the document timestamp cannot be checked ({_short(exc)})")
        problem = _timestamp_problem(doc_status, "document timestamp")
        if problem:
            return result(False, problem)
        covers = (
            SignatureCoverageLevel.ENTIRE_FILE
            if stamp.signed_revision == last_revision
            else SignatureCoverageLevel.ENTIRE_REVISION
        )
        if doc_status.coverage != covers:
            return result(False, "something was added to the file after it was timestamped")
        if not _padding_untouched(stamp):
            return result(False, "the timestamp container was altered after timestamping")
        if proof is None:
            proof = (doc_status.timestamp, _tsa_name(doc_status))
    assert after is not None
    if len(installed) > 1 and not installed[0].self_issued:
        # A CA-issued certificate: what the file proves about its status at signing.
        long_term = _long_term_level(
            embedded, installed, tsa_roots, after, ordered, proof[0] if proof else None
        )

    cert = status.signing_cert
    valid_from, valid_to = cert.not_valid_before, cert.not_valid_after
    for label, moment in (("claimed", claimed_at), ("proven", proof[0] if proof else None)):
        if moment is not None and not (valid_from <= moment <= valid_to):
            return result(
                False,
                f"the {label} signing time {moment:%Y-%m-%d %H:%M:%S %Z} is outside the validity "
                f"of the signer's certificate ({valid_from:%Y-%m-%d} to {valid_to:%Y-%m-%d})",
            )
    if claimed_at is not None and proof is not None and claimed_at > proof[0] + _CLOCK_SLACK:
        return result(
            False,
            f"the claimed signing time {claimed_at:%Y-%m-%d %H:%M:%S %Z} is after the time the "
            "timestamp proves the signature existed",
        )
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256.lower():
        return result(False, "the file does not match the stored record (SHA-256 differs)")
    return result(True, "intact: sealed by the clinic and unchanged since")


@dataclass(frozen=True)
class _AfterSeal:
    """The revisions after the seal, found acceptable: those that update the DSS."""

    dss_revisions: tuple[int, ...] = ()


def _after_seal(
    reader: Any, data: bytes, status: Any, embedded: Any, stamps: list[Any]
) -> _AfterSeal | None:
    """What follows the seal, if it is only what PAdES B-T, B-LT and B-LTA add; else None.

    Each revision after the signature updates the DSS (validation data), holds one document
    timestamp, or both, and changes nothing else (pyHanko's modification analysis, with the
    document information and XMP metadata allowed to change their modification date and
    producer only). A second document timestamp must follow fresh validation data (an
    archive timestamp renewed), and the file must end where its last revision ends.
    """
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel

    seal = embedded.signed_revision
    total = reader.xrefs.total_revisions
    if seal == total - 1:
        ok = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and not stamps
        return _AfterSeal() if ok else None
    if (
        status.coverage != SignatureCoverageLevel.ENTIRE_REVISION
        or status.modification_level is None
        or status.modification_level > ModificationLevel.LTA_UPDATES
        or status.docmdp_ok is False
    ):
        return None
    by_revision = {st.signed_revision: st for st in stamps}
    if len(by_revision) != len(stamps) or any(r <= seal for r in by_revision):
        return None
    dss_revisions: list[int] = []
    stamped = fresh = False
    try:
        for revision in range(seal + 1, total):
            dss = _dss_changed(reader, revision)
            stamp = revision in by_revision
            if not (dss or stamp) or not _metadata_dates_only(reader, revision):
                return None
            if not _dss_kept(reader, revision):
                return None  # validation data rewritten or dropped: not what LTA adds
            if dss:
                dss_revisions.append(revision)
            if stamp:
                if stamped and not (dss or fresh):
                    return None  # a timestamp over nothing new: not what LTA adds
                stamped, fresh = True, False
            elif dss:
                fresh = True
        if total - 1 not in by_revision and not _ends_at_revision(reader, data, total - 1):
            return None
    except Exception:  # a revision that cannot be read is not one we made
        return None
    return _AfterSeal(tuple(dss_revisions))


def _dss_changed(reader: Any, revision: int) -> bool:
    """Whether ``revision`` writes the document security store (DSS)."""
    before = reader.get_historical_root(revision - 1).get_value_as_reference("/DSS", True)
    root = reader.get_historical_root(revision)
    if "/DSS" not in root:
        return False
    try:
        ref = root.get_value_as_reference("/DSS")
    except Exception:
        return False  # a DSS written directly into the catalog is not pyHanko's
    return bool(before != ref or ref in reader.xrefs.explicit_refs_in_revision(revision))


_DSS_ARRAYS = ("/Certs", "/OCSPs", "/CRLs")


def _dss_items(reader: Any, revision: int) -> dict[str, set[Any]]:
    """The references in the DSS's certificate, OCSP and CRL arrays as of ``revision``."""
    root = reader.get_historical_root(revision)
    if "/DSS" not in root:
        return {key: set() for key in _DSS_ARRAYS}
    dss = root["/DSS"]
    out: dict[str, set[Any]] = {}
    for key in _DSS_ARRAYS:
        refs = set()
        if key in dss:
            array = dss[key]
            for i in range(len(array)):
                item = array.raw_get(i)
                refs.add(getattr(item, "reference", item))
        out[key] = refs
    return out


def _dss_kept(reader: Any, revision: int) -> bool:
    """Whether ``revision`` keeps the validation data sealed before it: every certificate, OCSP
    response and CRL the DSS held is still listed, and none of those objects is rewritten
    (an archive timestamp vouches for them; fresh data is added as new objects)."""
    before = _dss_items(reader, revision - 1)
    after = _dss_items(reader, revision)
    if any(not before[key] <= after[key] for key in _DSS_ARRAYS):
        return False
    held = set().union(*before.values())
    rewritten = set(reader.xrefs.explicit_refs_in_revision(revision))
    return not (held & rewritten)


_DATE_KEYS = ("/ModDate", "/Producer")
_XMP_DATES = (
    "{http://ns.adobe.com/xap/1.0/}ModifyDate",
    "{http://ns.adobe.com/xap/1.0/}MetadataDate",
    "{http://ns.adobe.com/pdf/1.3/}Producer",
)


def _metadata_dates_only(reader: Any, revision: int) -> bool:
    """Whether ``revision`` leaves the document information and the XMP metadata as they were,
    but for the modification date and the producer (which every incremental writer updates)."""
    from pyhanko.pdf_utils import generic

    def info(rev: int) -> dict[str, str]:
        trailer = reader.get_historical_resolver(rev).trailer_view
        found = trailer.get("/Info")
        if found is None:
            return {}
        found = found.get_object()
        return {k: str(v) for k, v in found.items() if k not in _DATE_KEYS}

    if info(revision) != info(revision - 1):
        return False

    def xmp(rev: int) -> bytes | None:
        meta = reader.get_historical_root(rev).get("/Metadata")
        if meta is None:
            return None
        stream = meta.get_object()
        return _xmp_without_dates(stream.data) if isinstance(stream, generic.StreamObject) else b""

    return xmp(revision) == xmp(revision - 1)


def _xmp_without_dates(packet: bytes) -> bytes:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    try:
        root = etree.fromstring(packet, parser)
    except etree.XMLSyntaxError:
        return b"unreadable:" + packet
    for element in root.iter():
        for name in _XMP_DATES:
            element.attrib.pop(name, None)
        for child in list(element):
            if child.tag in _XMP_DATES:
                element.remove(child)
    return bytes(etree.tostring(root, method="c14n"))


def _ends_at_revision(reader: Any, data: bytes, revision: int) -> bool:
    """Whether the file ends with ``revision``: its startxref and %%EOF, then nothing."""
    import re

    found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*\Z", data[-1024:])
    return found is not None and int(found.group(1)) == reader.xrefs.get_startxref_for_revision(
        revision
    )


def _long_term_level(
    embedded: Any,
    installed: list[Any],
    tsa_roots: Any,
    after: _AfterSeal,
    stamps: list[Any],
    proven_at: dt.datetime | None,
) -> tuple[str, str]:
    """("B-LT" or "B-LTA", what it proves) for a CA-issued signer, or ("", why not)."""
    if not after.dss_revisions:
        return (
            "",
            "no revocation data embedded, so not PAdES B-LT: the certificate's status at "
            "signing is not proven by the file (the CA's revocation service could not be "
            "reached when it was sealed, or no time-stamping authority was set)",
        )
    if proven_at is None:
        return "", "validation data embedded, but no timestamp: not PAdES B-LT"
    first = min(after.dss_revisions)
    archived = any(st.signed_revision >= first for st in stamps)
    # With an archive timestamp, pyHanko's AdES long-term validation (EN 319 102-1); without,
    # the chains checked at the proven signing time against the DSS alone.
    problem = (
        _ltv_problem(embedded, installed, tsa_roots)
        if archived
        else _lt_problem(embedded, installed, tsa_roots, proven_at)
    )
    if problem:
        return (
            "",
            f"the embedded validation data does not prove the certificate's status ({problem}),"
            " so not PAdES B-LT",
        )
    what = "revocation data for the certificate chains embedded and checked offline"
    if archived:
        return "B-LTA", what + ", and covered by an archive timestamp"
    return "B-LT", what


def _lt_problem(embedded: Any, installed: list[Any], tsa_roots: Any, moment: dt.datetime) -> str:
    """Why the DSS alone does not show the clinic's chain unrevoked at ``moment``; ''."""
    from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature

    leaf = installed[0]
    roots = _chain_roots(leaf, _issuers(leaf, installed[1:]))
    try:
        dss = DocumentSecurityStore.read_dss(embedded.reader)
        context = dss.as_validation_context(
            {
                "trust_roots": roots,
                "allow_fetching": False,
                "revocation_mode": "require",
                "moment": moment,
            }
        )
        status = validate_pdf_signature(
            embedded, context, ts_validation_context=_tsa_context(tsa_roots), skip_diff=True
        )
    except Exception as exc:
        return _short(exc)
    if status.revoked:
        return "a certificate is revoked"
    if not (status.intact and status.valid and status.trusted):
        return "no revocation data for every certificate of the chain"
    return ""


def _ltv_problem(embedded: Any, installed: list[Any], tsa_roots: Any) -> str:
    """Why pyHanko's AdES long-term validation, offline, with only the data in the file, does
    not pass; '' when it passes."""
    import asyncio
    import warnings

    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (
        REQUIRE_REVINFO,
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    leaf = installed[0]
    roots = _chain_roots(leaf, _issuers(leaf, installed[1:]))
    if isinstance(tsa_roots, str) and tsa_roots == "system":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ts_trust = SimpleTrustManager.build()
    else:
        ts_trust = SimpleTrustManager.build(
            trust_roots=[] if tsa_roots is None else _asn1_certs(tsa_roots)
        )
    declared = RevocationCheckingRule.CHECK_IF_DECLARED
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=roots),
                revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
            ),
            ts_cert_validation_policy=CertValidationPolicySpec(
                trust_manager=ts_trust,
                revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy(declared, declared)),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    try:
        outcome = asyncio.run(ades_lta_validation(embedded, spec))
    except Exception as exc:
        return _short(exc)
    if outcome.ades_subindic == AdESPassed.OK:
        return ""
    return str(getattr(outcome.ades_subindic, "name", outcome.ades_subindic)).lower().replace(
        "_", " "
    )


# A station's clock may run a little ahead of the time-stamping authority's.
_CLOCK_SLACK = dt.timedelta(minutes=10)


def _tsa_context(tsa_roots: Any) -> Any:
    import warnings

    from pyhanko_certvalidator import ValidationContext

    if tsa_roots is None:
        return ValidationContext(trust_roots=[], allow_fetching=False)
    if isinstance(tsa_roots, str) and tsa_roots == "system":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ValidationContext(allow_fetching=False)
    return ValidationContext(trust_roots=_asn1_certs(tsa_roots), allow_fetching=False)


def _timestamp_problem(stamp: Any, what: str) -> str:
    """Why a time-stamp token (pyHanko's ``TimestampSignatureStatus``) proves nothing, or ''."""
    if not stamp.intact or not stamp.valid:
        return f"the {what} is broken"
    eku = stamp.signing_cert.extended_key_usage_value
    if eku is None or "time_stamping" not in eku.native:
        return f"the {what} is signed by a certificate not issued for time-stamping ({_tsa_name(stamp)})"
    if not stamp.trusted:
        return (
            f"the {what} comes from an authority this installation does not trust "
            f"({_tsa_name(stamp)}); its root certificate goes in INTAKE_TSA_CA"
        )
    return ""


def _tsa_name(stamp: Any) -> str:
    return str(stamp.signing_cert.subject.human_friendly)


def _padding_untouched(embedded: Any) -> bool:
    from asn1crypto import cms

    content = bytes(embedded.pkcs7_content)
    used = len(cms.ContentInfo.load(content).dump())
    return not content[used:].strip(b"\0")


def _container_untouched(embedded: Any, installed: list[Any]) -> bool:
    """The parts of the signature value that the signature itself cannot vouch for."""
    content = bytes(embedded.pkcs7_content)
    from asn1crypto import cms

    used = len(cms.ContentInfo.load(content).dump())
    # After the DER structure come only the zero bytes pyHanko reserved.
    if content[used:].strip(b"\0"):
        return False
    # We embed the clinic's certificate and its issuers as installed: any other bytes there
    # were edited in. (Documents sealed by earlier versions hold the clinic's certificate twice.)
    known = {c.dump() for c in installed}
    return all(c.chosen.dump() in known for c in embedded.signed_data["certificates"])


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# --- detached signatures (the audit head) and what a document says it is ----------------------


def certificate_fingerprint(cert: Any) -> str:
    """SHA-256 of the certificate's DER bytes, hex: names the key a signature verifies with."""
    import hashlib

    return hashlib.sha256(_asn1_cert(cert).dump()).hexdigest()


def sign_detached(signer: ClinicSigner, data: bytes) -> bytes:
    """A signature over ``data`` with the clinic key (RSA PKCS#1 v1.5 or ECDSA, SHA-256)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    key = signer._private_key
    if isinstance(key, rsa.RSAPrivateKey):
        return bytes(key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return bytes(key.sign(data, ec.ECDSA(hashes.SHA256())))
    raise SigningKeyError("the clinic key is of a kind that cannot sign the audit trail")


def verify_detached(cert: Any, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` over ``data`` was made with the key of ``cert``."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    public = x509.load_der_x509_certificate(_asn1_cert(cert).dump()).public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def embedded_document_id(pdf_bytes: bytes) -> str | None:
    """The document id the renderer put in the file's /Subject ("Document <uuid>"), or None."""
    import re

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf_bytes)), strict=False)
        info = reader.trailer_view.get("/Info")
        subject = str(info.get_object().get("/Subject", "")) if info is not None else ""
    except Exception:  # a damaged file simply says nothing
        return None
    found = re.search(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", subject.lower()
    )
    return found.group(0) if found else None


@dataclass(frozen=True)
class StampTime:
    """The time a sealed document's time-stamp token states, and which kind of token it is."""

    at: dt.datetime
    document_timestamp: bool  # added after sealing (else a signature timestamp from sealing)


def timestamp_time(pdf_bytes: bytes) -> StampTime | None:
    """The time in the document's time-stamp token, or None when it has none (or is damaged).

    For showing which documents are timestamped and when: the token is read, not checked.
    ``verify_pdf`` is what proves it (the stored files were checked before they were stored).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    def gen_time(signed_data: Any) -> dt.datetime:
        info = signed_data["encap_content_info"]["content"].parsed
        return info["gen_time"].native  # type: ignore[no-any-return]

    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf_bytes)), strict=False)
        stamps = list(reader.embedded_timestamp_signatures)
        if stamps:
            return StampTime(gen_time(stamps[0].signed_data), True)
        for embedded in reader.embedded_regular_signatures:
            for token in extract_tst_data_iter(embedded.signer_info, signed=False):
                return StampTime(gen_time(token), False)
    except Exception:  # a damaged file or token simply shows no time
        return None
    return None
