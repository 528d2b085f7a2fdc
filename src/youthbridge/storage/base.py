"""Declarative bases: one metadata per node kind, plus tables both kinds have.

A district node's database holds the common tables and the district tables; a
hub's holds the common tables and the hub tables. Keeping three metadata objects
makes it impossible for a hub database to be created with a district table in it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class CommonBase(DeclarativeBase):
    """Tables on every node: accounts, sessions, audit, outbox, inbox."""

    metadata = MetaData(naming_convention=_NAMING)


class DistrictBase(DeclarativeBase):
    """Tables only a district node has: identified SIS data and its keys' uses."""

    metadata = MetaData(naming_convention=_NAMING)


class HubBase(DeclarativeBase):
    """Tables only the hub has: de-identified store, referrals, cases."""

    metadata = MetaData(naming_convention=_NAMING)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC; stored times are always UTC."""
    return datetime.now(UTC)
