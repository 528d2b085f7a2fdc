"""Emergency disclosure: one decision, one student, one use, a few hours.

When a student's health or safety is in immediate danger, a named district
official may decide to disclose that student's records to the people who must
act. The decision records the threat and the recipients, and yields a grant that
works once and expires within hours; nothing here can extend or renew one, so an
emergency can never become standing access. Every decision leaves a notice that
the district's data steward sees until they acknowledge it.

The threat is written by a person and may name people, so it is kept only in the
grant's row on the district node and never in the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from youthbridge.domain.errors import AccessDenied, NotFound, Refused
from youthbridge.exchange.vocabulary import RecordCategory
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.audit import AuditEvent
from youthbridge.security.permissions import Permission, allowed, require
from youthbridge.security.timestamps import UTCDateTime
from youthbridge.storage.base import CommonBase, utcnow

MAX_HOURS = 24
DEFAULT_HOURS = 4
_MAY_USE = (Permission.RECORD_RELEASE, Permission.BREAKGLASS_DECIDE)


class BreakGlassGrant(CommonBase):
    """One emergency decision about one student; usable once, then spent."""

    __tablename__ = "breakglass_grants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    decided_by: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    threat: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[str | None] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"BreakGlassGrant(id={self.id!r}, subject={self.subject!r})"


class BreakGlassNotice(CommonBase):
    """Tells the district's data steward that an emergency disclosure was decided."""

    __tablename__ = "breakglass_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("breakglass_grants.id"))
    district_code: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))


@dataclass(frozen=True)
class EmergencyRequest:
    """What the deciding official states: the student, the danger, who must act."""

    subject: str
    threat: str
    recipients: Sequence[str]
    categories: Sequence[RecordCategory]
    hours: int = DEFAULT_HOURS


def decide_breakglass(
    session: Session, request: EmergencyRequest, *, actor: Account
) -> BreakGlassGrant:
    """Record an emergency decision and return its single-use grant."""
    require(actor, Permission.BREAKGLASS_DECIDE)
    district = _district_of(actor)
    _check_request(request)
    now = utcnow()

    grant = BreakGlassGrant(
        id=uuid.uuid4().hex,
        district_code=district,
        subject=request.subject,
        decided_by=actor.id,
        decided_at=now,
        threat=request.threat.strip(),
        recipients=[recipient.strip() for recipient in request.recipients],
        categories=[str(category) for category in request.categories],
        expires_at=now + timedelta(hours=request.hours),
    )
    session.add(grant)
    session.flush()
    session.add(
        BreakGlassNotice(
            id=uuid.uuid4().hex,
            grant_id=grant.id,
            district_code=district,
            created_at=now,
        )
    )

    audit.record(
        session,
        actor=actor,
        action=AuditEvent.BREAKGLASS_DECIDE,
        subject=request.subject,
        details={
            "grant_id": grant.id,
            "hours": request.hours,
            "recipients": len(grant.recipients),
            "categories": grant.categories,
        },
        now=now,
    )
    return grant


def _check_request(request: EmergencyRequest) -> None:
    if not 1 <= request.hours <= MAX_HOURS:
        raise Refused(
            f"An emergency disclosure lasts from 1 to {MAX_HOURS} hours. It cannot "
            "be standing access: decide again if the danger continues.",
            code="breakglass:hours",
        )
    if len(request.threat.strip()) < 20:
        raise Refused(
            "Describe the threat to the student's health or safety in a sentence "
            "or two.",
            code="breakglass:threat",
        )
    if not request.recipients or not all(item.strip() for item in request.recipients):
        raise Refused(
            "Name who is to receive the records.", code="breakglass:recipients"
        )
    if not request.categories:
        raise Refused(
            "Name which categories of records are to be disclosed.",
            code="breakglass:categories",
        )


def use_grant(
    session: Session, grant_id: str, *, actor: Account, now: datetime | None = None
) -> BreakGlassGrant:
    """Spend a grant to make its one disclosure; a second use is refused."""
    # The official who decided, or the steward who releases records, sends it.
    if not any(allowed(actor.role, permission) for permission in _MAY_USE):
        raise AccessDenied(
            f"Your role ({actor.role}) cannot make an emergency disclosure.",
            code="access:denied",
        )
    grant = _grant_in_district(session, grant_id, _district_of(actor))
    now = now or utcnow()

    # One conditional update: of two people pressing at once, exactly one
    # spends the grant, on SQLite and PostgreSQL alike.
    spent = session.execute(
        update(BreakGlassGrant)
        .where(
            BreakGlassGrant.id == grant_id,
            BreakGlassGrant.used_at.is_(None),
            BreakGlassGrant.expires_at > now,
        )
        .values(used_at=now, used_by=actor.id)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise Refused(
            "This emergency grant has been used or has expired. A new decision "
            "is needed for another disclosure.",
            code="breakglass:spent",
        )

    audit.record(
        session,
        actor=actor,
        action=AuditEvent.BREAKGLASS_USE,
        subject=grant.subject,
        details={"grant_id": grant.id, "categories": grant.categories},
        now=now,
    )
    return grant


def steward_notices(
    session: Session, *, actor: Account, include_acknowledged: bool = False
) -> list[BreakGlassNotice]:
    """The emergency decisions in the steward's district, newest first."""
    require(actor, Permission.BREAKGLASS_REVIEW)
    query = select(BreakGlassNotice).where(
        BreakGlassNotice.district_code == _district_of(actor)
    )
    if not include_acknowledged:
        query = query.where(BreakGlassNotice.acknowledged_at.is_(None))
    return list(session.scalars(query.order_by(BreakGlassNotice.created_at.desc())))


def acknowledge_notice(session: Session, notice_id: str, *, actor: Account) -> None:
    """The steward has reviewed an emergency decision."""
    require(actor, Permission.BREAKGLASS_REVIEW)
    notice = session.get(BreakGlassNotice, notice_id)
    if notice is None or notice.district_code != _district_of(actor):
        raise NotFound("There is no such notice.", code="breakglass:notice")
    notice.acknowledged_at = utcnow()
    notice.acknowledged_by = actor.id
    audit.record(
        session,
        actor=actor,
        action=AuditEvent.BREAKGLASS_ACKNOWLEDGE,
        details={"grant_id": notice.grant_id},
    )


def _grant_in_district(
    session: Session, grant_id: str, district: str
) -> BreakGlassGrant:
    grant = session.get(BreakGlassGrant, grant_id)
    # Another district's grant is reported as missing, not as forbidden.
    if grant is None or grant.district_code != district:
        raise NotFound("There is no such emergency grant.", code="breakglass:missing")
    return grant


def _district_of(actor: Account) -> str:
    if actor.district_code is None:
        raise AccessDenied(
            "Emergency disclosures are decided in a district.", code="access:denied"
        )
    return actor.district_code
