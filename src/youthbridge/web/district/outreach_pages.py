"""The counselor's outreach queue, the family's answer, and their signed release.

Outreach is shown only to roles that hold `outreach:view`; no page that school
staff see otherwise says whether a family was asked or what it answered.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from youthbridge.district.outreach import (
    begin_outreach,
    outreach_queue,
    record_decision,
)
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import (
    ConsentDraft,
    RecordCategory,
    SignatureMethod,
    SignerAuthentication,
    SignerCapacity,
)
from youthbridge.exchange.vocabulary import ConsentOutcome
from youthbridge.security.permissions import Permission
from youthbridge.storage.base import utcnow
from youthbridge.web.common.catalogue import LANGUAGES, language, translator
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import node_of

router = APIRouter(include_in_schema=False)

FORM_VERSION = "web-1"
RECEIVING_PARTY = "hub"
_NO_ANSWER = {
    "declined": ConsentOutcome.DECLINED,
    "unreachable": ConsentOutcome.UNREACHABLE,
}


def consent_text(lang: str) -> str:
    """The exact text of the form a family signs, whose hash the consent keeps."""
    t = translator(lang)
    parts = [t("consent.title"), t("consent.intro"), t("consent.revoke_note")]
    parts += [t(f"category.{category.value}") for category in RecordCategory]
    return "\n".join([FORM_VERSION, *parts])


@router.get("/outreach")
def queue_page(
    request: Request, caller: Annotated[Caller, requires(Permission.OUTREACH_VIEW)]
) -> Response:
    items = outreach_queue(node_of(request), actor=caller.account)
    return render(
        request,
        "district/outreach.html",
        caller=caller,
        items=items,
        may_decide=caller.may(Permission.OUTREACH_DECIDE),
        may_consent=caller.may(Permission.CONSENT_RECORD),
    )


@router.post("/outreach/{referral_id}/begin")
def begin_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.OUTREACH_DECIDE)],
    referral_id: uuid.UUID,
) -> Response:
    begin_outreach(node_of(request), actor=caller.account, referral_id=referral_id)
    return RedirectResponse("/outreach", status_code=303)


@router.post("/outreach/{referral_id}/answer")
def answer_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.OUTREACH_DECIDE)],
    referral_id: uuid.UUID,
    answer: Annotated[str, Form(pattern="^(declined|unreachable)$")],
) -> Response:
    record_decision(
        node_of(request),
        actor=caller.account,
        referral_id=referral_id,
        decision=_NO_ANSWER[answer],
        reason=f"family-{answer}",
    )
    site_of(request).after_change()
    return RedirectResponse("/outreach", status_code=303)


@router.get("/outreach/{referral_id}/consent")
def consent_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_RECORD)],
    referral_id: uuid.UUID,
    lang: Annotated[str, Query(max_length=8)] = "en",
) -> Response:
    chosen = language(lang)
    return render(
        request,
        "district/consent.html",
        caller=caller,
        lang=chosen,
        languages=LANGUAGES,
        referral_id=referral_id,
        categories=[category.value for category in RecordCategory],
        capacities=[capacity.value for capacity in SignerCapacity],
        purposes=[Purpose.SERVICE_REFERRAL.value, Purpose.CASE_MANAGEMENT.value],
        today=utcnow().date().isoformat(),
    )


@router.post("/outreach/{referral_id}/consent")
def record_consent_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_RECORD)],
    referral_id: uuid.UUID,
    signed_on: Annotated[date, Form()],
    capacity: Annotated[SignerCapacity, Form()],
    purpose: Annotated[Purpose, Form()],
    category: Annotated[list[RecordCategory] | None, Form()] = None,
    expires_on: Annotated[date | None, Form()] = None,
    lang: Annotated[str, Form(max_length=8)] = "en",
) -> Response:
    chosen = language(lang)
    # Signed on screen in front of the counselor, who checked the signer's
    # identity; the hash pins the exact wording of the form that was signed.
    draft = ConsentDraft(
        categories=tuple(category or ()),
        purpose=purpose,
        receiving_party=RECEIVING_PARTY,
        signer_capacity=capacity,
        signature_method=SignatureMethod.ELECTRONIC,
        authentication=SignerAuthentication.IN_PERSON_IDENTITY_CHECK,
        document_sha256=hashlib.sha256(consent_text(chosen).encode()).hexdigest(),
        signed_at=utcnow(),
        signed_on=signed_on,
        expires_on=expires_on,
        form_language=chosen,
        form_version=FORM_VERSION,
    )
    record_decision(
        node_of(request),
        actor=caller.account,
        referral_id=referral_id,
        decision=ConsentOutcome.ACCEPTED,
        reason="family-accepted",
        consent=draft,
    )
    site_of(request).after_change()
    return RedirectResponse("/outreach", status_code=303)
