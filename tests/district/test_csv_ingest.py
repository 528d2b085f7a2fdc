"""Ingesting CSV exports through a column map: the issue's bad-input cases."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from tests.district.small_export import SmallExport
from youthbridge.district.ingest import SourceFormat, ingest
from youthbridge.district.node import DistrictNode
from youthbridge.domain.agreement import Agreement
from youthbridge.domain.errors import BatchRefused, ConfigError, SourceError
from youthbridge.storage.district_tables import CANONICAL, quarantine_rows

LENIENT = Agreement(max_rejected_share=Fraction(1, 2))


@pytest.fixture
def node(open_node: Callable[..., DistrictNode]) -> DistrictNode:
    return open_node("T1", agreement=LENIENT)


def _students(node: DistrictNode) -> dict[str, dict[str, object]]:
    with node.engine.connect() as connection:
        rows = connection.execute(select(CANONICAL["students"])).mappings().all()
    return {str(row["student_id"]): dict(row) for row in rows}


def _quarantine(node: DistrictNode) -> list[dict[str, object]]:
    with node.engine.connect() as connection:
        rows = connection.execute(select(quarantine_rows)).mappings().all()
    return [dict(row) for row in rows]


def _ingest(node: DistrictNode, export: SmallExport, folder: Path) -> None:
    ingest(node, folder, SourceFormat.CSV, export.write(folder))


def test_ids_with_leading_zeros_are_different_students(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(
        students=[
            "000123,Ana,Ruiz,2010-03-04,F,Asian,80010",
            "123,Bo,Li,2011-05-06,M,Asian,80011",
        ]
    )
    _ingest(node, export, tmp_path / "export")

    assert sorted(_students(node)) == ["000123", "123"]


def test_a_four_digit_zip_is_flagged_and_never_padded(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(
        students=[
            "1,Ana,Ruiz,2010-03-04,F,Asian,80010",
            "2,Bo,Li,2011-05-06,M,Asian,8001",
            "3,Cy,Ng,2011-05-06,M,Asian,80012",
        ]
    )
    _ingest(node, export, tmp_path / "export")

    stored = _students(node)
    assert sorted(stored) == ["1", "3"]
    assert {row["zip"] for row in stored.values()} == {"80010", "80012"}
    [flag] = _quarantine(node)
    assert (flag["line"], flag["column_name"], flag["value"], flag["rule"]) == (
        3,
        "zip",
        "8001",
        "zip:format",
    )


def test_a_bom_does_not_spoil_the_first_header(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(students=["1,Ana,Ruiz,2010-03-04,F,Asian,80010"], bom=True)
    _ingest(node, export, tmp_path / "export")

    assert list(_students(node)) == ["1"]


def test_declared_cp1252_keeps_diacritics(node: DistrictNode, tmp_path: Path) -> None:
    export = SmallExport(
        students=["1,Begoña,Núñez,2010-03-04,F,Asian,80010"], encoding="cp1252"
    )
    folder = tmp_path / "export"
    map_path = export.write(folder)
    assert "Núñez".encode("cp1252") in (folder / "students.csv").read_bytes()

    ingest(node, folder, SourceFormat.CSV, map_path)

    student = _students(node)["1"]
    assert (student["first_name"], student["last_name"]) == ("Begoña", "Núñez")


def test_an_undeclared_non_utf8_file_is_refused_with_its_line(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(
        students=[
            "1,Ana,Ruiz,2010-03-04,F,Asian,80010",
            "2,Begoña,Núñez,2010-03-04,F,Asian,80010",
        ],
        encoding="cp1252",
    )
    folder = tmp_path / "export"
    map_path = export.write(folder)
    map_path.write_text(map_path.read_text().replace('"cp1252"', '"utf-8"'))

    with pytest.raises(SourceError) as refused:
        ingest(node, folder, SourceFormat.CSV, map_path)

    [problem] = refused.value.problems
    assert problem.file.endswith("students.csv")
    assert problem.line == 3
    assert "cp1252" in refused.value.message
    assert _students(node) == {}


def test_declared_day_month_dates(node: DistrictNode, tmp_path: Path) -> None:
    export = SmallExport(
        students=[
            "1,Ana,Ruiz,03/09/2012,F,Asian,80010",
            "2,Bo,Li,09/14/2012,M,Asian,80010",
        ],
        date_format="%d/%m/%Y",
    )
    _ingest(node, export, tmp_path / "export")

    stored = _students(node)
    assert str(stored["1"]["birth_date"]) == "2012-09-03"
    assert "2" not in stored
    [problem] = _quarantine(node)
    assert (problem["line"], problem["column_name"], problem["rule"]) == (
        3,
        "birth_date",
        "date:format",
    )
    assert problem["message"] == "not a date written as DD/MM/YYYY"


def test_not_hispanic_is_never_read_as_hispanic(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(
        students=[
            "1,Ana,Ruiz,2010-03-04,F,Not Hispanic or Latino,80010",
            "2,Eva,Paz,2010-03-04,F,Hispanic or Latino,80010",
        ]
    )
    _ingest(node, export, tmp_path / "export")

    stored = _students(node)
    assert stored["1"]["race_ethnicity"] == "white"
    assert stored["2"]["race_ethnicity"] == "hispanic-latino"


def _attendance_export(codes: list[str]) -> SmallExport:
    students = [f"{n},First{n},Last{n},2010-03-04,F,Asian,80010" for n in range(1, 21)]
    rows = [f"{n},0101,2024-08-21,{code}" for n, code in enumerate(codes, start=1)]
    return SmallExport(students=students, attendance=rows)


def test_a_misspelled_code_is_quarantined_and_the_rest_loads(
    node: DistrictNode, tmp_path: Path
) -> None:
    codes = ["P"] * 19 + ["Not Eligibile"]
    _ingest(node, _attendance_export(codes), tmp_path / "export")

    [problem] = _quarantine(node)
    assert (problem["table_name"], problem["line"], problem["value"]) == (
        "attendance",
        21,
        "Not Eligibile",
    )
    assert problem["rule"] == "code:unknown"
    stored = pl.scan_parquet(node.attendance_folder / "*.parquet").collect()
    assert stored.height == 19


def test_above_the_threshold_the_batch_is_refused_and_nothing_written(
    tmp_path: Path, open_node: Callable[..., DistrictNode]
) -> None:
    strict = open_node("T2")
    codes = ["P"] * 17 + ["Not Eligibile"] * 3  # 3 of 41 rows: above 5%

    with pytest.raises(BatchRefused) as refused:
        _ingest(strict, _attendance_export(codes), tmp_path / "export")

    assert [p.line for p in refused.value.problems] == [19, 20, 21]
    assert _students(strict) == {}
    assert _quarantine(strict) == []
    assert list(strict.attendance_folder.glob("*")) == []


def test_attendance_for_an_unknown_student_is_quarantined(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(
        students=["1,Ana,Ruiz,2010-03-04,F,Asian,80010"],
        attendance=["1,0101,2024-08-21,A", "77,0101,2024-08-21,A"],
    )
    _ingest(node, export, tmp_path / "export")

    [problem] = _quarantine(node)
    assert (problem["line"], problem["value"], problem["rule"]) == (
        3,
        "77",
        "reference:missing",
    )


def test_loading_the_same_batch_twice_changes_nothing(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(
        students=["1,Ana,Ruiz,2010-03-04,F,Asian,80010"],
        attendance=["1,0101,2024-08-21,A"],
    )
    folder = tmp_path / "export"
    map_path = export.write(folder)
    first = ingest(node, folder, SourceFormat.CSV, map_path)

    second = ingest(node, folder, SourceFormat.CSV, map_path)

    assert second.unchanged
    assert second.batch_id == first.batch_id
    with node.engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(CANONICAL["students"])
        ).scalar_one()
    assert count == 1
    assert len(list(node.attendance_folder.glob("*.parquet"))) == 1


def test_a_failed_row_never_changes_what_is_stored(
    node: DistrictNode, tmp_path: Path
) -> None:
    _ingest(
        node,
        SmallExport(students=["1,Ana,Ruiz,2010-03-04,F,Asian,80010"]),
        tmp_path / "first",
    )

    later = SmallExport(
        students=[
            "1,Ana,Ruiz,not a date,F,Asian,80010",
            "2,Bo,Li,2011-05-06,M,Asian,80010",
        ]
    )
    _ingest(node, later, tmp_path / "second")

    stored = _students(node)
    assert str(stored["1"]["birth_date"]) == "2010-03-04"
    assert sorted(stored) == ["1", "2"]


def test_a_student_missing_from_a_later_export_is_kept(
    node: DistrictNode, tmp_path: Path
) -> None:
    _ingest(
        node,
        SmallExport(
            students=[
                "1,Ana,Ruiz,2010-03-04,F,Asian,80010",
                "2,Bo,Li,2011-05-06,M,Asian,80010",
            ]
        ),
        tmp_path / "first",
    )
    _ingest(
        node,
        SmallExport(students=["2,Bo,Li,2011-05-06,M,Asian,80010"]),
        tmp_path / "second",
    )

    assert sorted(_students(node)) == ["1", "2"]


def test_a_table_wholly_wrong_is_refused_though_the_batch_is_mostly_right(
    tmp_path: Path, open_node: Callable[..., DistrictNode]
) -> None:
    strict = open_node("T3")
    students = [f"{n},First{n},Last{n},2010-03-04,F,Asian,80010" for n in range(1, 5)]
    # 4 students, 2 of them with a date no one could read: 50% of the students,
    # but 2 of 204 rows of the whole batch.
    students[0] = students[0].replace("2010-03-04", "March")
    students[1] = students[1].replace("2010-03-04", "April")
    rows = [f"3,0101,2024-{8 + n // 28:02d}-{1 + n % 28:02d},P" for n in range(100)]
    rows += [f"4,0101,2024-{8 + n // 28:02d}-{1 + n % 28:02d},P" for n in range(100)]

    with pytest.raises(BatchRefused) as refused:
        _ingest(strict, SmallExport(students=students, attendance=rows), tmp_path / "x")

    assert "2 of 4 rows of students (50.0%)" in refused.value.message
    assert _students(strict) == {}


def test_a_misspelled_map_setting_is_an_error_not_a_default(
    node: DistrictNode, tmp_path: Path
) -> None:
    export = SmallExport(students=["1,Ana,Ruiz,2010-03-04,F,Asian,80010"])
    folder = tmp_path / "export"
    map_path = export.write(folder)
    map_path.write_text(map_path.read_text().replace("encoding =", "encodng ="))

    with pytest.raises(ConfigError) as refused:
        ingest(node, folder, SourceFormat.CSV, map_path)

    [problem] = refused.value.problems
    assert problem.column == "source.encodng"
    assert "did you mean `encoding`?" in problem.message
