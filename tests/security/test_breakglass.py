"""Emergency disclosure: decided by a named official, used once, expiring, noticed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.security.conftest import Staff
from youthbridge.domain.errors import AccessDenied, NotFound, Refused
from youthbridge.exchange.vocabulary import RecordCategory
from youthbridge.security import breakglass
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEntry
from youthbridge.security.breakglass import EmergencyRequest
from youthbridge.security.permissions import Role

THREAT = "Student disclosed a plan to harm themselves tonight; crisis team needed."
REQUEST = EmergencyRequest(
    subject="S-100482",
    threat=THREAT,
    recipients=["County mobile crisis team"],
    categories=[RecordCategory.CONTACT],
)


@pytest.fixture
def official(staff: Staff) -> Account:
    return staff.add(Role.DISTRICT_ADMIN, "district.official", district_code="D-0042")


@pytest.fixture
def steward(staff: Staff) -> Account:
    return staff.add(Role.DATA_STEWARD, "district.steward", district_code="D-0042")


def _decide(factory: sessionmaker[Session], official: Account) -> str:
    with factory.begin() as session:
        return breakglass.decide_breakglass(session, REQUEST, actor=official).id


def test_a_named_official_decides_and_the_grant_works_once(
    factory: sessionmaker[Session], official: Account, steward: Account
) -> None:
    grant_id = _decide(factory, official)

    with factory.begin() as session:
        grant = breakglass.use_grant(session, grant_id, actor=steward)
        assert grant.recipients == ["County mobile crisis team"]
    with factory() as session, pytest.raises(Refused) as refusal:
        breakglass.use_grant(session, grant_id, actor=steward)
    assert refusal.value.code == "breakglass:spent"


def test_a_grant_expires_within_hours(
    factory: sessionmaker[Session], official: Account, steward: Account
) -> None:
    grant_id = _decide(factory, official)
    with factory() as session:
        grant = session.get_one(breakglass.BreakGlassGrant, grant_id)
        later = grant.decided_at + timedelta(hours=4, seconds=1)
        with pytest.raises(Refused):
            breakglass.use_grant(session, grant_id, actor=steward, now=later)


@pytest.mark.parametrize("hours", [0, 25, 24 * 365])
def test_a_grant_cannot_be_made_standing(
    factory: sessionmaker[Session], official: Account, hours: int
) -> None:
    standing = EmergencyRequest(
        subject=REQUEST.subject,
        threat=THREAT,
        recipients=REQUEST.recipients,
        categories=REQUEST.categories,
        hours=hours,
    )
    with factory() as session, pytest.raises(Refused) as refusal:
        breakglass.decide_breakglass(session, standing, actor=official)
    assert refusal.value.code == "breakglass:hours"


def test_a_district_counselor_cannot_decide(
    factory: sessionmaker[Session], staff: Staff
) -> None:
    counselor = staff.add(Role.SCHOOL_COUNSELOR, "district.counselor")
    with factory() as session, pytest.raises(AccessDenied):
        breakglass.decide_breakglass(session, REQUEST, actor=counselor)


def test_the_steward_sees_a_notice_until_acknowledged(
    factory: sessionmaker[Session], official: Account, steward: Account, staff: Staff
) -> None:
    _decide(factory, official)
    other_steward = staff.add(
        Role.DATA_STEWARD, "other.steward", district_code="D-0077"
    )

    with factory.begin() as session:
        notices = breakglass.steward_notices(session, actor=steward)
        assert len(notices) == 1
        assert breakglass.steward_notices(session, actor=other_steward) == []
        breakglass.acknowledge_notice(session, notices[0].id, actor=steward)
    with factory() as session:
        assert breakglass.steward_notices(session, actor=steward) == []
        assert (
            len(
                breakglass.steward_notices(
                    session, actor=steward, include_acknowledged=True
                )
            )
            == 1
        )


def test_the_audit_log_records_the_decision_but_not_the_threat(
    factory: sessionmaker[Session], official: Account, steward: Account
) -> None:
    grant_id = _decide(factory, official)
    with factory.begin() as session:
        breakglass.use_grant(session, grant_id, actor=steward)

    with factory() as session:
        entries = list(
            session.scalars(select(AuditEntry).order_by(AuditEntry.sequence))
        )
    assert [entry.action for entry in entries] == [
        "breakglass:decide",
        "breakglass:use",
    ]
    assert entries[0].actor_account_id == official.id
    assert entries[0].subject == "S-100482"
    for entry in entries:
        assert "harm" not in entry.canonical()
        assert "crisis" not in entry.canonical()


def test_another_districts_grant_is_not_found(
    factory: sessionmaker[Session], official: Account, staff: Staff
) -> None:
    grant_id = _decide(factory, official)
    other_steward = staff.add(
        Role.DATA_STEWARD, "other.steward", district_code="D-0077"
    )
    with factory() as session, pytest.raises(NotFound):
        breakglass.use_grant(session, grant_id, actor=other_steward)
