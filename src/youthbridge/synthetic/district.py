"""One district's canonical tables, built step by step from its students."""

from __future__ import annotations

import polars as pl

from youthbridge.synthetic.attendance import enrolled_days, mark_days, plan_absences
from youthbridge.synthetic.calendar import build_calendar
from youthbridge.synthetic.discipline import Discipline, build_discipline
from youthbridge.synthetic.enrollment import build_enrollments
from youthbridge.synthetic.facts import SCHOOL_YEAR, DistrictProfile
from youthbridge.synthetic.grades import build_grades
from youthbridge.synthetic.guardians import build_guardians
from youthbridge.synthetic.schools import build_schools
from youthbridge.synthetic.spelling import fold_to_charset, respell
from youthbridge.synthetic.tables import canonical, identify, iso_dates, numbered

Tables = dict[str, pl.DataFrame]

NAME_COLUMNS = ("first_name", "middle_name", "last_name", "street", "city")


def build_district(
    profile: DistrictProfile, students: pl.DataFrame, scale: float, seed: int
) -> Tables:
    """Every canonical table of one district, from its numbered students."""
    stream = profile.facts.code
    schools = build_schools(profile, scale, seed)
    calendar = build_calendar(schools, profile, seed)
    enrollments = build_enrollments(students, schools, profile, seed)

    days = enrolled_days(enrollments, calendar)
    plan = plan_absences(students, days, profile.facts.rate, seed, stream)
    marked = mark_days(days, plan, seed, f"{stream}/days")

    guardians = build_guardians(students, profile, seed)
    with_level = plan.join(
        students.select("student_index", "level"), on="student_index"
    )
    discipline = build_discipline(
        with_level, marked, profile.incident_share, seed, f"{stream}/discipline"
    )
    grades = build_grades(enrollments, plan, profile.last_day, seed, f"{stream}/grades")

    ids = students["student_id"], schools["school_id"]
    tables: Tables = {
        "schools": canonical("schools", schools),
        "students": canonical("students", iso_dates(students, "birth_date")),
        "guardians": canonical("guardians", identify(guardians, *ids)),
        "enrollments": _enrollments(enrollments, *ids),
        "calendar_days": _calendar(calendar, ids[1]),
        "attendance": _attendance(marked, *ids),
        **_discipline(discipline, *ids),
        "grades": _grades(grades, *ids),
    }
    return _spelled_for(profile, tables)


def _enrollments(
    frame: pl.DataFrame, students: pl.Series, schools: pl.Series
) -> pl.DataFrame:
    frame = iso_dates(identify(frame, students, schools), "entry_date", "exit_date")
    return canonical("enrollments", frame)


def _calendar(frame: pl.DataFrame, schools: pl.Series) -> pl.DataFrame:
    frame = iso_dates(identify(frame, pl.Series(dtype=pl.String), schools), "date")
    return canonical("calendar_days", frame.sort("school_index", "date"))


def _attendance(
    frame: pl.DataFrame, students: pl.Series, schools: pl.Series
) -> pl.DataFrame:
    frame = iso_dates(identify(frame, students, schools), "date")
    return canonical("attendance", frame)


def _discipline(
    discipline: Discipline, students: pl.Series, schools: pl.Series
) -> Tables:
    # Record numbers count from the same floor in each table, as SIS exports do.
    incident_id = numbered("incident_index", 100_001)
    incidents = discipline.incidents.with_columns(
        incident_id=incident_id,
        reported_to_law_enforcement=pl.when(pl.col("reported"))
        .then(pl.lit("true"))
        .otherwise(pl.lit("false")),
    )
    behaviors = discipline.behaviors.with_columns(incident_id=incident_id)
    actions = discipline.actions.with_columns(
        incident_id=incident_id, action_id=numbered("action_index", 500_001)
    )
    return {
        "incidents": canonical(
            "incidents", iso_dates(identify(incidents, students, schools), "date")
        ),
        "incident_behaviors": canonical(
            "incident_behaviors", identify(behaviors, students, schools)
        ),
        "discipline_actions": canonical(
            "discipline_actions",
            iso_dates(identify(actions, students, schools), "date"),
        ),
    }


def _grades(
    frame: pl.DataFrame, students: pl.Series, schools: pl.Series
) -> pl.DataFrame:
    frame = identify(frame, students, schools).with_columns(
        school_year=pl.lit(SCHOOL_YEAR.label)
    )
    return canonical("grades", frame)


def _spelled_for(profile: DistrictProfile, tables: Tables) -> Tables:
    # A system that stores cp1252 holds only what cp1252 can spell.
    charset = profile.charset
    if charset is None:
        return tables

    def spell(text: str) -> str:
        return fold_to_charset(text, charset)

    for name in ("students", "guardians", "schools"):
        columns = [c for c in (*NAME_COLUMNS, "name") if c in tables[name].columns]
        tables[name] = respell(tables[name], columns, spell)
    return tables
