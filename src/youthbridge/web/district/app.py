"""`create_app` for a district: its pages and its API behind sign-in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from fastapi import FastAPI

from youthbridge.district.node import DistrictNode
from youthbridge.district.receipt import Controller
from youthbridge.security.permissions import Permission
from youthbridge.security.settings import SecuritySettings
from youthbridge.storage.database import NodeKind
from youthbridge.web.common.app import build_app
from youthbridge.web.common.rendering import NavItem
from youthbridge.web.common.site import Site
from youthbridge.web.district import (
    api,
    consent_form,
    consent_pages,
    disclosures,
    outreach_pages,
    student_pages,
    uploads,
)
from youthbridge.web.district.sources import built_in_maps

NAV = [
    NavItem("/", "nav.home"),
    NavItem("/uploads", "nav.uploads", Permission.QUARANTINE_VIEW),
    NavItem("/outreach", "nav.outreach", Permission.OUTREACH_VIEW),
    NavItem("/consents", "nav.consents", Permission.CONSENT_VIEW),
    NavItem("/students", "nav.students", Permission.PROGRESS_VIEW),
    NavItem("/disclosures", "nav.disclosures", Permission.DISCLOSURE_LOG_VIEW),
    NavItem("/audit", "nav.audit", Permission.AUDIT_VIEW),
]


def create_app(
    node: DistrictNode,
    *,
    settings: SecuritySettings,
    import_roots: Sequence[Path] = (),
    column_maps: Mapping[str, Path] | None = None,
    secure_cookies: bool = True,
    after_change: Callable[[], None] | None = None,
    title: str | None = None,
    controller: Controller | None = None,
) -> FastAPI:
    """A district's web app; staff ingest by path only from `import_roots`."""
    name = title or f"youthbridge district {node.code}"
    site = Site(
        kind=NodeKind.DISTRICT,
        sessions=node.sessions,
        settings=settings,
        title=name,
        district_code=node.code,
        secure_cookies=secure_cookies,
        import_roots=tuple(import_roots),
    )
    if after_change is not None:
        site.after_change = after_change
    routers = [
        uploads.router,
        outreach_pages.router,
        consent_form.router,
        consent_pages.router,
        student_pages.router,
        disclosures.router,
        api.router,
    ]
    app = build_app(site, title=name, nav=NAV, routers=routers)
    app.state.node = node
    app.state.controller = controller or records_office(node.code)
    app.state.column_maps = dict(column_maps or built_in_maps())
    return app


def records_office(code: str) -> Controller:
    """The controller a receipt names when the deployment configures none."""
    # TODO: take the district's office address, e-mail and phone from the
    # deployment's settings; until then the receipt names the office only.
    office = f"Student records office, district {code}"
    return Controller(
        name=f"School district {code}",
        contact=office,
        address="-",
        email="-",
        phone="-",
        url="",
    )
