"""Writing canonical tables as Ed-Fi JSON, and reading them back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from youthbridge.district.canonical import TABLES
from youthbridge.district.readers.edfi_json import read_edfi_json
from youthbridge.synthetic.edfi_json import write_edfi_json


def _table(name: str, rows: list[tuple[str | None, ...]]) -> pl.DataFrame:
    columns = TABLES[name].column_names
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def _district() -> dict[str, pl.DataFrame]:
    return {
        "schools": _table(
            "schools",
            [
                ("255901001", "North High", "high", "02134"),
                ("255901044", "Lake Middle", "middle", None),
            ],
        ),
        "students": _table(
            "students",
            [
                ("000123", "Ada", "Rose", "Vale", "2008-02-03", "female",
                 "hispanic-latino", "1 Elm St", "Grand Bend", "TX", "78834",
                 "(950) 555 0101", "Spanish"),
                ("000124", "Ben", None, "Okafor", "2009-05-06", "male",
                 "black-african-american", None, None, None, None, None, None),
                ("000125", "Cy", None, "Lund", "2010-07-08", "nonbinary",
                 "two-or-more", None, None, None, "78834", None, "English"),
                ("000126", "Dee", None, "Park", "2011-09-10", None, None,
                 None, None, None, None, None, None),
            ],
        ),
        "guardians": _table(
            "guardians",
            [
                ("G1", "000123", "Maria", "Vale", "mother", "true", "true",
                 "(950) 555 0102", "m.vale@example.com", "1 Elm St", "Grand Bend",
                 "TX", "78834", "Spanish"),
                ("G1", "000124", "Maria", "Vale", "guardian", None, "false",
                 "(950) 555 0102", "m.vale@example.com", "1 Elm St", "Grand Bend",
                 "TX", "78834", "Spanish"),
                ("G2", "000125", "Tom", "Lund", "grandparent", "false", None,
                 None, None, None, None, None, None, None),
            ],
        ),
        "enrollments": _table(
            "enrollments",
            [
                ("000123", "255901001", "10", "2021-08-23", "2022-05-27"),
                ("000124", "255901044", "KG", "2021-08-23", None),
                ("000125", "255901044", None, "2021-09-01", "2022-01-15"),
            ],
        ),
        "calendar_days": _table(
            "calendar_days",
            [("255901001", "2021-08-23"), ("255901001", "2021-08-24")],
        ),
        "attendance": _table(
            "attendance",
            [
                ("000123", "255901001", "2021-08-23", "present", None),
                ("000123", "255901001", "2021-08-24", "unexcused-absence", None),
                ("000124", "255901044", "2021-08-24", "partial", "0.5"),
                ("000124", "255901044", "2021-08-25", "tardy", None),
                ("000125", "255901044", "2022-01-10", "early-departure", "0.25"),
                ("000125", "255901044", "2022-01-11", "excused-absence", None),
            ],
        ),
        "incidents": _table(
            "incidents",
            [("INC-1", "255901001", "2021-10-18", "true"),
             ("INC-2", "255901044", "2022-03-31", "false")],
        ),
        "incident_behaviors": _table(
            "incident_behaviors",
            [("INC-1", "255901001", "000123", "fighting"),
             ("INC-2", "255901044", "000124", "code-of-conduct")],
        ),
        "discipline_actions": _table(
            "discipline_actions",
            [("A1", "000123", "255901001", "INC-1", "2021-10-19",
              "out-of-school-suspension", "3"),
             ("A2", "000124", "255901044", "INC-2", "2022-04-01", "other", "0.5"),
             ("A3", "000125", "255901044", None, "2022-04-02", "expulsion", None)],
        ),
        "grades": _table(
            "grades",
            [("000123", "255901001", "2021-2022", "ALG-1", "Fall Semester", "B+",
              "88"),
             ("000124", "255901044", "2021-2022", "ART-01", "Spring Semester", None,
              "91.5")],
        ),
    }  # fmt: skip


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def test_round_trip_keeps_every_canonical_value(tmp_path: Path) -> None:
    district = _district()

    write_edfi_json(district, tmp_path)
    batch = read_edfi_json(tmp_path)

    assert batch.problems.is_empty()
    expected_tables = set(district)
    assert set(batch.tables) == expected_tables
    for name, written in district.items():
        if name == "attendance":
            written = written.filter(pl.col("status") != "present")
        read = batch.tables[name].drop("_file", "_line")
        assert _sorted(read).equals(_sorted(written)), name


def test_present_rows_are_not_written(tmp_path: Path) -> None:
    district = _district()

    write_edfi_json(district, tmp_path)

    path = tmp_path / "studentSchoolAttendanceEvents.json"
    events = json.loads(path.read_text(encoding="utf-8"))
    categories = [e["attendanceEventCategoryDescriptor"] for e in events]
    assert len(events) == 5
    assert not any(c.endswith("#In Attendance") for c in categories)


def test_numeric_school_ids_are_integers_and_others_stay_text(tmp_path: Path) -> None:
    numeric = {"schools": _table("schools", [("255901001", "North", None, None)])}
    padded = {"schools": _table("schools", [("0042", "South", None, None)])}

    write_edfi_json(numeric, tmp_path / "numeric")
    write_edfi_json(padded, tmp_path / "padded")

    first = json.loads((tmp_path / "numeric" / "schools.json").read_text())
    second = json.loads((tmp_path / "padded" / "schools.json").read_text())
    assert first[0]["schoolId"] == 255901001
    assert second[0]["schoolId"] == "0042"


def test_written_files_are_listed(tmp_path: Path) -> None:
    district = {"students": _district()["students"]}

    written = write_edfi_json(district, tmp_path)

    assert written == [
        tmp_path / "students.json",
        tmp_path / "studentEducationOrganizationAssociations.json",
    ]
    assert sorted(tmp_path.iterdir()) == sorted(written)


@pytest.mark.slow
def test_two_million_events_are_written_in_reasonable_time(tmp_path: Path) -> None:
    students, days = 100_000, 20
    attendance = pl.DataFrame({"n": pl.int_range(0, students * days, eager=True)})
    attendance = attendance.select(
        (pl.col("n") // days).cast(pl.String).str.zfill(6).alias("student_id"),
        pl.lit("255901001").alias("school_id"),
        (pl.date(2021, 9, 1) + pl.duration(days=pl.col("n") % days))
        .dt.to_string("%Y-%m-%d")
        .alias("date"),
        pl.lit("unexcused-absence").alias("status"),
        pl.lit(None, pl.String).alias("fraction_absent"),
    )

    write_edfi_json({"attendance": attendance}, tmp_path)

    path = tmp_path / "studentSchoolAttendanceEvents.json"
    with path.open(encoding="utf-8") as lines:
        assert sum(1 for _ in lines) == students * days + 2
