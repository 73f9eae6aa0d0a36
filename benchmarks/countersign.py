"""How long a countersign holds the write transaction: rendering inside it (before) and outside.

Run by hand: ``uv run python benchmarks/countersign.py [--runs 15] [--postgres URL]``.
Not part of the test suite.

"held" is the time from opening the countersign's durable write unit of work (the SQLite write
lock, or the PostgreSQL audit advisory lock every station's writes wait on) to its commit;
"call" is the whole service call. "before" countersigns the way it did until it rendered
outside: every check, the signature, both documents rendered and sealed and the FHIR bundle,
in the one write unit of work (the same steps, run through today's helpers). "after" is
``DocumentService.countersign`` as it is. Medians over ``--runs`` visits each, on a fresh
SQLite file (and, with ``--postgres``, in a fresh schema of that database).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intake.domain.records import SIGNATURE_MEANINGS  # noqa: E402
from intake.services import base  # noqa: E402
from intake.services.context import Actor, AppContext, open_context  # noqa: E402
from intake.services.documents import DocumentInfo, DocumentService, _info, _ticks  # noqa: E402
from intake.services.records import build_record  # noqa: E402
from intake.services.scripted import (  # noqa: E402
    STAFF_PIN,
    ScriptedPatient,
    ensure_staff,
    review_everything,
    signature_strokes,
    walk_visit,
)
from intake.services.staff import StaffService, staff_actor  # noqa: E402
from intake.services.visits import countersign_binding, signature_digest  # noqa: E402
from intake.store.models import Signature, Visit  # noqa: E402

HELD: list[float] = []


def _timed_writes() -> None:
    """Time every durable write unit of work (the countersign's), open to commit."""
    real = base.Service.write

    @contextlib.contextmanager
    def write(self: base.Service, *, durable: bool = False) -> Iterator[Any]:
        start = time.perf_counter()
        try:
            with real(self, durable=durable) as s:
                yield s
        finally:
            if durable:
                HELD.append(time.perf_counter() - start)

    base.Service.write = write  # type: ignore[method-assign]


class RenderInside(DocumentService):
    """The countersign as it was: every step in one write unit of work, rendering included."""

    def countersign_inside(
        self,
        actor: Actor,
        visit_id: str,
        strokes: Sequence[Sequence[tuple[float, float]]],
        reviewed: Sequence[str],
    ) -> DocumentInfo:
        StaffService(self.ctx).confirm_secret(actor, STAFF_PIN, None)
        self._require_intact(actor, visit_id)
        now = self.ctx.now()
        with self.write(durable=True) as s:
            visit = s.get(Visit, visit_id)
            self._countersign_status(s, visit, read=False)
            assert visit is not None
            signed_as = build_record(s, self.ctx.forms, visit_id)
            serious = self._countersign_flags(s, visit, signed_as, reviewed)
            ticks = _ticks(serious)
            signature = Signature(
                visit_id=visit_id,
                role="clinician",
                reviewed=ticks,
                printed_name=actor.name,
                relationship="",
                meaning=SIGNATURE_MEANINGS["clinician"],
                signed_at=now,
                strokes=[[list(map(float, p)) for p in st] for st in strokes],
                pad_width=600.0,
                pad_height=200.0,
                record_sha256=countersign_binding(visit.record_sha256, ticks),
                method="drawn",
                actor=actor.id,
                station=self.ctx.station,
            )
            s.add(signature)
            visit.status = "countersigned"
            visit.countersigned_at = now
            visit.updated_at = now
            s.flush()
            self.audit(
                s,
                actor,
                "sign",
                "visit",
                visit_id,
                {
                    "role": "clinician",
                    "reviewed": [f.id for f in serious],
                    "signature_sha256": signature_digest(signature),
                },
            )
            countersigned = build_record(s, self.ctx.forms, visit_id)
            docs = []
            for d in self._reissues(s, countersigned, now):
                inside = self._record_bundle(s, visit_id) if d.kind == "consent" else None
                pdf, pending = self._render(d.kind, d.record, d.issue, inside)
                docs.append(self._store_reissue(s, actor, d, pdf, pending, inside))
            s.flush()
            return _info(docs[0])


def _visits(ctx: AppContext, n: int, first: int) -> list[tuple[str, tuple[str, ...]]]:
    """``n`` submitted visits with their first documents, each a patient of their own."""
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drbench", "Dr Bench Mark"))
    out = []
    for i in range(first, first + n):
        patient = ScriptedPatient(
            first_name="Bench",
            last_name=f"Patient{chr(65 + i % 26)}",
            date_of_birth=dt.date(1990, 1, 1) + dt.timedelta(days=i),
        )
        vid, kiosk, _ = walk_visit(ctx, patient)
        DocumentService(ctx).issue_documents(kiosk, vid)
        out.append((vid, review_everything(ctx, doctor, vid)))
    return out


def _run(ctx: AppContext, runs: int, label: str) -> None:
    doctor = staff_actor(ensure_staff(ctx, "clinician", "drbench", "Dr Bench Mark"))
    strokes = signature_strokes(seed=4)
    ways = (("before", RenderInside(ctx)), ("after", DocumentService(ctx)))
    for index, (way, service) in enumerate(ways):
        visits = _visits(ctx, runs, index * runs)
        held, calls = [], []
        for vid, reviewed in visits:
            HELD.clear()
            start = time.perf_counter()
            if isinstance(service, RenderInside):
                service.countersign_inside(doctor, vid, strokes, reviewed)
            else:
                service.countersign(
                    doctor, vid, doctor.name, strokes, 600, 200, secret=STAFF_PIN, reviewed=reviewed
                )
            calls.append(time.perf_counter() - start)
            held.append(sum(HELD))
        print(
            f"countersign {label:10} {way:6}: write transaction held median"
            f" {statistics.median(held) * 1000:7.1f} ms, whole call median"
            f" {statistics.median(calls) * 1000:7.1f} ms, over {runs}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", help="a PostgreSQL URL: also run in a new schema there")
    args = parser.parse_args()
    _timed_writes()
    root = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    os.environ["INTAKE_DATA_DIR"] = str(root)
    os.environ["INTAKE_SECRET_STORE"] = "file"
    os.environ["INTAKE_SECRETS_DIR"] = str(root / "secrets")
    for name in ("INTAKE_TSA_URL", "INTAKE_PKCS12"):
        os.environ.pop(name, None)
    try:
        ctx = open_context(data_dir=root / "sqlite")
        _run(ctx, args.runs, "SQLite")
        ctx.db.dispose()
        if args.postgres:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            try:
                ctx = open_context(data_dir=root / "pg", url=args.postgres, schema=schema)
                _run(ctx, args.runs, "PostgreSQL")
                ctx.db.dispose()
            finally:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
