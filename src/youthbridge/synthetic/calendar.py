"""School calendars for 2022-23: weekdays from August to May, minus closures.

Each district shares its holidays and breaks; each school also loses a few days
of its own (conferences, staff development), so calendars differ by school.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

from youthbridge.synthetic.draws import stream_seed
from youthbridge.synthetic.facts import DistrictProfile

# Closures both districts observed in 2022-23, in substance if not to the day.
DISTRICT_CLOSURES: tuple[tuple[date, date], ...] = (
    (date(2022, 9, 5), date(2022, 9, 5)),  # Labor Day
    (date(2022, 10, 20), date(2022, 10, 21)),  # fall break
    (date(2022, 11, 21), date(2022, 11, 25)),  # Thanksgiving week
    (date(2022, 12, 19), date(2023, 1, 3)),  # winter break
    (date(2023, 1, 16), date(2023, 1, 16)),  # Martin Luther King Jr. Day
    (date(2023, 2, 20), date(2023, 2, 20)),  # Presidents' Day
    (date(2023, 3, 27), date(2023, 3, 31)),  # spring break
)

# Days each school closes on its own, drawn from its district's calendar.
SCHOOL_CLOSURES = (2, 5)


def district_days(profile: DistrictProfile) -> list[date]:
    """The district's instructional weekdays, in order."""
    days: list[date] = []
    day = profile.first_day
    while day <= profile.last_day:
        closed = any(start <= day <= end for start, end in DISTRICT_CLOSURES)
        if day.weekday() < 5 and not closed:
            days.append(day)
        day += timedelta(days=1)
    return days


def build_calendar(
    schools: pl.DataFrame, profile: DistrictProfile, seed: int
) -> pl.DataFrame:
    """One row per school and instructional day: `school_index`, `date`."""
    days = district_days(profile)
    rng = random.Random(stream_seed(seed, f"{profile.facts.code}/calendar"))

    # The first and last weeks stay whole, so every school opens and closes on
    # the district's days and a full-year enrolment spans every school's year.
    movable = days[5:-5]
    frames: list[pl.DataFrame] = []
    for index in schools["school_index"].to_list():
        closed = set(rng.sample(movable, rng.randint(*SCHOOL_CLOSURES)))
        kept = [day for day in days if day not in closed]
        frames.append(pl.DataFrame({"school_index": index, "date": kept}))
    frame = pl.concat(frames)
    return frame.with_columns(pl.col("school_index").cast(pl.Int32))
