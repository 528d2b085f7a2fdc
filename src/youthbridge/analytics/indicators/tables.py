"""The indicators' inputs, results and the small values the steps share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from youthbridge.domain.codes import AttendanceMode

ENROLLMENT_KEY = ("student_id", "school_id")
# Students and schools are numbered for the large joins (see `days.DayKeys`).
NUMBERS = ("sid", "kid")


@dataclass(frozen=True)
class IndicatorInputs:
    """The typed tables the indicators are computed from (see the module notes).

    `modes` names how each school's attendance is recorded; every school with an
    enrollment needs one. A school with `calendar_days` uses those days; a school
    with only `calendar_sessions` uses its sessions' weekdays.
    """

    enrollments: pl.DataFrame
    attendance: pl.DataFrame
    modes: Mapping[str, AttendanceMode]
    calendar_days: pl.DataFrame | None = None
    calendar_sessions: pl.DataFrame | None = None
    discipline_actions: pl.DataFrame | None = None
    incident_behaviors: pl.DataFrame | None = None
    incidents: pl.DataFrame | None = None


@dataclass(frozen=True)
class IndicatorReport:
    """What the computation left out or could not see, in counts."""

    as_of: date
    students: int
    gap_days: int
    rows_outside_enrollment: int
    rows_on_non_instructional_days: int
    rows_after_as_of: int
    schools_without_calendar: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorResult:
    student_year: pl.DataFrame
    student_school_year: pl.DataFrame
    report: IndicatorReport


@dataclass(frozen=True)
class Period:
    """The days that count: the school year's first day up to `as_of`."""

    first: date
    last: date
    year_last: date
    label: str


@dataclass(frozen=True)
class Scale:
    """Quanta per day: `day` from the calendar times `fraction` from the fractions."""

    day: int
    fraction: int

    @property
    def quantum(self) -> int:
        return self.day * self.fraction
