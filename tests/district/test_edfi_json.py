"""Reading Ed-Fi ODS/API resource files (JSON arrays) into canonical tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from youthbridge.district.readers.edfi_json import read_edfi_json
from youthbridge.domain.errors import SourceError

ED_FI = "uri://ed-fi.org/"


def _write(folder: Path, name: str, resources: list[dict[str, Any]]) -> Path:
    # Pretty-printed, as the API returns it: an element spans several lines.
    path = folder / name
    path.write_text(json.dumps(resources, indent=2) + "\n", encoding="utf-8")
    return path


def _element_line(text: str, needle: str) -> int:
    # The line of the `{` that opens the top-level element holding `needle`;
    # with an indent of two, top-level elements open on a line "  {".
    index = text.index(needle)
    start = text.rfind("\n  {", 0, index) + 1
    return text.count("\n", 0, start) + 1


def _student(unique_id: str) -> dict[str, Any]:
    return {
        "studentUniqueId": unique_id,
        "firstName": "Ada",
        "lastSurname": "Vale",
        "birthDate": "2010-02-03",
    }


def _details(unique_id: str, hispanic: bool | None, races: list[str]) -> dict[str, Any]:
    return {
        "educationOrganizationReference": {"educationOrganizationId": 255901},
        "studentReference": {"studentUniqueId": unique_id},
        "sexDescriptor": ED_FI + "SexDescriptor#Female",
        "hispanicLatinoEthnicity": hispanic,
        "races": [{"raceDescriptor": ED_FI + f"RaceDescriptor#{r}"} for r in races],
    }


def _event(student: str, day: str, category: str) -> dict[str, Any]:
    return {
        "schoolReference": {"schoolId": 255901001},
        "sessionReference": {
            "schoolId": 255901001,
            "schoolYear": 2022,
            "sessionName": "2021-2022 Fall Semester",
        },
        "studentReference": {"studentUniqueId": student},
        "eventDate": day,
        "attendanceEventCategoryDescriptor": (
            ED_FI + f"AttendanceEventCategoryDescriptor#{category}"
        ),
    }


def test_problem_names_the_line_where_its_element_starts(tmp_path: Path) -> None:
    _write(tmp_path, "students.json", [_student("604822")])
    events = [
        _event("604822", "2021-09-01", "Excused Absence"),
        _event("604822", "2021-09-02", "Tardy"),
        _event("604822", "2021-09-03", "Unexcused Absense"),
        _event("604822", "2021-09-04", "In Attendance"),
    ]
    path = _write(tmp_path, "studentSchoolAttendanceEvents.json", events)
    text = path.read_text(encoding="utf-8")

    batch = read_edfi_json(tmp_path)

    (problem,) = batch.problems.to_dicts()
    assert problem["table"] == "attendance"
    assert problem["file"] == str(path)
    assert problem["line"] == _element_line(text, "Unexcused Absense")
    assert problem["value"] == "Unexcused Absense"
    assert problem["rule"] == "code:unknown"
    attendance = batch.tables["attendance"]
    lines = [_element_line(text, f"2021-09-0{day}") for day in (1, 2, 3, 4)]
    assert attendance["_line"].to_list() == lines
    assert attendance["status"].to_list() == [
        "excused-absence",
        "tardy",
        None,
        "present",
    ]


def test_hispanic_flag_decides_before_races(tmp_path: Path) -> None:
    ids = ["1", "2", "3", "4", "5"]
    _write(tmp_path, "students.json", [_student(i) for i in ids])
    _write(
        tmp_path,
        "studentEducationOrganizationAssociations.json",
        [
            _details("1", False, ["White"]),
            _details("2", True, ["White"]),
            _details("3", False, ["Asian", "White"]),
            _details("4", None, ["Black - African American"]),
            _details("5", False, []),
        ],
    )

    batch = read_edfi_json(tmp_path)

    students = batch.tables["students"]
    assert students["race_ethnicity"].to_list() == [
        "white",
        "hispanic-latino",
        "two-or-more",
        "black-african-american",
        None,
    ]
    assert students["sex"].to_list() == ["female"] * 5


def test_leading_zeros_in_identifiers_are_kept(tmp_path: Path) -> None:
    _write(tmp_path, "students.json", [_student("000123")])
    event = _event("000123", "2021-09-01", "Tardy")
    event["schoolReference"] = {"schoolId": "0042"}
    _write(tmp_path, "studentSchoolAttendanceEvents.json", [event])

    batch = read_edfi_json(tmp_path)

    assert batch.tables["students"]["student_id"].to_list() == ["000123"]
    row = batch.tables["attendance"].select("student_id", "school_id").row(0)
    assert row == ("000123", "0042")


def test_calendar_keeps_instructional_days_only(tmp_path: Path) -> None:
    _write(tmp_path, "students.json", [_student("1")])
    calendar = {"calendarCode": "C1", "schoolId": 42, "schoolYear": 2022}

    def day(date: str, event: str) -> dict[str, Any]:
        descriptor = ED_FI + f"CalendarEventDescriptor#{event}"
        return {
            "calendarReference": calendar,
            "date": date,
            "calendarEvents": [{"calendarEventDescriptor": descriptor}],
        }

    _write(
        tmp_path,
        "calendarDates.json",
        [day("2021-09-01", "Instructional day"), day("2021-09-06", "Holiday")],
    )

    batch = read_edfi_json(tmp_path)

    days = batch.tables["calendar_days"].select("school_id", "date").rows()
    assert days == [("42", "2021-09-01")]


def test_discipline_action_takes_the_incident_of_its_behavior(tmp_path: Path) -> None:
    _write(tmp_path, "students.json", [_student("7")])
    reference = {
        "behaviorDescriptor": ED_FI + "BehaviorDescriptor#Fighting",
        "incidentIdentifier": "INC-9",
        "schoolId": 44,
        "studentUniqueId": "7",
    }
    action = {
        "disciplineActionIdentifier": "A1",
        "disciplineDate": "2022-01-10",
        "disciplines": [
            {
                "disciplineDescriptor": ED_FI
                + "DisciplineDescriptor#Out of School Suspension"
            }
        ],
        "studentReference": {"studentUniqueId": "7"},
        "responsibilitySchoolReference": {"schoolId": 45},
        "disciplineActionLength": 3,
        "actualDisciplineActionLength": 2.5,
        "studentDisciplineIncidentBehaviorAssociations": [
            {"studentDisciplineIncidentBehaviorAssociationReference": reference}
        ],
    }
    _write(tmp_path, "disciplineActions.json", [action])

    batch = read_edfi_json(tmp_path)

    row = batch.tables["discipline_actions"].drop("_file", "_line").row(0)
    assert row == (
        "A1",
        "7",
        "44",
        "INC-9",
        "2022-01-10",
        "out-of-school-suspension",
        "2.5",
    )


def test_malformed_file_is_a_source_error_naming_file_and_line(
    tmp_path: Path,
) -> None:
    _write(tmp_path, "students.json", [_student("1")])
    broken = tmp_path / "disciplineIncidents.json"
    broken.write_text('[\n  {"incidentIdentifier": "1"},\n  {"x": }\n]\n')

    with pytest.raises(SourceError) as raised:
        read_edfi_json(tmp_path)

    assert str(broken) in str(raised.value)
    assert "line 3" in str(raised.value)


@pytest.mark.parametrize(
    "content",
    ['{"studentUniqueId": "1"}', '[{"studentUniqueId": "1"}', "[1, 2]", "[{}] x"],
)
def test_a_file_that_is_not_an_array_of_objects_is_refused(
    tmp_path: Path, content: str
) -> None:
    (tmp_path / "students.json").write_text(content, encoding="utf-8")

    with pytest.raises(SourceError, match=r"students\.json"):
        read_edfi_json(tmp_path)


def test_missing_students_file_is_a_source_error(tmp_path: Path) -> None:
    _write(tmp_path, "schools.json", [])

    with pytest.raises(SourceError, match=r"students\.json is missing"):
        read_edfi_json(tmp_path)


def test_missing_optional_files_leave_their_tables_out(tmp_path: Path) -> None:
    _write(tmp_path, "students.json", [_student("1")])

    batch = read_edfi_json(tmp_path)

    assert set(batch.tables) == {"students"}
    assert batch.files == [tmp_path / "students.json"]
