"""The at-risk review: transparent rules on what a student can change.

A flag is a reason to offer help, never a judgement: a person reviews every flag,
with its explanation, before anyone reaches out. So each rule looks only at what a
student's own days and actions show (attendance, behaviour) and never at who the
student is: race or ethnicity, sex, disability, language and income are not read by
any rule, and `Rule.reads` lets a test prove it.

The rules, with their thresholds from the agreement:

| code | domain | raised when |
| --- | --- | --- |
| `attendance:chronic-absence` | attendance | the district's indicator says so |
| `attendance:habitual-truancy` | attendance | the district's indicator says so |
| `attendance:drop` | attendance | attendance fell `attendance_drop_points` or more |
| `behaviour:expulsion` | behaviour | any expulsion |
| `behaviour:suspensions` | behaviour | `oss_count_for_flag` or more suspensions |
| `behaviour:fighting` | behaviour | any fighting incident |
| `behaviour:weapon` | behaviour | any weapon incident |

A student with an active flag is at risk; active flags in two or more domains, or
an active expulsion flag, make the student high-risk.

A flag is raised on the day of its latest qualifying event and expires
`flag_expiry_days` later: it is active up to the day before `expires_on`. For an
attendance rule the event day is the record's `as_of`. Behaviour is released by
month, so a behaviour rule takes the last day of the month of the latest event,
the latest the event can have been, so that a flag never expires early; when the
month is missing, `as_of` stands in for the same reason.

The records are per student-year, de-identified, with the columns in
`INPUT_COLUMNS`. Attendance rates are shares between 0 and 1; day counts may have
fractions (half days). Any other column is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

import polars as pl

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import YouthbridgeError
from youthbridge.domain.suppression import fixed_decimals

INPUT_COLUMNS: Mapping[str, pl.DataType] = {
    "pseudonym": pl.String(),
    "district": pl.String(),
    "school_year": pl.String(),
    "as_of": pl.Date(),
    "chronic_absence": pl.Boolean(),
    "habitual_truancy": pl.Boolean(),
    "days_absent": pl.Float64(),
    "membership_days": pl.Float64(),
    "unexcused_days": pl.Float64(),
    "most_unexcused_in_a_month": pl.Float64(),
    "recent_attendance_rate": pl.Float64(),
    "prior_attendance_rate": pl.Float64(),
    "expulsions": pl.Int64(),
    "oss_count": pl.Int64(),
    "incidents_fighting": pl.Int64(),
    "incidents_weapon": pl.Int64(),
    "last_expulsion_month": pl.String(),
    "last_oss_month": pl.String(),
    "last_fighting_month": pl.String(),
    "last_weapon_month": pl.String(),
}

_RATES = ("recent_attendance_rate", "prior_attendance_rate")
_MONTHS = (
    "last_expulsion_month",
    "last_oss_month",
    "last_fighting_month",
    "last_weapon_month",
)

# A flag is never shown without words, even when a figure it quotes is missing.
_NO_FIGURES = "the rule is met; a figure it explains itself with was not released"

FLAG_SCHEMA: Mapping[str, pl.DataType] = {
    "pseudonym": pl.String(),
    "district": pl.String(),
    "school_year": pl.String(),
    "rule": pl.String(),
    "domain": pl.String(),
    "explanation": pl.String(),
    "raised_on": pl.Date(),
    "expires_on": pl.Date(),
    "active": pl.Boolean(),
}


class Domain(StrEnum):
    """What part of a student's school life a rule looks at."""

    ATTENDANCE = "attendance"
    BEHAVIOUR = "behaviour"
    # TODO: no rule reads course performance yet: the agreement has no term for
    # it and releases carry no course results. Add one when both exist.
    COURSE_PERFORMANCE = "course-performance"


class RuleCode(StrEnum):
    CHRONIC_ABSENCE = "attendance:chronic-absence"
    HABITUAL_TRUANCY = "attendance:habitual-truancy"
    ATTENDANCE_DROP = "attendance:drop"
    EXPULSION = "behaviour:expulsion"
    SUSPENSIONS = "behaviour:suspensions"
    FIGHTING = "behaviour:fighting"
    WEAPON = "behaviour:weapon"


class Level(StrEnum):
    AT_RISK = "at-risk"
    HIGH_RISK = "high-risk"


@dataclass(frozen=True, eq=False)
class Rule:
    """One rule: when it is met, what it says, and the day of its latest event."""

    code: RuleCode
    domain: Domain
    qualifies: pl.Expr
    explanation: pl.Expr
    event_on: pl.Expr

    @property
    def reads(self) -> frozenset[str]:
        """Every input column the rule looks at, to decide or to explain."""
        expressions = (self.qualifies, self.explanation, self.event_on)
        return frozenset(
            name for expression in expressions for name in expression.meta.root_names()
        )


def rules(agreement: Agreement) -> tuple[Rule, ...]:
    """The review's rules under the agreement's thresholds."""
    return (
        _chronic_absence(agreement),
        _habitual_truancy(agreement),
        _attendance_drop(agreement),
        _expulsion(),
        _suspensions(agreement),
        _incidents(RuleCode.FIGHTING, "incidents_fighting", "fighting"),
        _incidents(RuleCode.WEAPON, "incidents_weapon", "weapon"),
    )


def review(records: pl.DataFrame, agreement: Agreement, today: date) -> pl.DataFrame:
    """Every flag the rules raise on `records`, active or expired, as of `today`.

    One row per record and rule met, with the columns of `FLAG_SCHEMA`, sorted by
    district, pseudonym, school year and rule so that a review reads the same
    every time.
    """
    _check_records(records)
    # Only the columns the rules know reach them, in the types they expect.
    frame = records.select(
        pl.col(name).cast(dtype) for name, dtype in INPUT_COLUMNS.items()
    )

    raised = pl.concat(
        [_flags_of(rule, frame) for rule in rules(agreement)], how="vertical"
    )

    expiry = pl.duration(days=agreement.flag_expiry_days)
    flags = raised.with_columns((pl.col("raised_on") + expiry).alias("expires_on"))
    flags = flags.with_columns((pl.lit(today) < pl.col("expires_on")).alias("active"))
    return flags.select(*FLAG_SCHEMA).sort(
        "district", "pseudonym", "school_year", "rule"
    )


def levels(flags: pl.DataFrame) -> pl.DataFrame:
    """Each student's level from their active flags; students without are absent.

    Columns: pseudonym, district, level, rules (the codes of the active flags,
    sorted, each once).
    """
    active = flags.filter(pl.col("active"))
    students = active.group_by("district", "pseudonym").agg(
        pl.col("domain").n_unique().alias("domains"),
        (pl.col("rule") == RuleCode.EXPULSION.value).any().alias("expelled"),
        pl.col("rule").unique().sort().alias("rules"),
    )

    high = (pl.col("domains") >= 2) | pl.col("expelled")
    level = pl.when(high).then(pl.lit(Level.HIGH_RISK.value))
    students = students.with_columns(
        level.otherwise(pl.lit(Level.AT_RISK.value)).alias("level")
    )
    ordered = students.select("pseudonym", "district", "level", "rules")
    return ordered.sort("district", "pseudonym")


def _flags_of(rule: Rule, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(rule.qualifies.fill_null(False)).select(
        "pseudonym",
        "district",
        "school_year",
        pl.lit(rule.code.value).alias("rule"),
        pl.lit(rule.domain.value).alias("domain"),
        rule.explanation.fill_null(_NO_FIGURES).alias("explanation"),
        rule.event_on.alias("raised_on"),
    )


def _chronic_absence(agreement: Agreement) -> Rule:
    absent, membership = pl.col("days_absent"), pl.col("membership_days")
    share = pl.when(membership > 0).then(absent / membership)
    explanation = pl.concat_str(
        pl.lit("absent "),
        _days(absent),
        pl.lit(" of "),
        _days(membership),
        pl.lit(" membership days ("),
        _percent(share).fill_null("no membership days"),
        pl.lit(f"), at or above {_share_text(agreement.chronic_absence_share)}"),
    )
    return Rule(
        RuleCode.CHRONIC_ABSENCE,
        Domain.ATTENDANCE,
        qualifies=pl.col("chronic_absence"),
        explanation=explanation,
        event_on=pl.col("as_of"),
    )


def _habitual_truancy(agreement: Agreement) -> Rule:
    threshold = (
        f" (habitual truancy: {agreement.truancy_unexcused_per_month} or more in a"
        f" month, or {agreement.truancy_unexcused_per_year} or more in a year)"
    )
    explanation = pl.concat_str(
        pl.lit("unexcused absence on "),
        _days(pl.col("unexcused_days")),
        pl.lit(" days this school year, "),
        _days(pl.col("most_unexcused_in_a_month")),
        pl.lit(" of them in one month" + threshold),
    )
    return Rule(
        RuleCode.HABITUAL_TRUANCY,
        Domain.ATTENDANCE,
        qualifies=pl.col("habitual_truancy"),
        explanation=explanation,
        event_on=pl.col("as_of"),
    )


def _attendance_drop(agreement: Agreement) -> Rule:
    prior, recent = pl.col("prior_attendance_rate"), pl.col("recent_attendance_rate")
    # Rounded so that a fall of exactly the threshold, say 95% to 85%, is not
    # missed because 0.95 - 0.85 is 0.0999... in binary floating point.
    points = ((prior - recent) * 100).round(6)
    explanation = pl.concat_str(
        pl.lit("attendance fell "),
        fixed_decimals(points, 1),
        pl.lit(" points, from "),
        _percent(prior),
        pl.lit(" before to "),
        _percent(recent),
        pl.lit(
            f" in the last {agreement.recent_window_days} days, a fall of"
            f" {agreement.attendance_drop_points} points or more"
        ),
    )
    return Rule(
        RuleCode.ATTENDANCE_DROP,
        Domain.ATTENDANCE,
        qualifies=points >= agreement.attendance_drop_points,
        explanation=explanation,
        event_on=pl.col("as_of"),
    )


def _expulsion() -> Rule:
    expulsions = pl.col("expulsions")
    explanation = pl.concat_str(
        pl.lit("expelled "),
        _times(expulsions),
        pl.lit(" this school year, "),
        _latest("last_expulsion_month"),
    )
    return Rule(
        RuleCode.EXPULSION,
        Domain.BEHAVIOUR,
        qualifies=expulsions >= 1,
        explanation=explanation,
        event_on=_event_on("last_expulsion_month"),
    )


def _suspensions(agreement: Agreement) -> Rule:
    suspensions = pl.col("oss_count")
    minimum = agreement.oss_count_for_flag
    explanation = pl.concat_str(
        pl.lit("suspended out of school "),
        _times(suspensions),
        pl.lit(f" this school year, at or above {minimum}, "),
        _latest("last_oss_month"),
    )
    return Rule(
        RuleCode.SUSPENSIONS,
        Domain.BEHAVIOUR,
        qualifies=suspensions >= minimum,
        explanation=explanation,
        event_on=_event_on("last_oss_month"),
    )


def _incidents(code: RuleCode, column: str, kind: str) -> Rule:
    count = pl.col(column)
    noun = pl.when(count == 1).then(pl.lit(" incident")).otherwise(pl.lit(" incidents"))
    month = column.removeprefix("incidents_")
    explanation = pl.concat_str(
        count.cast(pl.String),
        pl.lit(f" {kind}"),
        noun,
        pl.lit(" this school year, "),
        _latest(f"last_{month}_month"),
    )
    return Rule(
        code,
        Domain.BEHAVIOUR,
        qualifies=count >= 1,
        explanation=explanation,
        event_on=_event_on(f"last_{month}_month"),
    )


def _month_end(column: str) -> pl.Expr:
    first = pl.concat_str(pl.col(column), pl.lit("-01"))
    return first.str.to_date("%Y-%m-%d", strict=False).dt.month_end()


def _event_on(column: str) -> pl.Expr:
    return _month_end(column).fill_null(pl.col("as_of"))


def _latest(column: str) -> pl.Expr:
    named = pl.concat_str(pl.lit("latest in "), _month_end(column).dt.strftime("%B %Y"))
    return named.fill_null(pl.lit("month not recorded"))


def _times(count: pl.Expr) -> pl.Expr:
    word = pl.when(count == 1).then(pl.lit(" time")).otherwise(pl.lit(" times"))
    return pl.concat_str(count.cast(pl.String), word)


def _days(days: pl.Expr) -> pl.Expr:
    """A day count as people write it: 170, 21.5."""
    return fixed_decimals(days, 1).str.strip_suffix(".0")


def _percent(share: pl.Expr) -> pl.Expr:
    return pl.concat_str(fixed_decimals(share * 100, 1), pl.lit("%"))


def _share_text(share: Fraction) -> str:
    return f"{float(share * 100):g}%"


def _check_records(records: pl.DataFrame) -> None:
    """Refuse records the rules would misread, naming every problem at once."""
    problems = [
        f"`{name}` is missing" for name in INPUT_COLUMNS if name not in records.columns
    ]
    if not problems:
        problems = _value_problems(records)
    if problems:
        raise YouthbridgeError(
            "the records cannot be reviewed: " + "; ".join(problems),
            code="risk:input",
        )


def _value_problems(records: pl.DataFrame) -> list[str]:
    problems = []
    for name, dtype in INPUT_COLUMNS.items():
        actual = records.schema[name]
        if not _fits(actual, dtype):
            problems.append(f"`{name}` holds {actual}, not {dtype}")
    if problems:
        return problems

    for name in _RATES:
        rate = pl.col(name)
        outside = records.filter(rate.is_not_null() & ~rate.is_between(0, 1)).height
        if outside:
            problems.append(
                f"`{name}` is outside 0 to 1 in {outside} record(s); rates are"
                " shares, not percentages"
            )
    for name in _MONTHS:
        text = pl.col(name)
        unreadable = records.filter(text.is_not_null() & _month_end(name).is_null())
        if unreadable.height:
            problems.append(
                f"`{name}` is not a month written YYYY-MM in"
                f" {unreadable.height} record(s)"
            )
    return problems


def _fits(actual: pl.DataType, expected: pl.DataType) -> bool:
    """Whole numbers fit a column of days or counts; text and dates must match.

    A column with nothing but missing values fits any type.
    """
    if actual == pl.Null:
        return True
    if expected == pl.Float64:
        return actual.is_numeric()
    if expected == pl.Int64:
        return actual.is_integer()
    return actual == expected
