"""Consents in the states a scenario needs, built through the real validation."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, time
from uuid import UUID, uuid4

from youthbridge.domain.agreement import Agreement, Purpose
from youthbridge.domain.consent import (
    Consent,
    ConsentDraft,
    RecordCategory,
    SignatureMethod,
    SignerAuthentication,
    SignerCapacity,
    validate_consent,
)

STUDENT = "T1-ABCDEFGHIJKLMNOPQRST"
HUB = "hub"
FORM_TEXT = "Release of information, version 2024-1 (English). Synthetic form."
FORM_SHA256 = hashlib.sha256(FORM_TEXT.encode()).hexdigest()


def draft(
    *,
    signed_on: date = date(2024, 9, 1),
    categories: tuple[RecordCategory, ...] = tuple(RecordCategory),
    capacity: SignerCapacity = SignerCapacity.PARENT,
    expires_on: date | None = None,
    student: str = STUDENT,
) -> ConsentDraft:
    """A complete electronic form, signed at noon UTC on `signed_on`."""
    return ConsentDraft(
        student=student,
        categories=categories,
        purpose=Purpose.CASE_MANAGEMENT,
        receiving_party=HUB,
        signer_capacity=capacity,
        signature_method=SignatureMethod.ELECTRONIC,
        authentication=SignerAuthentication.CODE_TO_PHONE_ON_FILE,
        document_sha256=FORM_SHA256,
        signed_at=datetime.combine(signed_on, time(12), tzinfo=UTC),
        signed_on=signed_on,
        expires_on=expires_on,
        form_language="en",
        form_version="2024-1",
    )


def consent(
    *,
    recorded_on: date | None = None,
    consent_id: UUID | None = None,
    agreement: Agreement | None = None,
    **options: object,
) -> Consent:
    """A validated consent; recorded on its signing day unless told otherwise."""
    form = draft(**options)  # type: ignore[arg-type]
    assert form.signed_on is not None
    recorded = recorded_on or form.signed_on
    return validate_consent(
        form,
        consent_id=consent_id or uuid4(),
        recorded_at=datetime.combine(recorded, time(15), tzinfo=UTC),
        agreement=agreement or Agreement(),
    )


def with_fields(form: ConsentDraft, **changes: object) -> ConsentDraft:
    return replace(form, **changes)  # type: ignore[arg-type]
