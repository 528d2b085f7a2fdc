"""From the raw frames both Ed-Fi readers extract to canonical tables.

A reader extracts each Ed-Fi record into a raw frame named after the canonical
table it feeds, with the canonical column names, the category columns still
holding Ed-Fi descriptors, and a few working columns that start with `_`:

- students: `_hispanic` (the Hispanic or Latino flag) and `_races` (a list);
- attendance: `_duration` (the event's duration in days);
- contacts, a frame of its own, joined to the student-contact associations
  that the `guardians` frame holds.

Everything from here on is shared, so that the XML and the JSON reader cannot
disagree on what a descriptor means.
"""

from __future__ import annotations

import polars as pl

from youthbridge.district.readers.edfi_mapping import (
    ATTENDANCE,
    BEHAVIOR,
    DISCIPLINE,
    GRADE_LEVEL,
    RELATION,
    SCHOOL_LEVEL,
    SEX,
    CodeTable,
    canonical,
    fraction_absent,
    map_codes,
    race_ethnicity,
    school_year_label,
)
from youthbridge.district.sources import empty_problems

CONTACTS = "contacts"

# Columns a guardian row takes from the contact rather than the association.
CONTACT_COLUMNS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "street",
    "city",
    "state",
    "zip",
    "language",
)

_CODES: dict[str, dict[str, CodeTable]] = {
    "schools": {"level": SCHOOL_LEVEL},
    "students": {"sex": SEX},
    "guardians": {"relation": RELATION},
    "enrollments": {"grade": GRADE_LEVEL},
    "attendance": {"status": ATTENDANCE},
    "incident_behaviors": {"behavior": BEHAVIOR},
    "discipline_actions": {"action": DISCIPLINE},
}


def assemble(
    raw: dict[str, pl.DataFrame],
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Canonical tables and their code problems from a reader's raw frames."""
    raw = _with_guardians(raw)
    tables: dict[str, pl.DataFrame] = {}
    problems = [empty_problems()]
    for name, frame in raw.items():
        mapped, found = map_codes(frame, name, _CODES.get(name, {}))
        problems.append(found)
        mapped, found = _derive(mapped, name)
        problems.append(found)
        tables[name] = canonical(mapped, name)
    return tables, pl.concat(problems)


def _derive(frame: pl.DataFrame, name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Columns a table computes from working columns rather than reads.
    if name == "students":
        return race_ethnicity(frame, name, hispanic="_hispanic", races="_races")
    if name == "attendance":
        return frame.with_columns(fraction_absent("_duration")), empty_problems()
    if name == "grades":
        return frame.with_columns(school_year_label("school_year")), empty_problems()
    return frame, empty_problems()


def _with_guardians(raw: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    # A guardian row is one student-contact association, carrying the contact's
    # name and means of reaching them; a contact no student names is not one.
    raw = dict(raw)
    contacts = raw.pop(CONTACTS, None)
    associations = raw.get("guardians")
    if associations is None:
        return raw
    if contacts is None:
        contacts = pl.DataFrame(
            schema={
                "guardian_id": pl.String,
                **dict.fromkeys(CONTACT_COLUMNS, pl.String),
            }
        )
    people = contacts.select("guardian_id", *CONTACT_COLUMNS).unique(
        "guardian_id", keep="first", maintain_order=True
    )
    joined = associations.drop(CONTACT_COLUMNS, strict=False).join(
        people, on="guardian_id", how="left", maintain_order="left"
    )
    raw["guardians"] = joined
    return raw


def final_grades(grades: pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """Only the final grades (a `_grade_type` of Final), and a note of the rest.

    Grading-period and exam grades are interim marks; the canonical table holds
    a course's final grade per term.
    """
    kind = pl.col("_grade_type").str.split("#").list.last().str.strip_chars()
    final = grades.filter(kind.str.to_lowercase() == "final")
    dropped = grades.height - final.height
    if not dropped:
        return final, None
    return final, f"{dropped} grades that are not final grades were not read"
