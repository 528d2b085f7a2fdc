"""The words people read on the pages, by language.

Staff pages are in English. The pages a family is given (the consent form, the
receipt, their copy of the disclosure log) are in English and Spanish; a key
missing in a language falls back to English, and a key missing everywhere shows
itself, so that a gap is visible rather than silently blank.
"""

from __future__ import annotations

from collections.abc import Callable

from youthbridge.exchange.vocabulary import CaseOutcome, ServiceCategory

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

Translate = Callable[..., str]

_EN: dict[str, str] = {
    "site.skip": "Skip to main content",
    "site.signed_in_as": "Signed in as",
    "site.sign_out": "Sign out",
    "site.sign_in": "Sign in",
    "site.menu": "Main menu",
    "nav.home": "Home",
    "nav.trends": "Trends",
    "nav.at_risk": "At-risk review",
    "nav.directory": "Service directory",
    "nav.audit": "Audit log",
    "nav.uploads": "Data uploads",
    "nav.outreach": "Outreach queue",
    "nav.disclosures": "Disclosure log",
    "signin.title": "Sign in",
    "signin.username": "Username",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "code.title": "Enter your authenticator code",
    "code.help": "Open your authenticator app and type the six-digit code, or one"
    " of your recovery codes.",
    "code.label": "Code",
    "code.submit": "Continue",
    "enrol.title": "Set up your authenticator",
    "enrol.help": "Your role needs a second factor. Add this key to an authenticator"
    " app, then type the code it shows.",
    "enrol.start": "Set up an authenticator",
    "enrol.secret": "Key for your authenticator",
    "enrol.recovery": "Recovery codes: keep them somewhere safe; each works once.",
    "error.title": "Something needs your attention",
    "error.back": "Go back to the home page",
    "error.sign_in_again": "Sign in again",
    "home.title": "Welcome",
    "home.help": "Choose what you want to work on.",
    "trends.title": "Trends",
    "trends.note": "Every count under {minimum}, and every rate built on one, is"
    " shown as {marker} and left out of the charts.",
    "trends.left_out": "{count} suppressed cells are left out of this chart.",
    "at_risk.title": "At-risk review",
    "at_risk.note": "Students appear under pseudonyms only. A flag is a reason to"
    " offer help, never a judgement; a person reviews it before any outreach.",
    "at_risk.request": "Ask the district to reach out",
    "at_risk.offer": "Programme to offer",
    "at_risk.choose": "Ask about this student",
    "at_risk.requested": "Outreach was requested for {count} students of district"
    " {district}.",
    "directory.title": "Service directory",
    "directory.search": "Search services",
    "audit.title": "Audit log",
    "audit.after": "Show entries after sequence",
    "uploads.title": "Data uploads",
    "uploads.by_path": "Ingest a file or folder on the server",
    "uploads.by_file": "Upload a CSV export",
    "uploads.path": "Path on the server",
    "uploads.format": "Format",
    "uploads.map": "Column map",
    "uploads.file": "CSV file",
    "uploads.submit": "Ingest",
    "uploads.batches": "Batches",
    "uploads.quarantine": "Quarantined rows",
    "outreach.title": "Outreach queue",
    "outreach.begin": "Start reaching out",
    "outreach.decline": "Family declined",
    "outreach.unreachable": "Could not reach the family",
    "disclosures.title": "Disclosure log",
    "disclosures.student": "Student number",
    "disclosures.show": "Show the log",
    "disclosures.print": "Print this page to give the family their copy.",
    "disclosures.none": "No records of this student have been disclosed.",
    "disclosures.date": "Date",
    "disclosures.recipient": "Who received the records",
    "disclosures.purpose": "Why",
    "disclosures.categories": "What was shared",
    "disclosures.consent": "Under which consent",
    "disclosures.heading": "Your copy of the disclosure log",
    "disclosures.intro": "This is every time the district shared this student's"
    " records with the youth program, and what it shared.",
    "consent.title": "Release of information",
    "consent.intro": "With your signature, the school district may share the"
    " records you choose below with the city youth program, only to offer and"
    " provide support. You may say no; saying no has no effect at school.",
    "consent.categories": "Records you agree to share",
    "consent.capacity": "I sign as",
    "consent.signed_on": "Date signed",
    "consent.expires_on": "This release ends on",
    "consent.language": "Language of the form",
    "consent.submit": "Record the signed release",
    "consent.revoke_note": "You may end this release at any time by telling the"
    " school; the youth program then destroys what it received.",
    "category.contact": "Contact details",
    "category.grades": "Grades",
    "category.attendance": "Attendance",
    "category.behaviour": "Behaviour",
    "category.discipline": "Discipline",
    "capacity.parent": "Parent",
    "capacity.guardian": "Guardian",
    "capacity.student": "Student (18 or older)",
    "language.en": "English",
    "language.es": "Spanish",
    "nav.caseload": "My caseload",
    "nav.team": "Team caseloads",
    "nav.consents": "Consents",
    "nav.students": "Student progress",
    "caseload.title": "My caseload",
    "caseload.note": "Cases assigned to you and those waiting in your team's queue."
    " Students appear by pseudonym; open a case to see what its consent allows.",
    "caseload.cases": "Cases",
    "caseload.queued": "waiting in the {team} queue",
    "caseload.overdue": "overdue",
    "caseload.none": "No cases.",
    "team.title": "Caseloads of team {team}",
    "team.overdue": "Follow-ups overdue",
    "team.queue": "Waiting in the team queue",
    "case.title": "Case {pseudonym}",
    "case.pseudonym": "Pseudonym",
    "case.district": "District",
    "case.status": "Status",
    "case.team": "Team",
    "case.consent_until": "Consent until",
    "case.consent_ended": "ended",
    "case.last_contact": "Last contact",
    "case.no_contact": "none yet",
    "case.follow_up": "Follow up by",
    "case.done.progress": "The progress update was sent to the district.",
    "case.done.goal": "The goal was added.",
    "case.done.plan": "The service was added to the plan.",
    "case.done.started": "The service was marked as started.",
    "case.done.note": "The contact note was kept.",
    "case.purpose": "Why you are opening this case",
    "case.open": "Open the case for this purpose",
    "case.consent": "Consent",
    "case.consent_live": "Active until {until}.",
    "case.consent_names": "It allows these records:",
    "case.consent_gone": "The consent has ended. The identified records were"
    " destroyed and nothing identified can be added.",
    "case.records": "Records the consent allows",
    "case.category_empty": "The district holds none of these for this school year.",
    "case.no_records": "No identified records are held for this case.",
    "case.goals": "Goals",
    "case.goal_new": "New goal",
    "case.goal_add": "Add the goal",
    "case.destroyed": "(destroyed when the consent ended)",
    "case.none": "None yet.",
    "case.plan": "Service plan",
    "case.plan_start": "Mark as started",
    "case.plan_service": "Service from the directory",
    "case.plan_category": "Kind of service",
    "case.plan_category_directory": "As the directory says",
    "case.plan_refer": "Refer to this service",
    "plan.referred": "referred",
    "plan.started": "started",
    "case.notes": "Contact notes",
    "case.note_kind": "Kind of contact",
    "case.note_when": "When (UTC)",
    "case.note_text": "Note",
    "case.note_add": "Keep the note",
    "contact.call": "Call",
    "contact.visit": "Visit",
    "contact.meeting": "Meeting",
    "contact.message": "Message",
    "case.progress": "Progress sent to the district",
    "case.progress_note": "The school is told codes only, never a note or a goal.",
    "case.progress_send": "Send progress",
    "case.timeline": "Timeline",
    "purpose.case-management": "Case management",
    "purpose.service-referral": "Referral to services",
    "purpose.trend-analysis": "Trend analysis",
    "purpose.programme-evaluation": "Programme evaluation",
    "progress.enrolled": "Enrolled in the programme",
    "progress.engaged": "Taking part",
    "progress.goal-progress": "Making progress on a goal",
    "consent.purpose": "The records are shared for",
    "consent.expires_help": "Leave empty for the end of next school year.",
    "consent.method": "How the form is signed",
    "consent.method.tablet": "Signed here on the screen",
    "consent.method.scan": "Signed on paper and scanned",
    "consent.signer_name": "Full name of the person signing",
    "consent.signature": "Type your name again as your signature",
    "consent.signature_help": "Typing your name here signs this form.",
    "consent.scan": "Scan of the signed paper form",
    "consent.problems": "The form cannot be recorded yet: {count} answer(s) are"
    " missing or need a change.",
    "consent.problem.categories": "Choose at least one kind of record to share.",
    "consent.problem.signer_capacity": "Say whether you sign as parent, guardian"
    " or student.",
    "consent.problem.signer_capacity.consent:signer": "A student signs their own"
    " release only from their 18th birthday; until then a parent or guardian signs.",
    "consent.problem.signer_name": "Write the full name of the person signing.",
    "consent.problem.signature": "Type your name as your signature.",
    "consent.problem.scan": "Choose the file with the scan of the signed form.",
    "consent.problem.signed_on": "Give the date the form was signed.",
    "consent.problem.expires_on": "Give the end date as a date, or leave it empty.",
    "consent.problem.expires_on.consent:expiry": "The end date comes before the"
    " date the form was signed.",
    "consent.problem.purpose": "Choose what the records are shared for.",
    "students.title": "Student progress",
    "students.show": "Show the student",
    "students.grade": "Grade",
    "students.school": "School",
    "students.progress": "Progress from the youth program",
    "students.progress_note": "The program reports codes only, as the family agreed.",
    "students.no_progress": "No progress updates have been received.",
    "students.destroyed": "Records the program destroyed",
    "students.certificate": "Destroyed on {on}:",
    "students.none_destroyed": "None.",
    "release.title": "Release records",
    "release.intro": "Send the youth program the records of student {student}"
    " that this consent names. It is active until {until}.",
    "release.categories": "Categories to release",
    "release.logged": "The release is written in the disclosure log, which the"
    " family may ask for.",
    "release.submit": "Release the records",
    "consents.title": "Consents",
    "consents.done.revoked": "The consent was revoked; the youth program was told"
    " to destroy what it holds.",
    "consents.done.released": "The records were released and the release was logged.",
    "consents.active": "Active",
    "consents.expiring": "Ending within 60 days",
    "consents.revoked": "Revoked",
    "consents.ended": "Expired or replaced",
    "consents.state": "State",
    "consents.until": "Ends on",
    "consents.actions": "Actions",
    "consents.ends_soon": "ends soon",
    "consents.receipt_en": "Receipt (English)",
    "consents.receipt_es": "Receipt (Spanish)",
    "consents.revoke": "Revoke: the signer withdrew it",
    "consents.revoke_for": "Revoke the consent of student {student}",
    "consents.none": "No consents.",
    "consent_state.active": "active",
    "consent_state.expired": "expired",
    "consent_state.revoked": "revoked",
    "consent_state.superseded": "replaced by a later consent",
    "consent_state.not-yet-valid": "not yet valid",
    "consent_state.signer-no-longer-authorised": "the student must sign their own",
}

_ES: dict[str, str] = {
    "site.skip": "Saltar al contenido principal",
    "disclosures.title": "Registro de divulgaciones",
    "disclosures.print": "Imprima esta página para entregar a la familia su copia.",
    "disclosures.none": "No se ha divulgado ningún registro de este estudiante.",
    "disclosures.date": "Fecha",
    "disclosures.recipient": "Quién recibió los registros",
    "disclosures.purpose": "Para qué",
    "disclosures.categories": "Qué se compartió",
    "disclosures.consent": "Bajo qué consentimiento",
    "disclosures.heading": "Su copia del registro de divulgaciones",
    "disclosures.intro": "Estas son todas las veces que el distrito compartió los"
    " registros de este estudiante con el programa juvenil, y lo que compartió.",
    "consent.title": "Autorización para compartir información",
    "consent.intro": "Con su firma, el distrito escolar puede compartir los"
    " registros que usted elija abajo con el programa juvenil de la ciudad,"
    " solo para ofrecer y dar apoyo. Puede decir que no; decir que no no tiene"
    " ningún efecto en la escuela.",
    "consent.categories": "Registros que acepta compartir",
    "consent.capacity": "Firmo como",
    "consent.signed_on": "Fecha de la firma",
    "consent.expires_on": "Esta autorización termina el",
    "consent.language": "Idioma del formulario",
    "consent.submit": "Registrar la autorización firmada",
    "consent.revoke_note": "Puede terminar esta autorización en cualquier momento"
    " avisando a la escuela; el programa juvenil destruye entonces lo recibido.",
    "category.contact": "Datos de contacto",
    "category.grades": "Calificaciones",
    "category.attendance": "Asistencia",
    "category.behaviour": "Conducta",
    "category.discipline": "Disciplina",
    "capacity.parent": "Madre o padre",
    "capacity.guardian": "Tutor legal",
    "capacity.student": "Estudiante (18 años o más)",
    "language.en": "Inglés",
    "language.es": "Español",
    "consent.purpose": "Los registros se comparten para",
    "consent.expires_help": "Déjelo vacío para el final del próximo año escolar.",
    "consent.method": "Cómo se firma el formulario",
    "consent.method.tablet": "Firmado aquí en la pantalla",
    "consent.method.scan": "Firmado en papel y escaneado",
    "consent.signer_name": "Nombre completo de quien firma",
    "consent.signature": "Escriba su nombre otra vez como firma",
    "consent.signature_help": "Escribir su nombre aquí firma este formulario.",
    "consent.scan": "Escaneo del formulario firmado en papel",
    "consent.problems": "Todavía no se puede registrar el formulario: faltan o hay"
    " que cambiar {count} respuesta(s).",
    "consent.problem.categories": "Elija al menos un tipo de registro para compartir.",
    "consent.problem.signer_capacity": "Indique si firma como madre o padre, tutor"
    " legal o estudiante.",
    "consent.problem.signer_capacity.consent:signer": "El estudiante firma su"
    " propia autorización solo a partir de los 18 años; hasta entonces firma la"
    " madre, el padre o el tutor legal.",
    "consent.problem.signer_name": "Escriba el nombre completo de quien firma.",
    "consent.problem.signature": "Escriba su nombre como firma.",
    "consent.problem.scan": "Elija el archivo con el escaneo del formulario firmado.",
    "consent.problem.signed_on": "Indique la fecha en que se firmó el formulario.",
    "consent.problem.expires_on": "Indique la fecha de fin como fecha, o déjela vacía.",
    "consent.problem.expires_on.consent:expiry": "La fecha de fin es anterior a la"
    " fecha de la firma.",
    "consent.problem.purpose": "Elija para qué se comparten los registros.",
    "purpose.case-management": "Acompañamiento del caso",
    "purpose.service-referral": "Derivación a servicios",
    "purpose.trend-analysis": "Análisis de tendencias",
    "purpose.programme-evaluation": "Evaluación del programa",
}

# The codes a progress update may carry beyond the plain ones, as words.
_EN.update(
    {
        f"progress.services-started:{item}": f"Started a service: {item}"
        for item in ServiceCategory
    }
)
_EN.update({f"progress.closed:{item}": f"Case closed: {item}" for item in CaseOutcome})

MESSAGES: dict[str, dict[str, str]] = {"en": _EN, "es": _ES}


def language(value: str | None) -> str:
    """A language the catalogue has, or the default."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def translator(lang: str) -> Translate:
    """A function from key (and format fields) to text in one language."""
    table = MESSAGES[language(lang)]

    def translate(key: str, **fields: object) -> str:
        text = table.get(key) or _EN.get(key) or key
        return text.format(**fields) if fields else text

    return translate


def has_text(key: str) -> bool:
    """Whether the catalogue has words for this key (in English at least)."""
    return key in _EN
