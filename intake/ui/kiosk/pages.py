"""The page for each step of the flow (Welcome, Resume and Done are made by the window)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from intake.ui.kiosk.mood import HelpNowPage, Phq9Page
from intake.ui.kiosk.questions import QuestionPage
from intake.ui.kiosk.quiz import QuizPage
from intake.ui.kiosk.review import ReviewPage
from intake.ui.kiosk.risks import GuardianPage, NoticePage, ReconsentPage, TopicPage
from intake.ui.kiosk.signing import SignaturePage
from intake.ui.kiosk.staff_check import StaffCheckPage
from intake.ui.kiosk.text import message, missing_text, t
from intake.ui.kiosk.welcome import DonePage, WelcomePage

if TYPE_CHECKING:
    from intake.domain.wizard import KioskFlow, Step
    from intake.forms import model as fm
    from intake.services.context import AppContext
    from intake.services.kiosk_payloads import Notice, ViewState
    from intake.ui.kiosk.base import KioskPage


def build_page(step: Step, flow: KioskFlow, lang: str, ctx: AppContext) -> KioskPage:
    forms = ctx.forms
    page: KioskPage
    match step.kind:
        case "intake":
            page = QuestionPage(flow, step.key, lang)
        case "staff_check":
            page = StaffCheckPage(lang)
        case "phq9":
            page = Phq9Page(forms.phq9, lang)
            if flow.phq9_done:
                answers, difficulty = flow.phq9_answers()
                page.restore({"answers": answers, "difficulty": difficulty})
        case "help_now":
            page = HelpNowPage(forms.phq9, lang)
        case "guardian":
            page = GuardianPage(flow, lang)
        case "reconsent":
            page = ReconsentPage(flow, lang)
        case "notice":
            page = NoticePage(flow, lang)
        case "topic":
            page = TopicPage(flow, step.key, lang)
        case "quiz":
            page = QuizPage(flow, step.key, lang)
        case "review":
            page = ReviewPage(flow, lang)
        case "sign":
            now = ctx.now().astimezone(ZoneInfo(forms.clinic.timezone))
            page = SignaturePage(flow, step.key, lang, now)
        case "done":
            page = DonePage(lang)
        case _:
            raise ValueError(f"no page for {step}")
    return page


def show_on_page(page: KioskPage, view: ViewState, lang: str, forms: fm.FormSet | None) -> None:
    """Errors, a notice or the quiz's explanation, on the page that stays."""
    if view.quiz_wrong and isinstance(page, QuizPage):
        page.show_wrong()
    if view.notice is not None and isinstance(page, ReviewPage):
        page.show_notice(notice_text(view.notice, lang, forms))
    if not view.errors:
        return
    if isinstance(page, WelcomePage):
        text = " ".join(message(m, lang) for m in view.errors.values())
        (page.show_refusal if view.refused else page.show_error)(text)
    else:
        page.show_errors(dict(view.errors))


def notice_text(notice: Notice, lang: str, forms: fm.FormSet | None) -> str:
    """The notice in words: its message, then what is missing, each in the patient's language."""
    questions = {q.id: q for p in forms.intake.pages for q in p.questions} if forms else {}
    words = [
        missing_text(m, lang, questions[m.id].label(lang) if m.id in questions else "")
        for m in notice.missing
    ]
    return " ".join([t(notice.key, lang, **notice.values), "; ".join(words)]).strip()
