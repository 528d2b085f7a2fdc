"""The district's upload pages: ingest by path or by file, batches, quarantine."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from youthbridge.district.batches import ingest_as, list_batches, quarantined
from youthbridge.district.ingest import SourceFormat
from youthbridge.domain.errors import Refused
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires, signed_in, site_of
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import (
    BESIDE,
    chosen_map,
    keep_upload,
    maps_of,
    node_of,
    server_path,
    tables_of,
)

router = APIRouter(include_in_schema=False)

_BATCH_ID = Path(ge=1, le=2**31)


@router.get("/")
def home(request: Request, caller: Annotated[Caller, signed_in()]) -> Response:
    return render(request, "common/home.html", caller=caller)


@router.get("/uploads")
def uploads_page(
    request: Request, caller: Annotated[Caller, requires(Permission.QUARANTINE_VIEW)]
) -> Response:
    node = node_of(request)
    maps = maps_of(request)
    return render(
        request,
        "district/uploads.html",
        caller=caller,
        batches=list_batches(node, actor=caller.account),
        formats=[item.value for item in SourceFormat],
        maps={name: tables_of(path) for name, path in maps.items()},
        beside=BESIDE,
        roots=site_of(request).import_roots,
        may_ingest=caller.may(Permission.UPLOAD_INGEST),
    )


@router.post("/uploads/path")
def ingest_path(
    request: Request,
    caller: Annotated[Caller, requires(Permission.UPLOAD_INGEST)],
    path: Annotated[str, Form(min_length=1, max_length=1000)],
    source_format: Annotated[SourceFormat, Form(alias="format")],
    column_map: Annotated[str, Form(alias="map", max_length=64)] = BESIDE,
) -> Response:
    source = server_path(request, path)
    map_path = None
    if source_format is SourceFormat.CSV:
        map_path = chosen_map(request, column_map, source)
    report = ingest_as(
        node_of(request),
        actor=caller.account,
        source=source,
        source_format=source_format,
        map_path=map_path,
    )
    return RedirectResponse(f"/uploads/{report.batch_id}", status_code=303)


@router.post("/uploads/file")
async def ingest_file(
    request: Request,
    caller: Annotated[Caller, requires(Permission.UPLOAD_INGEST)],
    upload: Annotated[UploadFile, File(alias="file")],
    column_map: Annotated[str, Form(alias="map", max_length=64)],
    table: Annotated[str, Form(max_length=64)],
) -> Response:
    map_path = chosen_map(request, column_map, None)
    tables = tables_of(map_path)
    if table not in tables:
        raise Refused(
            f"The map `{column_map}` has no table `{table}`.", code="upload:table"
        )
    node = node_of(request)
    kept = await keep_upload(node, upload, tables[table])
    report = ingest_as(
        node,
        actor=caller.account,
        source=kept,
        source_format=SourceFormat.CSV,
        map_path=map_path,
    )
    return RedirectResponse(f"/uploads/{report.batch_id}", status_code=303)


@router.get("/uploads/{batch_id}")
def batch_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.QUARANTINE_VIEW)],
    batch_id: Annotated[int, _BATCH_ID],
) -> Response:
    node = node_of(request)
    total, rows = quarantined(node, actor=caller.account, batch_id=batch_id)
    batch = next(
        (b for b in list_batches(node, actor=caller.account) if b.batch_id == batch_id),
        None,
    )
    return render(
        request,
        "district/batch.html",
        caller=caller,
        batch=batch,
        total=total,
        rows=rows,
    )
