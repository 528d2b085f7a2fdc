"""Small-cell and complementary suppression of aggregates before they are shown."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest

from youthbridge.domain.errors import YouthbridgeError
from youthbridge.domain.suppression import (
    RateSpec,
    Suppressed,
    fixed_decimals,
    suppress,
)

RATE = RateSpec("suspension_rate", "suspended", "students")


def _trends(rows: Sequence[tuple[str, str, int | None, int | None]]) -> pl.DataFrame:
    """District, group, students, suspended; the rate per 100 computed here."""
    frame = pl.DataFrame(
        rows,
        schema={
            "district": pl.String,
            "group": pl.String,
            "students": pl.Int64,
            "suspended": pl.Int64,
        },
        orient="row",
    )
    rate = pl.col("suspended") * 100 / pl.col("students")
    return frame.with_columns(rate.alias("suspension_rate"))


def _suppress(table: pl.DataFrame, complement: list[str] | None = None) -> Suppressed:
    return suppress(
        table,
        count_columns=["students", "suspended"],
        rate_specs=[RATE],
        minimum=10,
        marker="<10",
        group_by_for_complement=complement,
    )


def test_a_count_of_three_is_shown_as_the_marker_and_never_as_three() -> None:
    table = _trends([("D1", "a", 120, 3), ("D1", "b", 200, 30)])

    result = suppress(
        table,
        count_columns=["students", "suspended"],
        rate_specs=[RATE],
        minimum=10,
        marker="<10",
        group_by_for_complement=None,
    )

    assert result.display.rows() == [
        ("D1", "a", "120", "<10", "<10"),
        ("D1", "b", "200", "30", "15.0"),
    ]
    # The rate of 2.5 per 100 would give the 3 back from the 120 shown.
    assert "3" not in result.display.row(0)
    assert "2.5" not in result.display.write_csv()


def test_a_rate_over_a_denominator_of_eight_is_suppressed() -> None:
    # 15 incidents among 8 students: the numerator is large, the denominator not.
    table = pl.DataFrame({"incidents": [15], "students": [8], "per_student": [1.875]})

    result = suppress(
        table,
        count_columns=["incidents"],
        rate_specs=[("per_student", "incidents", "students")],
        minimum=10,
        marker="<10",
        group_by_for_complement=None,
        rate_decimals=2,
    )

    assert result.display.rows() == [("15", 8, "<10")]
    assert result.suppressed_mask.rows() == [(False, True)]


def test_zero_is_suppressed_and_a_missing_count_is_left_empty() -> None:
    table = _trends([("D1", "a", 50, 0), ("D1", "b", None, None)])

    result = _suppress(table)

    assert result.display.rows() == [
        ("D1", "a", "50", "<10", "<10"),
        ("D1", "b", "", "", "<10"),
    ]
    assert result.suppressed_mask.rows() == [
        (False, True, True),
        (False, False, True),
    ]


def test_a_lone_suppressed_cell_takes_the_next_smallest_with_it() -> None:
    table = _trends(
        [
            ("D1", "a", 100, 25),
            ("D1", "b", 100, 4),
            ("D1", "c", 100, 12),
            ("D1", "d", 100, 40),
            ("D2", "a", 100, 3),
            ("D2", "b", 100, 2),
            ("D2", "c", 100, 50),
            ("D3", "a", 100, 30),
            ("D3", "b", 100, 40),
        ]
    )

    result = _suppress(table, complement=["district"])

    assert result.display.select("district", "group", "suspended").rows() == [
        ("D1", "a", "25"),
        ("D1", "b", "<10"),
        ("D1", "c", "*"),  # 12: or the total 81 - 25 - 12 - 40 gives the 4 back
        ("D1", "d", "40"),
        ("D2", "a", "<10"),  # two suppressed already: neither can be recovered
        ("D2", "b", "<10"),
        ("D2", "c", "50"),
        ("D3", "a", "30"),
        ("D3", "b", "40"),
    ]
    # The complement's rate goes too: 12 per 100 of a shown 100 is the 12.
    assert result.display["suspension_rate"][2] == "*"
    # Four counts (D1 b and c, D2 a and b) and their four rates.
    assert result.suppressed_cells == 4 + 4


def test_equal_next_smallest_counts_are_broken_by_row_order() -> None:
    table = _trends([("D1", "a", 100, 4), ("D1", "b", 100, 15), ("D1", "c", 100, 15)])

    result = _suppress(table, complement=["district"])

    assert result.display["suspended"].to_list() == ["<10", "*", "15"]


def test_an_empty_group_list_makes_the_whole_table_one_group() -> None:
    table = _trends([("D1", "a", 100, 5), ("D2", "a", 100, 20), ("D3", "a", 100, 30)])

    result = _suppress(table, complement=[])

    assert result.display["suspended"].to_list() == ["<10", "*", "30"]


def test_a_rate_whose_denominator_was_suppressed_as_a_complement_goes_too() -> None:
    table = _trends([("D1", "a", 9, 0), ("D1", "b", 50, 20), ("D1", "c", 60, 0)])

    result = _suppress(table, complement=["district"])

    # Students: 9 is under the minimum, so 50 goes with it. Suspended: two cells
    # are under it already. Row b's 20 at 40.0 per 100 would give the 50 back.
    assert result.display.rows() == [
        ("D1", "a", "<10", "<10", "<10"),
        ("D1", "b", "*", "20", "*"),
        ("D1", "c", "60", "<10", "<10"),
    ]


def test_the_mask_lines_up_with_the_display_row_for_row() -> None:
    table = _trends([("D1", "a", 120, 3), ("D1", "b", 200, 30)])

    result = _suppress(table)

    assert result.suppressed_mask.columns == [
        "students",
        "suspended",
        "suspension_rate",
    ]
    assert result.suppressed_mask.rows() == [(False, True, True), (False, False, False)]


def test_rates_are_shown_with_fixed_places_rounded_half_away_from_zero() -> None:
    values = pl.DataFrame({"value": [12.25, 2.0, -1.25, -0.04, 0.126 * 100, None]})

    shown = values.select(fixed_decimals(pl.col("value"), 1))

    assert shown["value"].to_list() == ["12.3", "2.0", "-1.3", "0.0", "12.6", None]


def test_a_table_it_cannot_read_is_refused_naming_every_problem() -> None:
    table = pl.DataFrame({"students": [1.5], "suspension_rate": ["high"]})

    with pytest.raises(YouthbridgeError) as error:
        suppress(
            table,
            count_columns=["students"],
            rate_specs=[RATE],
            minimum=0,
            marker="<10",
            group_by_for_complement=None,
        )

    assert error.value.code == "suppression:input"
    assert str(error.value) == (
        "the table cannot be suppressed: the minimum must be at least 1, not 0;"
        " the count column `students` holds Float64, not whole numbers;"
        " the rate column `suspension_rate` holds String, not numbers;"
        " the numerator column `suspended` is missing"
    )


def test_one_hundred_thousand_rows_are_handled_whole() -> None:
    rows = [(f"D{n % 50}", f"g{n}", 5 + n % 400, n % 37) for n in range(100_000)]
    table = _trends(rows)

    result = _suppress(table, complement=["district"])

    assert result.display.height == 100_000
