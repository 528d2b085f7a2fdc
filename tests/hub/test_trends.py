"""Trends: rates by group and year, with every small cell suppressed everywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from youthbridge.domain.agreement import Agreement
from youthbridge.hub.report import ReportInputs, write_report
from youthbridge.hub.review import Review
from youthbridge.hub.trends import Dimension, trend

TERMS = Agreement()


def _records(district: str, year: str, students: int, chronic: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "pseudonym": [f"{district}-{year}-{n}" for n in range(students)],
            "district_code": district,
            "school_year": year,
            "age": 12,
            "age_band": None,
            "zip": "80010",
            "zip3": None,
            "school_id": "S1",
            "school_level": None,
            "sex": "female",
            "race_ethnicity": "white",
            "chronic_absence": [n < chronic for n in range(students)],
            "habitual_truancy": [n < 12 for n in range(students)],
            "iss_count": 0,
            "oss_count": 0,
            "expulsions": 0,
        },
        schema_overrides={
            "age_band": pl.String,
            "zip3": pl.String,
            "school_level": pl.String,
        },
    )


def _no_incidents() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "district_code": pl.String,
            "school_year": pl.String,
            "pseudonym": pl.String,
            "month": pl.String,
            "behavior": pl.String,
            "action": pl.String,
            "days": pl.Float64,
        }
    )


def test_a_cell_of_three_shows_the_marker_never_three(tmp_path: Path) -> None:
    records = _records("A", "2023-2024", 20, chronic=3)

    shown = trend(records, _no_incidents(), Dimension.DISTRICT, TERMS).shown.display
    [row] = shown.to_dicts()

    assert row["students"] == "20"
    assert row["chronic_absence"] == "<10"
    assert row["chronic_absence_rate"] == "<10"
    assert row["habitual_truancy"] == "12"
    assert row["habitual_truancy_rate"] == "0.600"


def test_the_page_and_the_csv_show_the_marker_too(tmp_path: Path) -> None:
    records = _records("A", "2023-2024", 20, chronic=3)
    trends = {d: trend(records, _no_incidents(), d, TERMS) for d in Dimension}
    review = Review(
        date(2024, 5, 31),
        pl.DataFrame(
            schema={
                "pseudonym": pl.String,
                "district": pl.String,
                "rule": pl.String,
                "active": pl.Boolean,
            }
        ),
        pl.DataFrame(),
    )

    written = write_report(ReportInputs("Test", trends, review, [], TERMS), tmp_path)

    csv_text = (tmp_path / "trends-by-district.csv").read_text()
    assert csv_text.splitlines()[1].split(",")[2:5] == ["20", "<10", "12"]
    html = written.page.read_text()
    assert "<td>&lt;10</td>" in html
    assert "<td>3</td>" not in html


def test_year_over_year_change_in_points(tmp_path: Path) -> None:
    records = pl.concat(
        [
            _records("A", "2022-2023", 40, chronic=10),
            _records("A", "2023-2024", 40, chronic=20),
        ]
    )

    numbers = trend(records, _no_incidents(), Dimension.DISTRICT, TERMS).numbers
    latest = numbers.filter(pl.col("school_year") == "2023-2024").to_dicts()[0]

    # 10 of 40 is 25%, 20 of 40 is 50%: up 25 points.
    assert round(latest["chronic_absence_change"], 6) == 25.0


def test_one_small_group_of_a_district_hides_another_so_none_can_be_subtracted() -> (
    None
):
    records = pl.concat(
        [
            _records("A", "2023-2024", 30, chronic=12).with_columns(
                pl.lit("80010").alias("zip")
            ),
            _records("A", "2023-2024", 20, chronic=3).with_columns(
                pl.lit("80011").alias("zip")
            ),
            _records("A", "2023-2024", 15, chronic=11).with_columns(
                pl.lit("80012").alias("zip")
            ),
        ]
    ).with_columns(pl.format("P{}", pl.int_range(pl.len())).alias("pseudonym"))

    by_zip = trend(records, _no_incidents(), Dimension.ZIP, TERMS).shown.display
    by_district = trend(records, _no_incidents(), Dimension.DISTRICT, TERMS).shown
    chronic = dict(by_zip.select("zip_area", "chronic_absence").iter_rows())

    # The district shows 26; 80011's 3 is under the minimum, and 80012's 11, the
    # next smallest, is hidden too, so that 26 - 12 - 11 cannot give it back.
    assert by_district.display["chronic_absence"].to_list() == ["26"]
    assert chronic == {"80010": "12", "80011": "<10", "80012": "*"}
