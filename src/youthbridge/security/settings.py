"""The security settings a node runs with: keys, time limits, thresholds."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from youthbridge.domain.errors import ConfigError
from youthbridge.security.keys import MasterKey, load_master_key

IDLE_MINUTES_VARIABLE = "YOUTHBRIDGE_SESSION_IDLE_MINUTES"


@dataclass(frozen=True)
class SecuritySettings:
    """Everything sign-in and the vault need besides the database."""

    master_key: MasterKey
    # a signed-in session ends after this long without a request
    idle_timeout: timedelta = timedelta(minutes=30)
    # and after this long in any case
    session_lifetime: timedelta = timedelta(hours=12)
    # a password-only session must finish its second factor within this
    pending_lifetime: timedelta = timedelta(minutes=5)
    # identified-data views ask for a second factor at least this recent
    second_factor_recent: timedelta = timedelta(minutes=15)
    # an account is locked after this many failures within the window
    lockout_failures: int = 5
    lockout_window: timedelta = timedelta(minutes=15)
    lockout_duration: timedelta = timedelta(minutes=15)
    # one client address is throttled after this many failures within the window
    address_failures: int = 10
    address_window: timedelta = timedelta(minutes=1)
    totp_issuer: str = "youthbridge"

    @property
    def address_pepper(self) -> bytes:
        """The key that client addresses are hashed with before being stored."""
        return self.master_key.derive("client-address")


def load_settings(environ: Mapping[str, str] | None = None) -> SecuritySettings:
    """Settings from the environment; only the master key is required."""
    environ = os.environ if environ is None else environ
    master_key = load_master_key(environ)
    raw_idle = environ.get(IDLE_MINUTES_VARIABLE)
    if raw_idle is None:
        return SecuritySettings(master_key=master_key)
    if not raw_idle.isdigit() or not 1 <= int(raw_idle) <= 24 * 60:
        raise ConfigError(
            f"{IDLE_MINUTES_VARIABLE} must be a whole number of minutes from 1 to "
            f"1440; it is {raw_idle!r}.",
            code="settings:idle",
        )
    idle = timedelta(minutes=int(raw_idle))
    return SecuritySettings(master_key=master_key, idle_timeout=idle)
