"""Reading an Open Referral HSDS 1.1 folder of CSV files, and checking its links.

A folder holds one CSV file per resource (organizations.csv, services.csv, ...)
and usually a datapackage.json that names each resource's file and foreign keys.
Without one, the links of the resources the hub stores are checked. Fields may
span lines inside quotes, so every row keeps the line on which it starts, and a
problem names the file, that line and the column.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from youthbridge.domain.errors import Problem, SourceError

PACKAGE_FILE = "datapackage.json"
REQUIRED = ("organization", "service")

# The files and links of the resources the hub stores, as HSDS 1.1 names them.
DEFAULT_FILES = {
    "organization": "organizations.csv",
    "program": "programs.csv",
    "service": "services.csv",
    "location": "locations.csv",
    "service_at_location": "services_at_location.csv",
    "contact": "contacts.csv",
    "phone": "phones.csv",
}
DEFAULT_LINKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("program", "organization_id", ("organization",)),
    ("service", "organization_id", ("organization",)),
    ("service", "program_id", ("program",)),
    ("location", "organization_id", ("organization",)),
    ("service_at_location", "service_id", ("service",)),
    ("service_at_location", "location_id", ("location",)),
    ("contact", "organization_id", ("organization",)),
    ("contact", "service_id", ("service",)),
    ("phone", "organization_id", ("organization",)),
    ("phone", "location_id", ("location",)),
    ("phone", "service_id", ("service",)),
    ("phone", "contact_id", ("contact",)),
    ("phone", "service_at_location_id", ("service_at_location",)),
)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]
    width: int

    def get(self, column: str) -> str | None:
        """The cell's value, or None when it is empty or the column is absent."""
        value = self.values.get(column, "").strip()
        return value or None


@dataclass(frozen=True)
class Table:
    resource: str
    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Link:
    """A foreign key: `field` of `resource` names the id of a row of a target."""

    resource: str
    field: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    folder: Path
    tables: dict[str, Table]
    links: tuple[Link, ...]


def read_package(folder: Path) -> Package:
    """Every resource file present in the folder, read whole, and its links."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: there is no such folder", code="hsds:folder")
    files, links = _layout(folder)
    tables = {
        resource: _read_table(folder / name, resource)
        for resource, name in files.items()
        if (folder / name).is_file()
    }
    missing = [DEFAULT_FILES[name] for name in REQUIRED if name not in tables]
    if missing:
        raise SourceError(
            f"{folder}: an HSDS directory needs {', '.join(missing)}",
            code="hsds:missing-file",
        )
    return Package(folder, tables, links)


def _layout(folder: Path) -> tuple[dict[str, str], tuple[Link, ...]]:
    path = folder / PACKAGE_FILE
    if not path.is_file():
        links = tuple(Link(r, f, t) for r, f, t in DEFAULT_LINKS)
        return dict(DEFAULT_FILES), links
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
        resources = package["resources"]
        files = {item["name"]: item["path"] for item in resources}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SourceError(
            f"{path}: not a readable data package ({error.__class__.__name__})",
            code="hsds:package",
        ) from None
    return files, _declared_links(resources, set(files))


def _declared_links(
    resources: list[dict[str, object]], known: set[str]
) -> tuple[Link, ...]:
    # HSDS lists one field against several resources (metadata.resource_id may
    # name a location, a service, ...): the field is good if any target has the
    # id. Targets the package does not hold cannot be checked and are left out.
    targets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for resource in resources:
        schema = resource.get("schema")
        keys = schema.get("foreignKeys") if isinstance(schema, dict) else None
        for key in keys or []:
            target = key["reference"]["resource"]
            if target in known:
                targets[(str(resource["name"]), key["fields"])].append(target)
    return tuple(Link(r, f, tuple(t)) for (r, f), t in targets.items())


def _read_table(path: Path, resource: str) -> Table:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = tuple(name.strip() for name in next(reader, []))
            rows: list[Row] = []
            start = reader.line_num + 1
            for values in reader:
                if values:
                    cells = dict(zip(header, values, strict=False))
                    rows.append(Row(start, cells, len(values)))
                start = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SourceError(
            f"{path.name}: the file cannot be read as UTF-8 CSV"
            f" ({error.__class__.__name__})",
            code="hsds:read",
        ) from None
    return Table(resource, path.name, header, tuple(rows))


def check_package(package: Package) -> list[Problem]:
    """Every problem in the package: bad rows, duplicate ids and broken links."""
    problems: list[Problem] = []
    ids: dict[str, set[str]] = {}
    for table in package.tables.values():
        ids[table.resource] = _check_ids(table, problems)
    for link in package.links:
        source = package.tables.get(link.resource)
        if source is not None and link.field in source.columns:
            problems.extend(_broken(source, link, ids, package))
    return problems


def _check_ids(table: Table, problems: list[Problem]) -> set[str]:
    seen: set[str] = set()
    for row in table.rows:
        if row.width != len(table.columns):
            problems.append(
                _problem(
                    table,
                    row.line,
                    None,
                    None,
                    "hsds:row-width",
                    f"the row has {row.width} fields, the header {len(table.columns)}",
                )
            )
        identifier = row.get("id")
        if identifier is None:
            problems.append(
                _problem(table, row.line, "id", None, "hsds:id", "the row has no id")
            )
        elif identifier in seen:
            problems.append(
                _problem(
                    table,
                    row.line,
                    "id",
                    identifier,
                    "hsds:id",
                    "this id is used by an earlier row",
                )
            )
        else:
            seen.add(identifier)
    return seen


def _broken(
    table: Table, link: Link, ids: dict[str, set[str]], package: Package
) -> list[Problem]:
    problems: list[Problem] = []
    for row in table.rows:
        value = row.get(link.field)
        if value is None or any(value in ids.get(t, set()) for t in link.targets):
            continue
        files = " or ".join(
            package.tables[t].file if t in package.tables else f"{t} (no file)"
            for t in link.targets
        )
        problems.append(
            _problem(
                table,
                row.line,
                link.field,
                value,
                "hsds:foreign-key",
                f"no row of {files} has this id",
            )
        )
    return problems


def _problem(
    table: Table,
    line: int,
    column: str | None,
    value: str | None,
    rule: str,
    message: str,
) -> Problem:
    return Problem(
        file=table.file,
        line=line,
        column=column,
        value=value,
        rule=rule,
        message=message,
    )
