"""Password hashing with Argon2id, and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from youthbridge.domain.errors import Refused

MIN_LENGTH = 12
MAX_LENGTH = 1024


def production_hasher() -> PasswordHasher:
    """Argon2id with argon2-cffi's defaults: RFC 9106's low-memory profile."""
    return PasswordHasher()


_HASHER = production_hasher()

# Verified against when no account matches, so that an unknown username takes
# as long to refuse as a wrong password and does not reveal itself by timing.
_DECOY_HASH = _HASHER.hash("youthbridge decoy password, never valid")


def hash_password(password: str) -> str:
    """An Argon2id hash with its own salt and parameters, safe to store."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash; never raises on a mismatch."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_decoy(password: str) -> None:
    """Spend the time a real check takes, for a sign-in with no account."""
    verify_password(_DECOY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def check_new_password(username: str, password: str) -> None:
    """Refuse a new password that is too short, too long or the username."""
    if len(password) < MIN_LENGTH:
        raise Refused(
            f"A password needs at least {MIN_LENGTH} characters; a short phrase "
            "of several words is easiest to remember.",
            code="password:short",
        )
    if len(password) > MAX_LENGTH:
        raise Refused(
            f"A password may have at most {MAX_LENGTH} characters.",
            code="password:long",
        )
    if password.strip().lower() == username.strip().lower():
        raise Refused("A password must not be the username.", code="password:username")
