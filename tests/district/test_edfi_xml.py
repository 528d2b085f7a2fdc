"""Reading the Ed-Fi Grand Bend sample district from its bulk XML files."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from lxml import etree

from youthbridge.district.readers.edfi_xml import read_edfi_xml
from youthbridge.district.sources import SourceBatch
from youthbridge.domain.errors import SourceError

GRAND_BEND = "edfi-grand-bend"
DS2 = "Student-ds2.0-demographics.xml"


@pytest.fixture(scope="module")
def grand_bend(shared_data: Path) -> SourceBatch:
    return read_edfi_xml(shared_data / GRAND_BEND)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _records(path: Path, name: str) -> list[etree._Element]:
    # An independent reading of the whole tree, for expected values.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(path), parser).getroot()
    return [e for e in root if isinstance(e.tag, str) and _local(e.tag) == name]


def _find(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def _copy(shared_data: Path, tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    for name in names:
        shutil.copy(shared_data / GRAND_BEND / name, folder / name)
    return folder


def _line_of_record(text: str, index: int, tag: str) -> int:
    # The line where the record holding `index` opens.
    start = text.rfind(f"<{tag}", 0, index)
    return text.count("\n", 0, start) + 1


def test_grand_bend_acceptance_numbers(grand_bend: SourceBatch) -> None:
    tables = grand_bend.tables
    attendance = tables["attendance"]
    statuses = dict(attendance["status"].value_counts().iter_rows())

    assert tables["students"]["student_id"].n_unique() == 960
    assert tables["students"].height == 960
    assert attendance.height == 1917
    assert statuses == {
        "excused-absence": 1077,
        "unexcused-absence": 773,
        "tardy": 66,
        "partial": 1,
    }
    assert attendance["student_id"].n_unique() == 227
    assert attendance["school_id"].n_unique() == 3
    assert tables["incidents"].height == 21
    assert tables["discipline_actions"].height == 25
    assert grand_bend.problems.is_empty()


def test_columns_are_canonical_text_with_provenance(grand_bend: SourceBatch) -> None:
    for frame in grand_bend.tables.values():
        for name, dtype in frame.schema.items():
            expected = pl.Int64 if name == "_line" else pl.String
            assert dtype == expected, name


def test_attendance_matches_an_independent_reading(
    grand_bend: SourceBatch, shared_data: Path
) -> None:
    path = shared_data / GRAND_BEND / "StudentSchoolAttendance.xml"
    events = _records(path, "StudentSchoolAttendanceEvent")
    expected = Counter(
        (_find(e, "StudentUniqueId"), _find(e, "EventDate")) for e in events
    )

    attendance = grand_bend.tables["attendance"]
    read = Counter(attendance.select("student_id", "date").iter_rows())

    assert read == expected
    assert attendance["fraction_absent"].null_count() == attendance.height


def test_ds2_false_hispanic_flag_is_never_hispanic(
    grand_bend: SourceBatch, shared_data: Path
) -> None:
    people = _records(shared_data / GRAND_BEND / DS2, "Student")
    flag = {
        _find(p, "StudentUniqueId"): _find(p, "HispanicLatinoEthnicity") for p in people
    }
    races = {
        _find(p, "StudentUniqueId"): [
            (r.text or "").strip() for r in p if _local(r.tag) == "Race"
        ]
        for p in people
    }
    students = grand_bend.tables["students"]
    race_of = dict(students.select("student_id", "race_ethnicity").iter_rows())

    not_hispanic = [s for s, f in flag.items() if f == "false" and s in race_of]
    hispanic = [s for s, f in flag.items() if f == "true" and s in race_of]
    assert not_hispanic
    assert hispanic
    assert all(race_of[s] != "hispanic-latino" for s in not_hispanic)
    assert all(race_of[s] == "hispanic-latino" for s in hispanic)
    single_white = [s for s in not_hispanic if races[s] == ["White"]]
    assert single_white
    assert all(race_of[s] == "white" for s in single_white)


def test_student_details_join_from_the_older_standard(
    grand_bend: SourceBatch, shared_data: Path
) -> None:
    people = _records(shared_data / GRAND_BEND / DS2, "Student")
    sex = {_find(p, "StudentUniqueId"): _find(p, "Sex") for p in people}
    students = grand_bend.tables["students"]

    for student_id, read_sex in students.select("student_id", "sex").iter_rows():
        assert read_sex == (sex[student_id] or "").lower()
    assert any("not in the newest student file" in n for n in grand_bend.notes)


def test_guardians_carry_relation_from_the_association(
    grand_bend: SourceBatch, shared_data: Path
) -> None:
    path = shared_data / GRAND_BEND / "Contact.xml"
    links = _records(path, "StudentContactAssociation")
    expected = Counter(
        (_find(a, "Relation") or "").rsplit("#", 1)[-1].lower() for a in links
    )

    guardians = grand_bend.tables["guardians"]

    assert Counter(guardians["relation"].to_list()) == expected
    assert guardians["first_name"].null_count() == 0


def test_enrollments_are_inferred_per_student_and_school(
    grand_bend: SourceBatch, shared_data: Path
) -> None:
    folder = shared_data / GRAND_BEND
    events = _records(
        folder / "StudentSchoolAttendance.xml", "StudentSchoolAttendanceEvent"
    )
    actions = _records(folder / "StudentDiscipline.xml", "DisciplineAction")
    pairs = {(_find(e, "StudentUniqueId"), _find(e, "SchoolId")) for e in events}
    pairs |= {(_find(a, "StudentUniqueId"), _find(a, "SchoolId")) for a in actions}
    # Behaviour associations name the incident by XML id, which holds the school.
    incidents = {
        i.get("id"): _find(i, "SchoolId")
        for i in _records(folder / "StudentDiscipline.xml", "DisciplineIncident")
    }
    for link in _records(
        folder / "StudentDiscipline.xml", "StudentDisciplineIncidentBehaviorAssociation"
    ):
        reference = next(
            c for c in link if _local(c.tag) == "DisciplineIncidentReference"
        )
        pairs.add((_find(link, "StudentUniqueId"), incidents[reference.get("ref")]))

    enrollments = grand_bend.tables["enrollments"]

    assert set(enrollments.select("student_id", "school_id").iter_rows()) == pairs
    assert enrollments.height == len(pairs)
    assert set(enrollments["entry_date"]) == {"2021-08-23"}
    assert set(enrollments["exit_date"]) == {"2022-05-27"}
    assert any(f"{len(pairs)} enrollments were inferred" in n for n in grand_bend.notes)


def test_discipline_actions_take_incident_and_school_from_the_behavior(
    grand_bend: SourceBatch,
) -> None:
    actions = grand_bend.tables["discipline_actions"]
    incidents = grand_bend.tables["incidents"]

    joined = actions.join(incidents, on=["incident_id", "school_id"], how="inner")

    assert joined.height == actions.height
    assert set(actions["action"]) == {"in-school-suspension", "expulsion"}


def test_misspelled_descriptor_is_a_problem_on_its_line(
    shared_data: Path, tmp_path: Path
) -> None:
    folder = _copy(shared_data, tmp_path, "Student.xml", "StudentSchoolAttendance.xml")
    path = folder / "StudentSchoolAttendance.xml"
    text = path.read_text(encoding="utf-8")
    marker = "#Unexcused Absence<"
    index = text.index(marker)
    path.write_text(
        text[:index] + "#Unexcused Absense<" + text[index + len(marker) :],
        encoding="utf-8",
    )
    expected_line = _line_of_record(text, index, "StudentSchoolAttendanceEvent")

    batch = read_edfi_xml(folder)

    problems = batch.problems.to_dicts()
    assert len(problems) == 1
    problem = problems[0]
    assert problem["table"] == "attendance"
    assert problem["file"] == str(path)
    assert problem["line"] == expected_line
    assert problem["column"] == "status"
    assert problem["value"] == "Unexcused Absense"
    assert problem["rule"] == "code:unknown"
    row = batch.tables["attendance"].filter(pl.col("_line") == expected_line)
    assert row["status"].to_list() == [None]
    assert batch.tables["attendance"].height == 1917


def test_misspelled_sex_in_older_file_names_where_it_was_read(
    shared_data: Path, tmp_path: Path
) -> None:
    folder = _copy(shared_data, tmp_path, "Student.xml", DS2)
    path = folder / DS2
    text = path.read_text(encoding="utf-8")
    # The third student record: the first two are not in the roster.
    starts = [i for i in range(len(text)) if text.startswith("<Student id=", i)]
    index = text.index("<Sex>", starts[2])
    changed = text[:index] + "<Sex>Mael" + text[text.index("</Sex>", index) :]
    path.write_text(changed, encoding="utf-8")
    ds2_line = _line_of_record(text, index, "Student id=")
    student_id = text[starts[2] :].split("<StudentUniqueId>")[1].split("<")[0]

    batch = read_edfi_xml(folder)

    (problem,) = batch.problems.to_dicts()
    students = batch.tables["students"].filter(pl.col("student_id") == student_id)
    assert problem["value"] == "Mael"
    assert problem["column"] == "sex"
    assert problem["file"] == students["_file"].item()
    assert problem["line"] == students["_line"].item()
    assert f"{DS2}, line {ds2_line}" in problem["message"]
    assert students["sex"].to_list() == [None]


def test_malformed_file_is_a_source_error_naming_it(
    shared_data: Path, tmp_path: Path
) -> None:
    folder = _copy(shared_data, tmp_path, "Student.xml")
    broken = folder / "StudentDiscipline.xml"
    broken.write_text(
        '<?xml version="1.0"?>\n<InterchangeStudentDiscipline>\n'
        "  <DisciplineIncident>\n  </DisciplineIncidnt>\n",
        encoding="utf-8",
    )

    with pytest.raises(SourceError) as raised:
        read_edfi_xml(folder)

    assert str(broken) in str(raised.value)
    assert "line 4" in str(raised.value)
    assert raised.value.problems[0].line == 4


def test_folder_without_students_is_a_source_error(tmp_path: Path) -> None:
    (tmp_path / "EducationOrganization.xml").write_text(
        "<InterchangeEducationOrganization/>", encoding="utf-8"
    )

    with pytest.raises(SourceError, match="no Student records"):
        read_edfi_xml(tmp_path)


_SMALL_STUDENT = """<?xml version="1.0" encoding="UTF-8"?>
<InterchangeStudent xmlns="http://ed-fi.org/5.2.0">
  <Student>
    <StudentUniqueId>000123</StudentUniqueId>
    <Name><FirstName>Ada</FirstName><LastSurname>Vale</LastSurname></Name>
    <BirthData><BirthDate>2010-02-03</BirthDate></BirthData>
  </Student>
</InterchangeStudent>
"""

_SMALL_SCHOOL = """<?xml version="1.0" encoding="UTF-8"?>
<InterchangeEducationOrganization xmlns="http://ed-fi.org/5.2.0">
  <School>
    <NameOfInstitution>North Elementary</NameOfInstitution>
    <Address>
      <PostalCode>02134</PostalCode>
      <AddressType>uri://ed-fi.org/AddressTypeDescriptor#Physical</AddressType>
    </Address>
    <SchoolId>0042</SchoolId>
    <SchoolCategory>
      uri://ed-fi.org/SchoolCategoryDescriptor#Elementary School
    </SchoolCategory>
  </School>
</InterchangeEducationOrganization>
"""

_SMALL_GRADES = """<?xml version="1.0" encoding="UTF-8"?>
<InterchangeStudentGrade xmlns="http://ed-fi.org/5.2.0">
  <Grade>
    <StudentSectionAssociationReference><StudentSectionAssociationIdentity>
      <StudentReference><StudentIdentity><StudentUniqueId>000123</StudentUniqueId>
      </StudentIdentity></StudentReference>
      <SectionReference><SectionIdentity><CourseOfferingReference>
        <CourseOfferingIdentity><LocalCourseCode>MATH-03</LocalCourseCode>
          <SchoolReference><SchoolIdentity><SchoolId>0042</SchoolId></SchoolIdentity>
          </SchoolReference>
          <SessionReference><SessionIdentity>
            <SessionName>Fall Semester</SessionName><SchoolYear>2021-2022</SchoolYear>
          </SessionIdentity></SessionReference>
        </CourseOfferingIdentity></CourseOfferingReference></SectionIdentity>
      </SectionReference>
    </StudentSectionAssociationIdentity></StudentSectionAssociationReference>
    <LetterGradeEarned>B+</LetterGradeEarned>
    <NumericGradeEarned>88</NumericGradeEarned>
    <GradeType>uri://ed-fi.org/GradeTypeDescriptor#Final</GradeType>
  </Grade>
  <Grade>
    <StudentSectionAssociationReference/>
    <LetterGradeEarned>C</LetterGradeEarned>
    <GradeType>uri://ed-fi.org/GradeTypeDescriptor#Grading Period</GradeType>
  </Grade>
</InterchangeStudentGrade>
"""


def test_leading_zeros_and_final_grades(tmp_path: Path) -> None:
    (tmp_path / "Student.xml").write_text(_SMALL_STUDENT, encoding="utf-8")
    (tmp_path / "EducationOrganization.xml").write_text(_SMALL_SCHOOL, encoding="utf-8")
    (tmp_path / "Grades.xml").write_text(_SMALL_GRADES, encoding="utf-8")

    batch = read_edfi_xml(tmp_path)

    assert batch.tables["students"]["student_id"].to_list() == ["000123"]
    assert batch.tables["schools"].row(0) == (
        "0042",
        "North Elementary",
        "elementary",
        "02134",
        str(tmp_path / "EducationOrganization.xml"),
        3,
    )
    grades = batch.tables["grades"].drop("_file", "_line")
    assert grades.rows() == [
        ("000123", "0042", "2021-2022", "MATH-03", "Fall Semester", "B+", "88")
    ]
    assert any("1 grades that are not final" in note for note in batch.notes)
