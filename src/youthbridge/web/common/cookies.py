"""The two cookies the apps set, always HttpOnly and SameSite=Strict."""

from __future__ import annotations

from fastapi import Response

from youthbridge.web.common.site import Site


def set_cookie(response: Response, site: Site, name: str, value: str) -> None:
    # A session cookie (no lifetime): the server decides when a session ends.
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=site.secure_cookies,
        path="/",
    )


def clear_cookie(response: Response, site: Site, name: str) -> None:
    response.delete_cookie(
        name, httponly=True, samesite="strict", secure=site.secure_cookies, path="/"
    )
