"""The two districts of the synthetic region, anchored on real public figures.

Student counts and chronic-absence counts are the Colorado Department of
Education's 2022-23 figures, as published in
`colorado-chronic-absence/2022-2023_chronic_absenteeism.csv` of the shared public
data (a test checks these constants against that file). Everything else here is a
plausible profile of each district, not a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from youthbridge.domain.codes import RaceEthnicity, SchoolLevel
from youthbridge.domain.schoolyear import SchoolYear

SCHOOL_YEAR = SchoolYear(2022)

# Chronic absence: days absent (partial days by their fraction) reach 10% of the
# days the student was enrolled and school was in session.
CHRONIC_THRESHOLD = 0.10


@dataclass(frozen=True)
class DistrictFacts:
    """A district's real 2022-23 enrolment and chronic-absence counts."""

    code: str
    name: str
    students: int
    chronically_absent: int

    @property
    def rate(self) -> float:
        return self.chronically_absent / self.students


AURORA = DistrictFacts("0180", "Adams-Arapahoe 28J", 39_954, 17_299)
CHERRY_CREEK = DistrictFacts("0130", "Cherry Creek 5", 53_370, 15_329)


@dataclass(frozen=True)
class DistrictProfile:
    """How the generator shapes one district."""

    facts: DistrictFacts
    layout: str  # stem of the column map its exports are written in
    schools: dict[SchoolLevel, int]  # school counts at scale 1
    race_mix: dict[RaceEthnicity, float]
    zip_weights: dict[str, float]
    id_width: int  # student numbers are zero-padded to this width
    id_floor: int  # smallest student number
    guardian_id_floor: int
    school_id_width: int  # state school codes, zero-padded
    first_day: date
    last_day: date
    # Text the district's system cannot store is folded to what it can, as a
    # clerk typing into it would: see the encoding of maps/powerschool.toml.
    charset: str | None
    phone_format: str  # pl.format pattern taking the area code, then the line
    incident_share: float  # share of students in at least one incident


_R = RaceEthnicity

AURORA_PROFILE = DistrictProfile(
    facts=AURORA,
    layout="campus",
    schools={SchoolLevel.ELEMENTARY: 36, SchoolLevel.MIDDLE: 9, SchoolLevel.HIGH: 8},
    race_mix={
        _R.HISPANIC: 0.56,
        _R.BLACK: 0.17,
        _R.WHITE: 0.12,
        _R.ASIAN: 0.05,
        _R.TWO_OR_MORE: 0.06,
        _R.PACIFIC_ISLANDER: 0.006,
        _R.AMERICAN_INDIAN: 0.006,
    },
    zip_weights={
        "80010": 0.14,
        "80011": 0.16,
        "80012": 0.12,
        "80013": 0.08,
        "80014": 0.07,
        "80017": 0.10,
        "80018": 0.04,
        "80019": 0.03,
        "80045": 0.03,
        "80047": 0.01,
        "80231": 0.08,
        "80247": 0.14,
    },
    id_width=7,
    id_floor=0,
    guardian_id_floor=2_000_000,
    school_id_width=4,
    first_day=date(2022, 8, 10),
    last_day=date(2023, 5, 19),
    charset=None,
    phone_format="({}) 555-{}",
    incident_share=0.045,
)

CHERRY_CREEK_PROFILE = DistrictProfile(
    facts=CHERRY_CREEK,
    layout="powerschool",
    schools={SchoolLevel.ELEMENTARY: 44, SchoolLevel.MIDDLE: 12, SchoolLevel.HIGH: 8},
    race_mix={
        _R.WHITE: 0.47,
        _R.HISPANIC: 0.24,
        _R.BLACK: 0.11,
        _R.ASIAN: 0.10,
        _R.TWO_OR_MORE: 0.07,
        _R.PACIFIC_ISLANDER: 0.004,
        _R.AMERICAN_INDIAN: 0.005,
    },
    zip_weights={
        "80013": 0.07,
        "80014": 0.08,
        "80015": 0.14,
        "80016": 0.16,
        "80111": 0.10,
        "80112": 0.12,
        "80121": 0.07,
        "80122": 0.08,
        "80231": 0.06,
        "80237": 0.07,
        "80018": 0.03,
        "80019": 0.02,
    },
    id_width=6,
    id_floor=100_000,
    guardian_id_floor=700_000,
    school_id_width=3,
    first_day=date(2022, 8, 17),
    last_day=date(2023, 5, 25),
    charset="cp1252",
    phone_format="{}-555-{}",
    incident_share=0.03,
)

PROFILES: tuple[DistrictProfile, ...] = (AURORA_PROFILE, CHERRY_CREEK_PROFILE)
