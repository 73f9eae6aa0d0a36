"""PatientSearchModel: paging from the database, debounced queries, refusals; 100,000 patients."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QTableView
from test_staff_support import (  # noqa: F401  (background_work_finishes: autouse)
    background_work_finishes,
    desk,
)

from intake.services.context import Actor
from intake.services.patients import PatientService, fold
from intake.ui.staff.search_model import PatientSearchModel

FIRST = [
    "Ana",
    "Zoë",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Mateo",
    "Lucía",
    "Sofía",
    "James",
    "Amelia",
    "Hugo",
    "Chloé",
    "Ethan",
    "Maya",
    "Jonas",
    "Inés",
    "Leo",
    "Ava",
    "Omar",
]
LAST = [
    "García",
    "Smith",
    "Nguyễn",
    "Johnson",
    "Martínez",
    "Brown",
    "López",
    "Davis",
    "Müller",
    "Wilson",
    "Pérez",
    "Taylor",
    "Sánchez",
    "Moore",
    "Kowalski",
    "Clark",
    "Ramírez",
    "Lewis",
    "Okafor",
    "Walker",
    "Hernández",
    "Young",
    "Ünal",
    "King",
    "Torres",
]

# The offscreen platform plugin warns whenever a window's size limits change; that is the test
# platform talking, not the application.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def bulk_patients(ctx, n: int, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    """Insert ``n`` patients fast with SQLAlchemy Core (the test's own shortcut; the UI never does this)."""
    from sqlalchemy import insert

    from intake.store.models import Patient

    rng = random.Random(seed)
    now = ctx.now()
    prefix = ctx.forms.clinic.record_prefix
    rows = []
    for i in range(1, n + 1):
        first = rng.choice(FIRST)
        last = rng.choice(LAST) + ("" if i % 3 else f"-{rng.choice(LAST)}")
        rows.append(
            {
                "id": i,
                "record_number": f"{prefix}-{i:06d}",
                "first_name": first,
                "last_name": last,
                "preferred_name": "",
                "date_of_birth": dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16_000)),
                "sex_at_birth": rng.choice(("female", "male", "intersex")),
                "phone": "",
                "email": "",
                "lang": "en",
                "search_name": fold(f"{last} {first}"),
                "search_alt": fold(f"{first} {last}"),
                "version": 1,
                "created_at": now,
                "actor": "system",
                "station": "bulk",
            }
        )
    with ctx.db.engine.begin() as conn:
        for start in range(0, n, 20_000):
            conn.execute(insert(Patient.__table__), rows[start : start + 20_000])


def find(qtbot, model: PatientSearchModel, text: str) -> None:  # type: ignore[no-untyped-def]
    """Search at once and wait for the first page (read off the GUI thread)."""
    with qtbot.waitSignal(model.searched, timeout=10_000):
        model.search_now(text)


class CountingPatients(PatientService):
    """The real service, counting the searches the model makes."""

    calls: list[tuple[str, int, int]]

    def search(self, actor, query, limit=50, offset=0):  # type: ignore[no-untyped-def, override]
        self.calls.append((query, limit, offset))
        return super().search(actor, query, limit, offset)


@pytest.fixture
def big_ctx(sqlite_ctx):  # type: ignore[no-untyped-def]
    bulk_patients(sqlite_ctx, 100_000)
    return sqlite_ctx


@pytest.mark.slow
def test_search_model_pages_through_100000_patients(qtbot, big_ctx) -> None:  # type: ignore[no-untyped-def]
    patients = CountingPatients(big_ctx)
    patients.calls = []
    model = PatientSearchModel(patients, desk(big_ctx), debounce_ms=0)

    # A common surname prefix: thousands match, one page is fetched.
    find(qtbot, model, "garc")
    assert model.rowCount() == 50
    assert model.canFetchMore()
    assert patients.calls == [("garc", 50, 0)]
    names = [model.patient(r).last_name for r in range(model.rowCount())]
    assert all(fold(n).startswith("garc") for n in names)
    keys = [fold(f"{model.patient(r).last_name} {model.patient(r).first_name}") for r in range(50)]
    assert keys == sorted(keys)

    # Scrolling fetches the next page, and only that.
    with qtbot.waitSignal(model.page_added, timeout=10_000):
        model.fetchMore(QModelIndex())
        assert not model.canFetchMore()  # one page at a time
    assert model.rowCount() == 100
    assert patients.calls[-1] == ("garc", 50, 50)
    ids = [model.patient(r).id for r in range(model.rowCount())]
    assert len(set(ids)) == 100

    # Accents and order do not matter: "lucia lopez" finds "López, Lucía".
    find(qtbot, model, "lucia lop")
    first = model.patient(0)
    assert first is not None and fold(first.first_name) == "lucia"
    assert fold(first.last_name).startswith("lop")

    # Record number, with or without the prefix.
    find(qtbot, model, "RPM-054321")
    assert model.rowCount() == 1 and model.patient(0).record_number == "RPM-054321"
    assert not model.canFetchMore()
    find(qtbot, model, "rpm054321")
    assert [model.patient(r).record_number for r in range(model.rowCount())] == ["RPM-054321"]
    find(qtbot, model, "05432")  # digits typed so far: a prefix of the number
    assert [model.patient(r).record_number for r in range(model.rowCount())] == [
        f"RPM-05432{d}" for d in range(10)
    ]

    # Date of birth: everyone born that day, and nobody else.
    born = model.patient(0).date_of_birth
    find(qtbot, model, born.isoformat())
    assert model.rowCount() >= 1
    assert all(model.patient(r).date_of_birth == born for r in range(model.rowCount()))

    # Nothing typed: nobody on screen (and nothing loaded).
    calls = len(patients.calls)
    find(qtbot, model, "")
    assert model.rowCount() == 0 and not model.canFetchMore()
    assert len(patients.calls) == calls


@pytest.mark.slow
def test_view_fetches_pages_as_it_scrolls(qtbot, big_ctx) -> None:  # type: ignore[no-untyped-def]
    model = PatientSearchModel(PatientService(big_ctx), desk(big_ctx), debounce_ms=0)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 300)
    view.show()
    find(qtbot, model, "s")
    assert model.rowCount() == 50
    for pages in (2, 3, 4):
        view.scrollToBottom()
        qtbot.waitUntil(lambda n=pages: model.pages_fetched >= n, timeout=10_000)
    assert 100 <= model.rowCount() <= 250  # pages, never the thousands that match
    assert model.pages_fetched == model.rowCount() // 50


def test_typing_is_debounced(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    bulk_patients(sqlite_ctx, 500)
    patients = CountingPatients(sqlite_ctx)
    patients.calls = []
    model = PatientSearchModel(patients, desk(sqlite_ctx), debounce_ms=150)
    with qtbot.waitSignal(model.searched, timeout=3000) as blocker:
        for text in ("s", "sm", "smi", "smit"):  # typed faster than the pause waited for
            model.set_query(text)
    assert blocker.args == ["smit"]
    assert [c[0] for c in patients.calls] == ["smit"]
    assert model.rowCount() > 0


def test_search_refused_for_a_kiosk_session(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    bulk_patients(sqlite_ctx, 10)
    kiosk = Actor("kiosk:x", "kiosk", "patient", "x")
    model = PatientSearchModel(PatientService(sqlite_ctx), kiosk, debounce_ms=0)
    with qtbot.waitSignal(model.search_failed) as blocker:
        model.search_now("smith")
    assert "role does not allow" in blocker.args[0]
    assert model.rowCount() == 0


def test_search_on_both_databases(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    bulk_patients(ctx, 300)
    model = PatientSearchModel(PatientService(ctx), desk(ctx), debounce_ms=0)
    find(qtbot, model, "wil")
    assert 0 < model.rowCount() <= 50
    for r in range(model.rowCount()):
        p = model.patient(r)
        assert fold(p.last_name).startswith("wil") or fold(p.first_name).startswith("wil")
    find(qtbot, model, "RPM-000123")
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "RPM-000123"


def test_a_cut_short_name_shows_whole_on_hover(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    PatientService(sqlite_ctx).register(
        desk(sqlite_ctx),
        first_name="Zoë",
        last_name="Nguyễn-Villanueva de la Cruz",
        date_of_birth=dt.date(1999, 4, 12),
        sex_at_birth="female",
        phone="5550102233",
    )
    model = PatientSearchModel(PatientService(sqlite_ctx), desk(sqlite_ctx), debounce_ms=0)
    find(qtbot, model, "nguy")
    assert model.rowCount() == 1
    name = model.index(0, 1)
    whole = "Nguyễn-Villanueva de la Cruz, Zoë"
    assert model.data(name) == whole
    assert model.data(name, Qt.ItemDataRole.ToolTipRole) == whole
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None


class GatedPatients(PatientService):
    """The real service; a search for "slow" waits until the test lets it go."""

    gate: threading.Event

    def search(self, actor, query, limit=50, offset=0):  # type: ignore[no-untyped-def, override]
        if query == "slow":
            self.gate.wait(10)
        return super().search(actor, query, limit, offset)


def test_an_older_query_answered_late_is_never_shown(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    bulk_patients(sqlite_ctx, 50)
    PatientService(sqlite_ctx).register(
        desk(sqlite_ctx), first_name="Sven", last_name="Slowinski", date_of_birth="1990-01-01"
    )
    patients = GatedPatients(sqlite_ctx)
    patients.gate = threading.Event()
    model = PatientSearchModel(patients, desk(sqlite_ctx), debounce_ms=0)
    seen: list[str] = []
    model.searched.connect(seen.append)
    model.search_now("slow")
    assert model.searching  # the GUI thread is not waiting for it
    model.search_now("smi")  # typed on while "slow" is still being read
    with qtbot.waitSignal(model.searched, timeout=10_000) as blocker:
        patients.gate.set()
    assert blocker.args == ["smi"] and seen == ["smi"]
    assert model.query == "smi" and model.rowCount() > 0
    assert all(model.patient(r).last_name != "Slowinski" for r in range(model.rowCount()))
    qtbot.waitUntil(lambda: not model.searching)


def test_clearing_drops_a_search_still_running(qtbot, sqlite_ctx) -> None:  # type: ignore[no-untyped-def]
    bulk_patients(sqlite_ctx, 20)
    patients = GatedPatients(sqlite_ctx)
    patients.gate = threading.Event()
    model = PatientSearchModel(patients, desk(sqlite_ctx), debounce_ms=0)
    with qtbot.assertNotEmitted(model.searched, wait=0):
        model.search_now("slow")
        model.clear()  # the station locks
    with qtbot.waitSignal(model.busy_changed, timeout=10_000) as blocker:
        patients.gate.set()
    assert blocker.args == [False]
    assert model.rowCount() == 0 and model.query == ""
