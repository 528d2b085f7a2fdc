"""Spreadsheet exports: nothing a reader opens can run as a formula."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from youthbridge.security.exports import Cell, neutralise_cell, write_csv

LINK = '=HYPERLINK("http://x.example","open")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (LINK, "'" + LINK),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("East Side", "East Side"),
        ("<10", "<10"),
        ("", ""),
        (None, ""),
        (-2, -2),
        (Decimal("-0.25"), Decimal("-0.25")),
    ],
)
def test_a_text_cell_that_could_run_is_quoted_and_numbers_stay_numbers(
    value: str | int | Decimal | None, expected: str | int | Decimal
) -> None:
    assert neutralise_cell(value) == expected


def test_the_text_minus_two_is_a_number_only_in_a_numeric_column() -> None:
    assert neutralise_cell("-2", numeric=True) == "-2"
    assert neutralise_cell("-2") == "'-2"
    assert neutralise_cell("=2", numeric=True) == "'=2"


def test_a_written_export_holds_no_live_formula(tmp_path: Path) -> None:
    path = tmp_path / "trends.csv"
    rows: list[dict[str, Cell]] = [
        {"zip_area": LINK, "change": -2, "count_text": "-2"},
        {"zip_area": "941**", "change": 3, "count_text": "<10"},
    ]

    written = write_csv(rows, ["zip_area", "change", "count_text"], ["change"], path)

    assert written == 2
    with path.open(newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read == [
        ["zip_area", "change", "count_text"],
        ["'" + LINK, "-2", "'-2"],
        ["941**", "3", "<10"],
    ]
    assert not (tmp_path / "trends.csv.part").exists()


def test_a_numeric_column_must_be_in_the_export(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not in the export"):
        write_csv([], ["zip_area"], ["count"], tmp_path / "out.csv")
