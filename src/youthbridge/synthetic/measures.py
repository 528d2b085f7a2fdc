"""What the generated data says, measured the way the indicators will measure it."""

from __future__ import annotations

import polars as pl

from youthbridge.domain.codes import AttendanceStatus
from youthbridge.synthetic.facts import CHRONIC_THRESHOLD

_WHOLE_DAY = (AttendanceStatus.EXCUSED_ABSENCE, AttendanceStatus.UNEXCUSED_ABSENCE)


def chronic_absence_rate(tables: dict[str, pl.DataFrame]) -> float:
    """Share of the students file whose absences reach 10% of their school days.

    Every attendance row is an enrolled school day (the export lists every
    day); absences count whole, partial days by their fraction. Rows whose
    status is not a canonical code, or whose student is unknown, are left out.
    """
    attendance = tables["attendance"].join(
        tables["students"].select("student_id"), on="student_id", how="semi"
    )
    missed = (
        pl.when(pl.col("status").is_in(_WHOLE_DAY))
        .then(1.0)
        .otherwise(pl.col("fraction_absent").cast(pl.Float64).fill_null(0.0))
    )
    per_student = attendance.group_by("student_id").agg(
        missed=missed.sum(), days=pl.len()
    )
    chronic = (per_student["missed"] / per_student["days"]) >= CHRONIC_THRESHOLD
    students = tables["students"].height
    return float(chronic.sum()) / students if students else 0.0
