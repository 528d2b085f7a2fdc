"""Ed-Fi ODS/API resource files: one JSON array per resource, as the API returns.

The folder holds files named after the API resources (Data Standard 5, API v7):
`students.json` is required, every other file is optional. Each element of a
file's array is one resource; its line is the line where the element starts,
found while scanning the array element by element, so that a problem names the
place a person would look.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from youthbridge.district.canonical import FILE_COLUMN, LINE_COLUMN
from youthbridge.district.readers import edfi_json_resources as resources
from youthbridge.district.readers.edfi_mapping import ORIGIN_COLUMN
from youthbridge.district.readers.edfi_tables import assemble, final_grades
from youthbridge.district.sources import SourceBatch
from youthbridge.domain.codes import AttendanceMode
from youthbridge.domain.errors import Problem, SourceError
from youthbridge.domain.schoolyear import YearLabelStyle

STUDENTS_FILE = "students.json"
_CHUNK = 50_000  # elements turned into a frame at a time, to bound memory
_SPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class _Resource:
    file: str
    table: str
    schema: dict[str, pl.DataType]
    row: Callable[[dict[str, Any]], tuple[object, ...]]


def read_edfi_json(folder: Path) -> SourceBatch:
    """Read a folder of Ed-Fi API resource files into canonical tables.

    Raises SourceError when `students.json` is missing or a file is not a
    well-formed JSON array of objects.
    """
    if not (folder / STUDENTS_FILE).is_file():
        raise SourceError(
            f"{folder}: {STUDENTS_FILE} is missing; an Ed-Fi JSON export needs "
            "its students",
            code="source:missing",
        )
    files, raw = _read_resources(folder)
    raw, notes = _shape(raw)
    tables, problems = assemble(raw)
    return SourceBatch(
        files=files,
        tables=tables,
        attendance_mode=AttendanceMode.EXCEPTIONS,
        date_format="%Y-%m-%d",
        year_style=YearLabelStyle.FULL,
        notes=notes,
        problems=problems,
    )


def _read_resources(folder: Path) -> tuple[list[Path], dict[str, pl.DataFrame]]:
    files: list[Path] = []
    raw: dict[str, pl.DataFrame] = {}
    for resource in _RESOURCES:
        path = folder / resource.file
        if path.is_file():
            raw[resource.table] = _frame(path, resource)
            files.append(path)
    return files, raw


def _frame(path: Path, resource: _Resource) -> pl.DataFrame:
    chunks = [pl.DataFrame(schema=resource.schema)]
    rows: list[tuple[object, ...]] = []
    for line, element in elements(path):
        rows.append((*resource.row(element), str(path), line))
        if len(rows) == _CHUNK:
            chunks.append(pl.DataFrame(rows, schema=resource.schema, orient="row"))
            rows = []
    chunks.append(pl.DataFrame(rows, schema=resource.schema, orient="row"))
    return pl.concat(chunks)


def elements(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each object of a file's top-level JSON array, with the line it starts on.

    Lines are counted between one element and the next only, so a whole file
    is scanned once however many elements it holds.
    """
    text = path.read_text(encoding="utf-8-sig")
    decoder = json.JSONDecoder()
    index = _skip(text, 0)
    if not text.startswith("[", index):
        raise _malformed(path, text, index, "the file is not a JSON array")
    index, line, counted = _skip(text, index + 1), 1, 0
    while not text.startswith("]", index):
        if index >= len(text):
            raise _malformed(path, text, index, "the array is not closed with `]`")
        if counted and not text.startswith(",", index):
            raise _malformed(path, text, index, "expected `,` between elements")
        index = _skip(text, index + 1) if counted else index
        line += text.count("\n", counted, index)
        counted = index
        element, index = _decode(decoder, path, text, index)
        yield line, element
        index = _skip(text, index)
    if _skip(text, index + 1) != len(text):
        raise _malformed(path, text, index + 1, "text follows the closing `]`")


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _decode(
    decoder: json.JSONDecoder, path: Path, text: str, index: int
) -> tuple[dict[str, Any], int]:
    try:
        element, end = decoder.raw_decode(text, index)
    except json.JSONDecodeError as error:
        raise _malformed(path, text, error.pos, error.msg) from None
    if not isinstance(element, dict):
        raise _malformed(path, text, index, "an array element is not an object")
    return element, end


def _malformed(path: Path, text: str, index: int, reason: str) -> SourceError:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    problem = Problem(
        file=str(path),
        line=line,
        column=None,
        value=None,
        rule="json:malformed",
        message=f"{reason} (character {column} of the line)",
    )
    return SourceError(
        f"{path}, line {line}: cannot be read as an Ed-Fi JSON array ({reason})",
        code="source:malformed",
        problems=[problem],
    )


def _shape(raw: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], list[str]]:
    # Turn the per-file frames into the raw tables the shared steps expect.
    notes: list[str] = []
    details = raw.pop(resources.DETAILS, None)
    raw["students"] = _students(raw["students"], details)
    if "calendar_days" in raw:
        raw["calendar_days"] = raw["calendar_days"].filter(pl.col("_instructional"))
    if "grades" in raw:
        raw["grades"], note = final_grades(raw["grades"])
        notes += [note] if note else []
    return raw, notes


def _students(students: pl.DataFrame, details: pl.DataFrame | None) -> pl.DataFrame:
    # Ed-Fi 5 keeps sex, race, address and phone on the student's association
    # with an education organization; a student with several takes the first.
    if details is None:
        details = pl.DataFrame(schema=resources.SCHEMAS[resources.DETAILS])
    chosen = details.unique("student_id", keep="first", maintain_order=True)
    origin = pl.format("{}, line {}", pl.col(FILE_COLUMN), pl.col(LINE_COLUMN)).alias(
        ORIGIN_COLUMN
    )
    chosen = chosen.with_columns(origin).drop(FILE_COLUMN, LINE_COLUMN)
    return students.join(chosen, on="student_id", how="left", maintain_order="left")


_RESOURCES: tuple[_Resource, ...] = tuple(
    _Resource(file, table, resources.SCHEMAS[table], row)
    for file, table, row in resources.ROWS
)
