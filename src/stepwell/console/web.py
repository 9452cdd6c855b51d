"""What every console page shares: templates, the security headers, dates, links and errors."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from stepwell.audit import AuditLog, Call
from stepwell.auth.errors import AuthError
from stepwell.auth.guard import Guard
from stepwell.console.ids import name_of
from stepwell.console.security import Csrf
from stepwell.console.sign_in import Denied, caller
from stepwell.errors import ServiceError
from stepwell.service import Service

HERE = Path(__file__).parent
# What a redirect after a form may announce: a code in the URL, never text (a crafted link could
# otherwise make the console say anything).
FLASHES = {
    "created": "Created.",
    "updated": "Updated.",
    "stopped": "Stopped.",
    "redriven": "Redriven: the execution goes on from the step that did not succeed.",
    "published": "Published a version of the current definition.",
    "started-express": "Started. Express executions keep no history, so there is no page to show.",
}
STATIC = HERE / "static"


class Web:
    def __init__(
        self,
        service: Service,
        csrf: Csrf | None = None,
        guard: Guard | None = None,
        audit: AuditLog | None = None,
    ):
        self.service = service
        # With identities: the signed-in principal's policies decide every call (sign_in.py).
        self.guard = guard
        self.audit = audit  # every call a page makes is recorded, as the API's are
        self.runtime = service.core.runtime
        self.csrf = csrf or Csrf()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
        )
        self.templates.filters["when"] = when
        self.templates.filters["pretty"] = pretty
        self.templates.filters["state_name"] = name_of  # a state id as its name: what people read

    async def call(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            self.require(operation, **request)
            output = await self.service.call(operation, request)
        except Denied as denied:
            self._audit(operation, request, None, ("AccessDeniedException", str(denied)))
            raise
        except ServiceError as refused:
            self._audit(operation, request, None, (refused.code, refused.message))
            raise
        self._audit(operation, request, output, None)
        return output

    def _audit(
        self, operation: str, request: dict[str, Any], output: Any, error: tuple[str, str] | None
    ) -> None:
        current = caller.get()
        if self.audit is None or current is None:
            return
        self.audit.record(
            Call(
                completed=time.time(),
                operation=operation,
                target=None,
                parameters=request,
                output=output,
                error_code=error[0] if error else None,
                error_message=error[1] if error else None,
                principal=current.principal,
                request_id=str(uuid.uuid4()),
                source_ip=current.source_ip,
                user_agent=current.user_agent,
                from_console=True,
            )
        )

    def require(self, operation: str, **request: Any) -> None:
        """Raise Denied unless the signed-in principal may make this call (for a page that reads
        what the call would answer without making it, as the history a page draws)."""
        current = caller.get()
        if current is None or current.principal is None or self.guard is None:
            return
        try:
            self.guard.authorize(current.principal, operation, request, source_ip=current.source_ip)
        except AuthError as refused:
            raise Denied(refused.message) from None

    def can(self, operation: str, **request: Any) -> bool:
        """Whether the page should offer the action (a button) to whoever is signed in."""
        try:
            self.require(operation, **request)
        except Denied:
            return False
        return True

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
        flash = FLASHES.get(request.query_params.get("flash", ""))
        body = self.templates.get_template(template).render(
            csrf=self.csrf.token(request),
            region=self.runtime.region,
            account=self.runtime.account,
            flash={"kind": "ok", "text": flash} if flash else None,
            signed_in=_signed_in(),
            can=self.can,
            **context,
        )
        return self.csrf.protect(request, HTMLResponse(body, status_code=status_code))

    def fragment(self, request: Request, template: str, **context: Any) -> Response:
        body = self.templates.get_template(template).render(can=self.can, **context)
        return self.csrf.protect(request, HTMLResponse(body))

    def redirect(self, request: Request, url: str) -> Response:
        return self.csrf.protect(request, RedirectResponse(url, status_code=303))

    def not_found(self, request: Request, what: str) -> Response:
        return self.page(request, "error.html", status_code=404, title="Not found", message=what)

    # ---- links ---------------------------------------------------------------------------------
    @staticmethod
    def machine_href(name: str) -> str:
        return f"/state-machines/{quote(name, safe='')}"

    @staticmethod
    def execution_href(execution_arn: str) -> str:
        """``…:execution:<machine>:<name>`` -> /executions/<machine>/<name>; a Map Run's child,
        ``…:execution:<machine>/<label>:<name>``, -> /executions/<machine>/<label>/<name>."""
        machine, name = execution_arn.split(":")[-2:]
        return f"/executions/{quote(machine, safe='/')}/{quote(name, safe='')}"

    @staticmethod
    def map_run_href(map_run_arn: str) -> str:
        """``…:mapRun:<machine>/<label>:<id>`` -> /map-runs/<machine>/<label>/<id>."""
        labelled, run_id = map_run_arn.split(":")[-2:]
        return f"/map-runs/{quote(labelled, safe='/')}/{quote(run_id, safe='')}"


def when(value: Any) -> str:
    """A date as people read it in the console: UTC, to the second (milliseconds on events)."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromtimestamp(float(value), UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def pretty(text: str | None) -> str:
    """JSON text indented for reading (as it was when it is not JSON)."""
    if text is None:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _signed_in() -> str | None:
    """The name of the principal signed in (None: nobody is, or no identities are checked)."""
    current = caller.get()
    return current.principal.name if current is not None and current.principal is not None else None
