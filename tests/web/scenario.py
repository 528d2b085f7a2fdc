"""Steps of the consent path taken through the services, for pages to start from.

Each page test does its own step in the page and the earlier ones here: a hub
case manager asks a district about a flagged student, the family signs, the
data steward releases records. Every step goes through the same service a page
calls, and the region delivers the messages between the nodes at once.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tests.web.conftest import WebRegion
from youthbridge.district.disclosure_log import release_records
from youthbridge.district.outreach import begin_outreach, record_decision
from youthbridge.district.pseudonyms import reidentify
from youthbridge.district.student_lookup import birth_date_of
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import (
    ConsentDraft,
    RecordCategory,
    SignatureMethod,
    SignerAuthentication,
    SignerCapacity,
)
from youthbridge.embedded import district_party
from youthbridge.exchange.vocabulary import ConsentOutcome
from youthbridge.hub.outreach import flagged_students, request_outreach
from youthbridge.storage.base import utcnow
from youthbridge.storage.case_tables import CaseRow, ReferralRow
from youthbridge.storage.consent_tables import Referral
from youthbridge.web.hub.figures import review_of
from youthbridge.web.staff import StaffAccount

DISTRICT = "0180"
_TAKEN: set[str] = set()


@dataclass(frozen=True)
class Asked:
    """A student the hub asked the district about, as each side knows them."""

    pseudonym: str
    student_id: str
    referral_id: uuid.UUID  # the district's referral, in the counselor's queue


def fresh_student(web_region: WebRegion) -> str:
    """A flagged minor of the district whom nobody has asked about yet."""
    node = web_region.region.districts[DISTRICT]
    with web_region.region.hub.sessions() as session:
        asked = set(session.scalars(select(ReferralRow.pseudonym)))
    flagged = flagged_students(review_of(web_region.region.hub), DISTRICT)
    with node.sessions() as session:
        asked |= set(session.scalars(select(Referral.pseudonym)))
        for pseudonym in sorted(flagged):
            if pseudonym in asked or pseudonym in _TAKEN:
                continue
            born = birth_date_of(session, reidentify(node, pseudonym))
            # Old enough to be flagged, young enough that a parent signs.
            if _age(born, utcnow().date()) < 17:
                _TAKEN.add(pseudonym)
                return pseudonym
    raise AssertionError("the demo region has no flagged student left to ask about")


def ask_about(web_region: WebRegion, case_manager: StaffAccount) -> Asked:
    """The case manager asks the district to reach out; the case will be theirs."""
    region = web_region.region
    pseudonym = fresh_student(web_region)
    reasons = flagged_students(review_of(region.hub), DISTRICT)[pseudonym]
    request_outreach(
        region.hub,
        actor=case_manager.account,
        district=region.parties.find(district_party(DISTRICT)),
        pseudonyms_with_flags={pseudonym: reasons},
        offer="family-support",
        assign_to=case_manager.account,
    )
    region.deliver()
    return asked_in_district(web_region, pseudonym)


def asked_in_district(web_region: WebRegion, pseudonym: str) -> Asked:
    node = web_region.region.districts[DISTRICT]
    with node.sessions() as session:
        referral = session.scalars(
            select(Referral).where(Referral.pseudonym == pseudonym)
        ).one()
        return Asked(pseudonym, referral.student_id, referral.id)


def family_reached(
    web_region: WebRegion, counselor: StaffAccount, asked: Asked
) -> Asked:
    """The counselor starts reaching out, so that the family can answer."""
    begin_outreach(
        web_region.region.districts[DISTRICT],
        actor=counselor.account,
        referral_id=asked.referral_id,
    )
    return asked


def signed_draft(categories: tuple[RecordCategory, ...]) -> ConsentDraft:
    """A parent's release signed on the tablet today."""
    now = utcnow()
    return ConsentDraft(
        categories=categories,
        purpose=Purpose.CASE_MANAGEMENT,
        receiving_party="hub",
        signer_capacity=SignerCapacity.PARENT,
        signature_method=SignatureMethod.ELECTRONIC,
        authentication=SignerAuthentication.IN_PERSON_IDENTITY_CHECK,
        document_sha256=hashlib.sha256(b"a test form").hexdigest(),
        signed_at=now,
        signed_on=now.date(),
        form_language="en",
        form_version="test-1",
    )


def family_signs(
    web_region: WebRegion,
    counselor: StaffAccount,
    asked: Asked,
    categories: tuple[RecordCategory, ...] = (
        RecordCategory.CONTACT,
        RecordCategory.ATTENDANCE,
    ),
) -> uuid.UUID:
    """The family accepts and signs; the hub opens the case."""
    family_reached(web_region, counselor, asked)
    consent_id = record_decision(
        web_region.region.districts[DISTRICT],
        actor=counselor.account,
        referral_id=asked.referral_id,
        decision=ConsentOutcome.ACCEPTED,
        reason="family-accepted",
        consent=signed_draft(categories),
    )
    web_region.region.deliver()
    assert consent_id is not None
    return consent_id


def records_released(
    web_region: WebRegion,
    steward: StaffAccount,
    asked: Asked,
    categories: tuple[RecordCategory, ...] = (RecordCategory.CONTACT,),
) -> None:
    release_records(
        web_region.region.districts[DISTRICT],
        actor=steward.account,
        pseudonym=asked.pseudonym,
        categories=categories,
        purpose=Purpose.CASE_MANAGEMENT,
        on=utcnow().date(),
    )
    web_region.region.deliver()


def case_of(web_region: WebRegion, asked: Asked) -> uuid.UUID:
    with web_region.region.hub.sessions() as session:
        return session.scalars(
            select(CaseRow.id).where(CaseRow.pseudonym == asked.pseudonym)
        ).one()


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
