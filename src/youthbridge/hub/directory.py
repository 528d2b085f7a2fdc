"""The community service directory: loaded from Open Referral HSDS, searched by staff.

A load checks the whole folder first and refuses it, with every broken row and
link named by file, line and column, before anything is written. A load that
passes is written in one transaction: rows are added or updated by their HSDS
id, so a service that a case's plan refers to is never removed by a reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from youthbridge.domain.errors import BatchRefused, Problem
from youthbridge.exchange.vocabulary import ServiceCategory
from youthbridge.hub import hsds
from youthbridge.hub.node import HubNode
from youthbridge.security import audit
from youthbridge.security.accounts import Account
from youthbridge.security.permissions import Permission, require
from youthbridge.storage.case_tables import (
    DirectoryLocation,
    DirectoryOrganization,
    DirectoryPhone,
    DirectoryService,
    DirectoryServiceLocation,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DirectoryLoad:
    """How many rows of each kind one load wrote."""

    organizations: int
    services: int
    locations: int
    service_locations: int
    phones: int


@dataclass(frozen=True)
class ServiceListing:
    service_id: str
    name: str
    organization: str
    status: str
    category: str | None
    taxonomy_terms: tuple[str, ...]
    description: str | None


def load_directory(hub: HubNode, folder: Path, *, actor: Account) -> DirectoryLoad:
    """Check an HSDS folder whole and, if it is sound, store its directory."""
    require(actor, Permission.DIRECTORY_MANAGE)
    package = hsds.read_package(folder)
    problems = hsds.check_package(package)
    rows = _directory_rows(package, problems)
    if problems:
        raise BatchRefused(
            f"{folder.name}: the directory is refused, {len(problems)} problem(s);"
            " nothing was stored",
            code="hsds:refused",
            problems=problems,
        )

    with hub.sessions.begin() as session:
        for group in rows:
            for row in group:
                session.merge(row)
        counts = DirectoryLoad(*(len(group) for group in rows))
        audit.record(
            session,
            actor=actor,
            action=Permission.DIRECTORY_MANAGE,
            # Counts only; "phones" is named otherwise because the audit log
            # refuses keys that look like personal data.
            details={
                "event": "directory:load",
                "organizations": counts.organizations,
                "services": counts.services,
                "locations": counts.locations,
                "service_locations": counts.service_locations,
                "public_numbers": counts.phones,
            },
        )
    log.info("hub.directory.loaded", **counts.__dict__)
    return counts


_Rows = tuple[
    list[DirectoryOrganization],
    list[DirectoryService],
    list[DirectoryLocation],
    list[DirectoryServiceLocation],
    list[DirectoryPhone],
]


def _directory_rows(package: hsds.Package, problems: list[Problem]) -> _Rows:
    rows = _table_rows(package, "organization")
    organizations = [
        DirectoryOrganization(
            id=row.get("id"),
            name=_required(package, row, "organization", "name", problems),
            alternate_name=row.get("alternate_name"),
            description=row.get("description"),
            email=row.get("email"),
            url=row.get("url"),
        )
        for row in rows
    ]
    return (
        organizations,
        _services(package, problems),
        _locations(package, problems),
        [
            DirectoryServiceLocation(
                id=row.get("id"),
                service_id=row.get("service_id"),
                location_id=row.get("location_id"),
            )
            for row in _table_rows(package, "service_at_location")
        ],
        _phones(package, problems),
    )


def _services(package: hsds.Package, problems: list[Problem]) -> list[DirectoryService]:
    terms = _taxonomy_terms(package)
    return [
        DirectoryService(
            id=row.get("id"),
            organization_id=_required(
                package, row, "service", "organization_id", problems
            ),
            name=_required(package, row, "service", "name", problems),
            alternate_name=row.get("alternate_name"),
            description=row.get("description"),
            status=row.get("status") or "active",
            email=row.get("email"),
            url=row.get("url"),
            taxonomy_terms=sorted(terms.get(row.get("id") or "", set())),
        )
        for row in _table_rows(package, "service")
    ]


def _locations(
    package: hsds.Package, problems: list[Problem]
) -> list[DirectoryLocation]:
    return [
        DirectoryLocation(
            id=row.get("id"),
            organization_id=row.get("organization_id"),
            name=row.get("name"),
            alternate_name=row.get("alternate_name"),
            description=row.get("description"),
            transportation=row.get("transportation"),
            latitude=_number(package, row, "latitude", problems),
            longitude=_number(package, row, "longitude", problems),
        )
        for row in _table_rows(package, "location")
    ]


def _phones(package: hsds.Package, problems: list[Problem]) -> list[DirectoryPhone]:
    return [
        DirectoryPhone(
            id=row.get("id"),
            organization_id=row.get("organization_id"),
            service_id=row.get("service_id"),
            location_id=row.get("location_id"),
            service_at_location_id=row.get("service_at_location_id"),
            number=_required(package, row, "phone", "number", problems),
            extension=row.get("extension"),
            type=row.get("type"),
            language=row.get("language"),
            description=row.get("description"),
        )
        for row in _table_rows(package, "phone")
    ]


def _table_rows(package: hsds.Package, resource: str) -> tuple[hsds.Row, ...]:
    table = package.tables.get(resource)
    # Rows without an id are already reported; they cannot be stored by id.
    return () if table is None else tuple(r for r in table.rows if r.get("id"))


def _required(
    package: hsds.Package,
    row: hsds.Row,
    resource: str,
    column: str,
    problems: list[Problem],
) -> str:
    value = row.get(column)
    if value is None:
        problems.append(
            Problem(
                file=package.tables[resource].file,
                line=row.line,
                column=column,
                value=None,
                rule="hsds:required",
                message=f"`{column}` is required and empty",
            )
        )
        return ""
    return value


def _number(
    package: hsds.Package, row: hsds.Row, column: str, problems: list[Problem]
) -> float | None:
    value = row.get(column)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        problems.append(
            Problem(
                file=package.tables["location"].file,
                line=row.line,
                column=column,
                value=value,
                rule="hsds:number",
                message=f"`{column}` must be a decimal number",
            )
        )
        return None


def _taxonomy_terms(package: hsds.Package) -> dict[str, set[str]]:
    names = {
        row.get("id"): row.get("name")
        for row in package.tables.get("taxonomy", _EMPTY).rows
    }
    terms: dict[str, set[str]] = {}
    for row in package.tables.get("service_taxonomy", _EMPTY).rows:
        name = names.get(row.get("taxonomy_id"))
        service = row.get("service_id")
        if name and service:
            terms.setdefault(service, set()).add(name)
    return terms


_EMPTY = hsds.Table("", "", (), ())


def categorise_service(
    hub: HubNode, *, actor: Account, service_id: str, category: ServiceCategory
) -> None:
    """Say what kind of service a directory entry is, as progress codes name it."""
    require(actor, Permission.DIRECTORY_MANAGE)
    with hub.sessions.begin() as session:
        service = session.get(DirectoryService, service_id, with_for_update=True)
        if service is None:
            raise BatchRefused(
                "There is no service with that id in the directory.",
                code="directory:service",
            )
        service.category = category.value
        audit.record(
            session,
            actor=actor,
            action=Permission.DIRECTORY_MANAGE,
            details={
                "event": "directory:categorise",
                "service_id": service_id,
                "category": category.value,
            },
        )


def search_services(
    hub: HubNode,
    text: str | None = None,
    category: str | None = None,
    *,
    include_inactive: bool = False,
) -> list[ServiceListing]:
    """Services whose name, description or organisation mention `text`, by kind.

    `category` matches the hub's kind of service or a taxonomy term of the
    directory, without regard to case. The directory is public information, so
    searching it needs no account.
    """
    with hub.sessions() as session:
        found = _query(session, text, include_inactive)
    wanted = None if category is None else category.strip().lower()
    return [
        listing
        for listing in found
        if wanted is None
        or (listing.category or "").lower() == wanted
        or wanted in (term.lower() for term in listing.taxonomy_terms)
    ]


def _query(
    session: Session, text: str | None, include_inactive: bool
) -> list[ServiceListing]:
    query = select(DirectoryService, DirectoryOrganization.name).join(
        DirectoryOrganization,
        DirectoryOrganization.id == DirectoryService.organization_id,
    )
    if not include_inactive:
        query = query.where(DirectoryService.status == "active")
    if text and text.strip():
        words = text.strip().lower()
        query = query.where(
            or_(
                *(
                    column.ilike(f"%{_escaped(words)}%", escape="\\")
                    for column in (
                        DirectoryService.name,
                        DirectoryService.alternate_name,
                        DirectoryService.description,
                        DirectoryOrganization.name,
                    )
                )
            )
        )
    rows = session.execute(query.order_by(DirectoryService.name, DirectoryService.id))
    return [
        ServiceListing(
            service_id=service.id,
            name=service.name,
            organization=organization,
            status=service.status,
            category=service.category,
            taxonomy_terms=tuple(service.taxonomy_terms),
            description=service.description,
        )
        for service, organization in rows
    ]


def _escaped(text: str) -> str:
    # The search words are a bound parameter; only LIKE's own wildcards in
    # them need escaping, so that "100%" finds "100%".
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
