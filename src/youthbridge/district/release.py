"""The de-identified release: what a district sends the hub, and nothing more.

One record per student per school year: the indicators, the quasi-identifiers as
the disclosure check leaves them, and the student's discipline events by month.
Names, birth dates, addresses, phones, local identifiers and guardians never
enter a record: each record is built from a fixed list of fields, and the
student's identifier is replaced by the district's pseudonym before anything
else happens to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl

from youthbridge.district.indicators import year_indicators
from youthbridge.district.node import DistrictNode
from youthbridge.district.pseudonyms import assign
from youthbridge.district.records import load_table
from youthbridge.domain.disclosure import DisclosureReport, check_release, protect
from youthbridge.domain.schoolyear import SchoolYear
from youthbridge.exchange.messages import DeidentifiedRelease
from youthbridge.storage.base import utcnow

# Indicators that travel. Law-enforcement referrals stay at the district: the
# programme offers help and has no use for them, and a record of them on the hub
# is exactly what must never exist.
INDICATOR_FIELDS: tuple[str, ...] = (
    "membership_days",
    "days_absent",
    "attendance_rate",
    "chronic_absence",
    "unexcused_absences",
    "max_unexcused_in_month",
    "habitual_truancy",
    "iss_count",
    "iss_days",
    "oss_count",
    "oss_days",
    "expulsions",
    "incidents",
    "incidents_fighting",
    "incidents_weapon",
    "recent_attendance_rate",
    "prior_attendance_rate",
    "as_of",
)


@dataclass(frozen=True)
class PreparedRelease:
    payload: DeidentifiedRelease
    report: DisclosureReport
    records: pl.DataFrame


def prepare_release(
    node: DistrictNode, school_year: SchoolYear, as_of: date | None = None
) -> PreparedRelease:
    """Build and check a year's release; it is not sent from here."""
    indicators = year_indicators(node, school_year, as_of).student_year
    records = _with_quasi_identifiers(node, indicators, school_year)
    names = assign(node, records["student_id"])
    records = records.join(names, on="student_id").drop("student_id")

    levels = dict(load_table(node, "schools").select("school_id", "level").iter_rows())
    protected = protect(
        records,
        k_minimum=node.agreement.k_minimum,
        school_levels={k: v or "other" for k, v in levels.items()},
    )
    check_release(protected.release, protected.report, node.agreement.k_minimum)

    released = protected.release.with_columns(
        pl.lit(school_year.label).alias("school_year")
    )
    payload = DeidentifiedRelease(
        district_code=node.code,
        school_year=school_year.label,
        generated_at=utcnow(),
        records=tuple(_json_rows(released)),
        incidents=tuple(_json_rows(_incidents(node, school_year, names, released))),
        disclosure_report=protected.report.to_dict(),
    )
    return PreparedRelease(payload, protected.report, released)


def _with_quasi_identifiers(
    node: DistrictNode, indicators: pl.DataFrame, school_year: SchoolYear
) -> pl.DataFrame:
    students = load_table(node, "students").select(
        "student_id", "birth_date", "zip", "sex", "race_ethnicity"
    )
    first_day = school_year.first_day(
        node.agreement.school_year_start_month, node.agreement.school_year_start_day
    )
    joined = indicators.join(students, on="student_id", how="left")
    return joined.select(
        "student_id",
        _age_on(first_day).alias("age"),
        "grade",
        "zip",
        "sex",
        "race_ethnicity",
        "school_id",
        *INDICATOR_FIELDS,
    )


def _age_on(day: date) -> pl.Expr:
    """Whole years of age on a day, in calendar arithmetic (no time zone)."""
    birth = pl.col("birth_date")
    had_birthday = (pl.lit(day.month) > birth.dt.month()) | (
        (pl.lit(day.month) == birth.dt.month()) & (pl.lit(day.day) >= birth.dt.day())
    )
    return (pl.lit(day.year) - birth.dt.year() - (~had_birthday).cast(pl.Int32)).cast(
        pl.Int64
    )


def _incidents(
    node: DistrictNode,
    school_year: SchoolYear,
    names: pl.DataFrame,
    released: pl.DataFrame,
) -> pl.DataFrame:
    """Discipline by month for the released students: behaviours, then actions."""
    first = school_year.first_day(
        node.agreement.school_year_start_month, node.agreement.school_year_start_day
    )
    last = school_year.last_day(
        node.agreement.school_year_start_month, node.agreement.school_year_start_day
    )
    incidents = load_table(node, "incidents").select("incident_id", "school_id", "date")
    behaviours = (
        load_table(node, "incident_behaviors")
        .join(incidents, on=["incident_id", "school_id"])
        .select(
            "student_id",
            "date",
            "behavior",
            pl.lit(None, dtype=pl.String).alias("action"),
            pl.lit(None, dtype=pl.Float64).alias("days"),
        )
    )
    actions = (
        load_table(node, "discipline_actions")
        .select(
            "student_id",
            "date",
            pl.lit(None, dtype=pl.String).alias("behavior"),
            "action",
            pl.col("days").cast(pl.Float64),
        )
        .filter(pl.col("action") != "law-enforcement-referral")
    )
    events = pl.concat([behaviours, actions]).filter(
        pl.col("date").is_between(first, last)
    )
    kept = released.select("pseudonym")
    return (
        events.join(names, on="student_id")
        .join(kept, on="pseudonym")
        .select(
            "pseudonym",
            pl.col("date").dt.strftime("%Y-%m").alias("month"),
            "behavior",
            "action",
            "days",
        )
        .sort("pseudonym", "month")
    )


def _json_rows(frame: pl.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON values: dates as ISO text, exact decimals as their text."""
    converted = frame.with_columns(
        pl.col(pl.Date).dt.strftime("%Y-%m-%d"),
        pl.col(pl.Decimal).cast(pl.String),
    )
    rows = converted.to_dicts()
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value
