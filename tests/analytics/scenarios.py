"""Builders of small, typed district tables for indicator scenarios.

Every calendar here is explicit weekdays, so a test can count its days by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from youthbridge.analytics.indicators import IndicatorInputs
from youthbridge.domain.codes import AttendanceMode, AttendanceStatus
from youthbridge.domain.schoolyear import SchoolYear

YEAR = SchoolYear(2024)
# A Monday, so that the weekdays from it are easy to reckon.
FIRST_MONDAY = date(2024, 8, 19)

FRACTION = pl.Decimal(5, 2)
DAYS = pl.Decimal(6, 1)

Absence = tuple[str, str, date, AttendanceStatus, Decimal | None]
Enrollment = tuple[str, str, date, date | None]


def weekdays(count: int, start: date = FIRST_MONDAY) -> list[date]:
    """The first `count` weekdays from `start`, Monday to Friday."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def calendar(school: str, days: Iterable[date]) -> pl.DataFrame:
    listed = list(days)
    return pl.DataFrame(
        {"school_id": [school] * len(listed), "date": listed},
        schema={"school_id": pl.String, "date": pl.Date},
    )


def enrollments(rows: Sequence[Enrollment], grade: str = "07") -> pl.DataFrame:
    return pl.DataFrame(
        [
            (student, school, grade, entry, exit_)
            for student, school, entry, exit_ in rows
        ],
        schema={
            "student_id": pl.String,
            "school_id": pl.String,
            "grade": pl.String,
            "entry_date": pl.Date,
            "exit_date": pl.Date,
        },
        orient="row",
    )


def attendance(rows: Sequence[Absence]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (student, school, day, status.value, frac)
            for student, school, day, status, frac in rows
        ],
        schema={
            "student_id": pl.String,
            "school_id": pl.String,
            "date": pl.Date,
            "status": pl.String,
            "fraction_absent": FRACTION,
        },
        orient="row",
    )


def absences(
    student: str,
    school: str,
    days: Iterable[date],
    status: AttendanceStatus = AttendanceStatus.EXCUSED_ABSENCE,
    fraction: Decimal | None = None,
) -> list[Absence]:
    return [(student, school, day, status, fraction) for day in days]


def inputs(
    enrolled: pl.DataFrame,
    rows: pl.DataFrame,
    calendars: Sequence[pl.DataFrame],
    mode: AttendanceMode = AttendanceMode.EXCEPTIONS,
) -> IndicatorInputs:
    """Inputs where every enrolled school records attendance the same way."""
    schools = enrolled.get_column("school_id").unique()
    return IndicatorInputs(
        enrollments=enrolled,
        attendance=rows,
        modes=dict.fromkeys(schools, mode),
        calendar_days=pl.concat(calendars),
    )


def one_student(
    days: int,
    rows: Sequence[Absence],
    mode: AttendanceMode = AttendanceMode.EXCEPTIONS,
) -> IndicatorInputs:
    """Student S1 at school A for the whole of a calendar of `days` weekdays."""
    school_days = weekdays(days)
    return inputs(
        enrollments([("S1", "A", school_days[0], None)]),
        attendance(rows),
        [calendar("A", school_days)],
        mode,
    )
