"""A district's schools: invented names, real zip codes, counts scaled down."""

from __future__ import annotations

import random

import polars as pl

from youthbridge.domain.codes import SchoolLevel
from youthbridge.synthetic.draws import stream_seed
from youthbridge.synthetic.facts import DistrictProfile

LEVEL_GRADES: dict[SchoolLevel, tuple[str, ...]] = {
    SchoolLevel.ELEMENTARY: ("KG", "01", "02", "03", "04", "05"),
    SchoolLevel.MIDDLE: ("06", "07", "08"),
    SchoolLevel.HIGH: ("09", "10", "11", "12"),
}

LEVEL_OF_GRADE: dict[str, str] = {
    grade: level.value for level, grades in LEVEL_GRADES.items() for grade in grades
}

_FIRST = (
    "Aspen", "Blue Spruce", "Cottonwood", "Prairie", "Juniper", "Sagebrush",
    "Willow", "Meadowlark", "Granite", "Red Hawk", "Sunrise", "Silver Sage",
    "Pine", "Eagle", "Canyon", "Bluebell", "Yucca", "Foxtail", "Larkspur",
    "Clearwater", "Timberline", "Piñon", "High Plains", "Sandstone",
)  # fmt: skip
_SECOND = ("Ridge", "Meadow", "Creek", "Hills", "Park", "Trail", "Valley", "Point")
_SUFFIX = {
    SchoolLevel.ELEMENTARY: "Elementary",
    SchoolLevel.MIDDLE: "Middle School",
    SchoolLevel.HIGH: "High School",
}

# Fewer schools at small scales, but always two per level so that students can
# move between two schools of the same level.
MIN_SCHOOLS_PER_LEVEL = 2


def school_counts(profile: DistrictProfile, scale: float) -> dict[SchoolLevel, int]:
    """How many schools of each level the district has at this scale."""
    return {
        level: max(MIN_SCHOOLS_PER_LEVEL, round(count * scale))
        for level, count in profile.schools.items()
    }


def build_schools(profile: DistrictProfile, scale: float, seed: int) -> pl.DataFrame:
    """The schools table plus `school_index`, ordered by level then id."""
    rng = random.Random(stream_seed(seed, f"{profile.facts.code}/schools"))
    names = [f"{first} {second}" for first in _FIRST for second in _SECOND]
    rng.shuffle(names)
    zips = list(profile.zip_weights)

    rows: list[dict[str, str]] = []
    for level, count in school_counts(profile, scale).items():
        for _ in range(count):
            rows.append(
                {
                    "name": f"{names.pop()} {_SUFFIX[level]}",
                    "level": level.value,
                    "zip": rng.choice(zips),
                }
            )
    return _with_ids(pl.DataFrame(rows), profile, rng)


def _with_ids(
    frame: pl.DataFrame, profile: DistrictProfile, rng: random.Random
) -> pl.DataFrame:
    # Codes are spread over the width's range; some start with a zero.
    width = profile.school_id_width
    numbers = sorted(rng.sample(range(10, 10**width - 10), frame.height))
    return frame.with_columns(
        school_id=pl.Series([str(number).zfill(width) for number in numbers]),
        school_index=pl.int_range(pl.len(), dtype=pl.Int32),
    ).select("school_index", "school_id", "name", "level", "zip")
