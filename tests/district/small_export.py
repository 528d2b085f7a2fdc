"""A small CSV export with its column map, written by hand for ingest tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAP = """
[source]
layout = "test layout"
encoding = "{encoding}"
date_format = "{date_format}"
attendance_mode = "{mode}"

[tables.schools]
file = "schools.csv"
[tables.schools.columns]
school_id = "School Code"
name = "School Name"
level = "Level"
[tables.schools.codes.level]
"ES" = "elementary"
"MS" = "middle"
"HS" = "high"

[tables.students]
file = "students.csv"
[tables.students.columns]
student_id = "Student Number"
first_name = "First"
last_name = "Last"
birth_date = "Birth Date"
sex = "Gender"
race_ethnicity = "Ethnicity"
zip = "Zip"
[tables.students.codes.sex]
"F" = "female"
"M" = "male"
[tables.students.codes.race_ethnicity]
"Hispanic or Latino" = "hispanic-latino"
"Not Hispanic or Latino" = "white"
"Black" = "black-african-american"
"Asian" = "asian"

[tables.enrollments]
file = "enrollments.csv"
[tables.enrollments.columns]
student_id = "Student Number"
school_id = "School Code"
grade = "Grade"
entry_date = "Entry"
exit_date = "Exit"

[tables.attendance]
file = "attendance.csv"
[tables.attendance.columns]
student_id = "Student Number"
school_id = "School Code"
date = "Date"
status = "Code"
[tables.attendance.codes.status]
"P" = "present"
"A" = "unexcused-absence"
"E" = "excused-absence"
"Not Eligible" = "excused-absence"
"T" = "tardy"
"H" = "partial"
"""

SCHOOLS = "School Code,School Name,Level\n0101,Hinkley Elementary,ES\n"
STUDENT_HEADER = "Student Number,First,Last,Birth Date,Gender,Ethnicity,Zip\n"
ENROLL_HEADER = "Student Number,School Code,Grade,Entry,Exit\n"
ATTEND_HEADER = "Student Number,School Code,Date,Code\n"


@dataclass
class SmallExport:
    """Rows to write; each list holds CSV lines without the header."""

    students: list[str] = field(default_factory=list)
    enrollments: list[str] = field(default_factory=list)
    attendance: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    mode: str = "every-day"
    bom: bool = False

    def write(self, folder: Path) -> Path:
        """Write the export and its map; return the map's path."""
        folder.mkdir(parents=True, exist_ok=True)
        codec = "cp1252" if self.encoding == "cp1252" else "utf-8"
        files = {
            "schools.csv": SCHOOLS,
            "students.csv": STUDENT_HEADER + "".join(f"{r}\n" for r in self.students),
            "enrollments.csv": ENROLL_HEADER
            + "".join(f"{r}\n" for r in self.enrollments),
            "attendance.csv": ATTEND_HEADER
            + "".join(f"{r}\n" for r in self.attendance),
        }
        for name, text in files.items():
            data = text.encode(codec)
            if self.bom:
                data = b"\xef\xbb\xbf" + data
            (folder / name).write_bytes(data)
        map_path = folder.parent / f"{folder.name}-map.toml"
        map_path.write_text(
            MAP.format(
                encoding=self.encoding, date_format=self.date_format, mode=self.mode
            ),
            encoding="utf-8",
        )
        return map_path
