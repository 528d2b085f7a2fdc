"""Second factors: TOTP authenticators and single-use recovery codes.

A TOTP secret is stored sealed under a key derived from the node's master key,
never in the clear and never logged. Each TOTP time step is accepted once, so a
code seen over a shoulder cannot be replayed. Recovery codes are stored only as
SHA-256 hashes (they are long random strings, so a fast hash is enough) and each
works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from youthbridge.security.accounts import Account
from youthbridge.security.keys import MasterKey, open_sealed, seal
from youthbridge.security.settings import SecuritySettings

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I
_RECOVERY_GROUPS = 4
_SEALING_PURPOSE = "second-factor-secret"


class SecondFactorMethod(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery-code"


@dataclass(frozen=True)
class Enrolment:
    """What a person needs once, at enrolment: shown, then never again."""

    secret: str = field(repr=False)
    provisioning_uri: str = field(repr=False)
    recovery_codes: tuple[str, ...] = field(repr=False)


def start_enrolment(account: Account, settings: SecuritySettings) -> Enrolment:
    """Give the account a new, unconfirmed TOTP secret and fresh recovery codes."""
    secret = pyotp.random_base32()
    account.totp_secret_sealed = _seal_secret(settings.master_key, account.id, secret)
    account.totp_master_key_id = settings.master_key.key_id
    account.totp_confirmed_at = None
    account.totp_last_step = None

    codes = tuple(_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT))
    account.recovery_code_hashes = [_hash_recovery_code(code) for code in codes]

    uri = pyotp.TOTP(secret).provisioning_uri(
        name=account.username, issuer_name=settings.totp_issuer
    )
    return Enrolment(secret=secret, provisioning_uri=str(uri), recovery_codes=codes)


def check_code(
    account: Account, code: str, settings: SecuritySettings, now: datetime
) -> SecondFactorMethod | None:
    """Consume a TOTP or recovery code if it is valid; None if it is not."""
    code = code.strip().replace(" ", "")
    if code.isdigit() and len(code) == 6:
        return (
            SecondFactorMethod.TOTP
            if _check_totp(account, code, settings, now)
            else None
        )
    if account.totp_confirmed_at is None:
        # Recovery codes stand in for a confirmed authenticator only.
        return None
    return (
        SecondFactorMethod.RECOVERY_CODE if _use_recovery_code(account, code) else None
    )


def _check_totp(
    account: Account, code: str, settings: SecuritySettings, now: datetime
) -> bool:
    if account.totp_secret_sealed is None:
        return False
    secret = _open_secret(settings.master_key, account)
    totp = pyotp.TOTP(secret)
    current = int(totp.timecode(now))

    # One step either side allows for clock drift; a step at or before the
    # last one used is refused so that a code works only once.
    for step in (current - 1, current, current + 1):
        if account.totp_last_step is not None and step <= account.totp_last_step:
            continue
        if hmac.compare_digest(str(totp.generate_otp(step)), code):
            account.totp_last_step = step
            return True
    return False


def _use_recovery_code(account: Account, code: str) -> bool:
    wanted = _hash_recovery_code(code)
    remaining = list(account.recovery_code_hashes)
    for stored in remaining:
        if hmac.compare_digest(stored, wanted):
            remaining.remove(stored)
            # A new list, so the JSON column sees the change.
            account.recovery_code_hashes = remaining
            return True
    return False


def rewrap_secrets(session: Session, old: MasterKey, new: MasterKey) -> int:
    """Re-seal every TOTP secret held under the old master key; returns how many."""
    query = select(Account).where(Account.totp_master_key_id == old.key_id)
    count = 0
    for account in session.scalars(query):
        secret = _open_secret(old, account)
        account.totp_secret_sealed = _seal_secret(new, account.id, secret)
        account.totp_master_key_id = new.key_id
        count += 1
    return count


def _seal_secret(master: MasterKey, account_id: str, secret: str) -> bytes:
    key = master.derive(_SEALING_PURPOSE)
    return seal(key, secret.encode("ascii"), aad=account_id.encode())


def _open_secret(master: MasterKey, account: Account) -> str:
    assert account.totp_secret_sealed is not None
    key = master.derive(_SEALING_PURPOSE)
    plain = open_sealed(key, account.totp_secret_sealed, aad=account.id.encode())
    return plain.decode("ascii")


def _new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4))
        for _ in range(_RECOVERY_GROUPS)
    )
    return "-".join(groups)


def _hash_recovery_code(code: str) -> str:
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode()).hexdigest()
