"""Deliberate defects, few and documented, that a careful reader must catch.

Real exports carry mistakes. Each defect here is one a district's files really
show, placed on purpose and listed in the region so that tests can expect it:
the value is written to the file as it is, since no code table knows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from youthbridge.domain.codes import AttendanceStatus, GuardianRelation

MISSPELLED_STATUS = "Unexcused Absense"
MISSPELLED_RELATION = "Grandparnet"
MISSPELLED_STATUS_ROWS = 3

Tables = dict[str, pl.DataFrame]


@dataclass(frozen=True)
class Defect:
    """One deliberate mistake: where it is and what is wrong with it."""

    district: str
    table: str
    column: str
    value: str
    key: str  # the identifier of the row that carries it
    description: str


def misspell_status(code: str, tables: Tables) -> list[Defect]:
    """A few unexcused absences whose status is spelled wrong in the export."""
    attendance = tables["attendance"]
    unexcused = pl.col("status") == AttendanceStatus.UNEXCUSED_ABSENCE.value
    rows = (
        attendance.with_row_index("row").filter(unexcused).head(MISSPELLED_STATUS_ROWS)
    )
    positions = rows["row"]
    tables["attendance"] = attendance.with_columns(
        status=pl.when(pl.int_range(pl.len()).is_in(positions.implode()))
        .then(pl.lit(MISSPELLED_STATUS))
        .otherwise(pl.col("status"))
    )
    return [
        Defect(
            code,
            "attendance",
            "status",
            MISSPELLED_STATUS,
            f"{row['student_id']} {row['date']}",
            "an attendance status misspelled in the export",
        )
        for row in rows.iter_rows(named=True)
    ]


def misspell_relation(code: str, tables: Tables) -> list[Defect]:
    """One grandparent whose relation is spelled wrong in the export."""
    guardians = tables["guardians"]
    grandparent = pl.col("relation") == GuardianRelation.GRANDPARENT.value
    first = guardians.with_row_index("row").filter(grandparent).head(1)
    if first.is_empty():
        return []
    row = first.row(0, named=True)
    tables["guardians"] = guardians.with_columns(
        relation=pl.when(pl.int_range(pl.len()) == row["row"])
        .then(pl.lit(MISSPELLED_RELATION))
        .otherwise(pl.col("relation"))
    )
    return [
        Defect(
            code,
            "guardians",
            "relation",
            MISSPELLED_RELATION,
            f"{row['guardian_id']} {row['student_id']}",
            "a guardian relation misspelled in the export",
        )
    ]


def short_zip(code: str, tables: Tables) -> list[Defect]:
    """One student whose zip code lost its last digit."""
    students = tables["students"]
    row = students.with_row_index("row").row(0, named=True)
    value = row["zip"][:4]
    tables["students"] = students.with_columns(
        zip=pl.when(pl.int_range(pl.len()) == row["row"])
        .then(pl.lit(value))
        .otherwise(pl.col("zip"))
    )
    return [
        Defect(
            code,
            "students",
            "zip",
            value,
            row["student_id"],
            "a zip code of four digits",
        )
    ]


def orphan_attendance(code: str, tables: Tables) -> list[Defect]:
    """One attendance row for a student number that is not in the students file."""
    students = tables["students"]["student_id"]
    width = students.str.len_chars().max()
    assert isinstance(width, int)
    taken = set(students.to_list())
    orphan = next(
        candidate
        for number in range(10**width - 1, 0, -1)
        if (candidate := str(number).zfill(width)) not in taken
    )
    attendance = tables["attendance"]
    template = attendance.filter(
        pl.col("status") == AttendanceStatus.UNEXCUSED_ABSENCE.value
    ).head(1)
    row = template.with_columns(student_id=pl.lit(orphan))
    tables["attendance"] = pl.concat([attendance, row])
    return [
        Defect(
            code,
            "attendance",
            "student_id",
            orphan,
            orphan,
            "an attendance row for a student who is not in the students file",
        )
    ]
