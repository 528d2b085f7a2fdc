"""One student's identified records, category by category, for a consented release.

Each category takes only the columns it names and only the school year of the
release: the minimum that the consent covers. Values are written as JSON text
(dates in ISO form, decimals exactly), so that the copy kept for the family is
byte for byte what the hub received.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import Session

from youthbridge.district import records
from youthbridge.district.node import DistrictNode
from youthbridge.domain.schoolyear import SchoolYear
from youthbridge.exchange.messages import JsonObject
from youthbridge.exchange.vocabulary import RecordCategory
from youthbridge.storage.district_tables import CANONICAL

Rows = tuple[JsonObject, ...]

_CONTACT_COLUMNS = (
    "student_id",
    "first_name",
    "middle_name",
    "last_name",
    "street",
    "city",
    "state",
    "zip",
    "phone",
    "language",
)
_GUARDIAN_COLUMNS = (
    "guardian_id",
    "first_name",
    "last_name",
    "relation",
    "legal_guardian",
    "lives_with",
    "phone",
    "email",
    "street",
    "city",
    "state",
    "zip",
    "language",
)


def build_records(
    node: DistrictNode,
    session: Session,
    student_id: str,
    categories: tuple[RecordCategory, ...],
    year: SchoolYear,
) -> dict[RecordCategory, Rows]:
    """The records of exactly these categories, for one student and one year."""
    start = (
        node.agreement.school_year_start_month,
        node.agreement.school_year_start_day,
    )
    first, last = year.first_day(*start), year.last_day(*start)
    builders: dict[RecordCategory, Callable[[], Rows]] = {
        RecordCategory.CONTACT: lambda: _contact(session, student_id),
        RecordCategory.ATTENDANCE: lambda: _attendance(node, student_id, first, last),
        RecordCategory.GRADES: lambda: _grades(session, student_id, year),
        RecordCategory.BEHAVIOUR: lambda: _behaviour(session, student_id, first, last),
        RecordCategory.DISCIPLINE: lambda: _discipline(
            session, student_id, first, last
        ),
    }
    return {category: builders[category]() for category in categories}


def _contact(session: Session, student_id: str) -> Rows:
    students, guardians = CANONICAL["students"], CANONICAL["guardians"]
    student = _select(
        session, students, _CONTACT_COLUMNS, students.c.student_id == student_id
    )
    people = _select(
        session,
        guardians,
        _GUARDIAN_COLUMNS,
        guardians.c.student_id == student_id,
        order=(guardians.c.guardian_id,),
    )
    return tuple({"record": "student", **row} for row in student) + tuple(
        {"record": "guardian", **row} for row in people
    )


def _grades(session: Session, student_id: str, year: SchoolYear) -> Rows:
    grades = CANONICAL["grades"]
    columns = ("school_id", "school_year", "course", "term", "letter", "numeric")
    return _select(
        session,
        grades,
        columns,
        (grades.c.student_id == student_id) & (grades.c.school_year == year.label),
        order=(grades.c.course, grades.c.term),
    )


def _behaviour(session: Session, student_id: str, first: date, last: date) -> Rows:
    behaviours, incidents = CANONICAL["incident_behaviors"], CANONICAL["incidents"]
    query = (
        select(
            behaviours.c.incident_id,
            behaviours.c.school_id,
            incidents.c.date,
            behaviours.c.behavior,
        )
        .join(
            incidents,
            (incidents.c.incident_id == behaviours.c.incident_id)
            & (incidents.c.school_id == behaviours.c.school_id),
        )
        .where(
            behaviours.c.student_id == student_id,
            incidents.c.date.between(first, last),
        )
        .order_by(incidents.c.date, behaviours.c.incident_id, behaviours.c.behavior)
    )
    return tuple(_json_row(dict(row)) for row in session.execute(query).mappings())


def _discipline(session: Session, student_id: str, first: date, last: date) -> Rows:
    actions = CANONICAL["discipline_actions"]
    columns = ("action_id", "school_id", "incident_id", "date", "action", "days")
    return _select(
        session,
        actions,
        columns,
        (actions.c.student_id == student_id) & actions.c.date.between(first, last),
        order=(actions.c.date, actions.c.action_id),
    )


def _attendance(node: DistrictNode, student_id: str, first: date, last: date) -> Rows:
    # Attendance lives in columnar files, not in the database; the rows read are
    # the current ones, latest batch winning, as every other reader sees them.
    days = (
        records.attendance(node)
        .filter(
            (pl.col("student_id") == student_id)
            & pl.col("date").is_between(first, last)
        )
        .select("school_id", "date", "status", "fraction_absent")
        .sort("date", "school_id", "status")
        .collect()
    )
    return tuple(_json_row(row) for row in days.iter_rows(named=True))


def _select(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    where: ColumnElement[bool],
    order: tuple[ColumnElement[Any], ...] = (),
) -> Rows:
    query = select(*(table.c[name] for name in columns)).where(where).order_by(*order)
    return tuple(_json_row(dict(row)) for row in session.execute(query).mappings())


def _json_row(row: dict[str, object]) -> JsonObject:
    return {name: _json_value(value) for name, value in row.items()}


def _json_value(value: object) -> str | int | bool | None:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, date | Decimal):
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)
