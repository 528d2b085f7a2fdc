"""How Ed-Fi values become canonical values, for both Ed-Fi readers.

Ed-Fi writes a category as a descriptor, `uri://ed-fi.org/SexDescriptor#Female`
(Data Standard 2.0 files write the bare `Female`). Only the part after `#` names
the category. Each descriptor has an explicit code table here: a value maps only
if it is listed, compared without regard to case or surrounding spaces, and never
by substring. A value that is not listed is a problem for its row and leaves the
cell empty.

The same tables, read backwards, give the Ed-Fi value that a canonical code is
written as (the first one listed), so that a writer and a reader agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from youthbridge.district.canonical import FILE_COLUMN, LINE_COLUMN, TABLES
from youthbridge.district.sources import PROBLEM_SCHEMA, empty_problems
from youthbridge.domain.codes import (
    AttendanceStatus,
    BehaviorCategory,
    DisciplineAction,
    GuardianRelation,
    RaceEthnicity,
    SchoolLevel,
    Sex,
)

# A column the readers may add to a frame: where the row's category values were
# read when that is not the row's own place (Ed-Fi 2.0 demographics, for one).
ORIGIN_COLUMN = "_origin"


@dataclass(frozen=True)
class CodeTable:
    """One Ed-Fi descriptor: canonical code -> the Ed-Fi values that mean it."""

    descriptor: str
    entries: Mapping[str, tuple[str, ...]]

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Ed-Fi value in lowercase -> canonical code."""
        # Lowercase, not casefold: Polars lowercases the values it compares.
        return {
            value.lower(): code
            for code, edfi_values in self.entries.items()
            for value in edfi_values
        }

    def edfi_value(self, code: str) -> str:
        """The Ed-Fi value a canonical code is written as."""
        return self.entries[code][0]

    def uri(self, code: str) -> str:
        """The full descriptor a canonical code is written as."""
        return f"uri://ed-fi.org/{self.descriptor}#{self.edfi_value(code)}"


SEX = CodeTable(
    "SexDescriptor",
    {
        Sex.FEMALE: ("Female",),
        Sex.MALE: ("Male",),
        Sex.NONBINARY: ("Non-binary", "Nonbinary"),
        Sex.NOT_SELECTED: ("Not Selected",),
    },
)

# Races only; Hispanic or Latino is a separate yes/no in Ed-Fi. "Two or more
# races" is not an Ed-Fi default but some states add it; it is listed so that a
# source that already combined races keeps its answer.
RACE = CodeTable(
    "RaceDescriptor",
    {
        RaceEthnicity.AMERICAN_INDIAN: (
            "American Indian - Alaska Native",
            "American Indian - Alaskan Native",
        ),
        RaceEthnicity.ASIAN: ("Asian",),
        RaceEthnicity.BLACK: ("Black - African American",),
        RaceEthnicity.PACIFIC_ISLANDER: ("Native Hawaiian - Pacific Islander",),
        RaceEthnicity.WHITE: ("White",),
        RaceEthnicity.TWO_OR_MORE: ("Two or more races", "Two or More"),
    },
)

ATTENDANCE = CodeTable(
    "AttendanceEventCategoryDescriptor",
    {
        AttendanceStatus.PRESENT: ("In Attendance", "Present"),
        AttendanceStatus.EXCUSED_ABSENCE: ("Excused Absence",),
        AttendanceStatus.UNEXCUSED_ABSENCE: ("Unexcused Absence",),
        AttendanceStatus.TARDY: ("Tardy",),
        AttendanceStatus.EARLY_DEPARTURE: ("Early departure",),
        AttendanceStatus.PARTIAL: ("Partial",),
    },
)

BEHAVIOR = CodeTable(
    "BehaviorDescriptor",
    {
        BehaviorCategory.STATE_OFFENSE: ("State Offense",),
        BehaviorCategory.CODE_OF_CONDUCT: ("School Code of Conduct",),
        BehaviorCategory.SCHOOL_VIOLATION: ("School Violation",),
        BehaviorCategory.OTHER: ("Other",),
        BehaviorCategory.FIGHTING: ("Fighting", "Physical Fight"),
        BehaviorCategory.WEAPON: (
            "Weapons possession",
            "Weapon possession",
            "Possession of a weapon",
        ),
        BehaviorCategory.BULLYING: ("Bullying", "Harassment or bullying"),
        BehaviorCategory.DRUGS_ALCOHOL: (
            "Drug/Alcohol",
            "Drugs/Alcohol",
            "Alcohol",
            "Drugs",
            "Illicit drugs",
        ),
        BehaviorCategory.THEFT_VANDALISM: ("Theft", "Vandalism"),
        BehaviorCategory.DEFIANCE: ("Defiance", "Defiance of authority"),
    },
)

DISCIPLINE = CodeTable(
    "DisciplineDescriptor",
    {
        DisciplineAction.IN_SCHOOL_SUSPENSION: (
            "In School Suspension",
            "In-School Suspension",
        ),
        DisciplineAction.OUT_OF_SCHOOL_SUSPENSION: (
            "Out of School Suspension",
            "Out-of-School Suspension",
        ),
        DisciplineAction.EXPULSION: ("Expulsion",),
        DisciplineAction.LAW_ENFORCEMENT_REFERRAL: ("Law Enforcement Referral",),
        DisciplineAction.OTHER: (
            "Other",
            "Removal from Classroom",
            "Detention",
            "Community Service",
            "Corporal Punishment",
            "Loss of Privileges",
            "Saturday School",
            "Warning",
            "Conference",
        ),
    },
)

RELATION = CodeTable(
    "RelationDescriptor",
    {
        GuardianRelation.MOTHER: ("Mother",),
        GuardianRelation.FATHER: ("Father",),
        GuardianRelation.PARENT: ("Parent",),
        GuardianRelation.STEPPARENT: (
            "Stepparent",
            "Mother, step",
            "Father, step",
            "Stepmother",
            "Stepfather",
        ),
        GuardianRelation.GRANDPARENT: (
            "Grandparent",
            "Grandmother",
            "Grandfather",
            "Great Grandparent",
        ),
        GuardianRelation.GUARDIAN: (
            "Guardian",
            "Legal Guardian",
            "Court appointed guardian",
        ),
        GuardianRelation.FOSTER_PARENT: (
            "Foster parent",
            "Foster mother",
            "Foster father",
        ),
        GuardianRelation.RELATIVE: (
            "Relative",
            "Aunt",
            "Uncle",
            "Brother",
            "Sister",
            "Sibling",
            "Cousin",
            "Brother, half",
            "Sister, half",
            "Nephew",
            "Niece",
        ),
        GuardianRelation.OTHER: ("Other", "Friend", "Partner", "Neighbor"),
    },
)

SCHOOL_LEVEL = CodeTable(
    "SchoolCategoryDescriptor",
    {
        SchoolLevel.ELEMENTARY: ("Elementary School", "Primary School"),
        SchoolLevel.MIDDLE: ("Middle School", "Junior High School"),
        SchoolLevel.HIGH: ("High School", "Secondary School"),
        SchoolLevel.OTHER: (
            "Other",
            "All Levels",
            "Elementary/Secondary School",
            "Adult School",
            "Infant/toddler School",
            "Preschool/early childhood",
            "Ungraded",
            "Online School",
        ),
    },
)

GRADE_LEVEL = CodeTable(
    "GradeLevelDescriptor",
    {
        "PK": ("Preschool/Prekindergarten", "Prekindergarten"),
        "KG": ("Kindergarten",),
        "01": ("First grade",),
        "02": ("Second grade",),
        "03": ("Third grade",),
        "04": ("Fourth grade",),
        "05": ("Fifth grade",),
        "06": ("Sixth grade",),
        "07": ("Seventh grade",),
        "08": ("Eighth grade",),
        "09": ("Ninth grade",),
        "10": ("Tenth grade",),
        "11": ("Eleventh grade",),
        "12": ("Twelfth grade",),
    },
)


def descriptor_value(column: str) -> pl.Expr:
    """The category named by a descriptor: the part after `#`, trimmed."""
    text = pl.col(column).str.strip_chars()
    return (
        pl.when(text.str.contains("#", literal=True))
        .then(text.str.split("#").list.last().str.strip_chars())
        .otherwise(text)
    )


def map_codes(
    frame: pl.DataFrame, table: str, columns: Mapping[str, CodeTable]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace raw descriptors in `columns` by canonical codes; list misses.

    Returns the frame with each named column mapped (unknown values become
    null) and one `code:unknown` problem per unknown value.
    """
    problems = [empty_problems()]
    for column, codes in columns.items():
        raw = descriptor_value(column).alias("_raw")
        keyed = frame.with_columns(raw).with_columns(
            pl.col("_raw")
            .str.to_lowercase()
            .replace_strict(codes.lookup, default=None, return_dtype=pl.String)
            .alias(column)
        )
        problems.append(_unknown(keyed, table, column, codes))
        frame = keyed.drop("_raw")
    return frame, pl.concat(problems)


def _unknown(
    keyed: pl.DataFrame, table: str, column: str, codes: CodeTable
) -> pl.DataFrame:
    missed = keyed.filter(pl.col("_raw").is_not_null() & pl.col(column).is_null())
    origin = pl.lit("")
    if ORIGIN_COLUMN in keyed.columns:
        origin = pl.format(" (read from {})", pl.col(ORIGIN_COLUMN)).fill_null("")
    message = pl.format(
        "`{}` is not in the Ed-Fi {} code table{}; correct the value or add it "
        "to the table",
        pl.col("_raw"),
        pl.lit(codes.descriptor),
        origin,
    )
    return missed.select(
        pl.lit(table).alias("table"),
        pl.col(FILE_COLUMN).alias("file"),
        pl.col(LINE_COLUMN).alias("line"),
        pl.lit(column).alias("column"),
        pl.col("_raw").alias("value"),
        pl.lit("code:unknown").alias("rule"),
        message.alias("message"),
    ).cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]


def race_ethnicity(
    frame: pl.DataFrame, table: str, hispanic: str, races: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The federal seven from Ed-Fi's Hispanic flag and list of races.

    Hispanic or Latino (the flag says true) comes first whatever the races;
    otherwise one race is that race and several are two or more. Only the flag's
    own true values count: "false" is never Hispanic.
    """
    keyed = frame.with_row_index("_row")
    exploded = keyed.select(
        "_row",
        FILE_COLUMN,
        LINE_COLUMN,
        pl.col(races).alias("_race"),
        *([ORIGIN_COLUMN] if ORIGIN_COLUMN in frame.columns else []),
    ).explode("_race")
    mapped, problems = map_codes(exploded, table, {"_race": RACE})
    problems = problems.with_columns(pl.lit("race_ethnicity").alias("column"))
    combined = mapped.group_by("_row").agg(
        pl.col("_race").drop_nulls().unique().alias("_known")
    )
    return _combine(keyed, combined, hispanic, races), problems


def _combine(
    keyed: pl.DataFrame, combined: pl.DataFrame, hispanic: str, races: str
) -> pl.DataFrame:
    is_hispanic = (
        pl.col(hispanic).str.strip_chars().str.to_lowercase().is_in(["true", "1"])
    )
    known = pl.col("_known")
    value = (
        pl.when(is_hispanic)
        .then(pl.lit(RaceEthnicity.HISPANIC.value))
        .when(known.list.len() == 1)
        .then(known.list.first())
        .when(known.list.len() > 1)
        .then(pl.lit(RaceEthnicity.TWO_OR_MORE.value))
        .otherwise(None)
    )
    return (
        keyed.join(combined, on="_row", how="left")
        .with_columns(value.alias("race_ethnicity"))
        .drop("_row", "_known", hispanic, races)
    )


_ABSENCES = (
    AttendanceStatus.EXCUSED_ABSENCE.value,
    AttendanceStatus.UNEXCUSED_ABSENCE.value,
    AttendanceStatus.PARTIAL.value,
    AttendanceStatus.EARLY_DEPARTURE.value,
)


def fraction_absent(duration: str) -> pl.Expr:
    """Share of the day missed, from Ed-Fi's event duration in days.

    Kept only when it says something the status does not: a part of a day
    (strictly between 0 and 1) on an absence or a partial day. A full day's
    duration of 1 on an absence is what the status already means.
    """
    days = pl.col(duration).str.strip_chars().cast(pl.Float64, strict=False)
    usable = pl.col("status").is_in(_ABSENCES) & (days > 0) & (days < 1)
    return (
        pl.when(usable)
        .then(pl.col(duration).str.strip_chars())
        .otherwise(None)
        .alias("fraction_absent")
    )


def canonical(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """The frame cut to the table's canonical columns and provenance, typed."""
    names = TABLES[table].column_names
    missing = [
        pl.lit(None, pl.String).alias(name)
        for name in names
        if name not in frame.columns
    ]
    return frame.with_columns(missing).select(
        *[pl.col(name).cast(pl.String) for name in names],
        pl.col(FILE_COLUMN).cast(pl.String),
        pl.col(LINE_COLUMN).cast(pl.Int64),
    )


def school_year_label(column: str) -> pl.Expr:
    """Ed-Fi's school year (the year it ends, `2022`) as `2021-2022`.

    A value that is not a bare year is kept as written, for validation to judge.
    """
    text = pl.col(column).str.strip_chars()
    end = text.cast(pl.Int64, strict=False)
    is_year = text.str.contains(r"^\d{4}$")
    return (
        pl.when(is_year)
        .then(pl.format("{}-{}", end - 1, end))
        .otherwise(text)
        .alias(column)
    )
