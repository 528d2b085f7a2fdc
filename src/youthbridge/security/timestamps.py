"""A column type that stores every time as timezone-aware UTC on every database.

SQLite has no time zone type: SQLAlchemy writes the wall time and reads back a
naive datetime. This type refuses naive times on the way in and attaches UTC on
the way out, so that code compares aware times on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a stored time must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(
        self, value: Any | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
