"""The disclosure log of one student, printable for the family in their language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from youthbridge.district.disclosure_log import family_copy
from youthbridge.security.permissions import Permission
from youthbridge.web.common.catalogue import LANGUAGES, language
from youthbridge.web.common.guard import Caller, requires
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import node_of

router = APIRouter(include_in_schema=False)


@router.get("/disclosures")
def disclosures_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.DISCLOSURE_LOG_VIEW)],
    student: Annotated[str, Query(max_length=64)] = "",
    lang: Annotated[str, Query(max_length=8)] = "en",
) -> Response:
    entries = None
    if student.strip():
        entries = family_copy(
            node_of(request), actor=caller.account, student_id=student.strip()
        )
    return render(
        request,
        "district/disclosures.html",
        caller=caller,
        lang=language(lang),
        languages=LANGUAGES,
        student=student.strip(),
        entries=entries,
    )
