"""Exit codes and messages: 0 done, 1 refused, 2 unusable arguments; no traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from tests.district.small_export import SmallExport
from youthbridge.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_a_refused_batch_exits_1_naming_the_rows(tmp_path: Path) -> None:
    students = [f"{n},First{n},Last{n},2010-03-04,F,Asian,80010" for n in range(1, 11)]
    rows = [f"{n},0101,2024-08-21,Absent?" for n in range(1, 11)]
    map_path = SmallExport(students=students, attendance=rows).write(tmp_path / "x")

    code, output = _run(
        "district",
        "ingest",
        str(tmp_path / "x"),
        "--district",
        "T",
        "--format",
        "csv",
        "--map",
        str(map_path),
        "--data-dir",
        str(tmp_path / "data"),
        "--json",
    )

    assert code == 1
    body = json.loads(output)
    assert body["error"] == "batch:refused"
    assert {p["line"] for p in body["problems"]} == set(range(2, 12))
    assert {p["value"] for p in body["problems"]} == {"Absent?"}


def test_a_malformed_file_exits_1_with_its_name_and_line(
    tmp_path: Path, shared_data: Path
) -> None:
    source = tmp_path / "edfi"
    shutil.copytree(shared_data / "edfi-grand-bend", source)
    (source / "StudentDiscipline.xml").write_text("<Interchange>\n<broken>\n")

    code, output = _run(
        "district",
        "ingest",
        str(source),
        "--district",
        "GB",
        "--format",
        "edfi-xml",
        "--data-dir",
        str(tmp_path / "data"),
    )

    assert code == 1
    assert "StudentDiscipline.xml" in output
    assert "line" in output
    assert "Traceback" not in output


def test_a_csv_source_without_its_map_is_an_argument_error(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()

    code, output = _run(
        "district",
        "ingest",
        str(tmp_path / "x"),
        "--district",
        "T",
        "--format",
        "csv",
        "--data-dir",
        str(tmp_path / "data"),
    )

    assert code == 2
    assert "--map" in output


def test_a_missing_source_is_an_argument_error(tmp_path: Path) -> None:
    code, output = _run(
        "district",
        "ingest",
        str(tmp_path / "nowhere"),
        "--district",
        "T",
        "--format",
        "csv",
    )

    assert code == 2
    assert "does not exist" in output


def test_indicators_for_a_district_never_ingested_is_an_argument_error(
    tmp_path: Path,
) -> None:
    code, output = _run(
        "district",
        "indicators",
        "--district",
        "9999",
        "--year",
        "2022-2023",
        "--data-dir",
        str(tmp_path),
    )

    assert code == 2
    assert "no district 9999" in output
    assert not (tmp_path / "district-9999").exists()


def test_trends_without_a_hub_is_an_argument_error(tmp_path: Path) -> None:
    code, output = _run("hub", "trends", "--data-dir", str(tmp_path / "empty"))

    assert code == 2
    assert "there is no hub" in output
    assert not (tmp_path / "empty").exists()


def test_the_demo_offers_to_serve_its_nodes() -> None:
    code, output = _run("demo", "--help")

    assert code == 0
    assert "--serve" in output
