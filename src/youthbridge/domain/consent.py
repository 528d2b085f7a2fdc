"""A release of information: what it names, whether it is complete, if it covers.

The model follows FERPA's written consent (which records, to whom, for what
purpose, signed and dated by the parent or the eligible student) and the parts of
HL7 FHIR Consent that a district needs (scope, period, grantor, provisions).

Whether a consent covers a student is computed from its terms at each use and is
never stored: a consent that expired last night stops covering this morning even
if no job ran to mark it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from youthbridge.domain.agreement import Agreement, LeapDayBirthday, Purpose
from youthbridge.domain.errors import Problem, Refused
from youthbridge.domain.schoolyear import SchoolYear, year_of
from youthbridge.exchange.vocabulary import RecordCategory

__all__ = [
    "Consent",
    "ConsentDraft",
    "ConsentState",
    "Decision",
    "MajorityWarning",
    "RecordCategory",
    "Revocation",
    "SignatureEvidence",
    "SignatureMethod",
    "SignerAuthentication",
    "SignerCapacity",
    "consent_state",
    "covering_consent",
    "default_expiry",
    "majority_day",
    "majority_warning",
    "revoke",
    "validate_consent",
]


class SignerCapacity(StrEnum):
    """In what right the signer signs: for a minor, or as the student of age."""

    PARENT = "parent"
    GUARDIAN = "guardian"
    STUDENT = "student"


class SignatureMethod(StrEnum):
    ELECTRONIC = "electronic"
    SCANNED_PAPER = "scanned-paper"


class SignerAuthentication(StrEnum):
    """How the district knew that the person signing electronically was the signer."""

    IN_PERSON_IDENTITY_CHECK = "in-person-identity-check"
    CODE_TO_PHONE_ON_FILE = "code-to-phone-on-file"
    CODE_TO_EMAIL_ON_FILE = "code-to-email-on-file"
    DISTRICT_PORTAL_SIGN_IN = "district-portal-sign-in"


class ConsentState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    NOT_YET_VALID = "not-yet-valid"
    SIGNER_NO_LONGER_AUTHORISED = "signer-no-longer-authorised"


@dataclass(frozen=True)
class SignatureEvidence:
    """What shows the consent was signed, and signed on this exact form.

    `document_sha256` is, for an electronic signature, the hash of the exact form
    text shown to the signer; for a scanned paper form, the hash of the scan.
    """

    method: SignatureMethod
    document_sha256: str
    authentication: SignerAuthentication | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True)
class Revocation:
    """The signer withdrew the consent; it covers nothing from `revoked_on` on."""

    revoked_on: date
    by_capacity: SignerCapacity
    recorded_at: datetime


@dataclass(frozen=True)
class Consent:
    """A complete, validated release of information for one student."""

    consent_id: UUID
    student: str  # the student's pseudonym: a reference, never a name
    categories: tuple[RecordCategory, ...]
    purpose: Purpose
    receiving_party: str
    signer_capacity: SignerCapacity
    signature: SignatureEvidence
    signed_on: date
    expires_on: date
    form_language: str
    form_version: str
    recorded_at: datetime
    revocation: Revocation | None = None


@dataclass(frozen=True)
class ConsentDraft:
    """A consent as captured from a form, before it is checked; anything may lack."""

    student: str | None = None
    categories: tuple[RecordCategory, ...] = ()
    purpose: Purpose | None = None
    receiving_party: str | None = None
    signer_capacity: SignerCapacity | None = None
    signature_method: SignatureMethod | None = None
    authentication: SignerAuthentication | None = None
    document_sha256: str | None = None
    signed_at: datetime | None = None
    signed_on: date | None = None
    expires_on: date | None = None
    form_language: str | None = None
    form_version: str | None = None


@dataclass(frozen=True)
class Decision:
    """Whether one category may be released, and which consent and rule decided."""

    allowed: bool
    category: RecordCategory
    rule: str
    reason: str
    consent_id: UUID | None = None


@dataclass(frozen=True)
class MajorityWarning:
    """The student comes of age soon: a parent's consent will stop covering them."""

    majority_on: date
    days_left: int


_T = TypeVar("_T")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")
_ORDER = {category: position for position, category in enumerate(RecordCategory)}


def default_expiry(signed_on: date, agreement: Agreement) -> date:
    """The last day of the school year after the one in which the form was signed."""
    start = (agreement.school_year_start_month, agreement.school_year_start_day)
    signed_in = year_of(signed_on, *start)
    return SchoolYear(signed_in.start_year + 1).last_day(*start)


def majority_day(birth_date: date, agreement: Agreement) -> date:
    """The student's birthday of majority; 29 February moves as the agreement says."""
    year = birth_date.year + agreement.age_of_majority
    try:
        return birth_date.replace(year=year)
    except ValueError:
        if agreement.leap_day_birthday is LeapDayBirthday.FEBRUARY_28:
            return date(year, 2, 28)
        return date(year, 3, 1)


def majority_warning(
    birth_date: date, on: date, agreement: Agreement
) -> MajorityWarning | None:
    """A warning in the days before the student comes of age, else None."""
    majority_on = majority_day(birth_date, agreement)
    days_left = (majority_on - on).days
    if 0 < days_left <= agreement.majority_warning_days:
        return MajorityWarning(majority_on, days_left)
    return None


@dataclass
class _Check:
    """Collects every problem of one draft, so that all are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def require(self, value: object, column: str, what: str) -> None:
        if value is None or value == () or value == "":
            self.add(column, f"is missing: give {what}", rule="consent:missing")

    def add(self, column: str, message: str, *, rule: str) -> None:
        self.problems.append(
            Problem(
                file="consent",
                line=None,
                column=column,
                value=None,
                rule=rule,
                message=f"`{column}` {message}",
            )
        )


def validate_consent(
    draft: ConsentDraft,
    *,
    consent_id: UUID,
    recorded_at: datetime,
    agreement: Agreement,
    birth_date: date | None = None,
) -> Consent:
    """The complete consent, or Refused listing every missing or wrong field."""
    check = _Check()
    _check_terms(draft, check, agreement)
    _check_signature(draft, check)
    _check_signer(draft, check, agreement, birth_date)
    if check.problems:
        raise Refused(
            f"the consent form is incomplete: {len(check.problems)} problem(s);"
            " correct them and record it again",
            code="consent:invalid",
            problems=check.problems,
        )
    return _complete(draft, consent_id, recorded_at, agreement)


def _check_terms(draft: ConsentDraft, check: _Check, agreement: Agreement) -> None:
    check.require(draft.student, "student", "the student's pseudonym")
    check.require(draft.categories, "categories", "at least one record category")
    check.require(draft.purpose, "purpose", "the purpose of the release")
    check.require(draft.receiving_party, "receiving_party", "who receives records")
    check.require(draft.form_language, "form_language", "the form's language")
    check.require(draft.form_version, "form_version", "the form's version")
    check.require(draft.signed_on, "signed_on", "the date the form was signed")

    if draft.purpose is not None and draft.purpose not in agreement.purposes:
        check.add(
            "purpose", "is not a purpose of the agreement", rule="consent:purpose"
        )
    if draft.form_language and not _LANGUAGE.fullmatch(draft.form_language):
        check.add(
            "form_language", "is a code such as `en` or `es`", rule="consent:form"
        )
    signed, expires = draft.signed_on, draft.expires_on
    if signed is not None and expires is not None and expires < signed:
        check.add("expires_on", "is before the form was signed", rule="consent:expiry")


def _check_signature(draft: ConsentDraft, check: _Check) -> None:
    check.require(draft.signature_method, "signature_method", "electronic or paper")
    check.require(draft.document_sha256, "document_sha256", "the form's SHA-256")
    digest = draft.document_sha256
    if digest and not _SHA256.fullmatch(digest):
        check.add(
            "document_sha256", "is 64 lower-case hex digits", rule="consent:signature"
        )
    if draft.signature_method is not SignatureMethod.ELECTRONIC:
        return

    check.require(draft.authentication, "authentication", "how the signer was known")
    check.require(draft.signed_at, "signed_at", "the time of the signature")
    if draft.signed_at is not None and draft.signed_at.tzinfo is None:
        check.add("signed_at", "is a time with its time zone", rule="consent:signature")


def _check_signer(
    draft: ConsentDraft,
    check: _Check,
    agreement: Agreement,
    birth_date: date | None,
) -> None:
    check.require(
        draft.signer_capacity, "signer_capacity", "parent, guardian or student"
    )
    if draft.signer_capacity is not SignerCapacity.STUDENT or birth_date is None:
        return
    majority_on = majority_day(birth_date, agreement)
    if draft.signed_on is not None and draft.signed_on < majority_on:
        check.add(
            "signer_capacity",
            f"is the student, who may sign their own release from {majority_on};"
            " until then a parent or guardian signs",
            rule="consent:signer",
        )


def _complete(
    draft: ConsentDraft, consent_id: UUID, recorded_at: datetime, agreement: Agreement
) -> Consent:
    signed_on = _given(draft.signed_on)
    electronic = draft.signature_method is SignatureMethod.ELECTRONIC
    signature = SignatureEvidence(
        method=_given(draft.signature_method),
        document_sha256=_given(draft.document_sha256),
        authentication=draft.authentication if electronic else None,
        signed_at=draft.signed_at if electronic else None,
    )
    return Consent(
        consent_id=consent_id,
        student=_given(draft.student),
        categories=tuple(sorted(set(draft.categories), key=_ORDER.__getitem__)),
        purpose=_given(draft.purpose),
        receiving_party=_given(draft.receiving_party),
        signer_capacity=_given(draft.signer_capacity),
        signature=signature,
        signed_on=signed_on,
        expires_on=draft.expires_on or default_expiry(signed_on, agreement),
        form_language=_given(draft.form_language),
        form_version=_given(draft.form_version),
        recorded_at=recorded_at,
    )


def _given(value: _T | None) -> _T:
    # Only called on fields the checks refused when missing.
    assert value is not None
    return value


def revoke(
    consent: Consent, *, by: SignerCapacity, on: date, recorded_at: datetime
) -> Consent:
    """The consent withdrawn by its signer from `on`; refused if not theirs to end."""
    if consent.revocation is not None:
        raise Refused(
            f"consent {consent.consent_id} was already revoked on"
            f" {consent.revocation.revoked_on}",
            code="consent:revoked",
        )
    if by is not consent.signer_capacity:
        raise Refused(
            f"consent {consent.consent_id} was signed by the {consent.signer_capacity};"
            f" only its signer may revoke it, not the {by}",
            code="consent:revoke-signer",
        )
    if on < consent.signed_on:
        raise Refused(
            f"a revocation on {on} would come before the consent was signed"
            f" on {consent.signed_on}",
            code="consent:revoke-date",
        )
    return replace(consent, revocation=Revocation(on, by, recorded_at))


def consent_state(
    consent: Consent,
    on: date,
    *,
    birth_date: date,
    later_consents: Iterable[Consent] = (),
    agreement: Agreement,
) -> ConsentState:
    """What the consent is on a given day, worked out from its terms alone.

    `later_consents` are the student's other consents; only one signed after
    this one, for the same purpose and recipient, can supersede it. The order
    is by signing date, never by when a form was recorded.
    """
    revocation = consent.revocation
    if on < consent.signed_on:
        return ConsentState.NOT_YET_VALID
    if revocation is not None and on >= revocation.revoked_on:
        return ConsentState.REVOKED
    if on > consent.expires_on:
        return ConsentState.EXPIRED
    if _superseding(consent, on, later_consents) is not None:
        return ConsentState.SUPERSEDED
    signed_for_a_minor = consent.signer_capacity is not SignerCapacity.STUDENT
    if signed_for_a_minor and on >= majority_day(birth_date, agreement):
        return ConsentState.SIGNER_NO_LONGER_AUTHORISED
    return ConsentState.ACTIVE


def _signing_order(consent: Consent) -> tuple[date, datetime]:
    return consent.signed_on, consent.recorded_at


def _superseding(
    consent: Consent, on: date, others: Iterable[Consent]
) -> Consent | None:
    for other in others:
        same_terms = (
            other.consent_id != consent.consent_id
            and other.student == consent.student
            and other.purpose is consent.purpose
            and other.receiving_party == consent.receiving_party
        )
        signed_later = _signing_order(other) > _signing_order(consent)
        if same_terms and signed_later and other.signed_on <= on:
            return other
    return None


def covering_consent(
    consents: Iterable[Consent],
    category: RecordCategory,
    on: date,
    birth_date: date,
    agreement: Agreement,
    *,
    purpose: Purpose | None = None,
    receiving_party: str | None = None,
) -> Decision:
    """Whether any consent covers releasing `category` on `on`, and why (not)."""
    every = list(consents)
    relevant = [
        consent
        for consent in every
        if purpose in (None, consent.purpose)
        and receiving_party in (None, consent.receiving_party)
    ]
    naming = [consent for consent in relevant if category in consent.categories]
    if not naming:
        return Decision(False, category, "consent:category", _none_names(category))

    def state(consent: Consent) -> ConsentState:
        return consent_state(
            consent,
            on,
            birth_date=birth_date,
            later_consents=every,
            agreement=agreement,
        )

    latest = max(naming, key=_signing_order)
    active = [consent for consent in naming if state(consent) is ConsentState.ACTIVE]
    chosen = max(active, key=_signing_order) if active else latest
    found = state(chosen)
    reason = _explain(chosen, found, category, on, birth_date, agreement)
    allowed = found is ConsentState.ACTIVE
    return Decision(allowed, category, f"consent:{found}", reason, chosen.consent_id)


def _none_names(category: RecordCategory) -> str:
    return (
        f"no consent for this release names `{category}`; the family must sign a"
        " release that includes it"
    )


def _explain(
    consent: Consent,
    state: ConsentState,
    category: RecordCategory,
    on: date,
    birth_date: date,
    agreement: Agreement,
) -> str:
    name = f"consent {consent.consent_id}"
    if state is ConsentState.ACTIVE:
        return (
            f"{name}, signed {consent.signed_on} by the {consent.signer_capacity},"
            f" names `{category}` and is active until {consent.expires_on}"
        )
    if state is ConsentState.REVOKED:
        assert consent.revocation is not None
        return f"{name} was revoked on {consent.revocation.revoked_on}"
    if state is ConsentState.EXPIRED:
        return f"{name} expired on {consent.expires_on}"
    if state is ConsentState.SUPERSEDED:
        return f"{name} was replaced by a consent signed later"
    if state is ConsentState.NOT_YET_VALID:
        return f"{name} is signed on {consent.signed_on}, after {on}"
    majority_on = majority_day(birth_date, agreement)
    return (
        f"{name} was signed by the {consent.signer_capacity}; from the student's"
        f" birthday of majority on {majority_on} the student must sign their own"
    )
