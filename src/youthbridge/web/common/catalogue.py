"""The words people read on the pages, by language.

Staff pages are in English. The pages a family is given (the consent form, the
receipt, their copy of the disclosure log) are in English and Spanish; a key
missing in a language falls back to English, and a key missing everywhere shows
itself, so that a gap is visible rather than silently blank.
"""

from __future__ import annotations

from collections.abc import Callable

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
}

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
