"""Checking the audit trail, and through it what was signed and issued."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from intake.domain.errors import Coded
from intake.services import form_snapshots, integrity, row_digests, seal
from intake.services.base import Service, require_role
from intake.services.context import Actor
from intake.services.errors import InvalidInput, SigningUnavailable
from intake.store import audit
from intake.store.audit import ChainReport, HeadState

AUDIT_EMPTY = "The audit trail is empty: there is no head yet."


@dataclass(frozen=True)
class SealOutcome:
    head: HeadState
    signed: bool


def head_to_text(head: HeadState) -> str:
    """One line of JSON to keep somewhere else (printed, mailed, another machine)."""
    return json.dumps(asdict(head), sort_keys=True, separators=(", ", ": "))


def head_from_text(text: str) -> HeadState:
    """A head kept earlier with ``head_to_text``; ValueError if the text is not one."""
    try:
        data = json.loads(text)
        seq, digest = data["seq"], data["hash"]
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("not a kept audit head (one line of JSON with seq and hash)") from exc
    if (
        not isinstance(seq, int)
        or isinstance(seq, bool)
        or seq < 1
        or not isinstance(digest, str)
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise ValueError("not a kept audit head: seq must be a positive number, hash 64 hex digits")
    return HeadState(seq, digest, str(data.get("signature", "")), str(data.get("signer", "")))


class AuditService(Service):
    def verify(
        self, kept: HeadState | None = None, *, records: bool = True, station_head: bool = True
    ) -> ChainReport:
        """The chain, its signed head, and (``records``) every signed visit and document.

        ``kept``: a head printed earlier by ``head``: the chain must still hold it (the same
        hash at its seq); a chain grown since is fine, a shorter or different one is not.
        """
        from intake.documents.signing import SigningKeyError

        try:
            certificate = seal.clinic_certificate(self.ctx)
            refused = None
        except SigningKeyError as exc:  # e.g. the certificate was replaced in the data folder
            certificate, refused = None, str(exc)
        with self.read() as s:
            chain = audit.verify(s)
            if not chain.intact:
                return chain
            problems: list[str] = [refused] if refused else []
            head = audit.read_head(s)
            if head is not None and not refused:
                problem = seal.head_problem(head, certificate)
                if problem and not head.signature:
                    problem += (
                        f" (event {head.seq}); after the upgrade to signed heads or a new clinic"
                        " key, an administrator who has checked it runs"
                        " `main.py audit seal --by ADMIN`"
                    )
                elif problem:
                    problem += f" (event {head.seq})"
                if problem:
                    problems.append(problem)
            if kept is not None:
                problems += self._kept_problems(s, kept, certificate)
            remembered = seal.remembered_head(self.ctx) if station_head else None
            if remembered is not None:
                stored = audit.event_hash_at(s, remembered[0])
                if stored != remembered[1]:
                    problems.append(
                        f"the chain does not hold event {remembered[0]} as this station signed it"
                        " (the chain was cut back, emptied or rewritten, or an older head put back)"
                    )
            if records:
                problems += integrity.trail_problems(s)
                problems += integrity.visit_problems(self.ctx, s)
                problems += integrity.document_problems(s)
                problems += integrity.staff_problems(s)
                problems += form_snapshots.problems(s)
                problems += row_digests.clinical_problems(s)
        if problems:
            return ChainReport(False, chain.events, None, problems[0], tuple(problems))
        return chain

    @staticmethod
    def _kept_problems(s: object, kept: HeadState, certificate: bytes | None) -> list[str]:
        stored = audit.event_hash_at(s, kept.seq)  # type: ignore[arg-type]
        if stored is None:
            return [f"the chain is shorter than the kept head (it ended at event {kept.seq})"]
        if stored != kept.hash:
            return [f"event {kept.seq} is not the one in the kept head (the chain was rewritten)"]
        if kept.signature and seal.head_problem(kept, certificate) is not None:
            return ["the kept head's own signature does not verify with the clinic key"]
        return []

    def head(self) -> HeadState:
        with self.read() as s:
            head = audit.read_head(s)
        if head is None:
            raise InvalidInput({"audit": Coded(AUDIT_EMPTY, "audit_empty")})
        return head

    def seal(self, actor: Actor) -> SealOutcome:
        """Sign the head of a chain whose hashes check out (after the upgrade to signed heads,
        or when the clinic key was replaced); recorded as an audit event of its own."""
        require_role(actor, "admin", action="seal the audit trail")
        from intake.documents.signing import SigningKeyError

        try:
            certificate = seal.clinic_certificate(self.ctx)
        except SigningKeyError as exc:
            raise SigningUnavailable(
                f"The clinic signing key cannot be used, so nothing was sealed: {exc}",
                code="seal_key_unusable",
                reason=str(exc),
            ) from None
        with self.write() as s:
            chain = audit.verify(s)
            if not chain.intact:
                raise InvalidInput(
                    {
                        "audit": Coded(
                            f"The chain is broken, not sealed: {chain.reason}",
                            "audit_broken",
                            reason=chain.reason,
                        )
                    }
                )
            head = audit.read_head(s)
            if head is None:
                raise InvalidInput({"audit": Coded(AUDIT_EMPTY, "audit_empty")})
            if seal.head_problem(head, certificate) is None:
                return SealOutcome(head, False)
            was = "unsigned" if not head.signature else "other key"
            self.audit(s, actor, "seal", "audit", head.seq, {"previous": was})
            seal.sign_head(self.ctx, s, force=True)
        return SealOutcome(self.head(), True)
