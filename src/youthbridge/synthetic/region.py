"""A synthetic region: two districts whose students sometimes cross between them.

`generate_region` is deterministic: the same scale and seed give the same tables,
value for value, on any machine running the pinned dependencies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from youthbridge.synthetic.defects import (
    Defect,
    misspell_relation,
    misspell_status,
    orphan_attendance,
    short_zip,
)
from youthbridge.synthetic.district import Tables, build_district
from youthbridge.synthetic.enrollment import Mobility, draw_mobility
from youthbridge.synthetic.facts import (
    AURORA_PROFILE,
    CHERRY_CREEK_PROFILE,
    SCHOOL_YEAR,
    DistrictProfile,
)
from youthbridge.synthetic.students import (
    arrivals_from,
    native_students,
    numbered_students,
)

log = logging.getLogger(__name__)

# Share of Aurora's students who move to Cherry Creek during the year.
CROSSING_SHARE = 0.012


@dataclass(frozen=True)
class Region:
    """Canonical tables per district code, plus what the generator knows."""

    scale: float
    seed: int
    school_year: str
    districts: dict[str, Tables]
    defects: list[Defect]
    # The truth about students who crossed: one row per student, with their
    # number in each district (from_district, from_student_id, to_district,
    # to_student_id). It is never written into a district's export.
    crossings: pl.DataFrame


def generate_region(
    scale: float, seed: int, *, on_progress: Callable[[str], None] | None = None
) -> Region:
    """Generate both districts at `scale` times their real size."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    report = on_progress or (lambda _: None)
    origin, destination = AURORA_PROFILE, CHERRY_CREEK_PROFILE

    leaving = _students(origin, _count(origin, scale), seed, CROSSING_SHARE)
    crossers = leaving.filter(pl.col("mobility") == Mobility.CROSSES.value)
    natives = native_students(
        destination, _count(destination, scale) - crossers.height, seed
    )
    arriving = pl.concat(
        [natives, arrivals_from(crossers, destination, seed)], how="diagonal"
    )
    entering = _numbered(destination, arriving, seed, 0.0)

    districts: dict[str, Tables] = {}
    for profile, students in ((origin, leaving), (destination, entering)):
        report(f"building district {profile.facts.code}")
        districts[profile.facts.code] = build_district(profile, students, scale, seed)
        log.info(
            "synthetic.district.built",
            extra={"district": profile.facts.code, "students": students.height},
        )

    defects = _place_defects(districts)
    crossings = _crossings(leaving, entering)
    return Region(scale, seed, SCHOOL_YEAR.label, districts, defects, crossings)


def _count(profile: DistrictProfile, scale: float) -> int:
    return max(1, round(profile.facts.students * scale))


def _students(
    profile: DistrictProfile, count: int, seed: int, crossing_share: float
) -> pl.DataFrame:
    people = native_students(profile, count, seed)
    return _numbered(profile, people, seed, crossing_share)


def _numbered(
    profile: DistrictProfile, people: pl.DataFrame, seed: int, crossing_share: float
) -> pl.DataFrame:
    stream = f"{profile.facts.code}/moves"
    moving = draw_mobility(people, crossing_share, seed, stream)
    return numbered_students(moving, profile, seed)


def _place_defects(districts: dict[str, Tables]) -> list[Defect]:
    aurora, cherry = AURORA_PROFILE.facts.code, CHERRY_CREEK_PROFILE.facts.code
    return [
        *short_zip(aurora, districts[aurora]),
        *misspell_relation(aurora, districts[aurora]),
        *misspell_status(cherry, districts[cherry]),
        *orphan_attendance(cherry, districts[cherry]),
    ]


def _crossings(leaving: pl.DataFrame, entering: pl.DataFrame) -> pl.DataFrame:
    left = leaving.filter(pl.col("mobility") == Mobility.CROSSES.value).select(
        "person", from_student_id="student_id"
    )
    arrived = entering.select("person", to_student_id="student_id")
    return (
        left.join(arrived, on="person")
        .select(
            from_district=pl.lit(AURORA_PROFILE.facts.code),
            from_student_id="from_student_id",
            to_district=pl.lit(CHERRY_CREEK_PROFILE.facts.code),
            to_student_id="to_student_id",
        )
        .sort("from_student_id")
    )
