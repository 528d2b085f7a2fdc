"""The CSV exports: byte-for-byte reproducible, readable back through their maps."""

from __future__ import annotations

import csv
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from youthbridge.district.canonical import TABLES, Kind
from youthbridge.domain.errors import SourceError
from youthbridge.synthetic import GenerationSummary, Region, generate, write_csv_export
from youthbridge.synthetic.layout import map_path
from youthbridge.synthetic.region import generate_region

from .conftest import SCALE, SEED

LAYOUT_OF = {"0180": "campus", "0130": "powerschool"}


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("region")
    return out, generate(SCALE, SEED, out)


def _map(layout: str) -> dict[str, Any]:
    return tomllib.loads(map_path(layout).read_text(encoding="utf-8"))


def _read_back(folder: Path, layout: str, table: str) -> pl.DataFrame:
    """Read one exported file with the csv module and undo the map by hand."""
    document = _map(layout)
    source, spec = document["source"], document["tables"][table]
    with (folder / spec["file"]).open(encoding=source["encoding"], newline="") as f:
        rows = list(csv.DictReader(f, delimiter=source["delimiter"]))

    kinds = {column.name: column.kind for column in TABLES[table].columns}

    def canonical(column: str, text: str) -> str | None:
        if text == "":
            return None
        codes = spec.get("codes", {}).get(column)
        if codes is not None:
            return str(codes.get(text, text))
        if kinds[column] is Kind.DATE:
            parsed = datetime.strptime(text, source["date_format"])  # noqa: DTZ007
            return parsed.date().isoformat()
        return text

    columns = spec["columns"]
    return pl.DataFrame(
        {
            column: [canonical(column, row[header]) for row in rows]
            for column, header in columns.items()
        },
        schema=dict.fromkeys(columns, pl.String),
    )


def test_the_same_seed_writes_the_same_bytes(
    exported: tuple[Path, GenerationSummary], tmp_path: Path
) -> None:
    first, _ = exported

    generate(SCALE, SEED, tmp_path)

    for code in LAYOUT_OF:
        names = sorted(path.name for path in (first / code).iterdir())
        assert names == sorted(path.name for path in (tmp_path / code).iterdir())
        for name in names:
            same = (first / code / name).read_bytes() == (
                tmp_path / code / name
            ).read_bytes()
            assert same, f"{code}/{name}"


@pytest.mark.parametrize("table", ["students", "guardians", "enrollments", "incidents"])
@pytest.mark.parametrize("code", list(LAYOUT_OF))
def test_files_read_back_through_the_map_to_the_canonical_tables(
    exported: tuple[Path, GenerationSummary], region: Region, code: str, table: str
) -> None:
    out, _ = exported
    layout = LAYOUT_OF[code]

    read = _read_back(out / code, layout, table)

    expected = region.districts[code][table].select(read.columns)
    assert read.equals(expected)


def test_names_with_accents_survive_cp1252(
    exported: tuple[Path, GenerationSummary], region: Region
) -> None:
    out, _ = exported
    raw = (out / "0130" / "Students.csv").read_bytes()

    assert not raw.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with (out / "0130" / "Students.csv").open(encoding="cp1252", newline="") as f:
        last_names = {row["Last_Name"] for row in csv.DictReader(f)}
    accented = {name for name in last_names if not name.isascii()}
    assert accented
    assert accented <= set(region.districts["0130"]["students"]["last_name"])


def test_campus_files_carry_a_bom_and_us_dates(
    exported: tuple[Path, GenerationSummary],
) -> None:
    out, _ = exported
    raw = (out / "0180" / "attendance.csv").read_bytes()

    assert raw.startswith(b"\xef\xbb\xbfStudent Number,")
    first_row = raw.split(b"\n")[1].decode("utf-8").split(",")
    datetime.strptime(first_row[2], "%m/%d/%Y")  # noqa: DTZ007
    assert first_row[3] in _map("campus")["tables"]["attendance"]["codes"]["status"]


def test_powerschool_grades_use_short_pair_years(
    exported: tuple[Path, GenerationSummary],
) -> None:
    out, _ = exported

    with (out / "0130" / "StoredGrades.csv").open(encoding="cp1252") as f:
        years = {row["Year"] for row in csv.DictReader(f)}

    assert years == {"2223"}


def test_the_defects_reach_the_files(
    exported: tuple[Path, GenerationSummary],
) -> None:
    out, summary = exported

    attendance = (out / "0130" / "Attendance.csv").read_text(encoding="cp1252")
    students = (out / "0180" / "students.csv").read_text(encoding="utf-8-sig")
    contacts = (out / "0180" / "contacts.csv").read_text(encoding="utf-8-sig")

    assert ",Unexcused Absense," in attendance
    orphan = next(d for d in summary.defects if d.column == "student_id")
    assert f"\n{orphan.value}," in attendance
    short_zip = next(d for d in summary.defects if d.column == "zip")
    assert f",{short_zip.value}," in students
    assert ",Grandparnet," in contacts


def test_the_summary_describes_what_was_written(
    exported: tuple[Path, GenerationSummary],
) -> None:
    out, summary = exported

    assert [d.code for d in summary.districts] == ["0180", "0130"]
    for district in summary.districts:
        assert abs(district.chronic_absence_rate - district.real_rate) < 0.01
        assert district.attendance_rows > district.students * 150
        assert all(path.is_file() for path in district.files)
        assert out / district.code / "map.toml" in district.files
    assert (out / "0130" / "map.toml").read_bytes() == map_path(
        "powerschool"
    ).read_bytes()
    assert len(summary.defects) >= 4


def test_text_that_cp1252_cannot_hold_is_refused_with_its_column(
    tmp_path: Path,
) -> None:
    small = generate_region(0.002, 3).districts["0180"]
    students = small["students"].with_columns(last_name=pl.lit("Nguyễn"))

    with pytest.raises(SourceError) as refused:
        write_csv_export({"students": students}, map_path("powerschool"), tmp_path)

    assert "`Last_Name`" in str(refused.value)
