"""School years: derived from dates with a configurable first day, read per source.

A school year is named by its label `YYYY-YYYY` everywhere inside youthbridge.
Sources write it in several ways; each source declares which one it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from youthbridge.domain.errors import YouthbridgeError


class YearLabelStyle(StrEnum):
    """How a source writes a school year."""

    FULL = "full"  # 2024-2025
    SHORT_PAIR = "short-pair"  # 2425
    END_YEAR = "end-year"  # 2025, as Ed-Fi writes it
    SHORT_END = "short-end"  # 25


@dataclass(frozen=True, order=True)
class SchoolYear:
    """The school year that starts in `start_year` (2024 for 2024-2025)."""

    start_year: int

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"

    def first_day(self, start_month: int = 7, start_day: int = 1) -> date:
        return date(self.start_year, start_month, start_day)

    def last_day(self, start_month: int = 7, start_day: int = 1) -> date:
        following = SchoolYear(self.start_year + 1)
        return following.first_day(start_month, start_day) - timedelta(days=1)

    def __str__(self) -> str:
        return self.label


def year_of(day: date, start_month: int = 7, start_day: int = 1) -> SchoolYear:
    """The school year a date falls in, given the year's first day."""
    starts_this_calendar_year = (day.month, day.day) >= (start_month, start_day)
    return SchoolYear(day.year if starts_this_calendar_year else day.year - 1)


_FULL = re.compile(r"(\d{4})-(\d{4})")
_DIGITS = re.compile(r"\d+")


def parse_year_label(
    text: str, style: YearLabelStyle = YearLabelStyle.FULL
) -> SchoolYear:
    """Read a school-year label written in a source's declared style."""
    value = text.strip()
    if style is YearLabelStyle.FULL:
        match = _FULL.fullmatch(value)
        if match and int(match[2]) == int(match[1]) + 1:
            return SchoolYear(int(match[1]))
    elif _DIGITS.fullmatch(value):
        year = _read_digits(value, style)
        if year is not None:
            return year
    raise YouthbridgeError(
        f"`{text}` is not a school year written as {style.value}"
        f" (for example {_EXAMPLES[style]})",
        code="school-year",
    )


_EXAMPLES = {
    YearLabelStyle.FULL: "2024-2025",
    YearLabelStyle.SHORT_PAIR: "2425",
    YearLabelStyle.END_YEAR: "2025",
    YearLabelStyle.SHORT_END: "25",
}


def _read_digits(value: str, style: YearLabelStyle) -> SchoolYear | None:
    if style is YearLabelStyle.SHORT_PAIR and len(value) == 4:
        first, second = int(value[:2]), int(value[2:])
        if (first + 1) % 100 == second:
            return SchoolYear(2000 + first)
    if style is YearLabelStyle.END_YEAR and len(value) == 4:
        return SchoolYear(int(value) - 1)
    if style is YearLabelStyle.SHORT_END and len(value) == 2:
        return SchoolYear(2000 + int(value) - 1)
    return None
