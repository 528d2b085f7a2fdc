"""The closed vocabularies that messages may carry in place of free text.

A message between the nodes never carries a sentence that a person typed: a
sentence can hold a name, a diagnosis or a family's story. It carries codes from
these lists, and a receiver refuses any code not on them.
"""

from __future__ import annotations

from enum import StrEnum


class RecordCategory(StrEnum):
    """The categories of identified records that a consent can name."""

    CONTACT = "contact"
    GRADES = "grades"
    ATTENDANCE = "attendance"
    BEHAVIOUR = "behaviour"
    DISCIPLINE = "discipline"


class OutreachResult(StrEnum):
    """What a district's outreach to one family came to."""

    REACHED = "reached"
    UNREACHABLE = "unreachable"
    DECLINED = "declined"
    NOT_ENROLLED = "not-enrolled"


class ConsentOutcome(StrEnum):
    """A family's answer to a referral, as the hub may learn it."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"


class RevocationReason(StrEnum):
    """Why a consent stopped covering a student."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    REACHED_MAJORITY = "reached-majority"


class ServiceCategory(StrEnum):
    """Kinds of service a case can start, as schools may be told of them."""

    MENTORING = "mentoring"
    TUTORING = "tutoring"
    COUNSELLING = "counselling"
    FAMILY_SUPPORT = "family-support"
    RECREATION = "recreation"
    EMPLOYMENT = "employment"
    CONFLICT_MEDIATION = "conflict-mediation"
    BASIC_NEEDS = "basic-needs"


class CaseOutcome(StrEnum):
    """How a case closed, as schools may be told of it."""

    GOALS_MET = "goals-met"
    FAMILY_WITHDREW = "family-withdrew"
    MOVED_AWAY = "moved-away"
    UNREACHABLE = "unreachable"
    CONSENT_ENDED = "consent-ended"
    TRANSFERRED = "transferred"


def progress_codes() -> frozenset[str]:
    """Every code a progress update may carry; nothing else is accepted."""
    plain = {"enrolled", "engaged", "goal-progress"}
    services = {f"services-started:{item.value}" for item in ServiceCategory}
    closings = {f"closed:{item.value}" for item in CaseOutcome}
    return frozenset(plain | services | closings)
