"""Every text of the kiosk's own (the forms carry their own), in English and Spanish.

The services and the domain word their messages in English; ``message()`` gives the Spanish for
the ones a patient can meet at the kiosk, so that an error never switches language on them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intake.domain.wizard import Place
    from intake.services.completeness import Missing

LANGS = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

_T: dict[str, tuple[str, str]] = {
    # --- window furniture ---
    "window_title": ("Patient check-in", "Registro del paciente"),
    "text_size": ("Text size", "Tamaño del texto"),
    "size_normal": ("Normal text size", "Texto de tamaño normal"),
    "size_large": ("Large text", "Texto grande"),
    "size_larger": ("Largest text", "Texto más grande"),
    "contrast": ("High contrast", "Alto contraste"),
    "contrast_name": ("High-contrast colours", "Colores de alto contraste"),
    "staff": ("Staff", "Personal"),
    "staff_name": ("Staff only: close the kiosk", "Solo personal: cerrar el quiosco"),
    "language_name": ("Language: {name}", "Idioma: {name}"),
    "back": ("Back", "Atrás"),
    "next": ("Next", "Siguiente"),
    "progress": ("Part {n} of {total}: {section}", "Parte {n} de {total}: {section}"),
    "progress_name": ("Progress", "Progreso"),
    # where the patient is inside a part: "Part 4 of 6: About your treatment · Topic 3 of 10"
    "progress_place": (
        "Part {n} of {total}: {section} · {place}",
        "Parte {n} de {total}: {section} · {place}",
    ),
    "place_topic": ("Topic {n} of {total}", "Tema {n} de {total}"),
    "place_question": ("Question {n} of {total}", "Pregunta {n} de {total}"),
    "place_page": ("Page {n} of {total}", "Página {n} de {total}"),
    # before the first topic (a guardian's details): how many topics there are to read
    "place_topic_ahead_one": ("1 topic to read", "1 tema para leer"),
    "place_topic_ahead_other": ("{count} topics to read", "{count} temas para leer"),
    # sections
    "section_about_you": ("About you", "Sus datos"),
    "section_health": ("Your health", "Su salud"),
    "section_mood": ("How you feel", "Cómo se siente"),
    "section_risks": ("About your treatment", "Sobre su tratamiento"),
    "section_check": ("Check your understanding", "Compruebe lo que entendió"),
    "section_sign": ("Signing", "Firma"),
    "section_done": ("Finished", "Terminado"),
    "section_welcome": ("Welcome", "Bienvenida"),
    # --- welcome ---
    "welcome_title": ("Welcome", "Le damos la bienvenida"),
    "welcome_clinic": ("Welcome to {clinic}", "Le damos la bienvenida a {clinic}"),
    "welcome_body": (
        "We will go through some health questions and the important facts about your acne"
        " treatment, about 20 minutes. Take your time: you can go back at any point before you"
        " sign.",
        "Repasaremos unas preguntas sobre su salud y la información importante sobre su"
        " tratamiento para el acné; son unos 20 minutos. Tómese su tiempo: puede volver atrás"
        " en cualquier momento antes de firmar.",
    ),
    "choose_language": ("Choose your language", "Elija su idioma"),
    "start_heading": (
        "To begin, enter your date of birth and the visit code from the front desk.",
        "Para empezar, escriba su fecha de nacimiento y el código de visita que le dieron en"
        " recepción.",
    ),
    "date_of_birth": ("Date of birth", "Fecha de nacimiento"),
    "month": ("Month", "Mes"),
    "day": ("Day", "Día"),
    "year": ("Year", "Año"),
    "visit_code": ("Visit code", "Código de visita"),
    "visit_code_help": (
        "The visit code is the 6-digit number on the slip from the front desk.",
        "El código de visita es el número de 6 dígitos del papel que le dieron en recepción.",
    ),
    "visit_code_digits": ("6 digits", "6 dígitos"),
    "start": ("Start", "Comenzar"),
    "getting_ready": ("One moment, getting ready…", "Un momento, preparando todo…"),
    "code_incomplete": (
        "Please enter the 6-digit visit code.",
        "Escriba el código de visita de 6 dígitos.",
    ),
    "date_incomplete": (
        "Please enter the month, the day and the 4-digit year.",
        "Escriba el día, el mes y el año con 4 dígitos.",
    ),
    "date_invalid": (
        "That date does not exist; please check the month and the day.",
        "Esa fecha no existe; revise el día y el mes.",
    ),
    "welcome_back_title": ("Welcome back", "Bienvenido/a de nuevo"),
    "welcome_back_body": (
        "You have already started this visit. To protect your privacy, a member of staff needs"
        " to confirm before your answers are shown again. Please ask at the front desk.",
        "Usted ya había comenzado esta visita. Para proteger su privacidad, una persona del"
        " personal tiene que confirmarlo antes de volver a mostrar sus respuestas. Por favor,"
        " pregunte en recepción.",
    ),
    "staff_continue": ("Staff: continue", "Personal: continuar"),
    "start_over": ("Cancel", "Cancelar"),
    # --- question pages ---
    "optional": ("Optional", "Opcional"),
    "complete_to_continue": (
        "Please answer the questions above to continue.",
        "Responda las preguntas de arriba para continuar.",
    ),
    "weight_number": ("Weight", "Peso"),
    "unit_kg": ("kg", "kg"),
    "unit_lb": ("lb", "lb"),
    "unit_kg_name": ("Kilograms", "Kilogramos"),
    "unit_lb_name": ("Pounds", "Libras"),
    "dob_on_record": (
        "This is the date of birth on your record. If it is not yours, tell us: a member of staff"
        " will check it with you.",
        "Esta es la fecha de nacimiento de su expediente. Si no es la suya, díganoslo: una"
        " persona del personal la revisará con usted.",
    ),
    "dob_not_mine": ("This is not my date of birth", "Esta no es mi fecha de nacimiento"),
    "dob_not_mine_confirm": (
        "Tap again to ask a member of staff to check it",
        "Toque otra vez para que el personal lo revise",
    ),
    "identity_name_note": (
        "If your name is not written as on your ID, correct it here: a member of staff will check"
        " the change with you before it goes on your record.",
        "Si su nombre no está escrito como en su identificación, corríjalo aquí: una persona del"
        " personal revisará el cambio con usted antes de anotarlo en su expediente.",
    ),
    # --- staff check of the patient's details ---
    "staff_check_title": (
        "A member of staff will check your details",
        "Una persona del personal revisará sus datos",
    ),
    "staff_check_body": (
        "Thank you for telling us. Your details need a quick check at the front desk before we"
        " go on. Please wait here, or go to the front desk; your answers so far are saved.",
        "Gracias por decírnoslo. Sus datos necesitan una revisión rápida en recepción antes de"
        " seguir. Espere aquí o acérquese a recepción; sus respuestas hasta ahora están"
        " guardadas.",
    ),
    "unit_st": ("st", "st"),
    "unit_st_name": ("Stones and pounds", "Piedras (stones) y libras"),
    "weight_in_kg": ("That is {kg} kg.", "Son {kg} kg."),
    "save_failed": (
        "This page could not be saved. Please try again, or ask a member of staff.",
        "No se pudo guardar esta página. Inténtelo de nuevo o pida ayuda al personal.",
    ),
    # --- PHQ-9 ---
    "phq9_title": ("How you have been feeling", "Cómo se ha sentido"),
    "phq9_intro": (
        "Some people feel low while taking this medicine, so we ask everyone these questions"
        " now and at each visit. Please answer each one honestly. There are no right or wrong"
        " answers.",
        "Algunas personas se sienten decaídas mientras toman este medicamento, así que hacemos"
        " estas preguntas a todos ahora y en cada visita. Responda cada una con sinceridad. No"
        " hay respuestas correctas ni incorrectas.",
    ),
    "phq9_item": ("{n}. {text}", "{n}. {text}"),
    "help_staff_continue": (
        "Staff: continue the visit",
        "Personal: continuar la visita",
    ),
    # --- guardian ---
    "guardian_title": ("Parent or guardian", "Madre, padre o tutor legal"),
    "guardian_intro": (
        "Because the patient is under 18, a parent or legal guardian reads every statement too,"
        " types their own initials beside the patient's, and signs at the end. Please enter the"
        " parent or guardian's name.",
        "Como el paciente es menor de 18 años, su madre, padre o tutor legal también lee cada"
        " afirmación, escribe sus propias iniciales junto a las del paciente y firma al final."
        " Escriba el nombre de la madre, el padre o el tutor legal.",
    ),
    "guardian_first": ("Parent or guardian's first name", "Nombre de la madre, padre o tutor"),
    "guardian_last": ("Parent or guardian's last name", "Apellidos de la madre, padre o tutor"),
    "relationship": ("Relationship to the patient", "Relación con el paciente"),
    "rel_parent": ("Parent", "Madre o padre"),
    "rel_guardian": ("Legal guardian", "Tutor o tutora legal"),
    "choose_relationship": (
        "Please choose how you are related to the patient.",
        "Elija su relación con el paciente.",
    ),
    # --- topics ---
    "topic_instructions": (
        "Read each statement. Then type your initials in the box below it to show you understand.",
        "Lea cada afirmación. Después escriba sus iniciales en el cuadro de abajo para indicar"
        " que la entiende.",
    ),
    "topic_instructions_minor": (
        "Read each statement together. The patient and the parent or guardian each type their"
        " initials in their own box.",
        "Lean juntos cada afirmación. El paciente y la madre, el padre o el tutor escriben cada"
        " uno sus iniciales en su propio cuadro.",
    ),
    "your_initials": ("Your initials", "Sus iniciales"),
    "patient_initials": ("Patient's initials", "Iniciales del paciente"),
    "guardian_initials": ("Parent or guardian's initials", "Iniciales de la madre, padre o tutor"),
    "initials_for": ("{who}: {statement}", "{who}: {statement}"),
    "initialled": ("Initialled ✓", "Con iniciales ✓"),
    "read_again_notice": (
        "Please read this statement again and type your initials once more.",
        "Lea de nuevo esta afirmación y vuelva a escribir sus iniciales.",
    ),
    "statement_count": ("Statement {n} of {total}", "Afirmación {n} de {total}"),
    # --- quiz ---
    "quiz_title": ("Check your understanding", "Compruebe lo que entendió"),
    "quiz_counter": ("Question {n} of {total}", "Pregunta {n} de {total}"),
    "quiz_intro_one": (
        "There is 1 question. It helps make sure the most important points are clear.",
        "Es 1 pregunta. Nos ayuda a comprobar que los puntos más importantes están claros.",
    ),
    "quiz_intro_other": (
        "There are {count} questions. They help make sure the most important points are clear.",
        "Son {count} preguntas. Nos ayudan a comprobar que los puntos más importantes están"
        " claros.",
    ),
    "check_answer": ("Check my answer", "Comprobar mi respuesta"),
    "quiz_wrong": ("Not quite.", "No es del todo correcto."),
    "quiz_wrong_next": (
        "Let's read that part again together. Then you can answer this question again.",
        "Volvamos a leer esa parte. Después podrá responder esta pregunta otra vez.",
    ),
    "quiz_again": (
        "Thank you for reading that part again. Please answer this question once more.",
        "Gracias por leer de nuevo esa parte. Responda esta pregunta una vez más.",
    ),
    "read_again": ("Read that part again", "Volver a leer esa parte"),
    "choose_answer": ("Choose an answer", "Elija una respuesta"),
    # --- review ---
    "review_title": ("Before you sign", "Antes de firmar"),
    "review_intro": (
        "This is what you are agreeing to. Please read it. If something is not right, go back"
        " and change it before you sign.",
        "Esto es lo que usted acepta. Léalo por favor. Si algo no está bien, vuelva atrás y"
        " cámbielo antes de firmar.",
    ),
    "review_patient": ("Patient", "Paciente"),
    "review_guardian": ("Parent or guardian", "Madre, padre o tutor"),
    "review_answers": ("Your answers", "Sus respuestas"),
    "review_statements": (
        "The statements you initialled",
        "Las afirmaciones que usted marcó con sus iniciales",
    ),
    "review_quiz": (
        "You answered every understanding question correctly.",
        "Respondió bien todas las preguntas de comprensión.",
    ),
    "review_not_answered": ("(not answered)", "(sin respuesta)"),
    "go_to_signing": ("Go to signing", "Ir a firmar"),
    "review_gap": (
        "A few statements need your initials again before you sign.",
        "Algunas afirmaciones necesitan de nuevo sus iniciales antes de firmar.",
    ),
    "review_missing": (
        "Some steps are not finished yet. We will take you there.",
        "Faltan algunos pasos. Le llevaremos allí.",
    ),
    # what a visit still lacks (services.completeness.MissingKind), in the review's notice
    "missing_question": ("the question “{name}”", "la pregunta «{name}»"),
    "missing_mood": ("mood questions", "preguntas sobre el estado de ánimo"),
    "missing_staff": (
        "a member of staff must see you first",
        "un miembro del personal debe atenderle primero",
    ),
    "missing_identity": (
        "a member of staff must check your details",
        "un miembro del personal debe comprobar sus datos",
    ),
    "missing_acknowledgement_patient": (
        "your initials on statement {id}",
        "sus iniciales en la afirmación {id}",
    ),
    "missing_acknowledgement_guardian": (
        "the parent or guardian's initials on statement {id}",
        "las iniciales de la madre, padre o tutor en la afirmación {id}",
    ),
    "missing_quiz": ("understanding check", "preguntas de comprensión"),
    "missing_signature_patient": ("your signature", "su firma"),
    "missing_signature_guardian": (
        "the parent or guardian's signature",
        "la firma de la madre, padre o tutor",
    ),
    # --- signing ---
    "sign_title_patient": ("Your signature", "Su firma"),
    "sign_title_guardian": (
        "Parent or guardian's signature",
        "Firma de la madre, padre o tutor",
    ),
    "sign_instructions": (
        "Sign in the box with your finger, a stylus or the mouse.",
        "Firme en el cuadro con el dedo, un lápiz táctil o el ratón.",
    ),
    "signature_pad": ("Signature pad", "Cuadro de firma"),
    "signature_pad_help": (
        "Draw your signature here with a finger, a stylus or the mouse.",
        "Dibuje aquí su firma con el dedo, un lápiz táctil o el ratón.",
    ),
    "clear_signature": ("Clear", "Borrar"),
    "clear_signature_name": ("Clear the signature", "Borrar la firma"),
    "type_signature": ("Sign using the keyboard", "Firmar con el teclado"),
    "type_signature_help": (
        "Uses the printed name above as your signature.",
        "Usa el nombre escrito arriba como su firma.",
    ),
    "printed_name_patient": ("Your full name", "Su nombre completo"),
    "printed_name_guardian": (
        "Parent or guardian's full name",
        "Nombre completo de la madre, padre o tutor",
    ),
    "meaning_title": ("What this signature means", "Qué significa esta firma"),
    "meaning_patient": (
        "Consent signature. By signing, I confirm that I have read and understood each statement"
        " I initialled, that my questions have been answered, and that I agree to treatment with"
        " isotretinoin on these terms. I know I can stop at any time.",
        "Firma de consentimiento. Al firmar, confirmo que he leído y entendido cada afirmación"
        " que marqué con mis iniciales, que han respondido a mis preguntas y que acepto el"
        " tratamiento con isotretinoína en estas condiciones. Sé que puedo dejarlo en cualquier"
        " momento.",
    ),
    "meaning_guardian": (
        "Guardian consent. As the parent or legal guardian of {patient}, I confirm that I have"
        " read and understood each statement I initialled, and I consent to this treatment for"
        " them.",
        "Consentimiento del tutor. Como madre, padre o tutor legal de {patient}, confirmo que he"
        " leído y entendido cada afirmación que marqué con mis iniciales, y doy mi"
        " consentimiento para este tratamiento.",
    ),
    "signed_when": ("Date and time: {when}", "Fecha y hora: {when}"),
    "sign": ("Sign", "Firmar"),
    "no_back_after_sign": (
        "Once you sign, the answers can no longer be changed.",
        "Una vez que firme, las respuestas ya no se pueden cambiar.",
    ),
    # --- done ---
    "done_title": ("Thank you", "Gracias"),
    "done_body": (
        "You have finished. A member of staff will bring your packet to you: the consent you"
        " signed and information to take home.",
        "Ha terminado. Una persona del personal le traerá su carpeta: el consentimiento que"
        " firmó e información para llevar a casa.",
    ),
    "done_preparing": ("Preparing your documents…", "Preparando sus documentos…"),
    "done_ready": ("Your documents are ready.", "Sus documentos están listos."),
    "done_by_staff": (
        "Your documents will be prepared by staff.",
        "El personal preparará sus documentos.",
    ),
    "done_return": (
        "Please leave the screen as it is; it will clear itself.",
        "Deje la pantalla como está; se borrará sola.",
    ),
    "finish": ("Finish", "Terminar"),
    # --- idle ---
    "idle_title": ("Are you still there?", "¿Sigue ahí?"),
    "idle_body": (
        "To protect your privacy, this screen will clear in {n} seconds. Your answers so far are"
        " saved.",
        "Para proteger su privacidad, esta pantalla se borrará en {n} segundos. Sus respuestas"
        " hasta ahora están guardadas.",
    ),
    "still_here": ("I'm still here", "Sigo aquí"),
    # --- staff PIN ---
    "pin_title": ("Staff confirmation", "Confirmación del personal"),
    "pin_username": ("Staff username", "Usuario del personal"),
    "pin_secret": ("PIN", "PIN"),
    "pin_confirm": ("Confirm", "Confirmar"),
    "pin_cancel": ("Cancel", "Cancelar"),
    "pin_checking": ("Checking…", "Comprobando…"),
    "pin_for_leave": (
        "Staff only: sign in to close the kiosk.",
        "Solo personal: inicie sesión para cerrar el quiosco.",
    ),
    "pin_for_continue": (
        "Staff only: sign in to confirm you have spoken with the patient, and continue the visit.",
        "Solo personal: inicie sesión para confirmar que habló con el paciente y continuar la"
        " visita.",
    ),
    "pin_for_resume": (
        "Staff only: sign in to resume this visit where it stopped.",
        "Solo personal: inicie sesión para retomar esta visita donde se quedó.",
    ),
    "pin_missing": (
        "Please enter the username and the PIN.",
        "Escriba el usuario y el PIN.",
    ),
    "not_ready": (
        "The kiosk is still starting; please try again in a moment.",
        "El quiosco todavía se está iniciando; inténtelo de nuevo en un momento.",
    ),
}


def t(key: str, lang: str, **values: object) -> str:
    en, es = _T[key]
    text = es if lang == "es" else en
    return text.format(**values) if values else text


def tn(key: str, lang: str, count: int, **values: object) -> str:
    """A text that names a number: ``key_one`` for exactly 1, ``key_other`` otherwise.

    English and Spanish both use the singular for 1 only ("0 preguntas", "1 pregunta").
    """
    return t(f"{key}_one" if count == 1 else f"{key}_other", lang, count=count, **values)


def has(key: str) -> bool:
    return key in _T


def missing_text(item: Missing, lang: str, question_text: str = "") -> str:
    """One thing a visit still lacks, in words (``question_text``: the question's own words)."""
    kind = item.kind.value
    if kind in ("acknowledgement", "signature"):
        role = item.role if item.role in ("patient", "guardian") else "patient"
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
    return frozenset(es for _en, es in _T.values())


def is_spanish(text: str) -> bool:
    """Whether ``text`` is already one of the kiosk's Spanish messages."""
    return (
        text.startswith(UNTRANSLATED)
        or text in _kiosk_spanish()
        or any(p.match(text) for p in _spanish_compiled())
    )


def message(text: str, lang: str) -> str:
    """A service or domain message in the patient's language.

    A message already in Spanish is returned as it is: translating it again would wrap it in
    "ask for help" around the real words.
    """
    if lang != "es":
        return text
    if not text or is_spanish(text):
        return text
    for pattern, spanish in _compiled():
        match = pattern.match(text)
        if match:
            return match.expand(spanish)
    return f"{UNTRANSLATED} ({text})"
