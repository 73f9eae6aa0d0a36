"""Documents issued with a CA-issued clinic certificate (INTAKE_PKCS12) whose CA answers on
127.0.0.1, and the loopback TSA: B-LTA through the services; B-T when the revocation service
is down (the patient is not held up, and verify says what is missing); nothing sealed when the
certificate is revoked."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from intake import cli
from intake.services import documents as document_service
from intake.services.documents import DocumentService
from intake.services.errors import SealingFailed
from intake.services.scripted import ScriptedPatient, walk_visit
from intake.store.models import Document

sys.path.insert(0, str(Path(__file__).parents[1]))
from clinic_pki import (  # noqa: E402
    P12_PASSPHRASE,
    RevocationServer,
    issue_leaf,
    make_ca,
    new_leaf_key,
    serve_revocation,
    write_pkcs12,
)
from tsa import LocalTSA, make_tsa, serve  # noqa: E402


@pytest.fixture(scope="module")
def revocation() -> Iterator[RevocationServer]:
    with serve_revocation() as server:
        yield server


@pytest.fixture(scope="module")
def authority() -> LocalTSA:
    return make_tsa()


@pytest.fixture
def clinic_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    authority: LocalTSA,
    revocation: RevocationServer,
    request: pytest.FixtureRequest,
) -> Iterator[int]:
    """A CA published on the revocation server (under this test's name), the clinic's PKCS#12
    from it, and the TSA; yields the clinic certificate's serial number."""
    prefix = request.node.name[:40]
    ca = make_ca(revocation.base(prefix))
    revocation.publish_ca(ca, prefix)
    key = new_leaf_key("rsa2048")
    leaf = issue_leaf(ca, key, revocation.base(prefix))
    p12 = write_pkcs12(tmp_path / "clinic.p12", ca, key, leaf)
    monkeypatch.setenv("INTAKE_PKCS12", str(p12))
    monkeypatch.setenv("INTAKE_PKCS12_PASSPHRASE", P12_PASSPHRASE)
    monkeypatch.setenv("INTAKE_TSA_CA", str(authority.write_root(tmp_path / "tsa-root.pem")))
    monkeypatch.setattr(document_service, "_tsa_down_until", {})
    monkeypatch.setattr(document_service, "_revocation_down_until", {})
    monkeypatch.setattr(document_service, "_signers", {})
    with serve(authority) as url:
        monkeypatch.setenv("INTAKE_TSA_URL", url)
        yield leaf.serial_number


def _consent(ctx: Any, document_id: str) -> bytes:
    with ctx.db.session() as s:
        return bytes(s.get(Document, document_id).pdf)  # type: ignore[union-attr]


def test_documents_are_sealed_b_lta_and_verify_says_so(  # type: ignore[no-untyped-def]
    sqlite_ctx, clinic_env: int, tmp_path: Path, capsys
) -> None:
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    docs = DocumentService(sqlite_ctx)
    issued = docs.issue_documents(kiosk, vid)
    assert docs.pending_timestamps() == []
    for info in issued:
        outcome = docs.verify_bytes(_consent(sqlite_ctx, info.id))
        assert outcome.valid, outcome.reason
        assert "PAdES B-LTA; signing time" in outcome.reason
        assert "archive timestamp" in outcome.reason
    path = tmp_path / "consent.pdf"
    path.write_bytes(_consent(sqlite_ctx, issued[0].id))
    assert cli.main(["verify", str(path)]) == 0
    assert "PAdES B-LTA" in capsys.readouterr().out


def test_with_the_revocation_service_down_documents_are_b_t_and_say_so(  # type: ignore[no-untyped-def]
    sqlite_ctx, clinic_env: int, revocation: RevocationServer
) -> None:
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    docs = DocumentService(sqlite_ctx)
    revocation.down = True
    try:
        asked = revocation.requests
        started = time.monotonic()
        issued = docs.issue_documents(kiosk, vid)
        assert time.monotonic() - started < 60  # the patient is not held up
        # Asked for the first document only; the next ones do not wait on it.
        first_round = revocation.requests - asked
        assert 1 <= first_round <= 3
    finally:
        revocation.down = False
    assert docs.pending_timestamps() == []  # the TSA worked: B-T, nothing pending
    outcome = docs.verify_bytes(_consent(sqlite_ctx, issued[0].id))
    assert outcome.valid, outcome.reason
    assert "PAdES B-T; signing time" in outcome.reason
    assert "no revocation data embedded, so not PAdES B-LT" in outcome.reason


def test_a_revoked_clinic_certificate_seals_nothing(  # type: ignore[no-untyped-def]
    sqlite_ctx, clinic_env: int, revocation: RevocationServer
) -> None:
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    revocation.revoked.add(clinic_env)
    try:
        with pytest.raises(SealingFailed, match="revoked"):
            DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
    finally:
        revocation.revoked.discard(clinic_env)
    with sqlite_ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize("setting", ["missing", "not certificates"])
def test_an_unusable_tsa_root_setting_never_holds_up_the_patients_documents(  # type: ignore[no-untyped-def]
    sqlite_ctx, clinic_env: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    """INTAKE_TSA_CA wrong on this station: the documents are still sealed and stored (without
    the long-term data it is needed to check), never a crash in front of the patient."""
    path = tmp_path / "tsa-roots.pem"
    if setting == "not certificates":
        path.write_text("not a certificate\n", "ascii")
    monkeypatch.setenv("INTAKE_TSA_CA", str(path))
    vid, kiosk, _ = walk_visit(sqlite_ctx, ScriptedPatient())
    issued = DocumentService(sqlite_ctx).issue_documents(kiosk, vid)
    assert len(issued) == 3
    for info in issued:
        assert _consent(sqlite_ctx, info.id).startswith(b"%PDF-")
