"""The console's routes, served by `stepwell serve` on the API's own address (the API keeps ``POST /``)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from stepwell.audit import AuditLog
from stepwell.auth.guard import Guard
from stepwell.console import activity_pages, execution_pages, machine_pages, map_run_pages, sign_in_pages
from stepwell.console.graph.style import stylesheet
from stepwell.console.security import HEADERS, CsrfError
from stepwell.console.sign_in import Denied, Sessions
from stepwell.console.sign_in_pages import ConsoleGuard
from stepwell.console.web import STATIC, Web
from stepwell.service import Service


@dataclass(frozen=True)
class Console:
    """What the API's app mounts: the pages, their error handlers and the middleware before them."""

    routes: list[BaseRoute]
    handlers: dict[type[Exception], object]
    middleware: list[Middleware]


def console(service: Service, guard: Guard | None = None, audit: AuditLog | None = None) -> Console:
    """The pages and their static files, and the handlers that turn a forged POST, or an action
    the signed-in principal may not take, into a 403; sign_in_pages.ConsoleGuard in front of the
    pages says who calls (for the checks and the ``audit`` log). With a ``guard`` (identities are
    checked): the sign-in page, and only signed-in principals past the ConsoleGuard."""
    web = Web(service, guard=guard, audit=audit)
    sessions = Sessions(lambda: guard.identities.current) if guard is not None else None

    async def forged(request: Request, refused: Exception) -> Response:
        return web.page(request, "error.html", status_code=403, title="Refused", message=str(refused))

    async def denied(request: Request, refused: Exception) -> Response:
        return web.page(request, "error.html", status_code=403, title="Not allowed", message=str(refused))

    graph_css = Response(stylesheet(), media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def graph_style(request: Request) -> Response:
        return graph_css

    async def favicon(request: Request) -> Response:
        """Browsers ask for /favicon.ico whatever the page links: the icon, not a 404 in every log."""
        icon = FileResponse(STATIC / "favicon.ico", media_type="image/x-icon")
        icon.headers.update({**HEADERS, "Cache-Control": "max-age=86400"})
        return icon

    routes: list[BaseRoute] = [
        Route("/graph.css", graph_style, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET", "HEAD"]),
        *(sign_in_pages.routes(web, sessions) if sessions is not None else []),
        *machine_pages.routes(web),
        *execution_pages.routes(web),
        *map_run_pages.routes(web),
        *activity_pages.routes(web),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(ConsoleGuard, sessions=sessions)]
    return Console(routes, {CsrfError: forged, Denied: denied}, middleware)
