"""The at-risk review: every rule at its boundary, expiry, levels, fairness."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import YouthbridgeError
from youthbridge.domain.risk import INPUT_COLUMNS, levels, review, rules

AS_OF = date(2025, 3, 14)
TODAY = date(2025, 3, 20)
TERMS = Agreement()
PROTECTED = {
    "race_ethnicity",
    "sex",
    "disability",
    "english_learner",
    "economically_disadvantaged",
}


def _record(pseudonym: str = "P-0001", **values: Any) -> dict[str, Any]:
    """A student-year on which no rule fires, but for `values`."""
    quiet = {
        "pseudonym": pseudonym,
        "district": "D1",
        "school_year": "2024-2025",
        "as_of": AS_OF,
        "chronic_absence": False,
        "habitual_truancy": False,
        "days_absent": 3.0,
        "membership_days": 120.0,
        "unexcused_days": 1.0,
        "most_unexcused_in_a_month": 1.0,
        "recent_attendance_rate": 0.97,
        "prior_attendance_rate": 0.97,
        "expulsions": 0,
        "oss_count": 0,
        "incidents_fighting": 0,
        "incidents_weapon": 0,
        "last_expulsion_month": None,
        "last_oss_month": None,
        "last_fighting_month": None,
        "last_weapon_month": None,
    }
    return {**quiet, **values}


def _frame(*records: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(records), schema=INPUT_COLUMNS)


def _review(*records: dict[str, Any], terms: Agreement = TERMS) -> pl.DataFrame:
    return review(_frame(*records), terms, TODAY)


def _only_flag(*records: dict[str, Any]) -> dict[str, Any]:
    flags = _review(*records)
    assert flags.height == 1
    return flags.row(0, named=True)


def test_a_student_whose_record_is_quiet_raises_no_flag() -> None:
    flags = _review(_record())

    assert flags.height == 0
    assert levels(flags).height == 0


def test_chronic_absence_is_explained_with_the_days_that_raised_it() -> None:
    flag = _only_flag(
        _record(chronic_absence=True, days_absent=21.5, membership_days=170.0)
    )

    assert flag == {
        "pseudonym": "P-0001",
        "district": "D1",
        "school_year": "2024-2025",
        "rule": "attendance:chronic-absence",
        "domain": "attendance",
        "explanation": "absent 21.5 of 170 membership days (12.6%), at or above 10%",
        "raised_on": AS_OF,
        "expires_on": date(2025, 5, 13),
        "active": True,
    }


def test_habitual_truancy_names_the_year_and_the_worst_month() -> None:
    flag = _only_flag(
        _record(habitual_truancy=True, unexcused_days=6.0, most_unexcused_in_a_month=4)
    )

    assert flag["rule"] == "attendance:habitual-truancy"
    assert flag["explanation"] == (
        "unexcused absence on 6 days this school year, 4 of them in one month"
        " (habitual truancy: 4 or more in a month, or 10 or more in a year)"
    )


@pytest.mark.parametrize(
    ("prior", "recent", "flagged"),
    [
        (0.95, 0.85, True),  # exactly 10 points, though 0.95 - 0.85 < 0.1 in floats
        (0.95, 0.851, False),  # 9.9 points
        (0.90, 0.79, True),  # 11 points
        (0.85, 0.95, False),  # a rise
        (0.95, None, False),  # no recent figure yet
        (None, 0.50, False),  # nothing to compare with
    ],
)
def test_a_fall_in_attendance_of_ten_points_or_more(
    prior: float | None, recent: float | None, flagged: bool
) -> None:
    flags = _review(_record(prior_attendance_rate=prior, recent_attendance_rate=recent))

    assert flags["rule"].to_list() == (["attendance:drop"] if flagged else [])


def test_a_fall_in_attendance_is_explained_in_points_and_percentages() -> None:
    flag = _only_flag(_record(prior_attendance_rate=0.95, recent_attendance_rate=0.85))

    assert flag["explanation"] == (
        "attendance fell 10.0 points, from 95.0% before to 85.0% in the last 30"
        " days, a fall of 10 points or more"
    )
    assert flag["raised_on"] == AS_OF


def test_an_expulsion_is_dated_by_the_last_day_of_its_month() -> None:
    flag = _only_flag(_record(expulsions=1, last_expulsion_month="2025-02"))

    assert flag["rule"] == "behaviour:expulsion"
    assert flag["domain"] == "behaviour"
    assert flag["explanation"] == (
        "expelled 1 time this school year, latest in February 2025"
    )
    assert flag["raised_on"] == date(2025, 2, 28)
    assert flag["expires_on"] == date(2025, 4, 29)


@pytest.mark.parametrize(
    ("suspensions", "flagged"), [(0, False), (1, False), (2, True)]
)
def test_two_out_of_school_suspensions_raise_a_flag_and_one_does_not(
    suspensions: int, flagged: bool
) -> None:
    flags = _review(_record(oss_count=suspensions, last_oss_month="2025-01"))

    assert flags["rule"].to_list() == (["behaviour:suspensions"] if flagged else [])


def test_suspensions_are_explained_with_their_count_and_the_threshold() -> None:
    flag = _only_flag(_record(oss_count=2, last_oss_month="2025-01"))

    assert flag["explanation"] == (
        "suspended out of school 2 times this school year, at or above 2,"
        " latest in January 2025"
    )
    assert flag["raised_on"] == date(2025, 1, 31)


def test_the_agreement_sets_the_thresholds() -> None:
    terms = Agreement(oss_count_for_flag=3, attendance_drop_points=5)
    record = _record(
        oss_count=2, prior_attendance_rate=0.95, recent_attendance_rate=0.90
    )

    flags = _review(record, terms=terms)

    assert flags["rule"].to_list() == ["attendance:drop"]


@pytest.mark.parametrize(
    ("values", "rule", "explanation"),
    [
        (
            {"incidents_fighting": 1, "last_fighting_month": "2024-11"},
            "behaviour:fighting",
            "1 fighting incident this school year, latest in November 2024",
        ),
        (
            {"incidents_weapon": 2, "last_weapon_month": "2025-03"},
            "behaviour:weapon",
            "2 weapon incidents this school year, latest in March 2025",
        ),
    ],
)
def test_one_fighting_or_weapon_incident_raises_a_flag(
    values: dict[str, Any], rule: str, explanation: str
) -> None:
    flag = _only_flag(_record(**values))

    assert (flag["rule"], flag["explanation"]) == (rule, explanation)


def test_an_event_without_its_month_is_dated_by_the_record() -> None:
    flag = _only_flag(_record(incidents_weapon=1))

    assert flag["explanation"] == (
        "1 weapon incident this school year, month not recorded"
    )
    assert flag["raised_on"] == AS_OF


def test_a_flag_whose_figures_are_missing_still_says_why() -> None:
    flag = _only_flag(_record(chronic_absence=True, membership_days=None))

    assert flag["explanation"] == (
        "the rule is met; a figure it explains itself with was not released"
    )


def test_a_flag_is_active_until_the_day_it_expires() -> None:
    records = _frame(_record(chronic_absence=True))
    expires_on = AS_OF + timedelta(days=60)

    day_before = review(records, TERMS, expires_on - timedelta(days=1))
    on_the_day = review(records, TERMS, expires_on)

    assert day_before["active"].to_list() == [True]
    assert on_the_day["active"].to_list() == [False]
    assert levels(on_the_day).height == 0


def test_levels_count_domains_and_an_expulsion_is_high_risk_alone() -> None:
    flags = _review(
        _record("P-attendance", chronic_absence=True),
        _record("P-both", chronic_absence=True, incidents_fighting=1),
        _record("P-behaviour", oss_count=2, incidents_fighting=1),
        _record("P-expelled", expulsions=1),
        _record("P-quiet"),
    )

    assert levels(flags).rows() == [
        ("P-attendance", "D1", "at-risk", ["attendance:chronic-absence"]),
        (
            "P-behaviour",
            "D1",
            "at-risk",
            ["behaviour:fighting", "behaviour:suspensions"],
        ),
        (
            "P-both",
            "D1",
            "high-risk",
            ["attendance:chronic-absence", "behaviour:fighting"],
        ),
        ("P-expelled", "D1", "high-risk", ["behaviour:expulsion"]),
    ]


def test_an_expired_flag_does_not_count_towards_the_level() -> None:
    flags = _review(
        _record(
            chronic_absence=True,
            incidents_fighting=1,
            last_fighting_month="2024-09",  # expired 2024-11-29
        )
    )

    assert flags["active"].to_list() == [True, False]
    assert levels(flags).rows() == [
        ("P-0001", "D1", "at-risk", ["attendance:chronic-absence"])
    ]


def _who(race: str, sex: str, yes: bool) -> dict[str, Any]:
    """Who a student is: the columns no rule may read."""
    return {
        "race_ethnicity": race,
        "sex": sex,
        "disability": yes,
        "english_learner": yes,
        "economically_disadvantaged": not yes,
    }


def test_who_a_student_is_changes_no_flag() -> None:
    students = [
        _record("P-1", chronic_absence=True, days_absent=20.0),
        _record("P-2", oss_count=2, incidents_weapon=1),
        _record("P-3", expulsions=1, prior_attendance_rate=0.9),
        _record("P-4"),
    ]
    one = [
        _who("white", "female", yes=False),
        _who("asian", "male", yes=True),
        _who("black-african-american", "nonbinary", yes=True),
        _who("hispanic-latino", "female", yes=False),
    ]
    other = [
        _who("hispanic-latino", "male", yes=True),
        _who("white", "female", yes=False),
        _who("asian", "female", yes=False),
        _who("two-or-more", "male", yes=True),
    ]

    first = pl.DataFrame([{**s, **w} for s, w in zip(students, one, strict=True)])
    second = pl.DataFrame([{**s, **w} for s, w in zip(students, other, strict=True)])

    flags = review(first, TERMS, TODAY)
    assert flags.equals(review(second, TERMS, TODAY))
    # P-1 chronic absence; P-2 suspensions and weapon; P-3 expulsion.
    assert flags.height == 4


def test_no_rule_reads_who_a_student_is() -> None:
    for rule in rules(TERMS):
        assert rule.reads <= set(INPUT_COLUMNS), rule.code
        assert not rule.reads & PROTECTED, rule.code


def test_records_the_rules_would_misread_are_refused() -> None:
    percentages = _frame(_record(prior_attendance_rate=95.0, last_oss_month="March"))

    with pytest.raises(YouthbridgeError) as error:
        review(
            percentages.drop("as_of").with_columns(pl.lit(AS_OF).alias("as_of")),
            TERMS,
            TODAY,
        )
    assert error.value.code == "risk:input"
    assert str(error.value) == (
        "the records cannot be reviewed: `prior_attendance_rate` is outside 0 to 1"
        " in 1 record(s); rates are shares, not percentages; `last_oss_month` is"
        " not a month written YYYY-MM in 1 record(s)"
    )

    with pytest.raises(YouthbridgeError) as error:
        review(percentages.drop("oss_count", "district"), TERMS, TODAY)
    assert str(error.value) == (
        "the records cannot be reviewed: `district` is missing; `oss_count` is missing"
    )


def _spread(seed: int, size: int) -> pl.Expr:
    """A repeatable pseudo-random whole number from 0 to size - 1 per row."""
    return (pl.int_range(pl.len()).hash(seed) % size).cast(pl.Int64)


def test_one_hundred_thousand_records_are_handled_whole() -> None:
    quiet = _frame(_record()).sample(100_000, with_replacement=True, seed=1)
    records = quiet.with_columns(
        pl.format("P-{}", pl.int_range(pl.len())).alias("pseudonym"),
        (_spread(1, 100) < 15).alias("chronic_absence"),
        _spread(2, 4).alias("oss_count"),
        _spread(3, 2).alias("incidents_fighting"),
        pl.lit("2025-02").alias("last_fighting_month"),
        (0.7 + _spread(4, 300) / 1000).alias("prior_attendance_rate"),
        (0.6 + _spread(5, 400) / 1000).alias("recent_attendance_rate"),
    )

    flags = review(records, TERMS, TODAY)
    students = levels(flags)

    assert students.height > 0
