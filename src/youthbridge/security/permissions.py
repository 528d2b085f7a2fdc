"""Who may do what: a fixed table of roles and permissions, deny by default.

The table is code, not configuration, so that no deployment can invent a role.
In particular there is no role for law enforcement or school discipline, and
`parse_role` refuses any name that is not one of the roles below. A permission
that is missing from a role's row is refused; there is no wildcard.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from youthbridge.domain.agreement import Purpose
from youthbridge.domain.errors import AccessDenied, Refused
from youthbridge.storage.database import NodeKind


class Permission(StrEnum):
    """One thing a person may do, named the way the audit log names it."""

    # district: identified student data
    STUDENT_VIEW = "student:view"
    OUTREACH_VIEW = "outreach:view"
    OUTREACH_DECIDE = "outreach:decide"
    CONSENT_RECORD = "consent:record"
    CONSENT_REVOKE = "consent:revoke"
    CONSENT_VIEW = "consent:view"
    RECORD_RELEASE = "record:release"
    DISCLOSURE_LOG_VIEW = "disclosure-log:view"
    UPLOAD_INGEST = "upload:ingest"
    QUARANTINE_VIEW = "quarantine:view"
    PROGRESS_VIEW = "progress:view"
    BREAKGLASS_DECIDE = "breakglass:decide"
    BREAKGLASS_REVIEW = "breakglass:review"
    # district: what leaves the district
    EXPORT_APPROVE = "export:approve"
    RELEASE_DEIDENTIFIED_SEND = "release:deidentified:send"
    # hub: de-identified and aggregate
    TRENDS_VIEW = "trends:view"
    AT_RISK_VIEW = "at-risk:view"
    OUTREACH_REQUEST = "outreach:request"
    DIRECTORY_VIEW = "directory:view"
    DIRECTORY_MANAGE = "directory:manage"
    # hub: consented identified data
    CASE_VIEW = "case:view"
    CASE_MANAGE = "case:manage"
    CASE_NOTE_ADD = "case:note:add"
    CASE_ASSIGN = "case:assign"
    CASELOAD_TEAM_VIEW = "caseload:team:view"
    PROGRESS_SEND = "progress:send"
    RECORD_DESTROY = "record:destroy"
    # both nodes: oversight and administration
    AUDIT_VIEW = "audit:view"
    AUDIT_VERIFY = "audit:verify"
    ACCOUNT_MANAGE = "account:manage"
    KEY_ROTATE = "key:rotate"


class Role(StrEnum):
    """A job in the partnership. Each belongs to one side of the boundary."""

    DATA_STEWARD = "data-steward"
    SCHOOL_COUNSELOR = "school-counselor"
    DISTRICT_ADMIN = "district-admin"
    CASE_MANAGER = "case-manager"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    HUB_ADMIN = "hub-admin"

    @property
    def node(self) -> NodeKind:
        """The kind of node on which accounts with this role exist."""
        return NodeKind.DISTRICT if self in _DISTRICT_ROLES else NodeKind.HUB


_DISTRICT_ROLES = frozenset(
    {Role.DATA_STEWARD, Role.SCHOOL_COUNSELOR, Role.DISTRICT_ADMIN}
)

_P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DATA_STEWARD: frozenset(
        {
            _P.STUDENT_VIEW,
            _P.OUTREACH_VIEW,
            _P.CONSENT_RECORD,
            _P.CONSENT_REVOKE,
            _P.CONSENT_VIEW,
            _P.RECORD_RELEASE,
            _P.DISCLOSURE_LOG_VIEW,
            _P.UPLOAD_INGEST,
            _P.QUARANTINE_VIEW,
            _P.EXPORT_APPROVE,
            _P.RELEASE_DEIDENTIFIED_SEND,
            _P.BREAKGLASS_REVIEW,
        }
    ),
    Role.SCHOOL_COUNSELOR: frozenset(
        {
            _P.STUDENT_VIEW,
            _P.OUTREACH_VIEW,
            _P.OUTREACH_DECIDE,
            _P.CONSENT_RECORD,
            _P.CONSENT_VIEW,
            _P.PROGRESS_VIEW,
        }
    ),
    Role.DISTRICT_ADMIN: frozenset(
        {_P.BREAKGLASS_DECIDE, _P.AUDIT_VIEW, _P.ACCOUNT_MANAGE, _P.KEY_ROTATE}
    ),
    Role.CASE_MANAGER: frozenset(
        {
            _P.AT_RISK_VIEW,
            _P.OUTREACH_REQUEST,
            _P.DIRECTORY_VIEW,
            _P.CASE_VIEW,
            _P.CASE_MANAGE,
            _P.CASE_NOTE_ADD,
            _P.PROGRESS_SEND,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            _P.TRENDS_VIEW,
            _P.AT_RISK_VIEW,
            _P.OUTREACH_REQUEST,
            _P.DIRECTORY_VIEW,
            _P.CASE_VIEW,
            _P.CASE_MANAGE,
            _P.CASE_NOTE_ADD,
            _P.CASE_ASSIGN,
            _P.CASELOAD_TEAM_VIEW,
            _P.PROGRESS_SEND,
            _P.RECORD_DESTROY,
        }
    ),
    # The analyst works on de-identified and aggregate data only.
    Role.ANALYST: frozenset({_P.TRENDS_VIEW, _P.AT_RISK_VIEW, _P.DIRECTORY_VIEW}),
    # The auditor reads logs, which by construction hold no personal data.
    Role.AUDITOR: frozenset({_P.AUDIT_VIEW, _P.AUDIT_VERIFY}),
    Role.HUB_ADMIN: frozenset(
        {
            _P.DIRECTORY_VIEW,
            _P.DIRECTORY_MANAGE,
            _P.AUDIT_VIEW,
            _P.ACCOUNT_MANAGE,
            _P.KEY_ROTATE,
            _P.RECORD_DESTROY,
        }
    ),
}

IDENTIFIED: frozenset[Permission] = frozenset(
    {
        _P.STUDENT_VIEW,
        _P.OUTREACH_VIEW,
        _P.OUTREACH_DECIDE,
        _P.CONSENT_RECORD,
        _P.CONSENT_REVOKE,
        _P.CONSENT_VIEW,
        _P.RECORD_RELEASE,
        _P.DISCLOSURE_LOG_VIEW,
        _P.UPLOAD_INGEST,
        _P.QUARANTINE_VIEW,
        _P.PROGRESS_VIEW,
        _P.BREAKGLASS_DECIDE,
        _P.BREAKGLASS_REVIEW,
        _P.CASE_VIEW,
        _P.CASE_MANAGE,
        _P.CASE_NOTE_ADD,
        _P.CASE_ASSIGN,
        _P.CASELOAD_TEAM_VIEW,
        _P.PROGRESS_SEND,
    }
)
"""Permissions whose use shows a named student's data to the acting person."""

# Granting accounts or holding the keys is a path to identified data, so these
# roles need the same second factor as the people who read it.
_PRIVILEGED: frozenset[Permission] = frozenset({_P.ACCOUNT_MANAGE, _P.KEY_ROTATE})


class Actor(Protocol):
    """Anyone who acts: an account, seen through what access checks need."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> Role: ...


def allowed(role: Role, permission: Permission) -> bool:
    """Whether the role holds the permission; anything not granted is refused."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def require(actor: Actor, permission: Permission) -> None:
    """Refuse with AccessDenied unless the actor's role holds the permission."""
    if not allowed(actor.role, permission):
        raise AccessDenied(
            f"Your role ({actor.role}) does not allow `{permission}`. "
            "Ask your administrator if your work needs it.",
            code="access:denied",
        )


def touches_identified_data(role: Role) -> bool:
    """Whether any of the role's permissions shows a named student's data."""
    return bool(ROLE_PERMISSIONS[role] & IDENTIFIED)


def second_factor_required(role: Role) -> bool:
    """Whether accounts with this role must sign in with a second factor."""
    return touches_identified_data(role) or bool(ROLE_PERMISSIONS[role] & _PRIVILEGED)


def parse_role(value: str) -> Role:
    """The role with this exact name; every other name is refused."""
    try:
        return Role(value)
    except ValueError:
        known = ", ".join(f"`{role}`" for role in Role)
        raise Refused(
            f"`{value}` is not a role in youthbridge. The roles are: {known}.",
            code="role:unknown",
        ) from None


def require_purpose(value: str) -> Purpose:
    """The purpose with this exact name; every other purpose is refused."""
    try:
        return Purpose(value)
    except ValueError:
        known = ", ".join(f"`{purpose}`" for purpose in Purpose)
        raise Refused(
            f"`{value}` is not a purpose the agreement allows. "
            f"The purposes are: {known}.",
            code="purpose:unknown",
        ) from None
