"""A small synthetic district with every record category, and its people.

The students, guardians and addresses are invented; the phone numbers use the
555-01xx range set aside for fiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from youthbridge.district.hub_link import HubLink
from youthbridge.district.ingest import SourceFormat, ingest
from youthbridge.district.node import DistrictNode
from youthbridge.exchange.signing import generate_key
from youthbridge.security.permissions import Role

MAP = """
[source]
layout = "consent scenario"
encoding = "utf-8"
date_format = "%Y-%m-%d"
year_style = "full"
attendance_mode = "exceptions"

[tables.schools]
file = "schools.csv"
[tables.schools.columns]
school_id = "School"
name = "Name"

[tables.students]
file = "students.csv"
[tables.students.columns]
student_id = "Student"
first_name = "First"
last_name = "Last"
birth_date = "Born"
street = "Street"
city = "City"
state = "State"
zip = "Zip"
phone = "Phone"

[tables.guardians]
file = "guardians.csv"
[tables.guardians.columns]
guardian_id = "Guardian"
student_id = "Student"
first_name = "First"
last_name = "Last"
relation = "Relation"
phone = "Phone"
[tables.guardians.codes.relation]
"mother" = "mother"

[tables.enrollments]
file = "enrollments.csv"
[tables.enrollments.columns]
student_id = "Student"
school_id = "School"
grade = "Grade"
entry_date = "Entry"

[tables.attendance]
file = "attendance.csv"
[tables.attendance.columns]
student_id = "Student"
school_id = "School"
date = "Date"
status = "Status"
[tables.attendance.codes.status]
"unexcused-absence" = "unexcused-absence"
"excused-absence" = "excused-absence"
"tardy" = "tardy"

[tables.incidents]
file = "incidents.csv"
[tables.incidents.columns]
incident_id = "Incident"
school_id = "School"
date = "Date"

[tables.incident_behaviors]
file = "behaviors.csv"
[tables.incident_behaviors.columns]
incident_id = "Incident"
school_id = "School"
student_id = "Student"
behavior = "Behavior"
[tables.incident_behaviors.codes.behavior]
"defiance" = "defiance"
"fighting" = "fighting"

[tables.discipline_actions]
file = "actions.csv"
[tables.discipline_actions.columns]
action_id = "Action"
student_id = "Student"
school_id = "School"
incident_id = "Incident"
date = "Date"
action = "Action Code"
days = "Days"
[tables.discipline_actions.codes.action]
"in-school-suspension" = "in-school-suspension"
"out-of-school-suspension" = "out-of-school-suspension"

[tables.grades]
file = "grades.csv"
[tables.grades.columns]
student_id = "Student"
school_id = "School"
school_year = "Year"
course = "Course"
term = "Term"
letter = "Letter"
"""

FILES = {
    "schools.csv": "School,Name\n0101,Juniper Middle School\n",
    "students.csv": (
        "Student,First,Last,Born,Street,City,State,Zip,Phone\n"
        "1001,Marisol,Quintero,2010-05-20,12 Alder Way,Springfield,CO,80010,"
        "303-555-0101\n"
        "1002,Teo,Varga,2007-03-15,40 Birch Lane,Springfield,CO,80011,"
        "303-555-0102\n"
        "1003,Nia,Okafor,2011-01-09,7 Cedar Court,Springfield,CO,80012,"
        "303-555-0103\n"
    ),
    "guardians.csv": (
        "Guardian,Student,First,Last,Relation,Phone\n"
        "G1,1001,Lucia,Quintero,mother,303-555-0111\n"
        "G2,1002,Ilona,Varga,mother,303-555-0112\n"
    ),
    "enrollments.csv": (
        "Student,School,Grade,Entry\n"
        "1001,0101,08,2023-08-20\n"
        "1002,0101,12,2023-08-20\n"
        "1003,0101,07,2023-08-20\n"
    ),
    # 1001: three rows in 2024-25 and one from the year before, not released.
    "attendance.csv": (
        "Student,School,Date,Status\n"
        "1001,0101,2024-05-01,excused-absence\n"
        "1001,0101,2024-09-04,unexcused-absence\n"
        "1001,0101,2024-09-05,tardy\n"
        "1001,0101,2024-10-14,unexcused-absence\n"
        "1003,0101,2024-09-04,unexcused-absence\n"
    ),
    "incidents.csv": (
        "Incident,School,Date\nINC0,0101,2024-03-01\nINC1,0101,2024-10-10\n"
    ),
    "behaviors.csv": (
        "Incident,School,Student,Behavior\n"
        "INC0,0101,1001,defiance\n"
        "INC1,0101,1001,fighting\n"
        "INC1,0101,1003,fighting\n"
    ),
    "actions.csv": (
        "Action,Student,School,Incident,Date,Action Code,Days\n"
        "ACT0,1001,0101,INC0,2024-03-02,in-school-suspension,1\n"
        "ACT1,1001,0101,INC1,2024-10-11,out-of-school-suspension,2\n"
    ),
    "grades.csv": (
        "Student,School,Year,Course,Term,Letter\n"
        "1001,0101,2023-2024,Math 7,Q4,C\n"
        "1001,0101,2024-2025,English 8,Q1,A\n"
        "1001,0101,2024-2025,Math 8,Q1,B\n"
    ),
}

MARISOL = "1001"  # a minor throughout
TEO = "1002"  # turns 18 on 2025-03-15
NIA = "1003"


@dataclass(frozen=True)
class Person:
    """A member of staff, as access checks and the audit log see them."""

    id: str
    role: Role


COUNSELOR_ROSA = Person("acct-rosa", Role.SCHOOL_COUNSELOR)
DATA_STEWARD_DANA = Person("acct-dana", Role.DATA_STEWARD)
DISTRICT_ADMIN_OMAR = Person("acct-omar", Role.DISTRICT_ADMIN)


def load_district(node: DistrictNode, folder: Path) -> None:
    """Write the export and its map, and ingest it into the node."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    map_path = folder.parent / "scenario-map.toml"
    map_path.write_text(MAP, encoding="utf-8")
    ingest(node, folder, SourceFormat.CSV, map_path)


def link_for(node: DistrictNode) -> HubLink:
    """A signing link to the hub with a key made for the test."""
    return HubLink(f"district:{node.code.lower()}", "hub", generate_key())
