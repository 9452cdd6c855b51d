"""The console's routes, served by `stepwell serve` on the API's own address (the API keeps ``POST /``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from stepwell.console import activity_pages, execution_pages, machine_pages, map_run_pages, sign_in_pages
from stepwell.console.graph.style import stylesheet
from stepwell.console.security import HEADERS, CsrfError
from stepwell.console.sign_in import Authorize, Denied, Sessions
from stepwell.console.sign_in_pages import ConsoleGuard
from stepwell.console.web import STATIC, Web
from stepwell.service import Service

__all__ = ["Authorize", "ConsoleGuard", "Sessions", "console_routes"]  # what the API's app mounts


def console_routes(
    service: Service, sessions: Sessions | None = None, authorize: Authorize | None = None
) -> tuple[list[BaseRoute], dict[type[Exception], object]]:
    """The pages and their static files, and the handler that turns a forged POST, or an action the
    signed-in principal may not take, into a 403. With ``sessions`` (identities are checked), the
    sign-in page too; the app puts sign_in_pages.ConsoleGuard in front of the pages."""
    web = Web(service, authorize=authorize)

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
    return routes, {CsrfError: forged, Denied: denied}
