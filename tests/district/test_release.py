"""Consent capture, scoped record releases and the disclosure log: the issue's cases."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.district.consent_scenario import (
    COUNSELOR_ROSA,
    DATA_STEWARD_DANA,
    MARISOL,
    TEO,
    link_for,
    load_district,
)
from tests.district.outreach_helpers import at, consented_family, outbox, pseudonym
from tests.domain.consent_factory import draft
from youthbridge.district.consent import get_consent, record_consent, revoke_consent
from youthbridge.district.disclosure_log import family_copy, release_records
from youthbridge.district.hub_link import HubLink
from youthbridge.district.node import DistrictNode
from youthbridge.domain.agreement import Purpose
from youthbridge.domain.consent import RecordCategory, SignerCapacity
from youthbridge.domain.errors import AccessDenied, NotFound, Refused
from youthbridge.exchange.messages import MessageType
from youthbridge.security.audit import AuditEntry
from youthbridge.storage.consent_tables import ConsentRecord, DisclosureLogEntry

C = RecordCategory
NO_GRADES = (C.CONTACT, C.ATTENDANCE, C.BEHAVIOUR, C.DISCIPLINE)


@pytest.fixture
def node(open_node: Callable[..., DistrictNode], tmp_path: Path) -> DistrictNode:
    district = open_node("T1")
    load_district(district, tmp_path / "export")
    return district


@pytest.fixture
def link(node: DistrictNode) -> HubLink:
    return link_for(node)


def _release(
    node: DistrictNode,
    link: HubLink,
    student_id: str,
    categories: tuple[RecordCategory, ...],
    on: date,
) -> object:
    """Data steward Dana approves a release to the hub for case management."""
    return release_records(
        node,
        actor=DATA_STEWARD_DANA,
        pseudonym=pseudonym(node, student_id),
        categories=categories,
        purpose=Purpose.CASE_MANAGEMENT,
        on=on,
        now=at(on),
        link=link,
    )


def _log(node: DistrictNode) -> list[DisclosureLogEntry]:
    with node.sessions() as session:
        return list(session.scalars(select(DisclosureLogEntry)))


def _audit(node: DistrictNode, action: str) -> list[AuditEntry]:
    with node.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list(session.scalars(query.order_by(AuditEntry.sequence)))


# -- recording consent ------------------------------------------------------------


def test_an_acceptance_stores_the_consent_and_tells_the_hub(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, MARISOL, categories=NO_GRADES)

    [notice] = outbox(node, MessageType.CONSENT_NOTICE)
    assert notice == {
        "type": MessageType.CONSENT_NOTICE,
        "version": 1,
        "referral_id": notice["referral_id"],
        "pseudonym": pseudonym(node, MARISOL),
        "outcome": "accepted",
        "consent_id": str(consent_id),
        "categories": ["contact", "attendance", "behaviour", "discipline"],
        "expires_on": "2025-08-31",
    }
    stored = get_consent(node, actor=COUNSELOR_ROSA, consent_id=consent_id)
    assert (stored.signed_on, stored.signer_capacity) == (
        date(2024, 9, 1),
        SignerCapacity.PARENT,
    )


def test_an_incomplete_form_is_refused_with_every_problem_and_nothing_stored(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, MARISOL)
    referral_id = _referral_of(node, consent_id)
    incomplete = draft().__class__(categories=(C.CONTACT,))

    with pytest.raises(Refused) as refused:
        record_consent(
            node,
            actor=COUNSELOR_ROSA,
            referral_id=referral_id,
            draft=incomplete,
            link=link,
        )

    assert refused.value.code == "consent:invalid"
    assert len(refused.value.problems) == 8
    with node.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsentRecord)) == 1


def _referral_of(node: DistrictNode, consent_id: uuid.UUID) -> uuid.UUID:
    with node.sessions() as session:
        row = session.get(ConsentRecord, consent_id)
        assert row is not None
        assert row.referral_id is not None
        return row.referral_id


def test_a_revocation_is_stored_and_tells_the_hub_to_destroy(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, MARISOL)

    revoke_consent(
        node,
        actor=DATA_STEWARD_DANA,
        consent_id=consent_id,
        by=SignerCapacity.PARENT,
        on=date(2025, 2, 1),
        now=at(date(2025, 2, 1)),
        link=link,
    )

    [revoked] = outbox(node, MessageType.CONSENT_REVOKED)
    assert (revoked["consent_id"], revoked["reason"], revoked["effective_at"]) == (
        str(consent_id),
        "revoked",
        "2025-02-01T00:00:00Z",
    )


def test_a_counselor_may_record_but_not_revoke_a_consent(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, MARISOL)

    with pytest.raises(AccessDenied):
        revoke_consent(
            node,
            actor=COUNSELOR_ROSA,
            consent_id=consent_id,
            by=SignerCapacity.PARENT,
            on=date(2025, 2, 1),
            link=link,
        )


# -- releases ------------------------------------------------------------------------


def test_a_release_sends_only_the_consented_categories_of_the_current_year(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, MARISOL, categories=NO_GRADES)

    _release(
        node, link, MARISOL, (C.ATTENDANCE, C.BEHAVIOUR, C.DISCIPLINE), date(2025, 3, 1)
    )

    [release] = outbox(node, MessageType.RECORD_RELEASE)
    assert release["consent_id"] == str(consent_id)
    assert release["categories"] == ["attendance", "behaviour", "discipline"]
    records = release["records"]
    # 2024-05-01 and the March 2024 incident belong to 2023-24: not released.
    assert [(row["date"], row["status"]) for row in records["attendance"]] == [
        ("2024-09-04", "unexcused-absence"),
        ("2024-09-05", "tardy"),
        ("2024-10-14", "unexcused-absence"),
    ]
    assert records["behaviour"] == [
        {
            "incident_id": "INC1",
            "school_id": "0101",
            "date": "2024-10-10",
            "behavior": "fighting",
        }
    ]
    assert [
        (row["action_id"], row["action"], row["days"]) for row in records["discipline"]
    ] == [("ACT1", "out-of-school-suspension", "2.0000")]


def test_a_contact_release_holds_the_student_and_the_guardians(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL)

    _release(node, link, MARISOL, (C.CONTACT,), date(2025, 3, 1))

    [release] = outbox(node, MessageType.RECORD_RELEASE)
    people = release["records"]["contact"]
    assert [(row["record"], row["first_name"], row["phone"]) for row in people] == [
        ("student", "Marisol", "303-555-0101"),
        ("guardian", "Lucia", "303-555-0111"),
    ]
    assert people[0]["street"] == "12 Alder Way"


def test_every_release_has_exactly_one_disclosure_log_entry(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, MARISOL)

    _release(node, link, MARISOL, (C.GRADES,), date(2025, 3, 1))
    _release(node, link, MARISOL, (C.ATTENDANCE, C.CONTACT), date(2025, 3, 2))

    releases = outbox(node, MessageType.RECORD_RELEASE)
    entries = sorted(_log(node), key=lambda entry: entry.disclosed_on)
    assert len(entries) == len(releases) == 2
    first, second = entries
    assert (first.disclosed_on, first.receiving_party, first.purpose) == (
        date(2025, 3, 1),
        "hub",
        "case-management",
    )
    assert (first.legal_basis, first.consent_id, first.approved_by) == (
        "consent",
        consent_id,
        "acct-dana",
    )
    assert (first.categories, first.record_counts) == (["grades"], {"grades": 2})
    assert second.record_counts == {"contact": 2, "attendance": 3}
    assert [entry.disclosed_content for entry in entries] == [
        release["records"] for release in releases
    ]


def test_the_family_copy_is_exactly_what_was_disclosed(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL)
    _release(node, link, MARISOL, (C.GRADES,), date(2025, 3, 1))

    [copy] = family_copy(node, actor=DATA_STEWARD_DANA, student_id=MARISOL)

    [release] = outbox(node, MessageType.RECORD_RELEASE)
    assert copy.content == release["records"]
    assert [(row["course"], row["letter"]) for row in copy.content["grades"]] == [
        ("English 8", "A"),
        ("Math 8", "B"),
    ]
    assert (copy.disclosed_on, copy.receiving_party, copy.categories) == (
        date(2025, 3, 1),
        "hub",
        ("grades",),
    )


def test_grades_under_a_consent_without_grades_are_refused_logged_and_not_sent(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL, categories=(C.ATTENDANCE,))

    with pytest.raises(Refused) as refused:
        _release(node, link, MARISOL, (C.ATTENDANCE, C.GRADES), date(2025, 3, 1))

    assert refused.value.code == "release:refused"
    [problem] = refused.value.problems
    assert (problem.column, problem.rule) == ("grades", "consent:category")
    assert outbox(node, MessageType.RECORD_RELEASE) == []
    assert _log(node) == []
    [denied] = _audit(node, "record:release")
    assert (denied.outcome, denied.actor_account_id, denied.subject) == (
        "deny",
        "acct-dana",
        pseudonym(node, MARISOL),
    )
    assert denied.details["refused"] == ["grades"]


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(date(2025, 3, 1), True), (date(2025, 8, 31), True), (date(2025, 9, 1), False)],
)
def test_a_release_after_the_consent_expired_is_refused_though_no_job_ran(
    node: DistrictNode, link: HubLink, on: date, allowed: bool
) -> None:
    consented_family(node, link, MARISOL, expires_on=date(2025, 8, 31))

    if allowed:
        _release(node, link, MARISOL, (C.ATTENDANCE,), on)
    else:
        with pytest.raises(Refused) as refused:
            _release(node, link, MARISOL, (C.ATTENDANCE,), on)
        assert refused.value.problems[0].rule == "consent:expired"

    assert len(_log(node)) == int(allowed)


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(date(2025, 1, 31), True), (date(2025, 2, 1), False), (date(2025, 2, 2), False)],
)
def test_a_release_on_or_after_the_revocation_date_is_refused(
    node: DistrictNode, link: HubLink, on: date, allowed: bool
) -> None:
    consent_id = consented_family(node, link, MARISOL)
    revoke_consent(
        node,
        actor=DATA_STEWARD_DANA,
        consent_id=consent_id,
        by=SignerCapacity.PARENT,
        on=date(2025, 2, 1),
        now=at(date(2025, 1, 20)),
        link=link,
    )

    if allowed:
        _release(node, link, MARISOL, (C.CONTACT,), on)
    else:
        with pytest.raises(Refused) as refused:
            _release(node, link, MARISOL, (C.CONTACT,), on)
        assert refused.value.problems[0].rule == "consent:revoked"

    assert len(outbox(node, MessageType.RECORD_RELEASE)) == int(allowed)


def test_a_parents_consent_stops_on_the_18th_birthday_until_the_student_signs(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, TEO)  # born 2007-03-15

    _release(node, link, TEO, (C.CONTACT,), date(2025, 3, 14))
    with pytest.raises(Refused) as refused:
        _release(node, link, TEO, (C.CONTACT,), date(2025, 3, 15))
    record_consent(
        node,
        actor=COUNSELOR_ROSA,
        referral_id=_referral_of(node, consent_id),
        draft=draft(signed_on=date(2025, 3, 20), capacity=SignerCapacity.STUDENT),
        now=at(date(2025, 3, 20), 9),
        link=link,
    )
    _release(node, link, TEO, (C.CONTACT,), date(2025, 3, 20))

    assert refused.value.problems[0].rule == "consent:signer-no-longer-authorised"
    assert [
        entry.disclosed_on for entry in sorted(_log(node), key=lambda e: e.disclosed_on)
    ] == [
        date(2025, 3, 14),
        date(2025, 3, 20),
    ]


def test_a_student_under_18_cannot_sign_their_own_release(
    node: DistrictNode, link: HubLink
) -> None:
    consent_id = consented_family(node, link, TEO)

    with pytest.raises(Refused) as refused:
        record_consent(
            node,
            actor=COUNSELOR_ROSA,
            referral_id=_referral_of(node, consent_id),
            draft=draft(signed_on=date(2025, 3, 1), capacity=SignerCapacity.STUDENT),
            link=link,
        )

    assert refused.value.problems[0].rule == "consent:signer"


def test_a_release_for_an_unknown_pseudonym_is_refused_and_logged(
    node: DistrictNode, link: HubLink
) -> None:
    with pytest.raises(NotFound) as refused:
        release_records(
            node,
            actor=DATA_STEWARD_DANA,
            pseudonym="T1-NOSUCHSTUDENT00000",
            categories=(C.CONTACT,),
            purpose=Purpose.CASE_MANAGEMENT,
            on=date(2025, 3, 1),
            now=at(date(2025, 3, 1)),
            link=link,
        )

    assert refused.value.code == "pseudonym:unknown"
    [denied] = _audit(node, "record:release")
    assert (denied.outcome, denied.details) == ("deny", {"error": "pseudonym:unknown"})


def test_a_counselor_may_not_release_and_the_attempt_is_logged(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL)

    with pytest.raises(AccessDenied):
        release_records(
            node,
            actor=COUNSELOR_ROSA,
            pseudonym=pseudonym(node, MARISOL),
            categories=(C.CONTACT,),
            purpose=Purpose.CASE_MANAGEMENT,
            on=date(2025, 3, 1),
            now=at(date(2025, 3, 1)),
            link=link,
        )

    [denied] = _audit(node, "record:release")
    assert (denied.outcome, denied.actor_account_id) == ("deny", "acct-rosa")
    assert _log(node) == []


def test_a_release_checked_for_another_day_than_today_is_refused(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL)

    with pytest.raises(Refused) as refused:
        release_records(
            node,
            actor=DATA_STEWARD_DANA,
            pseudonym=pseudonym(node, MARISOL),
            categories=(C.CONTACT,),
            purpose=Purpose.CASE_MANAGEMENT,
            on=date(2025, 3, 1),
            now=at(date(2025, 9, 10)),
            link=link,
        )

    assert refused.value.code == "release:date"


def test_the_disclosure_log_cannot_be_deleted(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL)
    _release(node, link, MARISOL, (C.CONTACT,), date(2025, 3, 1))

    with node.sessions.begin() as session:
        [entry] = session.scalars(select(DisclosureLogEntry))
        session.delete(entry)
        with pytest.raises(Refused) as refused:
            session.flush()
        session.rollback()

    assert refused.value.code == "disclosure-log:permanent"
    assert len(_log(node)) == 1


def test_the_audit_log_holds_no_name_phone_address_or_birth_date(
    node: DistrictNode, link: HubLink
) -> None:
    consented_family(node, link, MARISOL)
    _release(node, link, MARISOL, tuple(RecordCategory), date(2025, 3, 1))
    family_copy(node, actor=DATA_STEWARD_DANA, student_id=MARISOL)

    with node.sessions() as session:
        written = " ".join(
            f"{entry.subject} {entry.details_json}"
            for entry in session.scalars(select(AuditEntry))
        )
    for personal in ("Marisol", "Quintero", "Lucia", "303-555", "Alder", "2010-05-20"):
        assert personal not in written
