"""CSRF tokens for every form: a per-browser secret and a keyed token of it.

The secret lives in its own HttpOnly, SameSite=Strict cookie, set on the first
page a browser sees (the sign-in form included). Each form carries a token made
from that secret with the node's key; another site can neither read the cookie
nor make the token, so a post from elsewhere is refused before it changes
anything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from youthbridge.domain.errors import AccessDenied

CSRF_FIELD = "csrf_token"


class CsrfRefused(AccessDenied):
    """A form post without the token of the page it came from."""


def new_browser_secret() -> str:
    return secrets.token_urlsafe(32)


def browser_secret(request: Request) -> str:
    """The secret of this browser: its cookie, or the one about to be set."""
    secret: str | None = getattr(request.state, "csrf_secret", None)
    cookie: str = request.app.state.site.csrf_cookie
    return secret or request.cookies.get(cookie) or ""


def form_token(request: Request) -> str:
    """The token that this browser's forms carry."""
    key: bytes = request.app.state.site.csrf_key
    return _token(key, browser_secret(request))


async def check_form_token(request: Request) -> None:
    """Refuse a form post whose token does not match this browser's secret."""
    secret = request.cookies.get(request.app.state.site.csrf_cookie)
    sent = None
    if _is_form(request):
        sent = (await request.form()).get(CSRF_FIELD)
    key: bytes = request.app.state.site.csrf_key
    if (
        not secret
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent, _token(key, secret))
    ):
        raise CsrfRefused(
            "This form could not be accepted: it has expired or it did not come "
            "from this site. Nothing was changed. Go back, reload the page and "
            "try again.",
            code="csrf:refused",
        )


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def _token(key: bytes, secret: str) -> str:
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()
