"""Column types that keep values exact on every database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, String
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal stored as its text, so SQLite keeps it exact as PostgreSQL does.

    SQLite has no decimal type and would turn 0.1 into a binary float; days absent
    and fractions of a day must stay exact for the 10% rule to be exact.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
