"""Ed-Fi bulk XML interchange files: a folder of `Interchange*` exports.

Files are recognised by what they hold, not by their names: every `*.xml` file
in the folder is streamed record by record (the children of its root element)
and each record is read by its local name, whatever its namespace, so that a
Data Standard 5.2 file and a 2.0 file read the same way.

Students come from the `Student` records of the newest data standard in the
folder. Older standards carried sex, race, ethnicity, address, phone and
language on the student; their `Student` records (and any
`StudentEducationOrganizationAssociation`) only add those details to a student
the newest file names.

The bulk interchange has no enrollment records in some exports. Then each
student is taken to be enrolled for the whole year at every school where they
have attendance or discipline records, and a note says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from lxml import etree

from youthbridge.district.canonical import FILE_COLUMN, LINE_COLUMN
from youthbridge.district.readers import edfi_xml_records as records
from youthbridge.district.readers.edfi_mapping import ORIGIN_COLUMN, canonical
from youthbridge.district.readers.edfi_tables import CONTACTS, assemble, final_grades
from youthbridge.district.sources import SourceBatch
from youthbridge.domain.codes import AttendanceMode
from youthbridge.domain.errors import Problem, SourceError
from youthbridge.domain.schoolyear import YearLabelStyle

Handler = Callable[[etree._Element, str], tuple[str, tuple[object, ...]] | None]

_HANDLERS: dict[str, Handler] = {
    "School": records.school,
    "Student": records.student,
    "StudentEducationOrganizationAssociation": records.demographics,
    "Contact": records.contact,
    "Parent": records.contact,
    "StudentContactAssociation": records.student_contact,
    "StudentParentAssociation": records.student_contact,
    "Session": records.session,
    "StudentSchoolAttendanceEvent": records.attendance,
    "DisciplineIncident": records.incident,
    "StudentDisciplineIncidentBehaviorAssociation": records.incident_behavior,
    "DisciplineAction": records.discipline_action,
    "StudentSchoolAssociation": records.enrollment,
    "Grade": records.grade,
}

# Records read on purpose but left out, with the reason a note gives.
_SKIPPED_WHY: dict[str, str] = {
    "StudentSectionAttendanceEvent": "class-period attendance; daily attendance "
    "comes from StudentSchoolAttendanceEvent",
    "StudentGradebookEntry": "assignment scores, not final grades",
    "CalendarDate": "calendar dates; instructional days come from the sessions' totals",
}


@dataclass
class _Extract:
    """Rows read from every file, by kind, with where each came from."""

    rows: dict[str, list[tuple[object, ...]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    skipped: Counter[str] = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)

    def frame(self, kind: str) -> pl.DataFrame:
        return pl.DataFrame(
            self.rows.get(kind, []), schema=records.SCHEMAS[kind], orient="row"
        )


def read_edfi_xml(folder: Path) -> SourceBatch:
    """Read a folder of Ed-Fi bulk XML interchange files into canonical tables.

    Raises SourceError when the folder has no XML file, has no `Student`
    records, or holds a file that is not well-formed XML.
    """
    extract = _extract(folder)
    raw, notes = _raw_frames(extract)
    tables, problems = assemble(raw)
    if "enrollments" not in tables:
        tables["enrollments"], note = _infer_enrollments(tables)
        notes.append(note)
    return SourceBatch(
        files=extract.files,
        tables=tables,
        attendance_mode=AttendanceMode.EXCEPTIONS,
        date_format="%Y-%m-%d",
        year_style=YearLabelStyle.FULL,
        notes=notes + _skipped_notes(extract.skipped),
        problems=problems,
    )


def _extract(folder: Path) -> _Extract:
    paths = sorted(folder.glob("*.xml")) if folder.is_dir() else []
    if not paths:
        raise SourceError(
            f"{folder}: no Ed-Fi XML interchange files (*.xml) found",
            code="source:missing",
        )
    extract = _Extract()
    for path in paths:
        _read_file(path, extract)
        extract.files.append(path)
    if not extract.rows.get("student"):
        raise SourceError(
            f"{folder}: no Student records in any file; the students file "
            "(Interchange-Student) is required",
            code="source:missing",
        )
    return extract


def _read_file(path: Path, extract: _Extract) -> None:
    try:
        for element, standard in _records(path):
            _dispatch(element, standard, str(path), extract)
    except etree.XMLSyntaxError as error:
        raise _malformed(path, error) from None


def _dispatch(
    element: etree._Element, standard: str, file: str, extract: _Extract
) -> None:
    name = etree.QName(element).localname
    handler = _HANDLERS.get(name)
    read = handler(element, standard) if handler else None
    if read is None:
        extract.skipped[name] += 1
        return
    kind, values = read
    extract.rows[kind].append((*values, file, element.sourceline))


def _records(path: Path) -> Iterator[tuple[etree._Element, str]]:
    """Each child of the root element, with the file's data-standard version.

    Streams the file and frees each record once read, so that a large export
    never has to fit in memory as a tree.
    """
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
    )
    depth = 0
    standard = ""
    for event, element in events:
        if event == "start":
            depth += 1
            if depth == 1:
                standard = records.standard_version(etree.QName(element).namespace)
            continue
        depth -= 1
        if depth == 1 and isinstance(element.tag, str):
            yield element, standard
            _free(element)


def _free(element: etree._Element) -> None:
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _malformed(path: Path, error: etree.XMLSyntaxError) -> SourceError:
    line, column = error.position
    problem = Problem(
        file=str(path),
        line=line,
        column=None,
        value=None,
        rule="xml:malformed",
        message=f"not well-formed XML at column {column}: {error.msg}",
    )
    return SourceError(
        f"{path}, line {line}: cannot be read as XML ({error.msg})",
        code="source:malformed",
        problems=[problem],
    )


def _raw_frames(extract: _Extract) -> tuple[dict[str, pl.DataFrame], list[str]]:
    students, note = _students(extract)
    raw: dict[str, pl.DataFrame] = {"students": students}
    notes = [note] if note else []
    for kind, table in records.TABLE_OF_KIND.items():
        if extract.rows.get(kind):
            raw[table] = extract.frame(kind)
    raw = _resolve_contacts(_resolve_incidents(raw))
    if "grades" in raw:
        raw["grades"], note = final_grades(raw["grades"])
        notes += [note] if note else []
    return raw, notes


def _students(extract: _Extract) -> tuple[pl.DataFrame, str | None]:
    people = extract.frame("student").with_row_index("_order")
    newest = people["_standard"].max()
    roster = people.filter(pl.col("_standard") == newest)
    others = pl.concat(
        [
            people.filter(pl.col("_standard") != newest).drop("_order"),
            extract.frame("demographics"),
        ],
        how="diagonal",
    )
    details = _demographics(roster.drop("_order"), others)
    names = roster.select(*records.NAME_COLUMNS, FILE_COLUMN, LINE_COLUMN)
    students = names.join(details, on="student_id", how="left", maintain_order="left")
    return students, _orphans_note(others, roster)


def _demographics(roster: pl.DataFrame, others: pl.DataFrame) -> pl.DataFrame:
    # Each student's details come whole from one record, so that a problem with
    # one of them can name the exact place it was read. A record of an older
    # standard or an association carries the full set and comes first; the
    # roster's own record (in 5.x at most a birth sex) is the fallback.
    candidates = pl.concat(
        [
            others.with_columns(pl.lit(0).alias("_rank")),
            roster.with_columns(pl.lit(1).alias("_rank")),
        ],
        how="diagonal",
    ).with_row_index("_order")
    present = [pl.col(c).is_not_null() for c in records.DETAIL_COLUMNS]
    present.append(pl.col("_races").list.len() > 0)
    chosen = (
        candidates.filter(pl.any_horizontal(present))
        .sort("_rank", "_order")
        .unique("student_id", keep="first", maintain_order=True)
    )
    origin = pl.when(pl.col("_rank") == 0).then(
        pl.format("{}, line {}", pl.col(FILE_COLUMN), pl.col(LINE_COLUMN))
    )
    return chosen.select(
        "student_id",
        *records.DETAIL_COLUMNS,
        "_races",
        origin.alias(ORIGIN_COLUMN),
    )


def _orphans_note(others: pl.DataFrame, roster: pl.DataFrame) -> str | None:
    orphans = others.join(roster, on="student_id", how="anti")
    if orphans.is_empty():
        return None
    files = ", ".join(sorted(Path(f).name for f in orphans[FILE_COLUMN].unique()))
    return (
        f"{orphans.height} student detail records ({files}) name a student who is "
        "not in the newest student file and were not read"
    )


def _resolve_contacts(raw: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    # Student-contact associations in the bulk files point at the contact by its
    # XML id (`ref="PRNT_778393"`) as often as by its unique id.
    associations, contacts = raw.get("guardians"), raw.get(CONTACTS)
    if associations is None or contacts is None:
        return raw
    targets = contacts.select(
        pl.col("_xml_id").alias("_ref"), pl.col("guardian_id").alias("_id")
    ).filter(pl.col("_ref").is_not_null())
    joined = associations.join(targets, on="_ref", how="left", maintain_order="left")
    raw["guardians"] = joined.with_columns(
        pl.coalesce("guardian_id", "_id").alias("guardian_id")
    ).drop("_id")
    return raw


def _resolve_incidents(raw: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    # Associations may point at an incident by its XML id (`ref="DISC_10_…"`)
    # rather than by identifier and school; the incident records give both.
    incidents = raw.get("incidents")
    targets = pl.DataFrame(
        schema={"_ref": pl.String, "_id": pl.String, "_school": pl.String}
    )
    if incidents is not None:
        targets = incidents.select(
            pl.col("_xml_id").alias("_ref"),
            pl.col("incident_id").alias("_id"),
            pl.col("school_id").alias("_school"),
        ).filter(pl.col("_ref").is_not_null())
    for name in ("incident_behaviors", "discipline_actions"):
        if name in raw:
            raw[name] = _resolve(raw[name], targets)
    return raw


def _resolve(frame: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    joined = frame.join(targets, on="_ref", how="left", maintain_order="left")
    return joined.with_columns(
        pl.coalesce("incident_id", "_id").alias("incident_id"),
        pl.coalesce("_incident_school", "_school", "school_id").alias("school_id"),
    ).drop("_id", "_school")


def _infer_enrollments(tables: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, str]:
    events = _student_school_events(tables)
    no_sessions = pl.DataFrame(schema={FILE_COLUMN: pl.String, LINE_COLUMN: pl.Int64})
    sessions = tables.get(
        "calendar_sessions", canonical(no_sessions, "calendar_sessions")
    )
    # ISO dates sort as text, so the earliest and latest need no parsing.
    year = sessions.group_by("school_id").agg(
        pl.col("begin_date").min().alias("entry_date"),
        pl.col("end_date").max().alias("exit_date"),
    )
    pairs = events.join(year, on="school_id", how="left", maintain_order="left")
    inferred = pairs.filter(pl.col("entry_date").is_not_null())
    unplaced = pairs.height - inferred.height
    return canonical(inferred, "enrollments"), _enrollment_note(inferred, unplaced)


def _student_school_events(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    # Each (student, school) keeps the place of its first record, so that an
    # inferred enrollment points at the evidence for it.
    sources = [
        tables[name].select("student_id", "school_id", FILE_COLUMN, LINE_COLUMN)
        for name in ("attendance", "discipline_actions", "incident_behaviors")
        if name in tables
    ]
    if not sources:
        return pl.DataFrame(
            schema={
                "student_id": pl.String,
                "school_id": pl.String,
                FILE_COLUMN: pl.String,
                LINE_COLUMN: pl.Int64,
            }
        )
    return (
        pl.concat(sources)
        .drop_nulls(["student_id", "school_id"])
        .unique(["student_id", "school_id"], keep="first", maintain_order=True)
    )


def _enrollment_note(inferred: pl.DataFrame, unplaced: int) -> str:
    note = (
        f"{inferred.height} enrollments were inferred, because the export has no "
        "enrollment records: one for each student at each school where they have "
        "attendance or discipline records, from the school's first session day "
        "to its last, grade unknown"
    )
    if unplaced:
        note += (
            f"; {unplaced} student-school pairs at schools with no sessions got "
            "no enrollment"
        )
    return note


def _skipped_notes(skipped: Counter[str]) -> list[str]:
    notes = [
        f"{count} {name} records were not read: {_SKIPPED_WHY[name]}"
        for name, count in sorted(skipped.items())
        if name in _SKIPPED_WHY
    ]
    others = {n: c for n, c in skipped.items() if n not in _SKIPPED_WHY}
    if others:
        listed = ", ".join(f"{c} {n}" for n, c in sorted(others.items()))
        notes.append(
            f"records of kinds youthbridge does not use were ignored: {listed}"
        )
    return notes
