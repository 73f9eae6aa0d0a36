"""The kiosk's own texts (the forms carry their own): thin wrappers over the message catalogue.

The services and the domain word their messages in English; ``message()`` gives the Spanish for
the ones a patient can meet at the kiosk, so that an error never switches language on them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from intake import i18n
from intake.domain.kinds import SignerRole

if TYPE_CHECKING:
    from intake.domain.wizard import Place
    from intake.services.completeness import Missing
    from intake.services.kiosk_payloads import ViewState

# The kiosk's texts are the catalogue's "kiosk" area (resources/messages/kiosk.<lang>.toml).
AREA = "kiosk"
LANGS = i18n.codes()  # the real languages; the kiosk offers i18n.offered() (pseudo when asked)
LANGUAGE_NAMES = {lang.code: lang.name for lang in i18n.languages(pseudo=True)}


def t(key: str, lang: str, **values: object) -> str:
    return i18n.tr(f"{AREA}.{key}", lang, **values)


def tn(key: str, lang: str, count: int, **values: object) -> str:
    """A text that names a number, in the plural form the language's rules give for ``count``
    ("1 pregunta", "0 preguntas")."""
    return i18n.tr(f"{AREA}.{key}", lang, count=count, **values)


def has(key: str) -> bool:
    return i18n.has(f"{AREA}.{key}")


def missing_text(item: Missing, lang: str, question_text: str = "") -> str:
    """One thing a visit still lacks, in words (``question_text``: the question's own words)."""
    kind = item.kind.value
    if kind in ("acknowledgement", "signature"):
        signers = (SignerRole.PATIENT, SignerRole.GUARDIAN)
        role = item.role if item.role in signers else SignerRole.PATIENT
        return t(f"missing_{kind}_{role}", lang, id=item.id)
    if kind == "question":
        return t("missing_question", lang, name=question_text or item.id)
    return t(f"missing_{kind}", lang)


def progress_text(place: Place, lang: str) -> str:
    """The progress line: the part of the visit and, inside a part of many pages, which one."""
    section = t(f"section_{place.section}", lang)
    values = {"n": place.part, "total": place.parts, "section": section}
    if not place.unit or not place.total:
        return t("progress", lang, **values)
    if place.n == 0:
        where = tn(f"place_{place.unit}_ahead", lang, place.total)
    else:
        where = t(f"place_{place.unit}", lang, n=place.n, total=place.total)
    return t("progress_place", lang, place=where, **values)


# Messages the services and the domain give in English, with their Spanish wording.
# Patterns with groups carry a value (a name, a number) across.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Please answer this question\.", "Responda esta pregunta."),
    (r"Please fill this in\.", "Complete este dato."),
    (r"Please enter a name\.", "Escriba un nombre."),
    (r"Please use at most (\d+) characters\.", r"Use como máximo \1 caracteres."),
    (
        r"Please use letters only; spaces, hyphens and apostrophes are fine\.",
        "Use solo letras; puede usar espacios, guiones y apóstrofos.",
    ),
    (r"Please type this in\.", "Escríbalo, por favor."),
    (
        r"The clinic's forms cannot print (.+); please type the name as on an ID card, or ask a"
        r" member of staff\.",
        r"Los formularios de la clínica no pueden imprimir \1; escriba el nombre como en un"
        r" documento de identidad o pregunte al personal.",
    ),
    (
        r"Please write your name as on your record: (.+)\.",
        r"Escriba su nombre como figura en su expediente: \1.",
    ),
    (
        r"Please write the name the parent or guardian gave: (.+)\.",
        r"Escriba el nombre que dio la madre, el padre o el tutor: \1.",
    ),
    (
        r"Your details were changed after the first signature\. Please ask a member of staff to"
        r" start the signatures again\.",
        "Sus datos cambiaron después de la primera firma. Pida al personal que vuelva a empezar"
        " las firmas.",
    ),
    (
        r"The clinic's forms cannot print (.+); please write this in other letters, or ask a"
        r" member of staff\.",
        r"Los formularios de la clínica no pueden imprimir \1; escríbalo con otras letras o"
        r" pregunte al personal.",
    ),
    (
        r"Please shorten this to at most (\d+) characters\.",
        r"Acórtelo a \1 caracteres como máximo.",
    ),
    (r"Please enter a date\.", "Escriba una fecha."),
    (
        r"Please enter the date as year-month-day, for example 2004-03-17\.",
        "Escriba la fecha completa: día, mes y año.",
    ),
    (r"The date of birth cannot be in the future\.", "La fecha de nacimiento no puede ser futura."),
    (r"Please check the year of birth\.", "Revise el año de nacimiento."),
    (
        r"This visit's stored status is not one the program knows \(it was changed outside the "
        r"app\), so it cannot be shown or changed\. Please tell the clinic's administrator "
        r"\(`main\.py audit verify` lists it\)\.",
        "El estado guardado de esta visita no es uno que el programa conozca (se cambió fuera de"
        " la aplicación), así que no se puede mostrar ni cambiar. Avise al administrador de la"
        " clínica (`main.py audit verify` la señala).",
    ),
    (
        r"This patient has no course running: start a first visit instead\.",
        "Este paciente no tiene un tratamiento en curso: empiece una primera visita.",
    ),
    (
        r"Patients must be at least (\d+) years old; please check the year or ask a member of staff\.",
        r"Los pacientes deben tener al menos \1 años; revise el año o pregunte al personal.",
    ),
    (r"Please choose kg or lb\.", "Elija kg o lb."),
    (r"Please choose kg, lb or st\.", "Elija kg, lb o st."),
    (r"Please enter your weight\.", "Escriba su peso."),
    (
        r"Please type your weight without a \+ or - sign, for example 62\.5\.",
        "Escriba su peso sin signo + ni -, por ejemplo 62,5.",
    ),
    (
        r"Please type your weight as plain digits, without an e, for example 62\.5\.",
        "Escriba su peso solo con cifras, sin la letra e, por ejemplo 62,5.",
    ),
    (
        r"Please type your weight in digits, for example 62\.5 or 140 lb\.",
        "Escriba su peso con cifras, por ejemplo 62,5 o 140 lb.",
    ),
    (
        r"Please type one weight only, for example 62\.5 or 140 lb\.",
        "Escriba un solo peso, por ejemplo 62,5 o 140 lb.",
    ),
    (
        r"Please type your weight with one decimal point or comma at most and no thousands"
        r" separator, for example 62\.5\.",
        "Escriba su peso con una sola coma o punto decimal y sin separador de miles, por"
        " ejemplo 62,5.",
    ),
    (
        r"Please type your weight in kg or lb; stones are not used here\.",
        "Escriba su peso en kg o lb; aquí no se usan las piedras (stones).",
    ),
    (
        r"Please write stones and pounds as whole stones, then 0 to 13 pounds, for example"
        r" 10 st 4 lb\.",
        "Escriba las piedras (stones) enteras y después de 0 a 13 libras, por ejemplo 10 st 4 lb.",
    ),
    (
        r"Please type just your weight, for example 62\.5\.",
        "Escriba solo su peso, por ejemplo 62,5.",
    ),
    (
        r"Please check your weight: it should be between (\d+) and (\d+) (kg|lb|st)\.",
        r"Revise su peso: debe estar entre \1 y \2 \3.",
    ),
    (r"Please enter a phone number\.", "Escriba un número de teléfono."),
    (
        r"Please use digits only; spaces, dashes, brackets and a leading \+ are fine\.",
        "Use solo números; puede usar espacios, guiones, paréntesis y un + al principio.",
    ),
    (
        r"A phone number has 7 to 15 digits; please check it\.",
        "Un número de teléfono tiene de 7 a 15 dígitos; revíselo.",
    ),
    (r"Please enter an e-mail address\.", "Escriba un correo electrónico."),
    (
        r"Please check the e-mail address, for example name@example\.com\.",
        "Revise el correo electrónico, por ejemplo nombre@ejemplo.com.",
    ),
    (r"Please type your initials\.", "Escriba sus iniciales."),
    (
        r"We need the full name before initials can be checked; please ask a member of staff\.",
        "Necesitamos el nombre completo para comprobar las iniciales; pregunte al personal.",
    ),
    (
        r"Please type only the letters of your initials, for example AB\.",
        "Escriba solo las letras de sus iniciales, por ejemplo AB.",
    ),
    (
        r"These initials do not match the name (.+); please type (\w+)\.",
        r"Estas iniciales no coinciden con el nombre \1; escriba \2.",
    ),
    (r"Please choose one of the answers\.", "Elija una de las respuestas."),
    (r"Please choose from the list\.", "Elija de la lista."),
    (r"Please choose at least one answer\.", "Elija al menos una respuesta."),
    (
        r"That answer cannot be combined with the others; please choose again\.",
        "Esa respuesta no se puede combinar con las demás; elija de nuevo.",
    ),
    (
        r"This question cannot be answered here; please ask a member of staff\.",
        "Esta pregunta no se puede responder aquí; pregunte al personal.",
    ),
    (r"Please answer all nine questions\.", "Responda las nueve preguntas."),
    (r"Please answer question (\d+)\.", r"Responda la pregunta \1."),
    (
        r"Question (\d+) needs one of the four answers\.",
        r"La pregunta \1 necesita una de las cuatro respuestas.",
    ),
    (
        r"We could not find a visit with that date of birth and code\. Please check them, or ask at the front desk\.",
        "No encontramos una visita con esa fecha de nacimiento y ese código. Revíselos o"
        " pregunte en recepción.",
    ),
    (
        r"Please enter the parent or guardian's name first\.",
        "Escriba primero el nombre de la madre, el padre o el tutor.",
    ),
    (
        r"Please sign with your finger, a pen or the mouse in the box\.",
        "Firme en el cuadro con el dedo, un lápiz o el ratón.",
    ),
    (
        r"The signature goes outside the box; please clear it and sign again\.",
        "La firma se sale del cuadro; bórrela y firme de nuevo.",
    ),
    (
        r"That signature is too small; please sign across the box\.",
        "La firma es demasiado pequeña; firme a lo ancho del cuadro.",
    ),
    (r"The signature pad has no size\.", "El cuadro de firma no tiene tamaño."),
    (
        r"Please say how you are related to the patient\.",
        "Indique su relación con el paciente.",
    ),
    (
        r"Some steps are not finished yet: .*",
        "Faltan algunos pasos; por favor, pida ayuda al personal.",
    ),
    (
        r"This visit is already submitted and cannot be changed\.",
        "Esta visita ya se envió y no se puede cambiar.",
    ),
    (r"This signature has already been given\.", "Esta firma ya se dio."),
    (
        r"A member of staff must first check your details at the front desk\.",
        "Una persona del personal debe revisar primero sus datos en recepción.",
    ),
    (
        r"A signature has been given: the answers can no longer be changed\.",
        "Ya se firmó: las respuestas ya no se pueden cambiar.",
    ),
    (r"That name or PIN is not right\.", "El usuario o el PIN no son correctos."),
    (
        r"Too many attempts\. Please wait (\d+) seconds and try again\.",
        r"Demasiados intentos. Espere \1 segundos e inténtelo de nuevo.",
    ),
    (
        r"Please ask at the front desk; they will help you start\.",
        "Por favor, pregunte en recepción; le ayudarán a empezar.",
    ),
    (
        r"Please ask at the front desk; they will help you start\. You can also try again here"
        r" in 1 minute\.",
        "Por favor, pregunte en recepción; le ayudarán a empezar. También puede volver a"
        " intentarlo aquí dentro de 1 minuto.",
    ),
    (
        r"Please ask at the front desk; they will help you start\. You can also try again here"
        r" in (\d+) minutes\.",
        r"Por favor, pregunte en recepción; le ayudarán a empezar. También puede volver a"
        r" intentarlo aquí dentro de \1 minutos.",
    ),
    (
        r"Your role does not allow this\. Please ask a colleague who can\.",
        "Su función no permite esto. Pida ayuda a un compañero que pueda hacerlo.",
    ),
    (
        r"The database cannot be reached or refused the change\. Nothing was saved; please try"
        r" again or call for help\.",
        "El sistema no responde o rechazó el cambio. No se guardó nada; inténtelo de nuevo o"
        " pida ayuda al personal.",
    ),
    (
        r"This record is signed and cannot be changed\. A correction is made as a new record\.",
        "Este registro ya está firmado y no se puede cambiar. Una corrección se hace como un"
        " registro nuevo.",
    ),
    (
        r"Someone else changed this record at another station\. It has been reloaded; please"
        r" check it and try again\.",
        "Otra persona cambió este registro en otro puesto. Se ha vuelto a cargar; revíselo e"
        " inténtelo de nuevo.",
    ),
    (
        r"This was just saved at another station\. Please reload and check it\.",
        "Esto se acaba de guardar en otro puesto. Vuelva a cargarlo y revíselo.",
    ),
    (
        r"This session cannot open that visit\.",
        "Esta sesión no puede abrir esa visita; pida ayuda al personal.",
    ),
    (r"This visit is already submitted\.", "Esta visita ya se envió."),
    (r"Please choose English or Español\.", "Elija English o Español."),
    (r"Unknown reason for leaving the kiosk\.", "Motivo desconocido para dejar el quiosco."),
    (r"No such visit\.", "No encontramos esta visita; pida ayuda al personal."),
    (r"No such patient\.", "No encontramos a este paciente; pida ayuda al personal."),
    (
        r"Only the patient or a guardian signs at the kiosk\.",
        "En este puesto solo firman el paciente o su madre, padre o tutor.",
    ),
)

# Said when a message has no Spanish wording yet: what to do, in Spanish, with the original
# after it for the member of staff who comes to help.
UNTRANSLATED = "No se pudo completar este paso; pida ayuda al personal."


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(rf"^{pattern}$"), spanish) for pattern, spanish in _MESSAGES)


@cache
def _spanish_compiled() -> tuple[re.Pattern[str], ...]:
    """The Spanish wordings as patterns (a carried value matches anything), to recognise a
    message that is already in Spanish."""
    out = []
    for _pattern, spanish in _MESSAGES:
        parts = re.split(r"\\\d", spanish)
        out.append(re.compile("^" + "(.+)".join(re.escape(part) for part in parts) + "$"))
    return tuple(out)


@cache
def _kiosk_spanish() -> frozenset[str]:
    prefix = f"{AREA}."
    return frozenset(
        text
        for msg_id, msg in i18n.catalogue("es").items()
        if msg_id.startswith(prefix)
        for text in msg.forms.values()
    )


def is_spanish(text: str) -> bool:
    """Whether ``text`` is already one of the kiosk's Spanish messages."""
    return (
        text.startswith(UNTRANSLATED)
        or text in _kiosk_spanish()
        or any(p.match(text) for p in _spanish_compiled())
    )


class Worded(str):
    """A text already in the patient's language, from the catalogue: ``message`` keeps it."""


def refusal_text(code: str, params: Mapping[str, Any], lang: str) -> Worded | None:
    """A service's refusal by its code (``ServiceError.code``), in the kiosk's own words;
    None when the catalogue has none for it (the service's text is shown, translated)."""
    key = f"error_{code}"
    if not has(key):
        return None
    count = params.get("minutes", params.get("seconds"))
    if isinstance(count, int):
        return Worded(tn(key, lang, count, **params))
    return Worded(t(key, lang, **params))


def worded(view: ViewState, lang: str) -> ViewState:
    """A refusal the catalogue words (by its code) in place of the service's English text."""
    problem = view.problem
    if problem is None or not view.errors:
        return view
    text = refusal_text(problem.code, problem.params, lang)
    if text is None:
        return view
    return dataclasses.replace(view, errors=dict.fromkeys(view.errors, text))


def message(text: str, lang: str) -> str:
    """A service or domain message in the patient's language.

    A message already in Spanish is returned as it is: translating it again would wrap it in
    "ask for help" around the real words.
    """
    if isinstance(text, Worded):
        return text
    if i18n.language(lang).is_pseudo:
        return i18n.pseudo_text(text) if text else text
    if lang != "es":
        return text
    if not text or is_spanish(text):
        return text
    for pattern, spanish in _compiled():
        match = pattern.match(text)
        if match:
            return match.expand(spanish)
    return f"{UNTRANSLATED} ({text})"
