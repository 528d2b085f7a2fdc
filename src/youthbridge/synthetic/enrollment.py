"""Who attends which school when: full years, arrivals, departures, transfers.

An enrolment runs from its entry date to its exit date, both days included. A
student who moves within the district has two enrolments at two schools of the
same level; one who moves to the other district leaves here and enters there,
under that district's own student number, a few days later.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import polars as pl

from youthbridge.synthetic.draws import below, choose, uniform
from youthbridge.synthetic.facts import DistrictProfile


class Mobility(StrEnum):
    STAYS = "stays"
    ARRIVES = "arrives"  # from outside the region
    LEAVES = "leaves"  # for outside the region
    MOVES = "moves"  # to another school of the same district
    CROSSES = "crosses"  # to the other district of the region


# Shares of students by how they move during the year.
MOBILITY_SHARES: dict[Mobility, float] = {
    Mobility.ARRIVES: 0.04,
    Mobility.LEAVES: 0.03,
    Mobility.MOVES: 0.04,
}

# Mid-year moves happen between these dates.
MOVES_FROM = date(2022, 9, 19)
MOVES_UNTIL = date(2023, 4, 28)


def draw_mobility(
    students: pl.DataFrame, crossing_share: float, seed: int, stream: str
) -> pl.DataFrame:
    """Add `mobility` and `move_date` to students that have none yet."""
    shares = {**MOBILITY_SHARES, Mobility.CROSSES: crossing_share}
    shares[Mobility.STAYS] = 1.0 - sum(shares.values())
    u = uniform(pl.col("key"), seed, f"{stream}/mobility")
    days = (MOVES_UNTIL - MOVES_FROM).days
    offset = below(uniform(pl.col("key"), seed, f"{stream}/move-day"), days)
    return students.with_columns(
        mobility=pl.col("mobility").fill_null(
            choose(u, list(shares), list(shares.values()))
        ),
        move_date=pl.col("move_date").fill_null(
            next_weekday(pl.lit(MOVES_FROM) + pl.duration(days=offset))
        ),
    )


def next_weekday(day: pl.Expr) -> pl.Expr:
    """The day itself on a weekday, else the Monday after."""
    weekday = day.dt.weekday()
    shift = pl.when(weekday == 6).then(2).when(weekday == 7).then(1).otherwise(0)
    return day + pl.duration(days=shift)


def build_enrollments(
    students: pl.DataFrame,
    schools: pl.DataFrame,
    profile: DistrictProfile,
    seed: int,
) -> pl.DataFrame:
    """Enrolments: student_index, school_index, grade, entry and exit dates."""
    placed = _place(students, schools, seed, profile.facts.code)
    first, last = pl.lit(profile.first_day), pl.lit(profile.last_day)
    mobility, moved = pl.col("mobility"), pl.col("move_date")
    gap = 1 + below(uniform(pl.col("key"), seed, f"{profile.facts.code}/gap"), 7)

    at_home = placed.select(
        "student_index",
        pl.col("home").alias("school_index"),
        "grade",
        entry_date=pl.when(mobility == Mobility.ARRIVES.value)
        .then(moved)
        .otherwise(first),
        exit_date=pl.when(mobility.is_in([Mobility.STAYS, Mobility.ARRIVES]))
        .then(last)
        .otherwise(moved),
    )
    moved_on = placed.filter(mobility == Mobility.MOVES.value).select(
        "student_index",
        pl.col("other").alias("school_index"),
        "grade",
        entry_date=next_weekday(moved + pl.duration(days=gap)),
        exit_date=last,
    )
    return pl.concat([at_home, moved_on]).sort("student_index", "entry_date")


def _place(
    students: pl.DataFrame, schools: pl.DataFrame, seed: int, stream: str
) -> pl.DataFrame:
    # A home school of the student's level, and a second one for movers.
    levels = schools.group_by("level").agg(
        first=pl.col("school_index").min(), count=pl.len()
    )
    key = pl.col("key")
    position = below(uniform(key, seed, f"{stream}/school"), pl.col("count"))
    step = 1 + below(uniform(key, seed, f"{stream}/other"), pl.col("count") - 1)
    return (
        students.join(levels, on="level", how="left", maintain_order="left")
        .with_columns(
            home=(pl.col("first") + position).cast(pl.Int32),
            other=(pl.col("first") + (position + step) % pl.col("count")).cast(
                pl.Int32
            ),
        )
        .drop("first", "count")
    )
