"""The clinic key through the services and the command line: sealing with a CA-issued PKCS#12,
a sealing failure that stores nothing, and `verify` that never makes a key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from clinic_pki import (
    P12_PASSPHRASE,
    issue_leaf,
    make_ca,
    new_leaf_key,
    plant_pair,
    write_pkcs12,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import func, select

from intake.documents import signing
from intake.documents.signing import CERT_FILE, KEY_FILE
from intake.services.documents import DocumentService
from intake.services.errors import SealingFailed
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.store.models import Document

ROOT = Path(__file__).resolve().parents[2]


def _fingerprint(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex(":").upper()


def _main(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _env(tmp_path: Path, data: Path, **extra: str) -> dict[str, str]:
    return {
        "INTAKE_DATA_DIR": str(data),
        "INTAKE_SECRET_STORE": "file",
        "INTAKE_SECRETS_DIR": str(tmp_path / "secrets"),
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        **extra,
    }


def test_a_sealing_failure_stores_nothing_and_says_why(
    sqlite_ctx,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    monkeypatch.setattr(signing, "_signature_reserve", lambda *_: 64)  # far too small
    with pytest.raises(SealingFailed, match="cannot be sealed"):
        DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
    with sqlite_ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0


def test_verify_reads_only_the_certificate(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(tmp_path, data)
    demo = _main(env, "demo", "--out", str(tmp_path / "out"))
    assert demo.returncode == 0, demo.stderr
    consent = tmp_path / "out" / "consent.pdf"
    assert (data / KEY_FILE).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")

    # The passphrase is not needed to check a document: verification never opens the key.
    # (The database key stays: the database is encrypted with it.)
    secrets = tmp_path / "secrets"
    passphrases = [p for p in secrets.iterdir() if p.name.endswith("clinic-key-passphrase")]
    assert passphrases
    for path in passphrases:
        path.unlink()
    ok = _main(env, "verify", str(consent))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert not [p for p in secrets.iterdir() if p.name.endswith("clinic-key-passphrase")]

    # An installation with no certificate: a genuine document is not valid (exit 1), and
    # checking it made no key, no certificate and no secret.
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = _main(_env(tmp_path, empty), "verify", str(consent))
    assert nothing.returncode == 1, nothing.stdout + nothing.stderr
    assert "no clinic certificate in this installation" in nothing.stderr
    assert _fingerprint((data / CERT_FILE).read_bytes()) in nothing.stderr
    assert not (empty / KEY_FILE).exists() and not (empty / CERT_FILE).exists()
    assert not [p for p in secrets.iterdir() if p.name.endswith("clinic-key-passphrase")]
    assert "Traceback" not in nothing.stderr


def test_a_ca_issued_rsa4096_pkcs12_seals_every_document(tmp_path: Path) -> None:
    ca = make_ca()
    key = new_leaf_key("rsa4096")
    leaf = issue_leaf(ca, key)
    p12 = write_pkcs12(tmp_path / "clinic.p12", ca, key, leaf)
    data = tmp_path / "data"
    env = _env(tmp_path, data, INTAKE_PKCS12=str(p12), INTAKE_PKCS12_PASSPHRASE=P12_PASSPHRASE)
    demo = _main(env, "demo", "--out", str(tmp_path / "out"))
    assert demo.returncode == 0, demo.stderr
    paths = [Path(line) for line in demo.stdout.split()]
    assert len(paths) == 3
    for path in paths:
        ok = _main(env, "verify", str(path))
        assert ok.returncode == 0, ok.stdout + ok.stderr
    assert not (data / KEY_FILE).exists()  # nothing is made beside a configured key

    # The same document checked by an installation with its own key: unknown signer, and both
    # certificates named by their fingerprints.
    other = tmp_path / "other"
    own = _main(_env(tmp_path, other), "demo", "--out", str(tmp_path / "other-out"))
    assert own.returncode == 0, own.stderr
    foreign = _main(_env(tmp_path, other), "verify", str(paths[0]))
    assert foreign.returncode == 1 and "unknown signer" in foreign.stderr
    from cryptography.hazmat.primitives.serialization import Encoding

    assert _fingerprint(leaf.public_bytes(Encoding.PEM)) in foreign.stderr
    assert _fingerprint((other / CERT_FILE).read_bytes()) in foreign.stderr


def test_a_wrong_pkcs12_passphrase_makes_demo_fail_with_a_message(tmp_path: Path) -> None:
    ca = make_ca()
    key = new_leaf_key("ec-p256")
    p12 = write_pkcs12(tmp_path / "clinic.p12", ca, key, issue_leaf(ca, key))
    env = _env(
        tmp_path, tmp_path / "data", INTAKE_PKCS12=str(p12), INTAKE_PKCS12_PASSPHRASE="wrong"
    )
    demo = _main(env, "demo", "--out", str(tmp_path / "out"))
    assert demo.returncode == 1
    assert "wrong passphrase" in demo.stderr and "Traceback" not in demo.stderr
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    assert os.environ.get("INTAKE_PKCS12") is None  # the test's own environment is untouched


def test_a_planted_key_pair_is_refused_by_sealing_verify_and_audit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(tmp_path, data)
    demo = _main(env, "demo", "--out", str(tmp_path / "out"))
    assert demo.returncode == 0, demo.stderr
    consent = tmp_path / "out" / "consent.pdf"
    genuine = _fingerprint((data / CERT_FILE).read_bytes())
    assert _main(env, "verify", str(consent)).returncode == 0

    # Someone who can write the data folder puts a clear key and certificate of their own there.
    planted_key, planted_cert = plant_pair(data)

    # Checking a genuine document: not valid, and the replaced certificate is named.
    check = _main(env, "verify", str(consent))
    assert check.returncode == 1, check.stdout + check.stderr
    assert "not valid" in check.stderr and "someone replaced it" in check.stderr
    assert _fingerprint(planted_cert) in check.stderr and genuine in check.stderr
    assert "Traceback" not in check.stderr

    # Sealing refuses: nothing is written, and the planted key is not adopted (not encrypted).
    again = _main(env, "demo", "--out", str(tmp_path / "again"))
    assert again.returncode == 1, again.stdout + again.stderr
    assert "demo failed" in again.stderr and "not the one this installation made" in again.stderr
    assert "Traceback" not in again.stderr
    assert not (tmp_path / "again").exists() or list((tmp_path / "again").iterdir()) == []
    assert (data / KEY_FILE).read_bytes() == planted_key

    # The audit chain's check says why it cannot be trusted.
    audit = _main(env, "audit", "verify")
    assert audit.returncode == 1, audit.stdout + audit.stderr
    assert "someone replaced it" in audit.stderr and "Traceback" not in audit.stderr
