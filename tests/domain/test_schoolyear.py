"""School years: derived from dates with a configurable first day, read per source."""

from __future__ import annotations

from datetime import date

import pytest

from youthbridge.domain.errors import YouthbridgeError
from youthbridge.domain.schoolyear import (
    SchoolYear,
    YearLabelStyle,
    parse_year_label,
    year_of,
)


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("2024-2025", YearLabelStyle.FULL),
        ("2425", YearLabelStyle.SHORT_PAIR),
        ("2025", YearLabelStyle.END_YEAR),
        ("25", YearLabelStyle.SHORT_END),
    ],
)
def test_every_style_names_the_same_year(text: str, style: YearLabelStyle) -> None:
    assert parse_year_label(text, style) == SchoolYear(2024)


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("2024-2026", YearLabelStyle.FULL),
        ("2024", YearLabelStyle.SHORT_PAIR),
        ("2425", YearLabelStyle.FULL),
        ("250", YearLabelStyle.SHORT_END),
        ("", YearLabelStyle.END_YEAR),
    ],
)
def test_a_label_not_in_the_declared_style_is_refused(
    text: str, style: YearLabelStyle
) -> None:
    with pytest.raises(YouthbridgeError) as refused:
        parse_year_label(text, style)

    assert style.value in refused.value.message


def test_the_year_starts_on_1_july_by_default() -> None:
    assert year_of(date(2024, 6, 30)) == SchoolYear(2023)
    assert year_of(date(2024, 7, 1)) == SchoolYear(2024)


def test_a_configured_first_day_moves_the_boundary() -> None:
    assert year_of(date(2024, 7, 31), start_month=8, start_day=1) == SchoolYear(2023)
    assert year_of(date(2024, 8, 1), start_month=8, start_day=1) == SchoolYear(2024)


def test_first_and_last_days() -> None:
    year = SchoolYear(2024)

    assert (year.first_day(), year.last_day()) == (date(2024, 7, 1), date(2025, 6, 30))
    assert year.label == "2024-2025"
