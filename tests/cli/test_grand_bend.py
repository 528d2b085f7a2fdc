"""The real Ed-Fi sample district through the command line, as the issue states."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from youthbridge.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    data = tmp_path_factory.mktemp("grand-bend")
    code, output = _run(
        "district",
        "ingest",
        str(shared_data / "edfi-grand-bend"),
        "--district",
        "GB",
        "--format",
        "edfi-xml",
        "--json",
        "--data-dir",
        str(data),
    )
    assert code == 0, output
    (data / "ingest.json").write_text(output)
    return data


def _attendance_students(shared_data: Path) -> set[str]:
    """Students with an attendance event, read with a plain pattern, not the reader."""
    text = (shared_data / "edfi-grand-bend" / "StudentSchoolAttendance.xml").read_text()
    events = re.findall(
        r"<StudentSchoolAttendanceEvent>.*?</StudentSchoolAttendanceEvent>",
        text,
        flags=re.S,
    )
    return {re.search(r"<StudentUniqueId>(\d+)<", e)[1] for e in events}  # type: ignore[index]


def test_ingest_reports_the_sample_as_published(ingested: Path) -> None:
    report = json.loads((ingested / "ingest.json").read_text())

    assert report["students"] == 960
    assert report["attendance"]["events"] == 1917
    assert report["attendance"]["by_status"] == {
        "excused-absence": 1077,
        "unexcused-absence": 773,
        "tardy": 66,
        "partial": 1,
    }
    assert report["attendance"]["students"] == 227
    assert report["attendance"]["schools"] == 3
    assert report["incidents"] == 21
    assert report["discipline_actions"] == 25
    assert any("inferred" in note for note in report["notes"])


def test_ingesting_again_changes_nothing(ingested: Path, shared_data: Path) -> None:
    code, output = _run(
        "district",
        "ingest",
        str(shared_data / "edfi-grand-bend"),
        "--district",
        "GB",
        "--format",
        "edfi-xml",
        "--json",
        "--data-dir",
        str(ingested),
    )

    assert code == 0
    assert json.loads(output)["unchanged"] is True


def test_indicators_cover_every_student_with_attendance(
    ingested: Path, shared_data: Path
) -> None:
    code, output = _run(
        "district",
        "indicators",
        "--district",
        "GB",
        "--year",
        "2021-2022",
        "--json",
        "--data-dir",
        str(ingested),
    )

    assert code == 0, output
    rows = json.loads(output)["students"]
    covered = {row["student_id"] for row in rows}
    assert _attendance_students(shared_data) <= covered
    # Both semesters' instructional days (81 + 88) for a full-year enrollment.
    assert {row["membership_days"] for row in rows} == {"169.000000"}


def test_an_unusable_year_is_an_argument_error(ingested: Path) -> None:
    code, output = _run(
        "district",
        "indicators",
        "--district",
        "GB",
        "--year",
        "2021/22",
        "--data-dir",
        str(ingested),
    )

    assert code == 2
    assert "Traceback" not in output
