"""The students of a district: people, their numbers, and who crosses over."""

from __future__ import annotations

import polars as pl

from youthbridge.synthetic.addresses import with_address
from youthbridge.synthetic.draws import below, uniform
from youthbridge.synthetic.enrollment import Mobility, next_weekday
from youthbridge.synthetic.facts import DistrictProfile
from youthbridge.synthetic.people import draw_people
from youthbridge.synthetic.schools import LEVEL_OF_GRADE

# Keys of students who arrive from the other district, kept apart from natives.
CROSSING_KEY_OFFSET = 100_000_000

# The person columns a student keeps when moving to the other district.
PERSON_COLUMNS = (
    "sex", "race_ethnicity", "grade", "name_kind", "origin", "first_name",
    "middle_name", "paternal", "maternal", "last_name", "birth_date", "language",
)  # fmt: skip


def native_students(profile: DistrictProfile, count: int, seed: int) -> pl.DataFrame:
    """`count` students drawn for the district, with homes in its zip codes."""
    code = profile.facts.code
    keys = pl.Series("key", range(count), dtype=pl.Int64)
    people = draw_people(keys, profile, seed, f"{code}/people")
    people = with_address(people, "key", profile, seed, f"{code}/home")
    return people.with_columns(
        person=pl.format("{}:{}", pl.lit(code), pl.col("key")),
        mobility=pl.lit(None, dtype=pl.String),
        move_date=pl.lit(None, dtype=pl.Date),
    )


def arrivals_from(
    leavers: pl.DataFrame, profile: DistrictProfile, seed: int
) -> pl.DataFrame:
    """Students who left the other district, entering this one days later."""
    code = profile.facts.code
    arriving = leavers.select(
        *PERSON_COLUMNS,
        "person",
        "move_date",
        key=pl.col("key") + CROSSING_KEY_OFFSET,
    )
    arriving = with_address(arriving, "key", profile, seed, f"{code}/new-home")
    delay = 3 + below(uniform(pl.col("key"), seed, f"{code}/delay"), 12)
    return arriving.with_columns(
        mobility=pl.lit(Mobility.ARRIVES.value),
        move_date=next_weekday(pl.col("move_date") + pl.duration(days=delay)),
    )


def numbered_students(
    people: pl.DataFrame, profile: DistrictProfile, seed: int
) -> pl.DataFrame:
    """Give each student a number and order them by it (`student_index`).

    Numbers are spread over the district's range in a random order, so a
    number says nothing about the student; zero-padding keeps the width.
    """
    stream = f"{profile.facts.code}/numbers"
    span = 10**profile.id_width - profile.id_floor
    step = span // max(people.height, 1)
    shuffled = people.sort(uniform(pl.col("key"), seed, stream))
    numbers = (
        profile.id_floor
        + pl.int_range(pl.len(), dtype=pl.Int64) * step
        + below(uniform(pl.col("key"), seed, f"{stream}/offset"), step)
    )
    return shuffled.with_columns(
        student_id=numbers.cast(pl.String).str.zfill(profile.id_width),
        student_index=pl.int_range(pl.len(), dtype=pl.Int64),
        level=pl.col("grade").replace_strict(LEVEL_OF_GRADE),
    )
