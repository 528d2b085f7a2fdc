"""Rendering pages: one template environment, one context every page gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from youthbridge.security.permissions import Permission
from youthbridge.web.common.catalogue import language, translator
from youthbridge.web.common.csrf import CSRF_FIELD, form_token
from youthbridge.web.common.guard import Caller, site_of

_ENVIRONMENT = Environment(
    loader=PackageLoader("youthbridge.web", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class NavItem:
    """One link of the menu, shown only to those whose role may use it."""

    path: str
    label: str
    permission: Permission | None = None


def nav_of(request: Request) -> list[NavItem]:
    items: list[NavItem] = request.app.state.nav
    return items


def render(
    request: Request,
    template: str,
    *,
    caller: Caller | None = None,
    status_code: int = 200,
    lang: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page from a template, with the menu, the CSRF token and the words."""
    chosen = language(lang)
    menu = [
        item
        for item in nav_of(request)
        if caller is not None
        and (item.permission is None or caller.may(item.permission))
    ]
    page = _ENVIRONMENT.get_template(template).render(
        site=site_of(request),
        caller=caller,
        menu=menu,
        current=request.url.path,
        csrf_field=CSRF_FIELD,
        csrf_token=form_token(request),
        lang=chosen,
        t=translator(chosen),
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
