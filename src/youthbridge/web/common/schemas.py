"""The shapes every API operation shares: its errors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ProblemOut(BaseModel):
    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str


class ErrorOut(BaseModel):
    """What every refused or failed request gets back."""

    code: str
    message: str
    problems: list[ProblemOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": why}
    for status, why in (
        (401, "Not signed in, or the session ended"),
        (403, "The role or the second factor does not allow this"),
        (404, "No such thing"),
        (422, "The request is malformed or a rule refuses it"),
    )
}
