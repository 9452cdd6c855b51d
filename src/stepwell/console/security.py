"""What keeps the console safe to leave open on a developer's machine.

- Every page carries a strict Content-Security-Policy: scripts and styles only from the console's
  own /static files (no inline script, no third-party origin), nothing may frame it.
- State-changing actions are POST forms guarded against cross-site request forgery with a
  double-submit token: a random cookie (SameSite=Strict, HttpOnly) and a hidden form field holding
  an HMAC of it under a per-process key. A POST whose field does not match its cookie, or whose
  Origin is another site, is refused before anything happens.
- Templates escape everything (Jinja2 autoescape); the SVG graph escapes state names itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

CSRF_COOKIE = "stepwell_csrf"
CSRF_FIELD = "csrf_token"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class CsrfError(Exception):
    pass


class Csrf:
    def __init__(self, key: bytes | None = None):
        self.key = key or secrets.token_bytes(32)

    def cookie_of(self, request: Request) -> str:
        """The browser's CSRF cookie, or a new one (set by ``protect`` on the response)."""
        cookie = request.cookies.get(CSRF_COOKIE)
        if cookie and len(cookie) == 43:
            return cookie
        cached = request.scope.setdefault("stepwell.csrf_cookie", secrets.token_urlsafe(32))
        return str(cached)

    def token(self, request: Request) -> str:
        """The hidden field value for forms on this page."""
        return self._sign(self.cookie_of(request))

    def protect(self, request: Request, response: Response) -> Response:
        """Security headers on every console response; the CSRF cookie when the browser lacks it."""
        response.headers.update(HEADERS)
        if request.cookies.get(CSRF_COOKIE) != self.cookie_of(request):
            response.set_cookie(
                CSRF_COOKIE, self.cookie_of(request), httponly=True, samesite="strict", path="/"
            )
        return response

    async def check(self, request: Request) -> dict[str, str]:
        """The POSTed form, once it is known to come from a console page of this site."""
        origin = request.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
            raise CsrfError("the form was posted from another site")
        form = await request.form()
        cookie = request.cookies.get(CSRF_COOKIE)
        sent = form.get(CSRF_FIELD)
        if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, self._sign(cookie)):
            raise CsrfError("the form's security token is missing or does not match; reload the page")
        return {key: value for key, value in form.items() if isinstance(value, str)}

    def _sign(self, cookie: str) -> str:
        return hmac.new(self.key, cookie.encode(), hashlib.sha256).hexdigest()
