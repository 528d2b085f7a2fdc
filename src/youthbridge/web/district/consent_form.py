"""The release of information a family signs: on a tablet, or a scanned paper form.

The counselor hands the tablet to the family, who choose the categories, say in
what right they sign, and type their name and signature. What is kept as
evidence is the SHA-256 of exactly what they saw and answered; their name never
enters the database or a log. A signed paper form is scanned and uploaded
instead, and the scan's SHA-256 is kept. Every missing answer is shown at once,
in the family's language, and nothing is recorded until all are given.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from youthbridge.district.outreach import record_decision
from youthbridge.domain.agreement import Agreement, Purpose
from youthbridge.domain.consent import (
    ConsentDraft,
    RecordCategory,
    SignatureMethod,
    SignerAuthentication,
    SignerCapacity,
    validate_consent,
)
from youthbridge.domain.errors import Problem, Refused
from youthbridge.exchange.vocabulary import ConsentOutcome
from youthbridge.security.permissions import Permission
from youthbridge.storage.base import utcnow
from youthbridge.web.common.catalogue import LANGUAGES, has_text, language, translator
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import node_of

router = APIRouter(include_in_schema=False)

FORM_VERSION = "web-2"
RECEIVING_PARTY = "hub"
PURPOSES = (Purpose.SERVICE_REFERRAL, Purpose.CASE_MANAGEMENT)
MAX_SCAN_BYTES = 20 * 1024 * 1024
_CHUNK = 1024 * 1024


class Method(StrEnum):
    """How the family signs: on the tablet in front of the counselor, or on paper."""

    TABLET = "tablet"
    SCAN = "scan"


@dataclass
class Answers:
    """The form as the family filled it in, and what is missing or wrong."""

    lang: str
    method: str
    categories: list[str]
    capacity: str
    purpose: str
    signed_on: str
    expires_on: str
    signer_name: str = field(repr=False)
    signature: str = field(repr=False)
    problems: list[Problem] = field(default_factory=list)

    def require(self, value: str, column: str) -> None:
        if not value.strip():
            self.problems.append(_problem(column, "consent:missing"))


def consent_text(lang: str) -> str:
    """The wording of the form in one language, as the family reads it."""
    t = translator(lang)
    parts = [t("consent.title"), t("consent.intro"), t("consent.revoke_note")]
    parts += [t(f"category.{category.value}") for category in RecordCategory]
    return "\n".join([FORM_VERSION, *parts])


def signed_text(answers: Answers) -> str:
    """The form's wording with every answer given, exactly as it was on screen."""
    t = translator(answers.lang)
    chosen = ", ".join(t(f"category.{item}") for item in answers.categories)
    lines = [
        consent_text(answers.lang),
        f"{t('consent.categories')}: {chosen}",
        f"{t('consent.capacity')}: {t('capacity.' + answers.capacity)}",
        f"{t('consent.purpose')}: {t('purpose.' + answers.purpose)}",
        f"{t('consent.signed_on')}: {answers.signed_on}",
        f"{t('consent.expires_on')}: {answers.expires_on}",
        f"{t('consent.signer_name')}: {answers.signer_name.strip()}",
        f"{t('consent.signature')}: {answers.signature.strip()}",
    ]
    return "\n".join(lines)


@router.get("/outreach/{referral_id}/consent")
def consent_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_RECORD)],
    referral_id: uuid.UUID,
    lang: Annotated[str, Query(max_length=8)] = "en",
) -> Response:
    today = utcnow().date().isoformat()
    blank = Answers(language(lang), Method.TABLET, [], "", "", today, "", "", "")
    return _form(request, caller, referral_id, blank)


@router.post("/outreach/{referral_id}/consent")
def record_consent_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_RECORD)],
    referral_id: uuid.UUID,
    lang: Annotated[str, Form(max_length=8)] = "en",
    method: Annotated[Method, Form()] = Method.TABLET,
    category: Annotated[list[str] | None, Form()] = None,
    capacity: Annotated[str, Form(max_length=16)] = "",
    purpose: Annotated[str, Form(max_length=32)] = "",
    signed_on: Annotated[str, Form(max_length=10)] = "",
    expires_on: Annotated[str, Form(max_length=10)] = "",
    signer_name: Annotated[str, Form(max_length=200)] = "",
    signature: Annotated[str, Form(max_length=200)] = "",
    scan: Annotated[UploadFile | None, File()] = None,
) -> Response:
    answers = Answers(
        language(lang),
        method,
        category or [],
        capacity,
        purpose,
        signed_on,
        expires_on,
        signer_name,
        signature,
    )
    digest = _scan_digest(scan) if method is Method.SCAN else None
    draft = _draft(answers, digest, node_of(request).agreement)
    if not answers.problems:
        consent_id = _record(request, caller, referral_id, draft, answers)
        if consent_id is not None:
            site_of(request).after_change()
            target = f"/consents/{consent_id}/receipt?lang={answers.lang}"
            return RedirectResponse(target, status_code=303)
    return _form(request, caller, referral_id, answers, status_code=422)


def _record(
    request: Request,
    caller: Caller,
    referral_id: uuid.UUID,
    draft: ConsentDraft,
    answers: Answers,
) -> uuid.UUID | None:
    """The consent's id, or None with the problems the full check found."""
    try:
        return record_decision(
            node_of(request),
            actor=caller.account,
            referral_id=referral_id,
            decision=ConsentOutcome.ACCEPTED,
            reason="family-accepted",
            consent=draft,
        )
    except Refused as refused:
        # Only the form's own problems go back to the form; any other refusal
        # (a referral already answered) is shown as the error it is.
        if refused.code != "consent:invalid":
            raise
        answers.problems.extend(refused.problems)
        return None


def _draft(
    answers: Answers, scan_digest: str | None, agreement: Agreement
) -> ConsentDraft:
    """The draft from the answers, with every problem of it in `answers`."""
    if answers.method == Method.TABLET:
        answers.require(answers.signer_name, "signer_name")
        answers.require(answers.signature, "signature")
    elif scan_digest is None:
        answers.problems.append(_problem("scan", "consent:missing"))
    draft = ConsentDraft(
        categories=_categories(answers),
        purpose=_choice(Purpose, answers.purpose, answers, "purpose"),
        receiving_party=RECEIVING_PARTY,
        signer_capacity=_choice(
            SignerCapacity, answers.capacity, answers, "signer_capacity"
        ),
        signed_on=_day(answers.signed_on, answers, "signed_on"),
        expires_on=_day(answers.expires_on, answers, "expires_on"),
        form_language=answers.lang,
        form_version=FORM_VERSION,
    )
    draft = _signed(draft, answers, scan_digest)
    answers.problems.extend(_domain_problems(draft, agreement))
    return draft


def _signed(draft: ConsentDraft, answers: Answers, digest: str | None) -> ConsentDraft:
    if answers.method == Method.SCAN:
        return replace(
            draft,
            signature_method=SignatureMethod.SCANNED_PAPER,
            document_sha256=digest,
        )
    # Signed on screen in front of the counselor, who checked the signer's
    # identity; the hash pins what the family saw and answered.
    text = signed_text(answers).encode("utf-8")
    return replace(
        draft,
        signature_method=SignatureMethod.ELECTRONIC,
        authentication=SignerAuthentication.IN_PERSON_IDENTITY_CHECK,
        document_sha256=hashlib.sha256(text).hexdigest(),
        signed_at=utcnow(),
    )


def _domain_problems(draft: ConsentDraft, agreement: Agreement) -> list[Problem]:
    # The full check runs again when the consent is stored, with the student
    # filled in and their birth date known; this one reports the form's gaps
    # beside the ones found above, so that the family sees all of them at once.
    try:
        validate_consent(
            replace(draft, student="pending"),
            consent_id=uuid.uuid4(),
            recorded_at=utcnow(),
            agreement=agreement,
        )
    except Refused as refused:
        return list(refused.problems)
    return []


E = TypeVar("E", Purpose, SignerCapacity)


def _choice(kind: type[E], value: str, answers: Answers, column: str) -> E | None:
    # A missing choice is reported by the consent check; a value that is not
    # one of the choices did not come from this form, and is reported here.
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        answers.problems.append(_problem(column, "consent:choice"))
        return None


def _categories(answers: Answers) -> tuple[RecordCategory, ...]:
    known = {item.value: item for item in RecordCategory}
    if any(item not in known for item in answers.categories):
        answers.problems.append(_problem("categories", "consent:choice"))
    return tuple(known[item] for item in answers.categories if item in known)


def _day(value: str, answers: Answers, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        answers.problems.append(_problem(column, "consent:date"))
        return None


def _problem(column: str, rule: str) -> Problem:
    return Problem(
        file="consent",
        line=None,
        column=column,
        value=None,
        rule=rule,
        message=f"`{column}` is missing or not one of the choices",
    )


def _scan_digest(scan: UploadFile | None) -> str | None:
    """The SHA-256 of the uploaded scan, or None if no file was chosen."""
    if scan is None or not scan.filename:
        return None
    digest, size = hashlib.sha256(), 0
    # Read from the spooled file itself: the route runs in a worker thread, so
    # that recording and delivering the consent never hold up other requests.
    while chunk := scan.file.read(_CHUNK):
        size += len(chunk)
        if size > MAX_SCAN_BYTES:
            raise Refused(
                f"The scan is larger than {MAX_SCAN_BYTES // (1024 * 1024)} MB."
                " Scan the form again at a lower resolution.",
                code="consent:scan-size",
            )
        digest.update(chunk)
    return digest.hexdigest() if size else None


# The order of the fields on the form, so that problems are read in that order.
_FIELDS = (
    "categories",
    "signer_capacity",
    "purpose",
    "signed_on",
    "expires_on",
    "signer_name",
    "signature",
    "scan",
)


def _field_order(problem: Problem) -> int:
    column = problem.column or ""
    return _FIELDS.index(column) if column in _FIELDS else len(_FIELDS)


def shown_problems(lang: str, problems: list[Problem]) -> list[tuple[str, str]]:
    """Each problem as (field, sentence) in the family's language."""
    t = translator(lang)
    shown = []
    for problem in sorted(problems, key=_field_order):
        column = problem.column or "form"
        specific = f"consent.problem.{column}.{problem.rule}"
        general = f"consent.problem.{column}"
        key = specific if has_text(specific) else general
        shown.append((column, t(key) if has_text(key) else problem.message))
    return shown


def _form(
    request: Request,
    caller: Caller,
    referral_id: uuid.UUID,
    answers: Answers,
    *,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "district/consent.html",
        caller=caller,
        lang=answers.lang,
        status_code=status_code,
        languages=LANGUAGES,
        referral_id=referral_id,
        answers=answers,
        problems=shown_problems(answers.lang, answers.problems),
        categories=[category.value for category in RecordCategory],
        capacities=[capacity.value for capacity in SignerCapacity],
        purposes=[purpose.value for purpose in PURPOSES],
        methods=(Method.TABLET, Method.SCAN),
    )
