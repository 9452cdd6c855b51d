"""The sign-in page, signing out, and the guard in front of every other console page.

With identities (``--auth``) a console page is served only to a signed-in principal: a GET without
a session is sent to ``/sign-in`` (and back to the page after), any other method is refused with
403 (a script posting without a session learns nothing). The API (``POST /``) checks its own
signatures, and ``/metrics`` stays open for Prometheus: the guard lets both through untouched.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from stepwell.console.security import HEADERS
from stepwell.console.sign_in import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    Caller,
    Sessions,
    caller,
    is_open,
    safe_next,
    sign_in_href,
)
from stepwell.console.web import Web

NOT_SIGNED_IN = (
    '<!doctype html><title>Sign in · stepwell</title><p>Sign in first: <a href="/sign-in">/sign-in</a>.</p>'
)


def routes(web: Web, sessions: Sessions) -> list[Route]:
    async def form(request: Request) -> Response:
        if sessions.principal(request.cookies.get(SESSION_COOKIE)) is not None:
            return web.redirect(request, safe_next(request.query_params.get("next")))
        return _page(web, request, next_path=safe_next(request.query_params.get("next")))

    async def sign_in(request: Request) -> Response:
        posted = await web.csrf.check(request)
        next_path = safe_next(posted.get("next"))
        principal = sessions.sign_in(posted.get("identifier", "").strip(), posted.get("secret", ""))
        if principal is None:
            # One message for an unknown key and a wrong secret: which one it was is not said.
            return _page(web, request, next_path=next_path, status_code=401, refused=True)
        response = web.redirect(request, next_path)
        response.set_cookie(
            SESSION_COOKIE,
            sessions.cookie(principal),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            path="/",
        )
        return response

    async def sign_out(request: Request) -> Response:
        await web.csrf.check(request)
        response = web.redirect(request, "/sign-in")
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    return [
        Route("/sign-in", form, methods=["GET"]),
        Route("/sign-in", sign_in, methods=["POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
    ]


def _page(
    web: Web, request: Request, *, next_path: str, status_code: int = 200, refused: bool = False
) -> Response:
    response = web.page(
        request, "sign_in.html", status_code=status_code, next_path=next_path, refused=refused
    )
    response.headers["Cache-Control"] = "no-store"
    return response


class ConsoleGuard:
    """ASGI middleware in front of the console's pages: who calls (``caller``), for the pages'
    checks and the audit log; with ``sessions``, the pages for signed-in principals only (see the
    module)."""

    def __init__(self, app: ASGIApp, sessions: Sessions | None):
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _passes(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        principal = None
        if self.sessions is not None:
            principal = self.sessions.principal(request.cookies.get(SESSION_COOKIE))
            if principal is None:
                await _turned_away(request)(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal  # the access log names it
        source = request.client.host if request.client else ""
        token = caller.set(Caller(principal, source, request.headers.get("user-agent", "")))
        try:
            await self.app(scope, receive, send)
        finally:
            caller.reset(token)


def _passes(scope: Scope) -> bool:
    """The API, the metrics and the sign-in page itself are not the guard's to check."""
    path, method = scope["path"], scope["method"]
    return (path == "/" and method == "POST") or path == "/metrics" or is_open(path)


def _turned_away(request: Request) -> Response:
    if request.method in ("GET", "HEAD"):
        response: Response = Response(
            status_code=303, headers={"Location": sign_in_href(request.url.path, request.url.query)}
        )
    else:
        response = HTMLResponse(NOT_SIGNED_IN, status_code=403)
    response.headers.update(HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response
