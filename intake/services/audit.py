"""Checking the audit trail."""

from __future__ import annotations

from intake.services.base import Service
from intake.store import audit
from intake.store.audit import ChainReport


class AuditService(Service):
    def verify(self) -> ChainReport:
        with self.read() as s:
            return audit.verify(s)
