"""Semester grades: a letter and a percentage per course, lower with absence."""

from __future__ import annotations

from datetime import date

import polars as pl

from youthbridge.synthetic.draws import uniform
from youthbridge.synthetic.facts import SCHOOL_YEAR

_ELEMENTARY = ("Reading", "Writing", "Mathematics", "Science", "Social Studies")
_MIDDLE = (
    "Language Arts", "Mathematics", "Science", "Social Studies",
    "Physical Education", "Art",
)  # fmt: skip
_HIGH_CORE: dict[str, tuple[str, ...]] = {
    "09": ("English 9", "Algebra I", "Biology", "World History"),
    "10": ("English 10", "Geometry", "Chemistry", "World Geography"),
    "11": ("English 11", "Algebra II", "Physics", "U.S. History"),
    "12": ("English 12", "Precalculus", "Environmental Science", "Civics"),
}
_HIGH_ELECTIVES = ("Spanish I", "Physical Education")

COURSES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("KG", "01", "02", "03", "04", "05"), _ELEMENTARY),
    **dict.fromkeys(("06", "07", "08"), _MIDDLE),
    **{grade: core + _HIGH_ELECTIVES for grade, core in _HIGH_CORE.items()},
}

# Lowest percentage for each letter, best first.
LETTERS: tuple[tuple[float, str], ...] = (
    (93, "A"), (90, "A-"), (87, "B+"), (83, "B"), (80, "B-"), (77, "C+"),
    (73, "C"), (70, "C-"), (67, "D+"), (63, "D"), (60, "D-"), (0, "F"),
)  # fmt: skip


def term_ends(last_day: date) -> dict[str, date]:
    """Semester names and the day each one's grades are given."""
    return {"S1": date(SCHOOL_YEAR.start_year, 12, 16), "S2": last_day}


def build_grades(
    enrollments: pl.DataFrame,
    plan: pl.DataFrame,
    last_day: date,
    seed: int,
    stream: str,
) -> pl.DataFrame:
    """A grade for each course of each term, at the school enrolled at its end."""
    terms = pl.DataFrame(
        {
            "term": list(term_ends(last_day)),
            "term_end": list(term_ends(last_day).values()),
        }
    )
    courses = pl.DataFrame(
        [(grade, course) for grade, names in COURSES.items() for course in names],
        schema=["grade", "course"],
        orient="row",
    )
    graded = (
        enrollments.join(terms, how="cross")
        .filter(
            pl.col("term_end").is_between(pl.col("entry_date"), pl.col("exit_date"))
        )
        .join(courses, on="grade")
        .join(plan.select("student_index", "key", "absent_share"), on="student_index")
    )
    percent = _percent(seed, stream).clip(35.0, 100.0).round(1)
    return (
        graded.with_columns(numeric=percent)
        .with_columns(letter=_letter(pl.col("numeric")))
        .select(
            "student_index",
            "school_index",
            "course",
            "term",
            "letter",
            numeric=pl.col("numeric").cast(pl.String),
        )
        .sort("student_index", "term", "course")
    )


def _percent(seed: int, stream: str) -> pl.Expr:
    # A student's standing carries across courses; absence pulls it down.
    student = pl.col("key")
    standing = sum(
        (uniform(student, seed, f"{stream}/standing/{n}") for n in range(3)),
        start=pl.lit(-1.5),
    )
    course_key = pl.struct("key", "course", "term")
    noise = uniform(course_key, seed, f"{stream}/course") - 0.5
    return 86.0 - 70.0 * pl.col("absent_share") + 12.0 * standing + 8.0 * noise


def _letter(percent: pl.Expr) -> pl.Expr:
    ascending = sorted(LETTERS)
    breaks = [float(lowest) for lowest, _ in ascending[1:]]
    labels = [letter for _, letter in ascending]
    band = pl.lit(pl.Series(breaks)).search_sorted(percent, side="right")
    return band.replace_strict(dict(enumerate(labels)), return_dtype=pl.String)
