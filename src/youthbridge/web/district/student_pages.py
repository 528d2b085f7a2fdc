"""A student as school staff see them: the record, and the programme's progress.

The page shows the progress codes the hub sent and the certificates of what it
destroyed when a consent ended, through `student_view`, which shows them only
to roles that may see progress and never shows outreach or a family's answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from youthbridge.district.student_view import student_view
from youthbridge.security.permissions import Permission
from youthbridge.web.common.guard import Caller, requires
from youthbridge.web.common.rendering import render
from youthbridge.web.district.sources import node_of

router = APIRouter(include_in_schema=False)


@router.get("/students")
def student_page(
    request: Request,
    caller: Annotated[Caller, requires(Permission.PROGRESS_VIEW)],
    student: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    wanted = student.strip()
    view = None
    if wanted:
        view = student_view(node_of(request), actor=caller.account, student_id=wanted)
    return render(
        request, "district/student.html", caller=caller, student=wanted, view=view
    )
