"""Find, issue (if needed) and print a visit's documents: shared by the front desk and the clinician."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from PySide6.QtPrintSupport import QPrinter

from intake.services.context import Actor, AppContext
from intake.ui.common import Clock
from intake.ui.staff.pdf_preview import PrintJob, print_pdfs
from intake.ui.staff.signing_words import kind_title, said

PACKET_KINDS = ("consent", "education")
KINDS = ("consent", "education", "summary", "checklist", "aftercare", "checkin")


class _KindTitles(Mapping[str, str]):
    """Each kind of document's title ("Consent", "Education packet") in the staff screens'
    language, looked up at each use (``signing.kind_<kind>``)."""

    def __getitem__(self, kind: str) -> str:
        if kind not in KINDS:
            raise KeyError(kind)
        return kind_title(kind)

    def __iter__(self) -> Iterator[str]:
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


KIND_TITLES: Mapping[str, str] = _KindTitles()


def document_service(ctx: AppContext) -> Any:
    """The DocumentService, imported on first use (it brings the PDF machinery with it)."""
    from intake.services.documents import DocumentService

    return DocumentService(ctx)


def latest_by_kind(documents: Sequence[Any]) -> dict[str, Any]:
    """The newest issue of each kind of document."""
    out: dict[str, Any] = {}
    for doc in documents:
        if doc.kind not in out or doc.issue > out[doc.kind].issue:
            out[doc.kind] = doc
    return out


def packet_documents(ctx: AppContext, actor: Actor, visit_id: str) -> list[Any]:
    """The latest consent and education packet of a visit, issuing them first if need be.

    Runs off the GUI thread: issuing renders and signs PDFs.
    """
    service = document_service(ctx)
    latest = latest_by_kind(service.documents(actor, visit_id))
    if any(kind not in latest for kind in PACKET_KINDS):
        service.issue_documents(actor, visit_id)
        latest = latest_by_kind(service.documents(actor, visit_id))
    return [latest[kind] for kind in PACKET_KINDS if kind in latest]


def print_footer(ctx: AppContext, actor: Actor, doc: Any) -> str:
    """The small line printed at the foot of every printed page: which issue, when, by whom."""
    when = Clock(ctx.forms.clinic.timezone).datetime(ctx.now())[:16]
    return said(
        "print_footer",
        title=kind_title(doc.kind),
        issue=doc.issue,
        id=doc.id,
        sha=doc.sha256[:16],
        when=when,
        name=actor.name,
    )


def print_job_name(documents: Sequence[Any], record_number: str = "") -> str:
    """What the print queue calls the job: the kind and issue, the record number, the ids.

    Staff at a shared printer tell jobs apart by it; the record number is what they already
    write on paper (no name, no date of birth).
    """
    kinds = listed([said("job_kind", title=kind_title(d.kind), issue=d.issue) for d in documents])
    ids = said("job_ids", count=len(documents), ids=", ".join(str(d.id) for d in documents))
    return " · ".join(part for part in (kinds, record_number, ids) if part)


def listed(items: Sequence[str]) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    *head, last = items
    first = head[0]
    for item in head[1:]:
        first = said("job_list", first=first, rest=item)
    return said("job_pair", first=first, second=last)


def print_documents(
    ctx: AppContext, actor: Actor, printer: QPrinter, documents: Sequence[Any], record_number: str
) -> int:
    """Print the documents as one job, each with its footer; each document's print is audited.

    Returns the pages printed; raises ``PrintFailed`` or a service's error.
    """
    service = document_service(ctx)
    jobs = [
        PrintJob(service.open_pdf(actor, doc.id, purpose="print"), print_footer(ctx, actor, doc))
        for doc in documents
    ]
    return print_pdfs(printer, jobs, name=print_job_name(documents, record_number))
