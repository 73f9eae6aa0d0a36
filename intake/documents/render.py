"""Consent, education packet and intake summary as PDF bytes: data in, bytes out.

Rendering is pure and deterministic: the same record and forms give the same bytes (reportlab's
invariant mode, the creation date taken from the record), so a document can be made again and
compared, and tested without Qt or a database. Every page carries the document id, its issue,
"page X of Y", the form versions, a short fingerprint of the record and a QR code of the id, issue
and fingerprint (``check_payload``), so a paper copy can be checked. The output is PDF/A-3b
(``intake.documents.pdfa``); the consent can carry the visit's FHIR record as an associated file.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from intake.documents.errors import FormsMismatch
from intake.documents.fingerprint import check_payload, record_fingerprint
from intake.documents.pdfa import Attachment, make_pdfa
from intake.documents.rows import Lines, Row, Rows, Rule, fit
from intake.domain import phq9, rules
from intake.domain.dates import month_name, weekday_name
from intake.domain.records import ConsentRecord, SignatureRecord
from intake.domain.validation import format_phone
from intake.forms.model import Bullet, FormSet, Question, Section

__all__ = [
    "PAGE_SIZES",
    "record_fingerprint",
    "render_consent",
    "render_education",
    "render_summary",
]

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}
PRODUCER = "isotretinoin-intake documents"
RECORD_FILE = "record.fhir.json"
FHIR_MIME = "application/fhir+json"

# A calm palette: dark slate text, one blue accent, tints only where attention is needed.
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#c3ccd5")
ACCENT = colors.HexColor("#1d4e89")
PALE = colors.HexColor("#eef2f6")
ALERT_BG = colors.HexColor("#fbe4e4")
ALERT_INK = colors.HexColor("#9b1c1c")
WARN_BG = colors.HexColor("#fff3d6")
WARN_INK = colors.HexColor("#8a5a00")
OK_INK = colors.HexColor("#1e6b3a")

MARGIN_X = 54.0
FOOTER_H = 62.0  # frame bottom: room for the footer rule and its two lines
HEADER_FIRST_H = 104.0  # distance from the page top to the first page's frame
HEADER_LATER_H = 66.0
# The QR code in each footer's right corner (quiet zone included): 0.65 in, ~0.4 mm a module.
QR_SIZE = 47.0
QR_BOTTOM = 14.0  # dark modules ~20 pt (7 mm) above the edge: clear of a printer's unprinted margin
QR_GAP = 8.0
QR_QUIET = 4  # modules of white around the code, as the QR standard asks

# --- strings --------------------------------------------------------------------------------------

UI: dict[str, dict[str, str]] = {
    "en": {
        "consent_title": "Consent to isotretinoin treatment",
        "consent_meta_title": "Isotretinoin consent",
        "education_title": "Your isotretinoin treatment guide",
        "education_meta_title": "Isotretinoin education packet",
        "summary_title": "Intake summary",
        "summary_meta_title": "Isotretinoin intake summary",
        "summary_audience": "For the clinical team only. The mood-screen score is never shown to the patient.",
        "page": "page {page} of {pages}",
        "document": "Document",
        "fingerprint": "fingerprint",
        "issue": "issue",
        "forms": "Forms",
        "rules": "rules",
        "patient": "Patient",
        "guardian": "Parent or guardian",
        "clinician": "Dermatologist",
        "dob": "Date of birth",
        "record_number": "Record number",
        "visit_date": "Visit date",
        "language": "Language",
        "dermatologist": "Dermatologist",
        "consent_form": "Risk statements",
        "ruleset": "Programme rules",
        "document_id": "Document",
        "supersedes": "Replaces document",
        "not_recorded": "not recorded",
        "dermatologist_pending": "to be countersigned by a clinic dermatologist",
        "released_title": "Released for the visit to continue",
        "released_line": "{who} ({role}), {when}",
        "role_front_desk": "front desk",
        "role_clinician": "clinician",
        "role_admin": "administrator",
        "consent_intro": "Each statement below was explained, read and initialled on its own. "
        "The time shown is when it was acknowledged ({tz}).",
        "consent_intro_minor": "Because the patient is under 18, a parent or guardian also read and "
        "initialled each statement. The times shown are when each was acknowledged ({tz}).",
        "col_statement": "Statement",
        "col_initials": "Initials and time",
        "col_patient": "Patient",
        "col_guardian": "Guardian",
        "not_acknowledged": "not acknowledged",
        "not_applicable": "n/a",
        "quiz_title": "Understanding check",
        "quiz_passed": "Passed",
        "quiz_not_passed": "Not passed",
        "quiz_result": "Result",
        "quiz_questions": "Questions asked",
        "quiz_answers": "Answers given (including second tries)",
        "quiz_first_time": "Right the first time",
        "contraception_title": "Birth control chosen",
        "contraception_intro": "Methods the patient chose to use from 1 month before, during, and for "
        "1 month after treatment:",
        "contraception_none": "None chosen yet: to be agreed with the dermatologist before treatment starts.",
        "minor_title": "Consent given as a minor",
        "minor_note": "The patient was under 18 on the visit date. When the patient turns 18 on "
        "<b>{date}</b>, they must give their own consent again before treatment continues.",
        "signatures_title": "Signatures",
        "signatures_intro": "Each signature was drawn on the clinic's signature pad and belongs to this "
        "record only (fingerprint {fp}). Any later change to the signed file can be detected.",
        "declaration_patient": "I have read and understood every statement above, my questions "
        "were answered, and I agree to treatment with isotretinoin.",
        "declaration_guardian": "As the patient's parent or legal guardian, I have read every statement "
        "above with the patient and I agree to this treatment.",
        "declaration_clinician": "I have explained the risks, checked the patient's understanding "
        "and confirm that isotretinoin is appropriate.",
        "printed_name": "Printed name",
        "signed_at": "Date and time",
        "meaning": "Meaning",
        "relationship": "Relationship to patient",
        "method": "How signed",
        "method_typed": "typed name, signed from the keyboard",
        "meaning_patient": "consent signature",
        "meaning_guardian": "guardian consent",
        "meaning_clinician": "prescriber attestation",
        "reviewed": "Reviewed before signing",
        "due_clinician": "Countersignature due — prescriber attestation",
        "due_patient": "Patient signature due — consent signature",
        "due_guardian": "Guardian signature due — guardian consent",
        "prepared_for": "Prepared for {name} on {date}",
        "your_details": "Your details",
        "your_clinic": "Your clinic",
        "name": "Name",
        "phone": "Phone",
        "email": "Email",
        "address": "Address",
        "hours": "Hours",
        "course_title": "Your planned course",
        "course_intro": "Treatment usually lasts {lo} to {hi} months. You will see us about every "
        "{days} days for a check-up, blood tests{pregnancy} and your next prescription.",
        "course_pregnancy": " and a pregnancy test",
        "course_none": "Your visit dates will be set at your next appointment.",
        "visit": "Visit",
        "date": "Date",
        "flags_title": "Flags for review",
        "flags_none": "No flags raised.",
        "alert": "ALERT",
        "warning": "REVIEW",
        "phq9_title": "Mood screen (PHQ-9)",
        "phq9_missing": "Not completed.",
        "phq9_total": "Total score",
        "phq9_band": "Severity",
        "phq9_item9_positive": "Item 9 positive: thoughts of being better off dead or of self-harm. "
        "Same-visit follow-up needed before the patient leaves.",
        "phq9_item9_negative": "Item 9 (thoughts of self-harm): not at all.",
        "phq9_item": "Item",
        "phq9_answer": "Answer",
        "phq9_score": "Score",
        "phq9_difficulty": "Difficulty caused",
        "medicines_title": "Medicines and interactions",
        "medicines_none": "No interacting medicines reported.",
        "consent_status_title": "Consent status",
        "statements_acknowledged": "Risk statements acknowledged",
        "signatures_present": "Signatures",
        "signed": "signed",
        "missing": "missing",
        "answers_title": "Answers",
        "other_answers": "Other answers",
        "can_become_pregnant": "Can become pregnant",
        "is_minor": "Under 18",
        "yes": "Yes",
        "no": "No",
        "kg": "kg",
    },
    "es": {
        "consent_title": "Consentimiento para el tratamiento con isotretinoína",
        "consent_meta_title": "Consentimiento para isotretinoína",
        "education_title": "Su guía del tratamiento con isotretinoína",
        "education_meta_title": "Guía educativa sobre la isotretinoína",
        "summary_title": "Resumen de la admisión",
        "summary_meta_title": "Resumen de la admisión para isotretinoína",
        "summary_audience": "Solo para el equipo clínico. La puntuación del cuestionario del estado de "
        "ánimo nunca se muestra al paciente.",
        "page": "página {page} de {pages}",
        "document": "Documento",
        "fingerprint": "huella",
        "issue": "emisión",
        "forms": "Formularios",
        "rules": "reglas",
        "patient": "Paciente",
        "guardian": "Madre, padre o tutor",
        "clinician": "Dermatólogo/a",
        "dob": "Fecha de nacimiento",
        "record_number": "Número de expediente",
        "visit_date": "Fecha de la visita",
        "language": "Idioma",
        "dermatologist": "Dermatólogo/a",
        "consent_form": "Declaraciones de riesgos",
        "ruleset": "Reglas del programa",
        "document_id": "Documento",
        "supersedes": "Reemplaza al documento",
        "not_recorded": "no consta",
        "dermatologist_pending": "pendiente de la firma de un dermatólogo/a de la clínica",
        "released_title": "Autorizado para seguir con la visita",
        "released_line": "{who} ({role}), {when}",
        "role_front_desk": "recepción",
        "role_clinician": "médico/a",
        "role_admin": "administración",
        "consent_intro": "Cada declaración se explicó, se leyó y se firmó con las iniciales por "
        "separado. La hora indicada es cuando se confirmó ({tz}).",
        "consent_intro_minor": "Como el paciente es menor de 18 años, su madre, padre o tutor también "
        "leyó cada declaración y puso sus iniciales. Las horas indicadas son cuando se confirmó cada "
        "una ({tz}).",
        "col_statement": "Declaración",
        "col_initials": "Iniciales y hora",
        "col_patient": "Paciente",
        "col_guardian": "Tutor",
        "not_acknowledged": "sin confirmar",
        "not_applicable": "no aplica",
        "quiz_title": "Comprobación de lo entendido",
        "quiz_passed": "Superada",
        "quiz_not_passed": "No superada",
        "quiz_result": "Resultado",
        "quiz_questions": "Preguntas hechas",
        "quiz_answers": "Respuestas dadas (incluidos los segundos intentos)",
        "quiz_first_time": "Correctas al primer intento",
        "contraception_title": "Métodos anticonceptivos elegidos",
        "contraception_intro": "Métodos que la paciente eligió usar desde 1 mes antes, durante y hasta "
        "1 mes después del tratamiento:",
        "contraception_none": "Ninguno elegido todavía: se acordará con el dermatólogo antes de "
        "empezar el tratamiento.",
        "minor_title": "Consentimiento dado por un menor de edad",
        "minor_note": "El paciente tenía menos de 18 años en la fecha de la visita. Cuando cumpla "
        "18 años, el <b>{date}</b>, deberá dar su propio consentimiento otra vez antes de seguir con "
        "el tratamiento.",
        "signatures_title": "Firmas",
        "signatures_intro": "Cada firma se dibujó en el panel de firma de la clínica y pertenece solo "
        "a este registro (huella {fp}). Cualquier cambio posterior en el archivo firmado se puede "
        "detectar.",
        "declaration_patient": "He leído y entendido todas las declaraciones anteriores, se "
        "respondieron mis preguntas y acepto el tratamiento con isotretinoína.",
        "declaration_guardian": "Como madre, padre o tutor legal del paciente, he leído todas las "
        "declaraciones con el paciente y acepto este tratamiento.",
        "declaration_clinician": "He explicado los riesgos, he comprobado que el paciente los "
        "entiende y confirmo que la isotretinoína es adecuada.",
        "printed_name": "Nombre del firmante",
        "signed_at": "Fecha y hora",
        "meaning": "Significado",
        "relationship": "Relación con el paciente",
        "method": "Forma de firmar",
        "method_typed": "nombre escrito, firmado con el teclado",
        "meaning_patient": "firma de consentimiento",
        "meaning_guardian": "consentimiento del tutor",
        "meaning_clinician": "certificación del médico que receta",
        "reviewed": "Revisado antes de firmar",
        "due_clinician": "Falta la firma del médico — certificación del médico que receta",
        "due_patient": "Falta la firma del paciente — firma de consentimiento",
        "due_guardian": "Falta la firma del tutor — consentimiento del tutor",
        "prepared_for": "Preparada para {name} el {date}",
        "your_details": "Sus datos",
        "your_clinic": "Su clínica",
        "name": "Nombre",
        "phone": "Teléfono",
        "email": "Correo electrónico",
        "address": "Dirección",
        "hours": "Horario",
        "course_title": "Su tratamiento previsto",
        "course_intro": "El tratamiento suele durar de {lo} a {hi} meses. Le veremos cada {days} días "
        "más o menos para una revisión, análisis de sangre{pregnancy} y su siguiente receta.",
        "course_pregnancy": ", una prueba de embarazo",
        "course_none": "Las fechas de sus visitas se fijarán en su próxima cita.",
        "visit": "Visita",
        "date": "Fecha",
        "flags_title": "Alertas para revisar",
        "flags_none": "No hay alertas.",
        "alert": "ALERTA",
        "warning": "REVISAR",
        "phq9_title": "Estado de ánimo (PHQ-9)",
        "phq9_missing": "No completado.",
        "phq9_total": "Puntuación total",
        "phq9_band": "Gravedad",
        "phq9_item9_positive": "Ítem 9 positivo: pensamientos de que estaría mejor muerto/a o de "
        "lastimarse. Hace falta seguimiento en esta misma visita, antes de que el paciente se vaya.",
        "phq9_item9_negative": "Ítem 9 (pensamientos de autolesión): nunca.",
        "phq9_item": "Ítem",
        "phq9_answer": "Respuesta",
        "phq9_score": "Puntos",
        "phq9_difficulty": "Dificultad causada",
        "medicines_title": "Medicamentos e interacciones",
        "medicines_none": "No se informó de medicamentos que interactúen.",
        "consent_status_title": "Estado del consentimiento",
        "statements_acknowledged": "Declaraciones de riesgos confirmadas",
        "signatures_present": "Firmas",
        "signed": "firmada",
        "missing": "falta",
        "answers_title": "Respuestas",
        "other_answers": "Otras respuestas",
        "can_become_pregnant": "Puede quedar embarazada",
        "is_minor": "Menor de 18 años",
        "yes": "Sí",
        "no": "No",
        "kg": "kg",
    },
}

LANGUAGE_NAMES = {
    "en": {"en": "English", "es": "Spanish"},
    "es": {"en": "inglés", "es": "español"},
}
SIGNATURE_ROLES = ("patient", "guardian", "clinician")
MEDICINE_QUESTIONS = ("takes_vitamin_a", "takes_tetracycline", "other_medicines")
INTERACTION_FLAGS = ("vitamin_a", "tetracycline")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _ui(lang: str) -> dict[str, str]:
    return UI.get(lang, UI["en"])


# --- text and dates ---------------------------------------------------------------------------


def esc(value: object) -> str:
    """Any text from a person or a form, made safe for Paragraph markup; newlines kept."""
    text = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(text).replace("\n", "<br/>")


def format_date(value: dt.date, lang: str, weekday: bool = False) -> str:
    month = month_name(value.month, lang)
    day = weekday_name(value, lang) if weekday else ""
    if lang == "es":
        text = f"{value.day} de {month} de {value.year}"
        return f"{day} {text}" if day else text
    text = f"{value.day} {month} {value.year}"
    return f"{day} {text}" if day else text


def _aware(moment: dt.datetime) -> dt.datetime:
    # Records hold UTC-aware times; a naive one can only have come from UTC storage.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def format_datetime(moment: dt.datetime, lang: str, tz: ZoneInfo) -> str:
    local = _aware(moment).astimezone(tz)
    return f"{format_date(local.date(), lang)}, {local:%H:%M} {local.tzname()}"


def _short_datetime(moment: dt.datetime, lang: str, tz: ZoneInfo) -> str:
    local = _aware(moment).astimezone(tz)
    month = month_name(local.month, lang)[:3]
    return f"{local.day} {month} {local.year} {local:%H:%M}"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _zone(forms: FormSet) -> ZoneInfo:
    return ZoneInfo(forms.clinic.timezone)


# --- fonts and styles ---------------------------------------------------------------------------


@functools.cache
def register_fonts() -> None:
    """Register DejaVu once per process: it covers accented Latin and Vietnamese names."""
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping

    # Plain Flate streams: ASCII85 on top makes files a quarter bigger and costs time. Set once,
    # never toggled, so that no two renderings in one process can ever differ because of it.
    rl_config.useA85 = 0

    fonts = RESOURCES / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    # No italic face is shipped: <i> falls back to the upright faces rather than to Helvetica.
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK)

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "title": style("title", fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=4),
        "subtitle": style("subtitle", fontSize=10, leading=14, textColor=MUTED, spaceAfter=10),
        "h2": style(
            "h2",
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": style("h3", fontName=FONT_BOLD, fontSize=10.5, leading=14, keepWithNext=1),
        "intro": style(
            "intro", fontSize=9.5, leading=13, textColor=MUTED, spaceAfter=4, keepWithNext=1
        ),
        "para": style("para", spaceBefore=3, spaceAfter=5),
        "bullet": style("bullet", leftIndent=16, bulletIndent=5, spaceAfter=3, bulletFontName=FONT),
        "cell": style("cell", fontSize=9.5, leading=12.5),
        "cell_bold": style("cell_bold", fontName=FONT_BOLD, fontSize=9.5, leading=12.5),
        "cell_label": style("cell_label", fontSize=8.5, leading=11.5, textColor=MUTED),
        "cell_head": style("cell_head", fontSize=8, leading=10, textColor=MUTED),
        "ack_time": style("ack_time", fontSize=7.5, leading=10, textColor=MUTED),
        "ack_missing": style(
            "ack_missing", fontName=FONT_BOLD, fontSize=8, leading=11, textColor=ALERT_INK
        ),
        "small": style("small", fontSize=8.5, leading=11.5, textColor=MUTED),
        "alert": style("alert", fontName=FONT_BOLD, fontSize=10, leading=14, textColor=ALERT_INK),
        "warn": style("warn", fontName=FONT_BOLD, fontSize=10, leading=14, textColor=WARN_INK),
        "urgent_title": style(
            "urgent_title",
            fontName=FONT_BOLD,
            fontSize=22,
            leading=27,
            textColor=ALERT_INK,
            spaceAfter=12,
        ),
        "urgent_para": style("urgent_para", fontSize=12.5, leading=18, spaceAfter=9),
        "urgent_bullet": style(
            "urgent_bullet",
            fontSize=12.5,
            leading=18,
            leftIndent=20,
            bulletIndent=6,
            spaceAfter=6,
            bulletFontName=FONT_BOLD,
            bulletFontSize=12.5,
        ),
    }


class Para(Paragraph):
    """A Paragraph that remembers its last wrap: tables and keep-together groups wrap the same
    cell two or three times at one width, and line breaking is most of a document's cost.

    Text with no markup at all (most of the forms' text) skips reportlab's HTML parser: its
    one fragment is what the parser would have made, copied from a parse of a stand-in.
    """

    _wrapped_at: float | None = None

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle,
        bulletText: str | None = None,  # noqa: N803 - reportlab's name
        frags: list[Any] | None = None,
        **kwargs: Any,
    ):
        # reportlab makes the two halves of a split paragraph with text=None and their frags.
        plain = text is not None and "<" not in text and "&" not in text
        if frags is None and plain and not getattr(style, "textTransform", None):
            text = cleanBlockQuotedText(text)
            frags = [_plain_fragment(style).clone(text=text)]
        super().__init__(text, style, bulletText, frags=frags, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # reportlab drops the line breaks (blPara) in some split paths: then wrap again.
        if self._wrapped_at == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size


# Keyed by the style object: the styles come from the cached _styles() and never change.
_PLAIN_FRAGMENTS: dict[ParagraphStyle, Any] = {}


def _plain_fragment(style: ParagraphStyle) -> Any:
    """The fragment reportlab's parser makes for markup-free text in ``style``."""
    fragment = _PLAIN_FRAGMENTS.get(style)
    if fragment is None:
        parsed_style, frags, _ = ParaParser().parse("x", style)
        if parsed_style is not style or frags is None or len(frags) != 1:
            raise RuntimeError(f"reportlab parsed plain text in {style.name} unexpectedly")
        fragment = _PLAIN_FRAGMENTS[style] = frags[0]
    return fragment


def _p(text: str, style: str = "body") -> Paragraph:
    """A paragraph from markup that is already escaped."""
    return Para(text, _styles()[style])


# --- page furniture -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Furniture:
    """What the header and footer of every page show."""

    lang: str
    title: str
    clinic_name: str
    clinic_lines: tuple[str, ...]
    document_id: str
    issue: int
    fingerprint: str
    versions: str
    logo: Path | None
    created_at: dt.datetime


def _logo_path(forms: FormSet) -> Path | None:
    """The clinic logo, if the file named in the clinic form exists inside resources/."""
    return _logo_file(forms.clinic.logo) if forms.clinic.logo else None


@functools.lru_cache(maxsize=8)
def _logo_file(name: str) -> Path | None:
    # Looked up once per process: the resources folder does not change while the app runs.
    root = RESOURCES.resolve()
    # The name may be given from the project root ("resources/logo.png") or from resources/.
    for path in ((root.parent / name).resolve(), (root / name).resolve()):
        # Only files inside resources/: the name comes from an editable form file.
        if root in path.parents and path.is_file():
            return path
    return None


def _furniture(
    record: ConsentRecord, forms: FormSet, title: str, form_ids: Sequence[str], issue: int
) -> _Furniture:
    c = forms.clinic
    versions = []
    own = {m.id: m.version for m in forms.metas}
    for form_id in form_ids:
        version = record.form_versions.get(form_id, (own.get(form_id, "?"), ""))[0]
        versions.append(f"{form_id} {version}")
    if "risks" in form_ids and record.ruleset_id:
        versions.append(f"{_ui(record.lang)['rules']} {record.ruleset_id}")
    contact = " · ".join(x for x in (c.address, c.phone, c.email) if x)
    lines = tuple(x for x in (c.department_in(record.lang), contact, c.hours.get(record.lang)) if x)
    return _Furniture(
        lang=record.lang,
        title=title,
        clinic_name=c.name,
        clinic_lines=lines,
        document_id=record.document_id,
        issue=issue,
        fingerprint=record_fingerprint(record),
        versions=" · ".join(versions),
        logo=_logo_path(forms),
        created_at=record.created_at,
    )


def _draw_first(canv: Canvas, doc: _DocTemplate) -> None:
    f = doc.furniture
    width, height = doc.pagesize
    canv.saveState()
    top = height - 40
    x = MARGIN_X
    if f.logo is not None:
        try:
            canv.drawImage(
                str(f.logo), x, top - 44, width=44, height=44, preserveAspectRatio=True, mask="auto"
            )
            x += 56
        except Exception:  # a broken logo file must never stop a consent from printing
            pass
    canv.setFillColor(INK)
    canv.setFont(FONT_BOLD, 14)
    canv.drawString(x, top - 10, f.clinic_name)
    canv.setFont(FONT, 8.5)
    canv.setFillColor(MUTED)
    y = top - 24
    for line in f.clinic_lines:
        canv.drawString(x, y, fit(line, FONT, 8.5, width - MARGIN_X - x))
        y -= 11
    canv.setStrokeColor(ACCENT)
    canv.setLineWidth(1.2)
    canv.line(
        MARGIN_X, height - HEADER_FIRST_H + 14, width - MARGIN_X, height - HEADER_FIRST_H + 14
    )
    canv.restoreState()
    _draw_footer(canv, doc)


def _draw_later(canv: Canvas, doc: _DocTemplate) -> None:
    f = doc.furniture
    width, height = doc.pagesize
    canv.saveState()
    y = height - 40
    canv.setFont(FONT_BOLD, 9)
    canv.setFillColor(INK)
    canv.drawString(MARGIN_X, y, f.clinic_name)
    canv.setFont(FONT, 9)
    canv.setFillColor(MUTED)
    room = width - 2 * MARGIN_X - pdfmetrics.stringWidth(f.clinic_name, FONT_BOLD, 9) - 24
    canv.drawRightString(width - MARGIN_X, y, fit(f.title, FONT, 9, room))
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(MARGIN_X, y - 8, width - MARGIN_X, y - 8)
    canv.restoreState()
    _draw_footer(canv, doc)


def _draw_footer(canv: Canvas, doc: _DocTemplate) -> None:
    # "page X of Y" is drawn later by _NumberedCanvas, once Y is known.
    f = doc.furniture
    ui = _ui(f.lang)
    width, _ = doc.pagesize
    canv.saveState()
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(MARGIN_X, 46, width - MARGIN_X - QR_SIZE - QR_GAP, 46)
    canv.setFillColor(MUTED)
    canv.setFont(FONT, 8)
    canv.drawString(
        MARGIN_X,
        34,
        f"{ui['document']} {f.document_id} · {ui['issue']} {f.issue}"
        f" · {ui['fingerprint']} {f.fingerprint}",
    )
    canv.setFont(FONT, 7)
    room = width - 2 * MARGIN_X - QR_SIZE - QR_GAP
    canv.drawString(MARGIN_X, 23, fit(f"{ui['forms']}: {f.versions}", FONT, 7, room))
    canv.restoreState()
    _draw_qr(canv, check_payload(f.document_id, f.issue, f.fingerprint), width - MARGIN_X)


def _draw_qr(canv: Canvas, payload: str, right: float) -> None:
    """The QR code of ``payload`` in the footer's right corner, its quiet zone included."""
    # Drawn module by module on the page's canvas (reportlab's widget renderer would name
    # Helvetica, a font that is not embedded, which PDF/A forbids).
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    count = code.getModuleCount()
    unit = QR_SIZE / (count + 2 * QR_QUIET)
    left = right - QR_SIZE + QR_QUIET * unit
    top = QR_BOTTOM + QR_SIZE - QR_QUIET * unit
    canv.saveState()
    canv.setFillColor(colors.black)
    path = canv.beginPath()
    for row in range(count):
        col = 0
        while col < count:
            if not code.isDark(row, col):
                col += 1
                continue
            start = col
            while col < count and code.isDark(row, col):
                col += 1
            # One rectangle per run of dark modules in a row.
            path.rect(left + start * unit, top - (row + 1) * unit, (col - start) * unit, unit)
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each footer can say "page X of Y" in one pass."""

    page_label = UI["en"]["page"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            width = self._pagesize[0]
            self.drawRightString(
                width - MARGIN_X - QR_SIZE - QR_GAP,
                34,
                self.page_label.format(page=number, pages=total),
            )
            self.restoreState()
            super().showPage()
        super().save()


def _canvas_maker(lang: str) -> type[_NumberedCanvas]:
    return type("NumberedCanvas", (_NumberedCanvas,), {"page_label": _ui(lang)["page"]})


def _timestamp(moment: dt.datetime) -> TimeStamp:
    """reportlab's document time stamp, set to the record's own time (in UTC)."""
    stamp = TimeStamp(invariant=True)
    seconds = _aware(moment).timestamp()
    stamp.t = seconds
    stamp.lt = time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
    return stamp


class _DocTemplate(BaseDocTemplate):
    """First page with the full clinic header, later pages with a one-line header."""

    def __init__(self, out: io.BytesIO, furniture: _Furniture, page_size: str, subject: str):
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
        self.furniture = furniture
        size = PAGE_SIZES[page_size]
        super().__init__(
            out,
            pagesize=size,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=HEADER_LATER_H,
            bottomMargin=FOOTER_H,
            title=furniture.title,
            author=furniture.clinic_name,
            subject=subject,
            creator=PRODUCER,
            producer=PRODUCER,
            keywords=[],
            invariant=1,
            pageCompression=1,
            lang=furniture.lang,
            initialFontName=FONT,
        )
        width, height = size
        frame_w = width - 2 * MARGIN_X

        def frame(fid: str, header: float) -> Frame:
            return Frame(
                MARGIN_X,
                FOOTER_H,
                frame_w,
                height - header - FOOTER_H,
                id=fid,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        self.addPageTemplates(
            [
                PageTemplate("first", [frame("first", HEADER_FIRST_H)], onPage=_draw_first),
                PageTemplate("later", [frame("later", HEADER_LATER_H)], onPage=_draw_later),
            ]
        )
        self.later_frame_height = height - HEADER_LATER_H - FOOTER_H

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab's name
        self.canv._doc._timeStamp = _timestamp(self.furniture.created_at)


def _build(
    record: ConsentRecord,
    forms: FormSet,
    page_size: str,
    kind: str,
    form_ids: Sequence[str],
    story_fn: Callable[[_DocTemplate], list[Flowable]],
    attachments: Sequence[Attachment] = (),
    issue: int = 1,
) -> bytes:
    register_fonts()
    ui = _ui(record.lang)
    furniture = _furniture(record, forms, ui[f"{kind}_meta_title"], form_ids, issue)
    out = io.BytesIO()
    # Subject names the document, never the patient: metadata is shown by file browsers.
    doc = _DocTemplate(out, furniture, page_size, f"{ui['document']} {record.document_id}")
    story: list[Flowable] = [NextPageTemplate("later")]
    story += story_fn(doc)
    doc.build(story, canvasmaker=_canvas_maker(record.lang))
    return make_pdfa(out.getvalue(), record.lang, attachments)


# --- shared pieces ------------------------------------------------------------------------------


def _table(data: Any, **kw: Any) -> Table:
    """A Table whose plain-string cells use DejaVu too (reportlab's default is Helvetica)."""
    table = Table(data, **kw)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT)]))
    return table


def _grid(
    rows: Sequence[tuple[str, str]], width: float, columns: int = 2, label: float | None = None
) -> Rows:
    """Label/value pairs laid out ``columns`` pairs to a row; values are escaped markup.

    ``label`` is the share of each pair's width given to the label.
    """
    share = label if label is not None else (0.4 if columns == 2 else 0.36)
    label_w = share * width / columns
    value_w = width / columns - label_w
    lines: list[Row] = []
    cells: list[Flowable | None] = []
    for text, value in rows:
        cells += [_cell(esc(text), "cell_label", label_w - 6), _cell(value, "cell", value_w - 6)]
        if len(cells) == 2 * columns:
            lines.append(Row(cells))
            cells = []
    if cells:
        lines.append(Row(cells + [None] * (2 * columns - len(cells))))
    return Rows(lines, [label_w, value_w] * columns, padding=(0, 6, 3, 3), rule=Rule(0.25, RULE))


def _identity_rows(record: ConsentRecord, ui: dict[str, str]) -> list[tuple[str, str]]:
    p = record.patient
    name = esc(p.full_name)
    if p.preferred_name and p.preferred_name != p.first_name:
        name += f" ({esc(p.preferred_name)})"
    return [
        (ui["patient"], f"<b>{name}</b>"),
        (ui["dob"], esc(format_date(p.date_of_birth, record.lang))),
        (ui["record_number"], esc(p.record_number)),
        (ui["visit_date"], esc(format_date(record.visit_date, record.lang))),
    ]


def _language_name(record: ConsentRecord) -> str:
    return LANGUAGE_NAMES.get(record.lang, LANGUAGE_NAMES["en"]).get(record.lang, record.lang)


def body_blocks(text: str) -> list[tuple[str, str]]:
    """Split form body text into ("para" | "bullet", text) blocks.

    A blank line ends a paragraph, a line starting with "- " is a bullet, and an indented
    line right after a bullet continues it.
    """
    blocks: list[tuple[str, str]] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        kind, lines = "", list[str]()
        for raw in chunk.splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith("- ") or line == "-":
                if lines:
                    blocks.append((kind, " ".join(lines)))
                kind, lines = "bullet", [line[2:].strip()]
            elif kind == "bullet" and raw[:1] in (" ", "\t"):
                lines.append(line)
            elif kind == "bullet":
                blocks.append((kind, " ".join(lines)))
                kind, lines = "para", [line]
            else:
                kind = "para"
                lines.append(line)
        if lines:
            blocks.append((kind, " ".join(lines)))
    return blocks


def _body_flowables(text: str, forms: FormSet, urgent: bool = False) -> list[Flowable]:
    """Form body text as paragraphs and bullets, with the clinic's name and phone filled in."""
    # A phone number split over two lines is easy to misdial: keep it on one.
    phone = forms.clinic.phone.replace(" ", "\u00a0")
    text = text.replace("{clinic_name}", forms.clinic.name).replace("{clinic_phone}", phone)
    styles = _styles()
    para = styles["urgent_para" if urgent else "para"]
    bullet = styles["urgent_bullet" if urgent else "bullet"]
    out: list[Flowable] = []
    for kind, body in body_blocks(text):
        if kind == "bullet":
            out.append(Para(esc(body), bullet, bulletText="•"))
        else:
            out.append(Para(esc(body), para))
    return out


# --- signatures ---------------------------------------------------------------------------------


class _FixedBox(Flowable):
    """A flowable of a fixed size, whatever room the frame offers."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.width = width
        self.height = height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height


class SignatureDrawing(_FixedBox):
    """A drawn signature as vector strokes, fitted into a box; never a bitmap."""

    def __init__(self, signature: SignatureRecord, width: float, height: float):
        super().__init__(width, height)
        self.signature = signature

    def draw(self) -> None:
        c = self.canv
        sig = self.signature
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(0, 8, self.width, 8)
        points = [pt for stroke in sig.strokes for pt in stroke]
        if not points:
            return
        pad_w, pad_h = sig.pad_width, sig.pad_height
        if pad_w <= 0 or pad_h <= 0:  # no pad size recorded: fit the strokes themselves
            pad_w = max(x for x, _ in points) or 1.0
            pad_h = max(y for _, y in points) or 1.0
        inset = 4.0
        scale = min((self.width - 2 * inset) / pad_w, (self.height - 2 * inset) / pad_h)
        ox = inset + (self.width - 2 * inset - pad_w * scale) / 2
        oy = inset + (self.height - 2 * inset - pad_h * scale) / 2

        def at(x: float, y: float) -> tuple[float, float]:
            # The pad's y runs downwards, PDF's upwards.
            return ox + x * scale, oy + (pad_h - y) * scale

        c.saveState()
        clip = c.beginPath()
        clip.rect(0, 0, self.width, self.height)
        c.clipPath(clip, stroke=0, fill=0)
        path = c.beginPath()
        for stroke in sig.strokes:
            if not stroke:
                continue
            path.moveTo(*at(*stroke[0]))
            if len(stroke) == 1:  # a dot: a zero-length line shows as a round blob
                x, y = at(*stroke[0])
                path.lineTo(x + 0.01, y)
            for x, y in stroke[1:]:
                path.lineTo(*at(x, y))
        c.setStrokeColor(INK)
        c.setLineWidth(1.3)
        c.setLineCap(1)
        c.setLineJoin(1)
        c.drawPath(path, stroke=1, fill=0)
        c.restoreState()


class SignatureDue(_FixedBox):
    """A blank, clearly marked box where a signature is still missing."""

    def __init__(self, label: str, width: float, height: float):
        super().__init__(width, height)
        self.label = label

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFillColor(WARN_BG)
        c.setStrokeColor(WARN_INK)
        c.setLineWidth(1)
        c.setDash(4, 3)
        c.roundRect(0, 0, self.width, self.height, 4, stroke=1, fill=1)
        c.restoreState()
        style = ParagraphStyle(
            "due",
            fontName=FONT_BOLD,
            fontSize=9.5,
            leading=12.5,
            textColor=WARN_INK,
            alignment=TA_CENTER,
        )
        para = Paragraph(esc(self.label), style)
        _, h = para.wrap(self.width - 16, self.height)
        para.drawOn(c, 8, (self.height - h) / 2)


def _meaning(sig: SignatureRecord | None, role: str, ui: dict[str, str], lang: str) -> str:
    from intake.domain.records import SIGNATURE_MEANINGS

    if sig is None or not sig.meaning or sig.meaning == SIGNATURE_MEANINGS.get(role):
        return ui.get(f"meaning_{role}", role)
    return sig.meaning if lang == "en" else ui.get(f"meaning_{role}", sig.meaning)


def _signature_block(record: ConsentRecord, role: str, forms: FormSet, width: float) -> Flowable:
    ui = _ui(record.lang)
    sig = record.signature(role)
    box_w, box_h = 0.42 * width, 78.0
    drawn: Flowable
    if sig is None:
        drawn = SignatureDue(ui[f"due_{role}"], box_w, box_h)
        details = [
            (ui["printed_name"], "&nbsp;"),
            (ui["signed_at"], "&nbsp;"),
            (ui["meaning"], esc(_meaning(None, role, ui, record.lang))),
        ]
    else:
        drawn = SignatureDrawing(sig, box_w, box_h)
        details = [
            (ui["printed_name"], f"<b>{esc(sig.printed_name)}</b>"),
            (ui["signed_at"], esc(format_datetime(sig.signed_at, record.lang, _zone(forms)))),
            (ui["meaning"], esc(_meaning(sig, role, ui, record.lang))),
        ]
        if role == "guardian" and sig.relationship:
            details.append((ui["relationship"], esc(sig.relationship)))
        if sig.method == "typed":
            details.append((ui["method"], esc(ui["method_typed"])))
        if sig.reviewed:
            es = record.lang == "es"
            details.append(
                (
                    ui["reviewed"],
                    "<br/>".join(
                        "✓ " + esc(text_es if es and text_es else text)
                        for _, text, text_es in sig.reviewed
                    ),
                )
            )
    right_w = width - box_w - 14
    detail_rows = [
        [
            _cell(esc(label), "cell_label", 0.36 * right_w - 4),
            _cell(value, "cell", 0.64 * right_w - 4),
        ]
        for label, value in details
    ]
    detail_table = _table(detail_rows, colWidths=[0.36 * right_w, 0.64 * right_w])
    detail_table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)
                if sig is not None
                else ("LINEBELOW", (1, 0), (1, 1), 0.6, MUTED),
            ]
        )
    )
    outer = _table([[drawn, detail_table]], colWidths=[box_w + 14, right_w])
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether(
        [
            _p(esc(ui[role]), "h3"),
            _p(esc(ui[f"declaration_{role}"]), "small"),
            Spacer(0, 4),
            outer,
            Spacer(0, 12),
        ]
    )


# --- consent ------------------------------------------------------------------------------------


def _check_forms(record: ConsentRecord, forms: FormSet) -> None:
    recorded = record.form_versions.get("risks")
    meta = forms.risks.meta
    if recorded and recorded[1] and recorded[1] != meta.sha256:
        raise FormsMismatch(
            f"this record was made with the risk statements version {recorded[0]} "
            f"but version {meta.version} is loaded; the consent must show the statements as signed"
        )
    known = {s.id for s in forms.risks.statements}
    missing = [sid for sid in record.statement_ids if sid not in known]
    if missing:
        raise FormsMismatch(
            f"statements {', '.join(missing)} are not in risks version {meta.version}"
        )


_PLAIN = re.compile(r"[<&\n]")


def _cell(markup: str, style: str, width: float) -> Flowable:
    """A table cell: direct lines when the text is plain and fits, else a wrapping Paragraph."""
    st = _styles()[style]
    if _PLAIN.search(markup) is None and (
        pdfmetrics.stringWidth(markup, st.fontName, st.fontSize) <= width
    ):
        return Lines((markup, st))
    return Para(markup, st)


def _ack_cell(
    record: ConsentRecord, sid: str, by: str, tz: ZoneInfo, ui: dict[str, str]
) -> Flowable:
    st = _styles()
    ack = record.acknowledgement(sid, by)
    if ack is None:
        return Lines((ui["not_acknowledged"], st["ack_missing"]))
    return Lines(
        (ack.initials, st["cell_bold"]),
        (_short_datetime(ack.at, record.lang, tz), st["ack_time"]),
    )


def _consent_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui(record.lang)
    lang = record.lang
    tz = _zone(forms)
    width = doc.width
    story: list[Flowable] = [_p(esc(ui["consent_title"]), "title"), Spacer(0, 6)]

    risks_version = record.form_versions.get("risks", (forms.risks.meta.version, ""))[0]
    rows = _identity_rows(record, ui) + [
        (ui["language"], esc(_language_name(record))),
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
        (ui["consent_form"], esc(f"{forms.risks.meta.id} {risks_version}")),
        (ui["ruleset"], esc(record.ruleset_id or ui["not_recorded"])),
    ]
    # Identifiers get a whole row each, so that one is never broken over two lines.
    ids = [(ui["document_id"], esc(record.document_id))]
    if record.supersedes:
        ids.append((ui["supersedes"], esc(record.supersedes)))
    story += [_grid(rows, width), _grid(ids, width, columns=1, label=0.2), Spacer(0, 10)]

    tz_name = _aware(record.created_at).astimezone(tz).tzname() or forms.clinic.timezone
    intro = ui["consent_intro_minor" if record.is_minor else "consent_intro"].format(tz=tz_name)
    story.append(_p(esc(intro), "small"))

    wanted = set(record.statement_ids)
    who = ("patient", "guardian") if record.is_minor else ("patient",)
    ack_w = 86.0
    text_w = width - ack_w * len(who)
    for topic in forms.risks.topics:
        statements = [s for s in topic.statements if s.id in wanted]
        if not statements:
            continue
        heads = [ui["col_statement"]]
        heads += (
            [ui["col_patient"], ui["col_guardian"]] if record.is_minor else [ui["col_initials"]]
        )
        rows_ = [Row([Lines((h, _styles()["cell_head"])) for h in heads], padding=(1, 3))]
        for s in statements:
            row: list[Flowable | None] = [_p(esc(s.text.get(lang)), "cell")]
            for by in who:
                if by == "patient" and s.audience == "guardian":
                    row.append(Lines((ui["not_applicable"], _styles()["cell_label"])))
                else:
                    row.append(_ack_cell(record, s.id, by, tz, ui))
            rows_.append(Row(row))
        table = Rows(
            rows_,
            [text_w] + [ack_w] * len(who),
            padding=(4, 6, 4, 5),
            rule=Rule(0.25, RULE),
            column_rule=Rule(0.25, RULE),
            repeat_head=True,
        )
        block: list[Flowable] = [_p(esc(topic.title.get(lang)), "h2")]
        if topic.intro is not None:
            block.append(_p(esc(topic.intro.get(lang)), "intro"))
        story += block + [table]

    story += _quiz_section(record, ui, width)
    if record.can_become_pregnant:
        story += _contraception_section(record, forms, ui)
    # The signatures stay together on one page (with the note on a minor's consent, which
    # qualifies them), so no signature is ever left alone on a last page.
    signing: list[Flowable] = []
    if record.is_minor:
        due = rules.reconsent_due(record.patient.date_of_birth, record.visit_date)
        if due is not None:
            signing += [
                _p(esc(ui["minor_title"]), "h2"),
                _p(ui["minor_note"].format(date=esc(format_date(due, lang))), "para"),
            ]
    signing += [
        _p(esc(ui["signatures_title"]), "h2"),
        _p(esc(ui["signatures_intro"].format(fp=doc.furniture.fingerprint)), "small"),
        Spacer(0, 8),
    ]
    for role in SIGNATURE_ROLES:
        if role == "guardian" and not record.is_minor:
            continue
        signing.append(_signature_block(record, role, forms, width))
    story.append(KeepTogether(signing))
    return story


def _quiz_section(record: ConsentRecord, ui: dict[str, str], width: float) -> list[Flowable]:
    asked: list[str] = []
    first_right = 0
    for answer in record.quiz:
        if answer.question_id not in asked:
            asked.append(answer.question_id)
            first_right += answer.correct
    result = (
        f"<font color='#1e6b3a'><b>{esc(ui['quiz_passed'])}</b></font>"
        if record.quiz_passed
        else f"<font color='#9b1c1c'><b>{esc(ui['quiz_not_passed'])}</b></font>"
    )
    rows = [
        (ui["quiz_result"], result),
        (ui["quiz_questions"], str(len(asked))),
        (ui["quiz_answers"], str(len(record.quiz))),
        (ui["quiz_first_time"], f"{first_right} / {len(asked)}"),
    ]
    return [KeepTogether([_p(esc(ui["quiz_title"]), "h2"), _grid(rows, width, columns=1)])]


def _contraception_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str]
) -> list[Flowable]:
    chosen = record.answers.get("contraception_methods") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    try:
        question: Question | None = forms.intake.question("contraception_methods")
    except KeyError:
        question = None
    labels = [
        question.option_label(v, record.lang) if question else str(v)
        for v in chosen
        if v != "none_yet"
    ]
    out: list[Flowable] = [_p(esc(ui["contraception_title"]), "h2")]
    if labels:
        out.append(_p(esc(ui["contraception_intro"]), "para"))
        out += [Para(esc(label), _styles()["bullet"], bulletText="•") for label in labels]
    else:
        out.append(_p(esc(ui["contraception_none"]), "para"))
    return [KeepTogether(out)]


# --- education ----------------------------------------------------------------------------------


def _facts(record: ConsentRecord) -> dict[str, Any]:
    """What conditions in the forms may name, as the record settled it."""
    facts: dict[str, Any] = dict(record.answers)
    facts["can_become_pregnant"] = record.can_become_pregnant
    facts["is_minor"] = record.is_minor
    facts["age"] = rules.age_on(record.patient.date_of_birth, record.visit_date)
    return facts


def _education_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui(record.lang)
    lang = record.lang
    c = forms.clinic
    width = doc.width
    story: list[Flowable] = [
        _p(esc(ui["education_title"]), "title"),
        _p(
            esc(
                ui["prepared_for"].format(
                    name=record.patient.full_name, date=format_date(record.visit_date, lang)
                )
            ),
            "subtitle",
        ),
    ]
    details = [
        (ui["patient"], f"<b>{esc(record.patient.full_name)}</b>"),
        (ui["record_number"], esc(record.patient.record_number)),
        (ui["language"], esc(_language_name(record))),
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
    ]
    clinic_rows = [
        (
            ui["name"],
            f"<b>{esc(c.name)}</b>"
            + (f"<br/>{esc(c.department_in(record.lang))}" if c.department else ""),
        ),
        (ui["phone"], f"<b>{esc(c.phone)}</b>"),
        (ui["address"], esc(c.address)),
        (ui["hours"], esc(c.hours.get(lang))),
    ]
    if c.email:
        clinic_rows.insert(2, (ui["email"], esc(c.email)))
    # The clinic side holds the long lines (address, e-mail): give it the larger share.
    left_w, right_w = 0.42 * (width - 32), 0.58 * (width - 32)
    left = [_p(esc(ui["your_details"]), "h3"), _grid(details, left_w, columns=1, label=0.4)]
    right = [_p(esc(ui["your_clinic"]), "h3"), _grid(clinic_rows, right_w, columns=1, label=0.24)]
    box = _table([[left, right]], colWidths=[left_w + 16, right_w + 16])
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), PALE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    story += [box, Spacer(0, 4)]

    course: list[Flowable] = [_p(esc(ui["course_title"]), "h2")]
    lo, hi = c.course_months
    course.append(
        _p(
            esc(
                ui["course_intro"].format(
                    lo=lo,
                    hi=hi,
                    days=c.visit_interval_days,
                    pregnancy=ui["course_pregnancy"] if record.can_become_pregnant else "",
                )
            ),
            "para",
        )
    )
    if record.course_visits:
        rows = [
            Row(
                [_cell(esc(ui["visit"]), "cell_head", 84), _cell(esc(ui["date"]), "cell_head", 214)]
            )
        ]
        for i, day in enumerate(record.course_visits, start=1):
            rows.append(
                Row(
                    [
                        _cell(f"{esc(ui['visit'])} {i}", "cell", 84),
                        _cell(esc(format_date(day, lang, weekday=True)), "cell", 214),
                    ]
                )
            )
        table = Rows(rows, [90, 220], padding=(0, 6, 3, 3), rule=Rule(0.25, RULE))
        course.append(table)
    else:
        course.append(_p(esc(ui["course_none"]), "para"))
    story.append(KeepTogether(course))

    packet = rules.applicable_packet(forms.education, _facts(record))
    for i, (section, bullets) in enumerate(packet):
        text = section_text(section, bullets, lang)
        if section.summary:
            story += _urgent_page(section.title.get(lang), text, forms, doc)
            if i + 1 < len(packet):
                story.append(PageBreak())
            continue
        story.append(_p(esc(section.title.get(lang)), "h2"))
        story += _body_flowables(text, forms)
    return story


def section_text(section: Section, bullets: Sequence[Bullet], lang: str) -> str:
    """A packet section as body text: its paragraphs, the bullets that apply, its closing."""
    parts = [section.body.get(lang).strip()]
    if bullets:
        parts.append("\n".join("- " + " ".join(b.text.get(lang).split()) for b in bullets))
    if section.closing is not None:
        parts.append(section.closing.get(lang).strip())
    return "\n\n".join(p for p in parts if p)


def _urgent_page(title: str, body: str, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    """The 'when to call us now' section: alone on one page, in a red-edged box."""
    inner: list[Flowable] = [_p(esc(title), "urgent_title")]
    inner += _body_flowables(body, forms, urgent=True)
    inner += [
        Spacer(0, 10),
        _p(
            f"<b>{esc(forms.clinic.name)}</b> · <font size=16><b>{esc(forms.clinic.phone)}</b></font>",
            "urgent_para",
        ),
    ]
    box = _table([[inner]], colWidths=[doc.width])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 3, ALERT_INK),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff8f7")),
                ("LEFTPADDING", (0, 0), (-1, -1), 20),
                ("RIGHTPADDING", (0, 0), (-1, -1), 20),
                ("TOPPADDING", (0, 0), (-1, -1), 18),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 18),
            ]
        )
    )
    # Shrink, never split: this page is meant to be pinned up on its own.
    fitted = KeepInFrame(doc.width, doc.later_frame_height - 2, [box], mode="shrink")
    return [PageBreak(), fitted]


# --- intake summary -----------------------------------------------------------------------------


def answer_text(question: Question | None, value: Any, lang: str) -> str:
    """An answer as a person reads it: option labels, dates spelled out, weights with units."""
    ui = _ui(lang)
    if value is None or value == "" or value == [] or value == ():
        return "—"
    if isinstance(value, bool):
        return ui["yes"] if value else ui["no"]
    if (question is not None and question.type == "date") or isinstance(value, dt.date):
        day = _as_date(value)
        if day is not None:
            return format_date(day, lang)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        lines = [answer_text(question, v, lang) for v in items]
        # Several choices each get a bullet, so a wrapped label is not read as two answers.
        return lines[0] if len(lines) == 1 else "\n".join(f"• {line}" for line in lines)
    if question is not None and question.options:
        return question.option_label(str(value), lang)
    if question is not None and question.type == "phone":
        return format_phone(str(value))
    if question is not None and question.type == "weight":
        if isinstance(value, Mapping):
            return " ".join(str(value.get(k, "")) for k in ("value", "unit")).strip()
        if isinstance(value, int | float):
            return f"{value:g} {ui['kg']}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _flag_table(
    record: ConsentRecord, flags: Sequence[Any], ui: dict[str, str], width: float
) -> Rows:
    rows = []
    for flag in flags:
        alert = flag.severity == "alert"
        text = flag.text_es if record.lang == "es" and flag.text_es else flag.text
        cells = [
            Lines((ui["alert" if alert else "warning"], _styles()["alert" if alert else "warn"])),
            _cell(esc(text), "cell_bold" if alert else "cell", width - 82),
        ]
        bar = Rule(4, ALERT_INK if alert else WARN_INK)
        rows.append(Row(cells, background=ALERT_BG if alert else WARN_BG, bar=bar))
    return Rows(rows, [70, width - 70], padding=(6, 6, 4, 5), rule=Rule(1.5, colors.white))


def _summary_story(record: ConsentRecord, forms: FormSet, doc: _DocTemplate) -> list[Flowable]:
    ui = _ui(record.lang)
    lang = record.lang
    width = doc.width
    story: list[Flowable] = [
        _p(esc(ui["summary_title"]), "title"),
        _p(esc(ui["summary_audience"]), "subtitle"),
    ]
    rows = _identity_rows(record, ui) + [
        (ui["language"], esc(_language_name(record))),
        (ui["dermatologist"], esc(record.dermatologist or ui["dermatologist_pending"])),
        (ui["can_become_pregnant"], esc(ui["yes" if record.can_become_pregnant else "no"])),
        (ui["is_minor"], esc(ui["yes" if record.is_minor else "no"])),
    ]
    story.append(_grid(rows, width))
    if record.supersedes:
        story.append(
            _grid([(ui["supersedes"], esc(record.supersedes))], width, columns=1, label=0.2)
        )

    story.append(_p(esc(ui["flags_title"]), "h2"))
    if record.flags:
        story.append(_flag_table(record, record.flags, ui, width))
    else:
        story.append(_p(esc(ui["flags_none"]), "para"))

    story += _phq9_section(record, forms, ui, width)
    story += _medicines_section(record, forms, ui, width)
    story += _status_section(record, forms, ui, width)

    story.append(_p(esc(ui["answers_title"]), "h2"))
    shown: set[str] = set()
    for page in forms.intake.pages:
        answered = [q for q in page.questions if q.id in record.answers]
        if not answered:
            continue
        rows_ = [
            (q.label.get(lang), esc(answer_text(q, record.answers[q.id], lang))) for q in answered
        ]
        shown.update(q.id for q in answered)
        story += [_p(esc(page.title.get(lang)), "h3"), _answer_table(rows_, width), Spacer(0, 6)]
    # The mood screen's answers have their own section above; never list them by their ids.
    rest = [k for k in record.answers if k not in shown and k not in phq9.ANSWER_IDS]
    if rest:
        rows_ = [(k, esc(answer_text(None, record.answers[k], lang))) for k in sorted(rest)]
        story += [_p(esc(ui["other_answers"]), "h3"), _answer_table(rows_, width)]
    return story


def _answer_table(rows: Sequence[tuple[str, str]], width: float) -> Rows:
    cells = [
        Row(
            [
                _cell(esc(label), "cell_label", 0.45 * width - 8),
                _cell(value, "cell", 0.55 * width - 8),
            ]
        )
        for label, value in rows
    ]
    return Rows(cells, [0.45 * width, 0.55 * width], padding=(0, 8, 3, 4), rule=Rule(0.25, RULE))


def _phq9_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    lang = record.lang
    out: list[Flowable] = [_p(esc(ui["phq9_title"]), "h2")]
    result = record.phq9
    if result is None:
        return out + [_p(esc(ui["phq9_missing"]), "para")]
    band = next((b.label.get(lang) for b in forms.phq9.bands if b.id == result.band), result.band)
    out.append(
        _p(
            f"{esc(ui['phq9_total'])}: <b>{result.total}</b> / 27 &nbsp;·&nbsp; "
            f"{esc(ui['phq9_band'])}: <b>{esc(band)}</b>",
            "para",
        )
    )
    if result.item9_positive:
        alert = Rows(
            [Row([_p(esc(ui["phq9_item9_positive"]), "alert")], background=ALERT_BG)],
            [width],
            padding=(8, 8, 6, 7),
            box=Rule(1.5, ALERT_INK),
        )
        out += [alert, Spacer(0, 6)]
    else:
        out.append(_p(esc(ui["phq9_item9_negative"]), "small"))
    out += _release_lines(record, forms, ui, width)
    options = dict(forms.phq9.options)
    widths = [0.62 * width, 0.3 * width, 0.08 * width]

    def cells(*texts: str, style: str = "cell") -> list[Flowable | None]:
        made: list[Flowable | None] = [
            _cell(t, style, w - 8) for t, w in zip(texts, widths, strict=False)
        ]
        if len(made) == 3 and isinstance(made[2], Lines):
            made[2].align = "right"  # scores line up under the heading
        return made + [None] * (3 - len(made))

    heading = (esc(ui["phq9_item"]), esc(ui["phq9_answer"]), esc(ui["phq9_score"]))
    rows = [Row(cells(*heading, style="cell_head"))]
    for n, ((_, text), value) in enumerate(
        zip(forms.phq9.items, result.answers, strict=False), start=1
    ):
        label = options.get(value)
        answer = esc(label.get(lang) if label else value)
        flagged = n == 9 and result.item9_positive
        rows.append(
            Row(
                cells(f"{n}. {esc(text.get(lang))}", answer, str(value)),
                background=ALERT_BG if flagged else None,
            )
        )
    if result.difficulty:
        diff = next(
            (
                o.label.get(lang)
                for o in forms.phq9.difficulty_options
                if o.value == result.difficulty
            ),
            result.difficulty,
        )
        rows.append(Row(cells(esc(ui["phq9_difficulty"]), esc(diff))))
    table = Rows(rows, widths, padding=(2, 6, 2, 3), rule=Rule(0.25, RULE), repeat_head=True)
    return out + [table]


def _release_lines(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    """Who released the visit after the positive item 9, when, and their note."""
    rows = [
        (
            ui["released_title"],
            esc(
                ui["released_line"].format(
                    who=r.released_by,
                    role=ui.get(f"role_{r.role}", r.role),
                    when=format_datetime(r.released_at, record.lang, _zone(forms)),
                )
            )
            + f"<br/><i>{esc(r.note)}</i>",
        )
        for r in record.alert_releases
        if r.reason == "item9"
    ]
    if not rows:
        return []
    return [_grid(rows, width, columns=1, label=0.3), Spacer(0, 6)]


def _medicines_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    lang = record.lang
    out: list[Flowable] = [_p(esc(ui["medicines_title"]), "h2")]
    interactions = [f for f in record.flags if f.id in INTERACTION_FLAGS]
    if interactions:
        out += [_flag_table(record, interactions, ui, width), Spacer(0, 4)]
    else:
        out.append(_p(esc(ui["medicines_none"]), "small"))
    rows = []
    for qid in MEDICINE_QUESTIONS:
        if qid not in record.answers:
            continue
        try:
            question: Question | None = forms.intake.question(qid)
        except KeyError:
            question = None
        label = question.label.get(lang) if question else qid
        rows.append((label, esc(answer_text(question, record.answers[qid], lang))))
    if rows:
        out.append(_answer_table(rows, width))
    return out


def _status_section(
    record: ConsentRecord, forms: FormSet, ui: dict[str, str], width: float
) -> list[Flowable]:
    facts = {"is_minor": record.is_minor}
    needed = 0
    done = 0
    for sid in record.statement_ids:
        try:
            who = rules.acknowledgers(forms.risks.statement(sid), facts)
        except KeyError:
            who = ("patient", "guardian") if record.is_minor else ("patient",)
        for by in who:
            needed += 1
            done += record.acknowledgement(sid, by) is not None
    signatures = []
    for role in SIGNATURE_ROLES:
        if role == "guardian" and not record.is_minor:
            continue
        present = record.signature(role) is not None
        mark = (
            f"<font color='#1e6b3a'>✓ {esc(ui['signed'])}</font>"
            if present
            else f"<font color='#8a5a00'><b>{esc(ui['missing'])}</b></font>"
        )
        signatures.append(f"{esc(ui[role])}: {mark}")
    quiz = ui["quiz_passed"] if record.quiz_passed else ui["quiz_not_passed"]
    rows = [
        (ui["statements_acknowledged"], f"{done} / {needed}"),
        (ui["quiz_title"], esc(quiz)),
        (ui["signatures_present"], "<br/>".join(signatures)),
    ]
    return [
        KeepTogether([_p(esc(ui["consent_status_title"]), "h2"), _grid(rows, width, columns=1)])
    ]


# --- entry points -------------------------------------------------------------------------------


def render_consent(
    record: ConsentRecord,
    forms: FormSet,
    page_size: str = "letter",
    fhir_bundle: bytes | None = None,
    *,
    issue: int = 1,
) -> bytes:
    """The consent: every applicable statement with its initials and times, and the signatures.

    ``fhir_bundle`` (the visit's record as a FHIR R4 Bundle, JSON) is embedded as the PDF/A-3
    associated file ``RECORD_FILE`` (AFRelationship Data), so the seal covers it too.
    """
    _check_forms(record, forms)
    attachments: tuple[Attachment, ...] = ()
    if fhir_bundle is not None:
        attachments = (
            Attachment(
                RECORD_FILE,
                fhir_bundle,
                FHIR_MIME,
                "The visit's record as a FHIR R4 Bundle (JSON), as it stood when this document was sealed",
            ),
        )
    return _build(
        record,
        forms,
        page_size,
        "consent",
        ("risks", "quiz", "intake"),
        lambda doc: _consent_story(record, forms, doc),
        attachments,
        issue,
    )


def render_education(
    record: ConsentRecord, forms: FormSet, page_size: str = "letter", *, issue: int = 1
) -> bytes:
    """The patient's personalised education packet, with a one-page 'when to call us now'."""
    return _build(
        record,
        forms,
        page_size,
        "education",
        ("education", "clinic"),
        lambda doc: _education_story(record, forms, doc),
        issue=issue,
    )


def render_summary(
    record: ConsentRecord, forms: FormSet, page_size: str = "letter", *, issue: int = 1
) -> bytes:
    """The clinician-facing intake summary: flags first, then the mood screen and every answer."""
    return _build(
        record,
        forms,
        page_size,
        "summary",
        ("intake", "phq9"),
        lambda doc: _summary_story(record, forms, doc),
        issue=issue,
    )
