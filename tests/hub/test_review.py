"""The hub's at-risk review over the current releases of several districts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from tests.domain.test_risk import _frame, _record
from youthbridge.domain.agreement import Agreement
from youthbridge.hub.review import at_risk_review

TERMS = Agreement()
NO_INCIDENTS = pl.DataFrame(
    schema={
        "pseudonym": pl.String,
        "school_year": pl.String,
        "month": pl.String,
        "behavior": pl.String,
        "action": pl.String,
    }
)


def _hub_records(*records: dict[str, Any]) -> pl.DataFrame:
    """Records as the hub stores them, from the review's own test records."""
    return (
        _frame(*records)
        .rename(
            {
                "district": "district_code",
                "unexcused_days": "unexcused_absences",
                "most_unexcused_in_a_month": "max_unexcused_in_month",
            }
        )
        .drop(
            "last_expulsion_month",
            "last_oss_month",
            "last_fighting_month",
            "last_weapon_month",
        )
    )


def test_each_district_is_reviewed_as_of_its_own_latest_data() -> None:
    older = date(2022, 5, 27)
    newer = date(2023, 5, 25)
    records = _hub_records(
        _record(
            "GB-1",
            district="GB",
            school_year="2021-2022",
            as_of=older,
            chronic_absence=True,
        ),
        _record(
            "AU-1",
            district="AU",
            school_year="2022-2023",
            as_of=newer,
            chronic_absence=True,
        ),
    )

    result = at_risk_review(records, NO_INCIDENTS, TERMS)

    active = result.flags.filter(pl.col("active"))
    assert sorted(active["pseudonym"]) == ["AU-1", "GB-1"]


def test_a_given_day_applies_to_every_district() -> None:
    older = date(2022, 5, 27)
    records = _hub_records(
        _record(
            "GB-1",
            district="GB",
            school_year="2021-2022",
            as_of=older,
            chronic_absence=True,
        ),
    )

    later = older + timedelta(days=TERMS.flag_expiry_days)
    result = at_risk_review(records, NO_INCIDENTS, TERMS, on=later)

    assert result.flags.filter(pl.col("active")).is_empty()
