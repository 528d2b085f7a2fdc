"""Daily attendance, every student and every day, calibrated to a real rate.

Absence clusters the way it does in schools: a few students miss much of the
year, most miss little, and absences bunch into bad weeks and around weekends.
The count of chronically absent students is set exactly (the district's real
rate times its students), then each student's absences are placed on days.
"""

from __future__ import annotations

import polars as pl

from youthbridge.domain.codes import AttendanceStatus
from youthbridge.synthetic.draws import uniform

PARTIAL_FRACTION = "0.5"

_S = AttendanceStatus


def enrolled_days(enrollments: pl.DataFrame, calendar: pl.DataFrame) -> pl.DataFrame:
    """Each day a student is enrolled and the school is in session."""
    days = enrollments.join(calendar, on="school_index").filter(
        pl.col("date").is_between(pl.col("entry_date"), pl.col("exit_date"))
    )
    return days.select("student_index", "school_index", "date").sort(
        "student_index", "date"
    )


def plan_absences(
    students: pl.DataFrame, days: pl.DataFrame, rate: float, seed: int, stream: str
) -> pl.DataFrame:
    """Per student: membership, chronic or not, full and partial days absent."""
    membership = days.group_by("student_index").agg(membership=pl.len())
    plan = students.select("student_index", "key", "grade", "mobility").join(
        membership, on="student_index", how="inner", maintain_order="left"
    )
    plan = _with_chronic(plan, rate, seed, stream)
    plan = _with_half_days(plan, seed, stream)
    return _with_habits(plan, seed, stream)


def _draw(seed: int, stream: str, name: str) -> pl.Expr:
    return uniform(pl.col("key"), seed, f"{stream}/{name}")


def _with_chronic(
    plan: pl.DataFrame, rate: float, seed: int, stream: str
) -> pl.DataFrame:
    # High schoolers and students who change schools miss more; the count of
    # chronically absent students is exact, so the rate lands on the real one.
    grade = pl.col("grade")
    leaning = (
        pl.when(grade.is_in(["09", "10", "11", "12"])).then(0.15)
        .when(grade == "KG").then(0.05)
        .when(grade.is_in(["03", "04", "05"])).then(-0.05)
        .otherwise(0.0)
    )  # fmt: skip
    moving = pl.when(pl.col("mobility") != "stays").then(0.1).otherwise(0.0)
    score = _draw(seed, stream, "chronic") + leaning + moving
    quota = round(rate * plan.height)
    return plan.with_columns(
        chronic=score.rank("ordinal", descending=True) <= quota,
    )


def _with_half_days(plan: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    # Work in half days so that the 10% line is an exact integer comparison:
    # absent / membership >= 0.1 exactly when half days >= ceil(membership / 5).
    membership = pl.col("membership")
    line = (membership + 4) // 5
    u = _draw(seed, stream, "absence")
    share = (
        pl.when(pl.col("chronic"))
        .then(0.10 + 0.35 * u.pow(2.2))
        .otherwise(0.099 * u.pow(1.5))
    )
    wanted = (share * membership * 2).round().cast(pl.Int64)
    half_days = (
        pl.when(pl.col("chronic"))
        .then(pl.max_horizontal(line, wanted))
        .otherwise(pl.min_horizontal(line - 1, wanted))
    )
    plan = plan.with_columns(half_days=half_days)

    # Partial days take one half day each; the rest are whole days.
    partial_share = 0.06 + 0.1 * _draw(seed, stream, "partial")
    rough = (pl.col("half_days") * partial_share).round().cast(pl.Int64)
    partial = rough + (pl.col("half_days") - rough) % 2
    return plan.with_columns(partial=partial).with_columns(
        full=(pl.col("half_days") - pl.col("partial")) // 2,
        absent_share=pl.col("half_days") / (2 * membership),
    )


def _with_habits(plan: pl.DataFrame, seed: int, stream: str) -> pl.DataFrame:
    # Chronic absence is more often unexcused; lateness is a habit of a few.
    excused = pl.when(pl.col("chronic")).then(0.35).otherwise(0.65)
    return plan.with_columns(
        excused_share=excused + 0.25 * _draw(seed, stream, "excused"),
        tardy_rate=0.01 + 0.08 * _draw(seed, stream, "tardy").pow(3),
    )


def mark_days(
    days: pl.DataFrame, plan: pl.DataFrame, seed: int, stream: str
) -> pl.DataFrame:
    """Give each enrolled day a status and, for partial days, a fraction."""
    marked = days.join(
        plan.select("student_index", "full", "partial", "excused_share", "tardy_rate"),
        on="student_index",
        how="inner",
        maintain_order="left",
    )
    marked = marked.with_columns(
        rank=_day_score(seed, stream)
        .rank("ordinal", descending=True)
        .over("student_index")
    )
    return marked.select(
        "student_index",
        "school_index",
        "date",
        status=_status(seed, stream),
        fraction_absent=pl.when(_is_partial()).then(pl.lit(PARTIAL_FRACTION)),
    )


def _is_partial() -> pl.Expr:
    rank, full = pl.col("rank"), pl.col("full")
    return (rank > full) & (rank <= full + pl.col("partial"))


def _keys() -> tuple[pl.Expr, pl.Expr]:
    day = pl.col("date").cast(pl.Int64)
    # Weeks start on Monday: 1970-01-01, day 0, was a Thursday.
    week = (day + 3) // 7
    student = pl.col("student_index").cast(pl.Int64) * 100_000
    return student + day, student + week


def _day_score(seed: int, stream: str) -> pl.Expr:
    # A bad week lifts all its days; Mondays and Fridays a little more.
    day_key, week_key = _keys()
    weekday = pl.col("date").dt.weekday()
    edge = pl.when(weekday.is_in([1, 5])).then(0.04).otherwise(0.0)
    return (
        uniform(week_key, seed, f"{stream}/week")
        + 0.3 * uniform(day_key, seed, f"{stream}/day")
        + edge
    )


def _status(seed: int, stream: str) -> pl.Expr:
    day_key, week_key = _keys()
    # Absences of one week share a reason, as an illness or a family trip does.
    excused = uniform(week_key, seed, f"{stream}/why") < pl.col("excused_share")
    late = uniform(day_key, seed, f"{stream}/late") < pl.col("tardy_rate")
    rank, full = pl.col("rank"), pl.col("full")
    return (
        pl.when((rank <= full) & excused).then(pl.lit(_S.EXCUSED_ABSENCE.value))
        .when(rank <= full).then(pl.lit(_S.UNEXCUSED_ABSENCE.value))
        .when(_is_partial()).then(pl.lit(_S.PARTIAL.value))
        .when(late).then(pl.lit(_S.TARDY.value))
        .otherwise(pl.lit(_S.PRESENT.value))
    )  # fmt: skip
