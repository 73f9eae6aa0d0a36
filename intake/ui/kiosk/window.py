"""The patient kiosk: a stacked widget drawing the flow model, over the visit service.

The window holds at most one visit (``ActiveVisit``) and one page at a time; a page is built
from the flow and the forms whenever it is shown, and wiped and deleted when it is left. When
the screen clears (idle, finished, or staff), the visit is dropped whole and Welcome is rebuilt:
nothing of the patient remains in any widget, and Back cannot reach the old pages.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from intake.services.errors import InvalidInput, Locked, ServiceError
from intake.ui.kiosk.base import KioskPage
from intake.ui.kiosk.idle import IdleOverlay, IdleWatcher
from intake.ui.kiosk.tasks import run_in_background
from intake.ui.kiosk.text import LANGS, LANGUAGE_NAMES, message, progress_text, t
from intake.ui.kiosk.theme import TEXT_SIZES, Theme
from intake.ui.kiosk.welcome import DonePage, ResumePage, WelcomePage

if TYPE_CHECKING:
    # Only for annotations: importing PySide6.QtGui at start-up costs ~18 ms before Welcome.
    from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent, QShowEvent

    from intake.domain.wizard import KioskFlow, Step
    from intake.services.context import Actor, AppContext
    from intake.services.visits import VisitDraft, VisitService
    from intake.ui.kiosk.review import ReviewPage
    from intake.ui.kiosk.staff_pin import StaffPinDialog

# Only what Welcome needs is imported at start-up; the flow model, the other pages and the
# services are imported behind Welcome (see KioskWindow._warm_up), so the kiosk starts fast.
LATER = (
    "intake.domain.wizard",
    "intake.ui.kiosk.mood",
    "intake.ui.kiosk.questions",
    "intake.ui.kiosk.quiz",
    "intake.ui.kiosk.review",
    "intake.ui.kiosk.risks",
    "intake.ui.kiosk.signing",
    "intake.ui.kiosk.staff_pin",
    "intake.services.staff",
    "intake.services.visits",
)

log = logging.getLogger(__name__)

DEFAULT_IDLE_MS = 90_000
DEFAULT_WARNING_MS = 15_000
NO_NAV = ("welcome", "help_now", "staff_check", "done")


class ActiveVisit:
    """The one visit this kiosk serves: its session, its service and where the patient is."""

    def __init__(self, visits: VisitService, actor: Actor):
        self.visits = visits
        self.actor = actor
        self.visit_id: str = actor.visit_id or ""
        self.flow: KioskFlow | None = None


class ElidedLabel(QLabel):
    """One line that ends in "…" when there is not room for all of it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        # On a narrow screen the clinic's name gives way; the buttons keep their full size.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.width())
        self.setText("" if text == "…" else text)


class AccessibilityBar(QWidget):
    """Language, text size, high contrast, and (for staff) leaving the kiosk; on every page."""

    language_chosen = Signal(str)
    text_size_chosen = Signal(int)
    contrast_toggled = Signal(bool)
    staff_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AccessibilityBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(8)
        self.brand = ElidedLabel(self)
        self.brand.setProperty("role", "brand")
        row.addWidget(self.brand, 1)
        self.languages: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        for code in LANGS:
            button = self._button(LANGUAGE_NAMES[code], f"bar_lang_{code}", checkable=True)
            group.addButton(button)
            button.clicked.connect(lambda _c=False, c=code: self.language_chosen.emit(c))
            self.languages[code] = button
            row.addWidget(button)
        row.addSpacing(12)
        self.sizes: list[QPushButton] = []
        sizes = QButtonGroup(self)
        for i, label in enumerate(("A", "A+", "A++")):
            button = self._button(label, f"bar_size_{TEXT_SIZES[i][0]}", checkable=True)
            sizes.addButton(button)
            button.clicked.connect(lambda _c=False, i=i: self.text_size_chosen.emit(i))
            self.sizes.append(button)
            row.addWidget(button)
        self.contrast = self._button("", "bar_contrast", checkable=True)
        self.contrast.toggled.connect(self.contrast_toggled)
        row.addWidget(self.contrast)
        row.addSpacing(12)
        self.staff = self._button("", "bar_staff")
        self.staff.clicked.connect(self.staff_requested)
        row.addWidget(self.staff)

    def _button(self, text: str, name: str, *, checkable: bool = False) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setProperty("role", "bar")
        button.setCheckable(checkable)
        button.setMinimumHeight(48)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    def retranslate(self, lang: str, theme: Theme, brand: str) -> None:
        self.brand.set_full_text(brand)
        for code, button in self.languages.items():
            button.setChecked(code == lang)
            button.setAccessibleName(t("language_name", lang, name=LANGUAGE_NAMES[code]))
        names = ("size_normal", "size_large", "size_larger")
        for i, button in enumerate(self.sizes):
            button.setChecked(i == theme.size_index)
            button.setAccessibleName(t(names[i], lang))
        self.contrast.blockSignals(True)
        self.contrast.setChecked(theme.high_contrast)
        self.contrast.blockSignals(False)
        self.contrast.setText(t("contrast", lang))
        self.contrast.setAccessibleName(t("contrast_name", lang))
        self.staff.setText(t("staff", lang))
        self.staff.setAccessibleName(t("staff_name", lang))


class NavBar(QWidget):
    """Back, where the patient is, Next."""

    back_clicked = Signal()
    next_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("NavBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(20)
        self.back = QPushButton(self)
        self.back.setObjectName("nav_back")
        self.back.setMinimumSize(150, 60)
        self.back.clicked.connect(self.back_clicked)
        middle = QVBoxLayout()
        middle.setSpacing(6)
        self.where = QLabel(self)
        self.where.setProperty("role", "progress")
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # "Part 5 of 6: … · Question 10 of 15" in large text on a tablet: wrap, never clip.
        self.where.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("nav_progress")
        self.bar.setTextVisible(False)
        middle.addStretch(1)
        middle.addWidget(self.where)
        middle.addWidget(self.bar)
        middle.addStretch(1)
        self.next = QPushButton(self)
        self.next.setObjectName("nav_next")
        self.next.setProperty("role", "primary")
        self.next.setMinimumSize(200, 60)
        self.next.clicked.connect(self.next_clicked)
        row.addWidget(self.back)
        row.addLayout(middle, 1)
        row.addWidget(self.next)

    def set_state(
        self,
        lang: str,
        *,
        back: bool,
        forward: bool,
        next_label: str,
        where: str,
        position: int,
        total: int,
    ) -> None:
        self.back.setText(t("back", lang))
        self.back.setAccessibleName(t("back", lang))
        self.back.setEnabled(back)
        self.back.setVisible(back)
        self.next.setText(next_label)
        self.next.setAccessibleName(next_label)
        self.next.setEnabled(forward)
        self.where.setText(where)
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(position)
        self.bar.setAccessibleName(t("progress_name", lang))
        self.bar.setAccessibleDescription(where)


class KioskWindow(QWidget):
    """The patient kiosk.

    ``ctx`` is an AppContext, or a callable making one: then the database is opened (and
    migrated) in the background after Welcome is on screen, so the kiosk starts fast.
    ``idle_timeout_ms``/``idle_warning_ms`` override the clinic's settings (tests use a few
    hundred ms). ``locked``: closing needs a staff PIN.
    """

    ready = Signal()
    visit_opened = Signal(str)
    page_changed = Signal(str)
    visit_submitted = Signal(str)
    documents_finished = Signal(object)  # list of DocumentInfo, or None when staff will do it
    idle_timed_out = Signal()
    screen_cleared = Signal()
    kiosk_left = Signal()

    def __init__(
        self,
        ctx: AppContext | Callable[[], AppContext],
        *,
        idle_timeout_ms: int | None = None,
        idle_warning_ms: int | None = None,
        done_return_ms: int = 60_000,
        locked: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        if hasattr(ctx, "forms") and hasattr(ctx, "db"):
            self._ctx: AppContext | None = ctx  # type: ignore[assignment]
            self._factory: Callable[[], AppContext] | None = None
        else:
            self._ctx = None
            self._factory = ctx  # type: ignore[assignment]
        self._fixed_timeouts = idle_timeout_ms is not None or idle_warning_ms is not None
        self._lang = "en"
        self._lang_chosen = False
        self._theme = Theme()
        self._visit: ActiveVisit | None = None
        self._page: KioskPage | None = None
        self._scratch: dict[str, dict[str, Any]] = {}
        self._generation = 0
        self._pending_start: tuple[dt.date, str] | None = None
        self._pending_handover: Actor | None = None
        self._pin_dialog: StaffPinDialog | None = None
        self.release_dialog: QDialog | None = None  # a mood-screen release's note, for staff
        self._locked = locked
        self._close_allowed = False
        self._ready = False
        self._warm_started = False
        self._clinic = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        # A full-screen window: pages must not resize it (nor ask the platform to).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.bar = AccessibilityBar(self)
        self.bar.language_chosen.connect(self._on_bar_language_chosen)
        self.bar.text_size_chosen.connect(self._on_bar_text_size_chosen)
        self.bar.contrast_toggled.connect(self._on_bar_contrast_toggled)
        self.bar.staff_requested.connect(self._on_bar_staff_requested)
        self.stack = QStackedWidget(self)
        self.nav = NavBar(self)
        self.nav.back_clicked.connect(self._on_nav_back_clicked)
        self.nav.next_clicked.connect(self._on_nav_next_clicked)
        layout.addWidget(self.bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.nav)
        self._overlay: IdleOverlay | None = None  # made when first needed
        self.idle = IdleWatcher(
            idle_timeout_ms or DEFAULT_IDLE_MS, idle_warning_ms or DEFAULT_WARNING_MS, self
        )
        self.idle.warning_started.connect(self._on_idle_warning_started)
        self.idle.countdown_ticked.connect(self._on_idle_countdown_ticked)
        self.idle.activity_resumed.connect(self._on_idle_activity_resumed)
        self.idle.idle_timed_out.connect(self._on_idle_timed_out)
        self._done_timer = QTimer(self)
        self._done_timer.setSingleShot(True)
        self._done_timer.setInterval(done_return_ms)
        self._done_timer.timeout.connect(self.clear_screen)
        self._prewarm_timer = QTimer(self)
        self._prewarm_timer.setSingleShot(True)
        self._prewarm_timer.setInterval(60)
        self._prewarm_timer.timeout.connect(self._on_prewarm_timer_timeout)
        self._prewarm_stage = 0
        if self._ctx is not None:
            self._configure(self._ctx)
        self._apply_theme()
        self._retranslate()
        self._show_welcome()

    # --- public ----------------------------------------------------------------------------------

    def is_ready(self) -> bool:
        return self._ready

    @property
    def current_page(self) -> KioskPage | None:
        return self._page

    @property
    def flow(self) -> KioskFlow | None:
        return self._visit.flow if self._visit is not None else None

    @property
    def overlay(self) -> IdleOverlay:
        """The "Are you still there?" cover."""
        if self._overlay is None:
            self._overlay = IdleOverlay(self)
            self._overlay.setGeometry(self.rect())
            self._overlay.still_here_clicked.connect(self._on_overlay_still_here_clicked)
        return self._overlay

    @property
    def pin_dialog(self) -> StaffPinDialog | None:
        return self._pin_dialog

    @property
    def lang(self) -> str:
        return self._lang

    @property
    def theme(self) -> Theme:
        return self._theme

    def begin_visit(self, actor: Actor) -> None:
        """Start the visit the front desk handed to this station (VisitService.hand_over)."""
        if not self._ready:
            self._pending_handover = actor
            self._warm_up()
            return
        assert self._ctx is not None
        from intake.services.visits import VisitService

        self.clear_screen()
        visits = VisitService(self._ctx)
        self._visit = ActiveVisit(visits, actor)
        draft = visits.draft(actor, self._visit.visit_id)
        self._enter(draft, resume=draft.page not in ("", "welcome"))

    def set_text_size(self, index: int) -> None:
        index = max(0, min(len(TEXT_SIZES) - 1, index))
        if index != self._theme.size_index:
            self._theme = Theme(index, self._theme.high_contrast)
            self._apply_theme()
            self._retranslate()

    def set_high_contrast(self, on: bool) -> None:
        if on != self._theme.high_contrast:
            self._theme = Theme(self._theme.size_index, on)
            self._apply_theme()
            self._retranslate()

    def set_language(self, lang: str) -> None:
        self._set_language(lang)

    def clear_screen(self, reason: str = "cleared") -> None:
        """Forget the patient: every widget rebuilt, the pad wiped, the visit dropped.

        An unfinished visit is let go on the record too (``reason``: "idle", "closed",
        "cleared"), so the front desk's board says the patient left the kiosk.
        """
        self._release_visit(reason)
        self._generation += 1
        self._done_timer.stop()
        if self._pin_dialog is not None:
            dialog, self._pin_dialog = self._pin_dialog, None
            dialog.reject()
            dialog.deleteLater()
        if self.release_dialog is not None:
            release, self.release_dialog = self.release_dialog, None
            release.reject()
        if self._overlay is not None:
            self._overlay.hide()
        self.idle.set_enabled(False)
        self._visit = None
        self._scratch.clear()
        self._pending_start = None
        self._pending_handover = None
        self._lang = "en"
        self._lang_chosen = False
        if self._theme != Theme():
            self._theme = Theme()
            self._apply_theme()
        self._retranslate()
        self._show_welcome()
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self.screen_cleared.emit()

    def _release_visit(self, reason: str) -> None:
        visit, self._visit = self._visit, None
        if visit is None or not visit.visit_id:
            return
        flow = visit.flow
        if flow is not None and (flow.current.kind == "done" or flow.signed >= set(flow.signers())):
            return  # submitted: nothing is left unfinished
        try:
            visit.visits.release_kiosk(visit.actor, visit.visit_id, reason)
        except ServiceError as exc:
            # The screen clears whatever happens; the board then still says "at the kiosk".
            log.info("kiosk release not recorded: %s", type(exc).__name__)

    # --- start-up --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fill_screen()
        if not self._warm_started:
            QTimer.singleShot(300, self._warm_up)  # in case no paint comes (a covered window)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._warm_started:
            # Welcome is on screen before any database or service work begins.
            QTimer.singleShot(0, self._warm_up)

    def _warm_up(self) -> None:
        if self._warm_started:
            return
        self._warm_started = True
        ctx, factory = self._ctx, self._factory

        def work() -> AppContext:
            context = ctx if ctx is not None else factory()  # type: ignore[misc]
            for name in LATER:  # off the GUI thread, so the first visit opens without a stall
                importlib.import_module(name)
            return context

        run_in_background(self, work, self._on_warm_up_finished, self._on_warm_up_failed)

    def _on_warm_up_finished(self, ctx: AppContext) -> None:
        # Everything loaded so far lives as long as the process: keep it out of the cyclic
        # garbage collector's full passes, which otherwise stall the GUI thread for ~40 ms.
        gc.freeze()
        self._ctx = ctx
        self._configure(ctx)
        self._ready = True
        self._retranslate()
        if isinstance(self._page, WelcomePage):
            self._page.set_clinic(self._clinic)
            self._page.set_busy(False)
        self.ready.emit()
        self._prewarm_timer.start()
        if self._pending_handover is not None:
            actor, self._pending_handover = self._pending_handover, None
            self.begin_visit(actor)
        elif self._pending_start is not None:
            dob, code = self._pending_start
            self._pending_start = None
            self._on_welcome_start_requested(dob, code)

    def _on_prewarm_timer_timeout(self) -> None:
        """While Welcome waits, draw each kind of heavy page once, unseen, and throw it away.

        Qt and PySide do a lot of one-off work the first time a kind of widget is laid out and
        painted; doing it here keeps the first patient's page changes as quick as the rest.
        """
        if self._visit is not None or self._ctx is None:
            return  # a visit has begun: its pages warm themselves
        from intake.domain.wizard import KioskFlow
        from intake.ui.kiosk.mood import Phq9Page
        from intake.ui.kiosk.questions import QuestionPage
        from intake.ui.kiosk.risks import TopicPage

        forms = self._ctx.forms
        sample = KioskFlow(forms, self._ctx.today(), answers={"sex_at_birth": "female"})
        makers: list[Callable[[], KioskPage]] = [
            lambda: Phq9Page(forms.phq9, self._lang),
            lambda: QuestionPage(sample, forms.intake.pages[1].id, self._lang),
            lambda: QuestionPage(sample, forms.intake.pages[0].id, self._lang),
            lambda: TopicPage(sample, sample.topics()[0][0].id, self._lang),
        ]
        if self._prewarm_stage >= len(makers):
            return
        self.idle.install()
        page = makers[self._prewarm_stage]()
        self._prewarm_stage += 1
        page.setParent(self.stack)
        page.hide()
        page.resize(self.stack.size())
        page.grab()
        page.deleteLater()
        self._prewarm_timer.start()

    def _on_warm_up_failed(self, exc: Exception) -> None:
        log.error("the kiosk could not open its database: %s", type(exc).__name__)
        self._warm_started = False
        if isinstance(self._page, WelcomePage):
            self._page.set_busy(False)
            self._page.show_error(t("not_ready", self._lang))

    def _configure(self, ctx: AppContext) -> None:
        clinic = ctx.forms.clinic
        self._clinic = clinic.name
        if not self._fixed_timeouts:
            self.idle.set_timeouts(
                clinic.idle_timeout_seconds * 1000, clinic.idle_warning_seconds * 1000
            )

    # --- look and language -----------------------------------------------------------------------

    def _apply_theme(self) -> None:
        self.setStyleSheet(self._theme.style_sheet())
        self._colour_pads()

    def _colour_pads(self) -> None:
        module = sys.modules.get("intake.ui.widgets.signature_pad")
        if module is None:
            return  # no pad has been made yet
        colors = self._theme.colors
        for pad in self.findChildren(module.SignaturePadWidget):
            pad.set_colors(colors["ink"], colors["pad"], colors["guide"])

    def _retranslate(self) -> None:
        self.setWindowTitle(t("window_title", self._lang))
        self.bar.retranslate(self._lang, self._theme, self._clinic)
        self._update_nav()

    def _set_language(self, lang: str) -> None:
        if lang not in LANGS:
            return
        self._lang_chosen = True
        if lang == self._lang:
            return
        snapshot = self._page.snapshot() if self._page is not None else {}
        self._lang = lang
        visit = self._visit
        if visit is not None and visit.flow is not None:
            visit.flow.lang = lang
            if not visit.flow.signed:
                try:
                    visit.visits.set_language(visit.actor, visit.visit_id, lang)
                except ServiceError as exc:
                    log.info("language not saved: %s", type(exc).__name__)
        self._retranslate()
        if visit is not None and visit.flow is not None and visit.flow.current.kind != "welcome":
            state = self._page.state if isinstance(self._page, DonePage) else None
            page = self._build_page(visit.flow.current)
            page.restore(snapshot)
            if isinstance(page, DonePage) and state:
                page.set_state(state)
            self._swap_page(page)
            self._update_nav()
        elif isinstance(self._page, ResumePage):
            self._show_resume()
        else:
            self._show_welcome(snapshot)

    def _on_bar_language_chosen(self, lang: str) -> None:
        self._set_language(lang)

    def _on_welcome_language_chosen(self, lang: str) -> None:
        self._set_language(lang)

    def _on_bar_text_size_chosen(self, index: int) -> None:
        self.set_text_size(index)

    def _on_bar_contrast_toggled(self, on: bool) -> None:
        self.set_high_contrast(on)

    # --- pages -----------------------------------------------------------------------------------

    def _swap_page(self, page: KioskPage) -> None:
        old, self._page = self._page, page
        page.completeness_changed.connect(self._on_page_completeness_changed)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        if page.objectName().startswith("page_sign"):
            self._colour_pads()
        if old is not None:
            old.wipe()
            self.stack.removeWidget(old)
            old.deleteLater()
        page.focus_first()

    def _show_welcome(self, snapshot: dict[str, Any] | None = None) -> None:
        page = WelcomePage(self._lang, self._clinic if self._ready or self._ctx else "")
        page.language_chosen.connect(self._on_welcome_language_chosen)
        page.start_requested.connect(self._on_welcome_start_requested)
        page.input_changed.connect(self._on_welcome_input_changed)
        if snapshot:
            page.restore(snapshot)
        self._swap_page(page)
        self._update_nav()

    def _show_resume(self) -> None:
        page = ResumePage(self._lang)
        page.staff_continue_requested.connect(self._on_resume_page_staff_continue_requested)
        page.cancelled.connect(self.clear_screen)
        self._swap_page(page)
        self._update_nav()

    def _build_page(self, step: Step) -> KioskPage:
        from zoneinfo import ZoneInfo

        from intake.ui.kiosk.mood import HelpNowPage, Phq9Page
        from intake.ui.kiosk.questions import QuestionPage
        from intake.ui.kiosk.quiz import QuizPage
        from intake.ui.kiosk.review import ReviewPage
        from intake.ui.kiosk.risks import GuardianPage, TopicPage
        from intake.ui.kiosk.signing import SignaturePage
        from intake.ui.kiosk.staff_check import StaffCheckPage

        assert self._visit is not None and self._visit.flow is not None and self._ctx is not None
        flow, lang, forms = self._visit.flow, self._lang, self._ctx.forms
        page: KioskPage
        match step.kind:
            case "intake":
                page = QuestionPage(flow, step.key, lang)
                page.dob_disputed.connect(self._on_question_page_dob_disputed)
            case "staff_check":
                page = StaffCheckPage(lang)
                page.staff_continue_requested.connect(
                    self._on_staff_check_page_staff_continue_requested
                )
            case "phq9":
                page = Phq9Page(forms.phq9, lang)
                if flow.phq9_done:
                    page.restore(
                        {
                            "answers": [flow.answers.get(f"phq9_{i}") for i in range(1, 10)],
                            "difficulty": flow.answers.get("phq9_difficulty") or "",
                        }
                    )
            case "help_now":
                page = HelpNowPage(forms.phq9, lang)
                page.staff_continue_requested.connect(self._on_help_page_staff_continue_requested)
            case "guardian":
                page = GuardianPage(flow, lang)
            case "topic":
                page = TopicPage(flow, step.key, lang)
                page.acknowledged.connect(self._on_topic_page_acknowledged)
            case "quiz":
                page = QuizPage(flow, step.key, lang)
            case "review":
                page = ReviewPage(flow, lang)
            case "sign":
                now = self._ctx.now().astimezone(ZoneInfo(forms.clinic.timezone))
                page = SignaturePage(flow, step.key, lang, now)
            case "done":
                page = DonePage(lang)
                page.finished.connect(self._on_done_page_finished)
            case _:
                raise ValueError(f"no page for {step}")
        return page

    def _show_step(self) -> None:
        visit = self._visit
        assert visit is not None and visit.flow is not None
        step = visit.flow.current
        page = self._build_page(step)
        snapshot = self._scratch.pop(step.id, None)
        if snapshot:
            page.restore(snapshot)
        self._swap_page(page)
        self._update_nav()
        if step.kind != "done" and not visit.flow.signed:
            try:
                visit.visits.set_page(visit.actor, visit.visit_id, step.id)
            except ServiceError as exc:
                log.info("page not recorded: %s", type(exc).__name__)
        # Nobody is left alone with personal data on screen; the help page holds none and
        # stays up until staff come.
        self.idle.set_enabled(step.kind != "help_now")
        self.idle.poke()
        self.page_changed.emit(step.id)
        if step.kind == "done":
            self._issue_documents()

    def _update_nav(self) -> None:
        visit, page = self._visit, self._page
        flow = visit.flow if visit is not None else None
        if flow is None or page is None or flow.current.kind in NO_NAV:
            self.nav.hide()
            return
        lang = self._lang
        step = flow.current
        label = t("next", lang)
        forward = page.is_complete()
        if step.kind == "topic":
            forward = flow.can_go_next()
        elif step.kind == "quiz":
            if flow.quiz_detour_pending():
                label, forward = t("read_again", lang), True
            elif step.key in flow.quiz_correct:
                label = t("next", lang)
            else:
                label = t("check_answer", lang)
        elif step.kind == "review":
            label, forward = t("go_to_signing", lang), True
        elif step.kind == "sign":
            label = t("sign", lang)
        position, total = flow.progress()
        where = progress_text(flow.place(), lang)
        self.nav.set_state(
            lang,
            back=flow.can_go_back(),
            forward=forward,
            next_label=label,
            where=where,
            position=position,
            total=total,
        )
        self.nav.show()

    def _on_page_completeness_changed(self, _complete: bool) -> None:
        self._update_nav()

    # --- welcome ---------------------------------------------------------------------------------

    def _on_welcome_input_changed(self, has_input: bool) -> None:
        if self._visit is None:
            self.idle.set_enabled(has_input)

    def _on_welcome_start_requested(self, dob: dt.date, code: str) -> None:
        page = self._page
        if not self._ready:
            self._pending_start = (dob, code)
            if isinstance(page, WelcomePage):
                page.set_busy(True)
            self._warm_up()
            return
        assert self._ctx is not None
        from intake.services.visits import VisitService

        visits = VisitService(self._ctx)
        try:
            actor = visits.open_by_code(dob, code)
        except Locked as exc:
            # The service counts wrong codes for this date of birth over every station; the
            # kiosk only says so. Another patient may still start here with their own details.
            if isinstance(page, WelcomePage):
                page.show_refusal(message(str(exc), self._lang))
            return
        except ServiceError as exc:
            if isinstance(page, WelcomePage):
                page.show_error(message(str(exc), self._lang))
            return
        self._visit = ActiveVisit(visits, actor)
        try:
            draft = visits.draft(actor, self._visit.visit_id)
        except ServiceError as exc:
            self._visit = None
            if isinstance(page, WelcomePage):
                page.show_error(message(str(exc), self._lang))
            return
        self.idle.set_enabled(True)
        if draft.page not in ("", "welcome"):
            # A visit already under way (a restart, or the screen cleared itself): staff confirm.
            self._show_resume()
        else:
            self._enter(draft, resume=False)

    def _enter(self, draft: VisitDraft, *, resume: bool) -> None:
        from intake.domain.wizard import Guardian, KioskFlow

        assert self._visit is not None and self._ctx is not None
        lang = self._lang if self._lang_chosen else (draft.lang if draft.lang in LANGS else "en")
        flow = KioskFlow.from_saved(
            self._ctx.forms,
            draft.visit_date,
            answers=draft.answers,
            acknowledged=draft.acknowledged.keys(),
            phq9_done=draft.phq9_done,
            needs_staff=bool(draft.needs_staff) and draft.needs_staff != "identity",
            identity_hold=draft.needs_staff == "identity",
            quiz_passed=draft.quiz_passed,
            signed=draft.signed_roles,
            lang=lang,
            quiz_open=draft.quiz_open,
            reacknowledge=draft.reacknowledge,
            guardian=Guardian(*draft.guardian) if draft.guardian else None,
        )
        self._visit.flow = flow
        if lang != draft.lang:
            try:
                self._visit.visits.set_language(self._visit.actor, self._visit.visit_id, lang)
            except ServiceError as exc:
                log.info("language not saved: %s", type(exc).__name__)
        if lang != self._lang:
            self._lang = lang
            self._retranslate()
        if resume:
            flow.resume(draft.page)
        else:
            flow.start()
        self.visit_opened.emit(self._visit.visit_id)
        self._show_step()

    # --- moving through the visit ----------------------------------------------------------------

    def _on_nav_back_clicked(self) -> None:
        visit, page = self._visit, self._page
        if visit is None or visit.flow is None or page is None or not visit.flow.can_go_back():
            return
        self._scratch[visit.flow.current.id] = page.snapshot()
        visit.flow.back()
        self._show_step()

    def _show_service_error(self, exc: ServiceError) -> None:
        """A refusal or an unreachable database, said on the page in the patient's language
        (every page translates the services' wording itself, once)."""
        if self._page is not None:
            self._page.show_errors({"_": str(exc)})

    def _on_nav_next_clicked(self) -> None:
        visit, page = self._visit, self._page
        if visit is None or visit.flow is None or page is None:
            return
        flow = visit.flow
        step = flow.current
        try:
            proceed = self._commit(visit, flow, step, page)
        except InvalidInput as exc:
            page.show_errors(exc.errors)
            self._update_nav()
            return
        except ServiceError as exc:
            self._show_service_error(exc)
            self._update_nav()
            return
        if not proceed:
            self._update_nav()
            return
        self._scratch.pop(step.id, None)
        flow.next()
        self._show_step()

    def _commit(self, visit: ActiveVisit, flow: KioskFlow, step: Step, page: KioskPage) -> bool:
        """Save what the page holds through the services; False to stay on the page."""
        from intake.domain.errors import ValidationError
        from intake.ui.kiosk.mood import Phq9Page
        from intake.ui.kiosk.questions import QuestionPage
        from intake.ui.kiosk.quiz import QuizPage
        from intake.ui.kiosk.review import ReviewPage
        from intake.ui.kiosk.risks import GuardianPage
        from intake.ui.kiosk.signing import SignaturePage

        actor, vid, visits = visit.actor, visit.visit_id, visit.visits
        if step.kind == "intake" and isinstance(page, QuestionPage):
            problems = page.local_problems()
            if problems:
                page.show_errors(problems)
                return False
            values = visits.save_page(actor, vid, step.key, page.raw_values())
            flow.record_answers(step.key, values)
            if set(page.fields) & {"first_name", "last_name", "date_of_birth"}:
                # A name typed differently from the record waits for staff to check it.
                flow.identity_hold = visits.staff_reason(actor, vid) == "identity"
            return True
        if step.kind == "phq9" and isinstance(page, Phq9Page):
            answers = page.answers()
            saved = [flow.answers.get(f"phq9_{i}") for i in range(1, 10)]
            if (
                flow.phq9_done
                and answers == saved
                and (page.difficulty_value() == (flow.answers.get("phq9_difficulty") or ""))
            ):
                return True  # back here and on again, unchanged: no second save, no new alert
            alert = visits.save_phq9(actor, vid, answers, page.difficulty_value())
            for i, value in enumerate(answers, start=1):
                flow.answers[f"phq9_{i}"] = value
            flow.answers["phq9_difficulty"] = page.difficulty_value()
            flow.record_phq9(alert)
            return True
        if step.kind == "guardian" and isinstance(page, GuardianPage):
            try:
                named = page.guardian()
            except ValidationError as exc:
                page.show_errors({exc.field: exc.message})
                return False
            # Kept with the draft: a restart does not ask the guardian for their name again.
            visits.save_guardian(actor, vid, named.first_name, named.last_name, named.relationship)
            flow.set_guardian(named)
            return True
        if step.kind == "quiz" and isinstance(page, QuizPage):
            if flow.quiz_detour_pending():
                return True
            chosen = page.chosen()
            if chosen is None:
                return False
            if step.key in flow.quiz_correct and chosen == page.question.answer:
                return True
            outcome = visits.answer_quiz(actor, vid, step.key, chosen)
            flow.record_quiz(step.key, outcome.correct, outcome.retest_statements)
            if not outcome.correct:
                page.show_wrong()
                return False
            return True
        if step.kind == "review" and isinstance(page, ReviewPage):
            return self._review_complete(visit, flow, page)
        if step.kind == "sign" and isinstance(page, SignaturePage):
            name, strokes, width, height = page.signature()
            guardian = flow.guardian if step.key == "guardian" else None
            relationship = guardian.relationship if guardian is not None else ""
            signed = visits.sign(
                actor,
                vid,
                step.key,
                name,
                strokes,
                width,
                height,
                relationship=relationship,
                method="typed" if page.pad.typed else "drawn",
            )
            flow.record_signature(step.key)
            if signed.submitted:
                self.visit_submitted.emit(vid)
            return True
        return flow.can_go_next()

    def _review_complete(self, visit: ActiveVisit, flow: KioskFlow, page: ReviewPage) -> bool:
        """Ask storage whether everything before signing is there; if not, go and finish it."""
        from intake.domain.wizard import Step

        from intake.services.completeness import MissingKind

        missing = visit.visits.completeness(visit.actor, visit.visit_id).before_signing()
        if not missing:
            return True
        target: Step | None = None
        for item in missing:
            if item.kind is MissingKind.QUIZ:
                # The quiz results behind a resumed visit are not known here: every statement
                # the quiz tests is initialled again, which satisfies the retest rule.
                flow.require_reacknowledgement(
                    {sid for q in flow.quiz_questions() for sid in q.tests}
                )
            elif item.kind is MissingKind.ACKNOWLEDGEMENT:
                sid, role = item.id, item.role
                flow.acknowledged.discard((sid, role))
                if role == "patient":
                    flow.reacknowledge.add(sid)
        target = flow.first_pending_topic()
        if target is None:
            page.show_notice(t("review_missing", self._lang) + " " + "; ".join(map(str, missing)))
            return False
        page.show_notice(t("review_gap", self._lang))
        flow.go_to(target, return_to=Step("review"))
        self._show_step()
        return False

    def _on_topic_page_acknowledged(self, statement_id: str, role: str, initials: str) -> None:
        from intake.ui.kiosk.risks import TopicPage

        visit, page = self._visit, self._page
        if visit is None or visit.flow is None or not isinstance(page, TopicPage):
            return
        flow = visit.flow
        guardian = (
            (flow.guardian.first_name, flow.guardian.last_name)
            if role == "guardian" and flow.guardian is not None
            else None
        )
        try:
            clean = visit.visits.acknowledge(
                visit.actor,
                visit.visit_id,
                statement_id,
                role,
                initials,
                page_seconds=page.elapsed(),
                guardian_name=guardian,
            )
        except InvalidInput as exc:
            page.show_initials_error(statement_id, role, " ".join(exc.errors.values()))
            return
        except ServiceError as exc:
            page.show_initials_error(statement_id, role, str(exc))
            return
        flow.record_acknowledgement(statement_id, role)
        page.mark_acknowledged(statement_id, role, clean)
        self._update_nav()

    # --- staff -----------------------------------------------------------------------------------

    def _ask_staff(self, purpose: str, on_confirmed: Callable[[Any], None]) -> None:
        from intake.ui.kiosk.staff_pin import StaffPinDialog

        if self._ctx is None:
            return
        if self._pin_dialog is not None:
            self._pin_dialog.reject()
            self._pin_dialog.deleteLater()
        dialog = StaffPinDialog(self._ctx, self._lang, purpose, self)
        dialog.staff_confirmed.connect(on_confirmed)
        dialog.rejected.connect(self._on_pin_dialog_rejected)
        self._pin_dialog = dialog
        dialog.open()

    def _on_pin_dialog_rejected(self) -> None:
        dialog = self.sender()
        if dialog is self._pin_dialog and self._pin_dialog is not None:
            self._pin_dialog = None
            dialog.deleteLater()

    def _staff_actor(self, info: Any) -> Actor:
        from intake.services.staff import staff_actor

        return staff_actor(info)

    def _on_bar_staff_requested(self) -> None:
        self._ask_staff("leave", self._on_staff_confirmed_leave)

    def _on_staff_confirmed_leave(self, _info: object) -> None:
        self._pin_dialog = None
        self._close_allowed = True
        self.clear_screen("closed")
        self.kiosk_left.emit()
        self.close()

    def _on_help_page_staff_continue_requested(self) -> None:
        self._ask_staff("continue", self._on_staff_confirmed_continue)

    def _on_staff_confirmed_continue(self, info: object) -> None:
        self._pin_dialog = None
        visit = self._visit
        if visit is None or visit.flow is None:
            return
        staff = self._staff_actor(info)
        try:
            visit.visits.staff_continue(staff, visit.visit_id)
        except InvalidInput as exc:
            if "note" in exc.errors:  # a positive mood screen: released with a note
                self._ask_release_note(staff)
                return
            self._show_service_error(exc)
            return
        except ServiceError as exc:
            self._show_service_error(exc)
            return
        self._on_visit_released()

    def _ask_release_note(self, staff: Actor) -> None:
        from intake.services.alerts import AlertService
        from intake.ui.staff.release_dialog import AlertReleaseDialog

        visit = self._visit
        if self._ctx is None or visit is None:
            return
        dialog = AlertReleaseDialog(AlertService(self._ctx), staff, visit.visit_id, "", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.released.connect(self._on_release_dialog_released)
        dialog.finished.connect(self._on_release_dialog_finished)
        self.release_dialog = dialog
        dialog.open()

    def _on_release_dialog_released(self, _info: object) -> None:
        self._on_visit_released()

    def _on_release_dialog_finished(self, _result: int) -> None:
        self.release_dialog = None

    def _on_visit_released(self) -> None:
        visit = self._visit
        if visit is None or visit.flow is None:
            return
        visit.flow.staff_attended()
        if visit.flow.current.kind == "help_now":
            visit.flow.next()
        self._show_step()

    def _on_question_page_dob_disputed(self) -> None:
        """ "This is not my date of birth": the visit waits for staff to check the record."""
        visit, page = self._visit, self._page
        if visit is None or visit.flow is None or page is None:
            return
        try:
            visit.visits.dispute_date_of_birth(visit.actor, visit.visit_id)
        except ServiceError as exc:
            self._show_service_error(exc)
            return
        self._scratch[visit.flow.current.id] = page.snapshot()
        visit.flow.hold_for_identity()
        self._show_step()

    def _on_staff_check_page_staff_continue_requested(self) -> None:
        self._ask_staff("continue", self._on_staff_confirmed_identity)

    def _on_staff_confirmed_identity(self, info: object) -> None:
        from intake.domain.identity import IDENTITY_FIELDS

        self._pin_dialog = None
        visit = self._visit
        if visit is None or visit.flow is None:
            return
        try:
            visit.visits.staff_continue(self._staff_actor(info), visit.visit_id)
            draft = visit.visits.draft(visit.actor, visit.visit_id)
        except InvalidInput as exc:
            if self._page is not None:
                self._page.show_errors(exc.errors)
            return
        except ServiceError as exc:
            self._show_service_error(exc)
            return
        record = {k: draft.answers[k] for k in IDENTITY_FIELDS if k in draft.answers}
        visit.flow.identity_checked(record)
        self._show_step()

    def _on_resume_page_staff_continue_requested(self) -> None:
        self._ask_staff("resume", self._on_staff_confirmed_resume)

    def _on_staff_confirmed_resume(self, _info: object) -> None:
        self._pin_dialog = None
        visit = self._visit
        if visit is None:
            return
        try:
            draft = visit.visits.draft(visit.actor, visit.visit_id)
        except ServiceError as exc:
            self._show_service_error(exc)
            return
        self._enter(draft, resume=True)

    # --- idle ------------------------------------------------------------------------------------

    def _on_idle_warning_started(self, seconds: int) -> None:
        self.overlay.show_countdown(self._lang, seconds)

    def _on_idle_countdown_ticked(self, seconds: int) -> None:
        self.overlay.set_seconds(seconds)

    def _on_idle_activity_resumed(self) -> None:
        if self._overlay is not None:
            self._overlay.hide()

    def _on_overlay_still_here_clicked(self) -> None:
        self.idle.poke()
        self.overlay.hide()
        if self._page is not None:
            self._page.focus_first()

    def _on_idle_timed_out(self) -> None:
        self.idle_timed_out.emit()
        self.clear_screen("idle")

    # --- done ------------------------------------------------------------------------------------

    def _issue_documents(self) -> None:
        visit, ctx = self._visit, self._ctx
        assert visit is not None and ctx is not None
        actor, vid, generation = visit.actor, visit.visit_id, self._generation

        def work() -> tuple[int, Any, str]:
            try:
                from intake.services.documents import DocumentService
            except ImportError as exc:
                return generation, None, f"documents are not available: {exc}"
            try:
                return generation, DocumentService(ctx).issue_documents(actor, vid), ""
            except ServiceError as exc:
                return generation, None, str(exc)

        run_in_background(self, work, self._on_documents_finished, self._on_documents_failed)

    def _on_documents_finished(self, payload: tuple[int, Any, str]) -> None:
        generation, documents, problem = payload
        if problem:
            log.warning("kiosk documents left to staff")
        if generation != self._generation:
            return  # the screen was cleared meanwhile; the documents are in storage anyway
        if isinstance(self._page, DonePage):
            self._page.set_state("ready" if documents else "by_staff")
        self.documents_finished.emit(documents)
        self._done_timer.start()

    def _on_documents_failed(self, exc: Exception) -> None:
        log.error("kiosk documents failed: %s", type(exc).__name__)
        if isinstance(self._page, DonePage):
            self._page.set_state("by_staff")
        self.documents_finished.emit(None)
        self._done_timer.start()

    def _on_done_page_finished(self) -> None:
        self.clear_screen()

    # --- window ----------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._fill_screen()

    def _fill_screen(self) -> None:
        """Full screen means the whole screen, also on a station with no window manager
        (a bare X server honours no full-screen request by itself)."""
        if not self.windowState() & Qt.WindowState.WindowFullScreen:
            return
        screen = self.screen()
        if screen is not None and self.geometry() != screen.geometry():
            self.setGeometry(screen.geometry())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._overlay is not None:
            self._overlay.setGeometry(self.rect())

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._locked and not self._close_allowed:
            event.ignore()
            self._ask_staff("leave", self._on_staff_confirmed_leave)
            return
        self.idle.stop()
        self._done_timer.stop()
        if self._page is not None:
            self._page.wipe()
        self._release_visit("closed")
        super().closeEvent(event)
