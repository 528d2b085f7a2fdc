"""The consent register, and what staff do with a consent once it is recorded.

The register shows each consent's state on the day (active, ending soon,
revoked, expired). From it the data steward revokes a consent when the signer
withdraws it, or releases the student's records to the hub: the release form
offers only the categories the consent names, and the release itself checks
the consent again, so that a request for any other category is refused and
logged. The family's receipt is printed from here in English or Spanish.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from youthbridge.district.consent import get_consent, revoke_consent
from youthbridge.district.consent_register import RegisterEntry, consent_register
from youthbridge.district.disclosure_log import release_records
from youthbridge.district.receipt import Controller, consent_receipt, render_receipt
from youthbridge.domain.consent import ConsentState, RecordCategory, SignerCapacity
from youthbridge.security.permissions import Permission
from youthbridge.storage.base import utcnow
from youthbridge.web.common.catalogue import language
from youthbridge.web.common.guard import Caller, requires, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import node_of

router = APIRouter(include_in_schema=False)


def _active(entry: RegisterEntry) -> bool:
    return entry.state is ConsentState.ACTIVE and not entry.expiring_soon


def _expiring(entry: RegisterEntry) -> bool:
    return entry.expiring_soon


def _revoked(entry: RegisterEntry) -> bool:
    return entry.state is ConsentState.REVOKED


_GROUPS: dict[str, Callable[[RegisterEntry], bool]] = {
    "active": _active,
    "expiring": _expiring,
    "revoked": _revoked,
}


def controller_of(request: Request) -> Controller:
    controller: Controller = request.app.state.controller
    return controller


@router.get("/consents")
def register_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_VIEW)],
    done: Annotated[str, Query(pattern="^(|revoked|released)$")] = "",
) -> Response:
    entries = consent_register(
        node_of(request), actor=caller.account, on=utcnow().date()
    )
    return render(
        request,
        "district/consents.html",
        caller=caller,
        groups={
            name: [e for e in entries if shown(e)] for name, shown in _GROUPS.items()
        },
        others=[e for e in entries if not any(shown(e) for shown in _GROUPS.values())],
        done=done,
        capacities=[capacity.value for capacity in SignerCapacity],
        today=utcnow().date().isoformat(),
        may_revoke=caller.may(Permission.CONSENT_REVOKE),
        may_release=caller.may(Permission.RECORD_RELEASE),
        may_see_progress=caller.may(Permission.PROGRESS_VIEW),
    )


@router.post("/consents/{consent_id}/revoke")
def revoke_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_REVOKE)],
    consent_id: uuid.UUID,
    by: Annotated[SignerCapacity, Form()],
) -> Response:
    # Revoked from today: a revocation is recorded when the signer says so.
    revoke_consent(
        node_of(request),
        actor=caller.account,
        consent_id=consent_id,
        by=by,
        on=utcnow().date(),
    )
    site_of(request).after_change()
    return RedirectResponse("/consents?done=revoked", status_code=303)


@router.get("/consents/{consent_id}/release")
def release_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.RECORD_RELEASE)],
    consent_id: uuid.UUID,
) -> Response:
    consent = get_consent(node_of(request), actor=caller.account, consent_id=consent_id)
    return render(
        request,
        "district/release.html",
        caller=caller,
        consent=consent,
        categories=[category.value for category in consent.categories],
    )


@router.post("/consents/{consent_id}/release")
def release_post(
    request: Request,
    caller: Annotated[Caller, requires(Permission.RECORD_RELEASE)],
    consent_id: uuid.UUID,
    category: Annotated[list[RecordCategory] | None, Form()] = None,
) -> Response:
    node = node_of(request)
    consent = get_consent(node, actor=caller.account, consent_id=consent_id)
    # The categories asked for are checked against every consent of the
    # student by the release itself; the form's offer is only a convenience.
    release_records(
        node,
        actor=caller.account,
        pseudonym=consent.student,
        categories=category or (),
        purpose=consent.purpose,
        on=utcnow().date(),
    )
    site_of(request).after_change()
    return RedirectResponse("/consents?done=released", status_code=303)


@router.get("/consents/{consent_id}/receipt")
def receipt_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.CONSENT_VIEW)],
    consent_id: uuid.UUID,
    lang: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    consent = get_consent(node_of(request), actor=caller.account, consent_id=consent_id)
    chosen = language(lang or consent.form_language)
    receipt = consent_receipt(consent, controller=controller_of(request))
    page = render_receipt(receipt, language=chosen)
    return HTMLResponse(page, headers={"Content-Language": chosen})
