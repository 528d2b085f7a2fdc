"""Import this module to register every security table on `CommonBase`.

The schema is created from `CommonBase.metadata`; a table whose model module was
never imported would silently be missing from it.
"""

from __future__ import annotations

from youthbridge.security.accounts import Account, AuthSession, SignInFailure
from youthbridge.security.audit import AuditEntry, AuditHead
from youthbridge.security.breakglass import BreakGlassGrant, BreakGlassNotice
from youthbridge.security.vault import StudentKey

__all__ = [
    "Account",
    "AuditEntry",
    "AuditHead",
    "AuthSession",
    "BreakGlassGrant",
    "BreakGlassNotice",
    "SignInFailure",
    "StudentKey",
]
