"""The Step Functions API over HTTP: ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>``.

The console's pages share the address (``GET /`` and below; see stepwell.console). The face
translates and never decides: the request is parsed and checked against botocore's model
(``protocol``), the use case runs (``Service``), and the answer or the refusal is written back in
AWS's JSON 1.0 shape. Requests naming a foreign Host are refused before any of it (``hosts``).

With a ``guard`` (``serve --auth``) every call is checked twice: its SigV4 signature once its
bytes have arrived, before they are read as a call, and its principal's IAM policies once the
operation and parameters are known, before the service runs (stepwell.auth). Each request gets
its id first: ``request.state.request_id`` (the ``x-amzn-RequestId`` of its reply, whatever the
reply) and ``request.state.principal`` (None until a signature names one), for the logs. Each
call answered, or refused, is counted (``metrics``) and recorded (``audit``, stepwell/audit.py).
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from stepwell.api.hosts import HostGuard, HostPolicy
from stepwell.api.protocol import (
    MAX_REQUEST_BYTES,
    ApiError,
    CoralError,
    encode_response,
    parse_request,
    request_too_large,
)
from stepwell.audit import AuditLog, Call
from stepwell.auth.errors import AuthError
from stepwell.auth.guard import Guard
from stepwell.auth.sigv4 import HttpRequest
from stepwell.console.app import console
from stepwell.errors import ServiceError
from stepwell.metrics import TEXT_FORMAT, Metrics
from stepwell.service import Service

log = logging.getLogger("stepwell.api")
CONTENT_TYPE = "application/x-amz-json-1.0"
ANY_HOST = HostPolicy(any_host=True)


def create_app(
    service: Service,
    hosts: HostPolicy = ANY_HOST,
    metrics: Metrics | None = None,
    guard: Guard | None = None,
    audit: AuditLog | None = None,
) -> Starlette:
    async def api(request: Request) -> Response:
        request_id = request.state.request_id = str(uuid.uuid4())
        request.state.principal = None
        response = await answer(request, request_id)
        if metrics is not None:  # "unknown": refused before it named an operation the model knows
            metrics.request(getattr(request.state, "operation", "unknown"), response.status_code)
        if audit is not None:
            _audit(audit, request)
        return response

    async def answer(request: Request, request_id: str) -> Response:
        try:
            body = await read_body(request)
            if guard is not None:
                principal = request.state.principal = guard.verify(_signed(request, body))
            operation, params = parse_request(
                request.headers.get("x-amz-target"), body, request.headers.get("content-type")
            )
            request.state.operation = operation
            request.state.parameters = params
            if guard is not None:
                client = request.client
                guard.authorize(principal, operation, params, source_ip=client.host if client else None)
            output = request.state.output = await service.call(operation, params)
            return _reply(encode_response(operation, output), 200, request_id)
        except AuthError as refused:
            return _refuse(request, CoralError(refused.code, refused.message, refused.status))
        except ServiceError as refused:
            return _refuse(request, ApiError(refused.code, refused.message))
        except ApiError as refused:
            return _refuse(request, refused)
        except ClientDisconnect:  # gone before its body arrived: nothing ran, nobody to answer
            log.debug("client disconnected before its request body arrived")
            return Response(status_code=400)
        except Exception:
            log.exception("internal failure")
            return _refuse(request, ApiError("InternalFailure", "An internal error occurred.", status=500))

    async def scrape(request: Request) -> Response:
        assert metrics is not None
        return Response(metrics.text(), media_type=TEXT_FORMAT)

    pages = console(service, guard, audit)
    metric_routes = [Route("/metrics", scrape, methods=["GET"])] if metrics is not None else []
    return Starlette(
        routes=[Route("/", api, methods=["POST"]), *metric_routes, *pages.routes],
        exception_handlers=pages.handlers,  # type: ignore[arg-type]
        middleware=[Middleware(HostGuard, policy=hosts), *pages.middleware],
    )


# A body refused from its Content-Length is still drained (uvicorn discards it, nothing is kept)
# when it is at most this long, so the client, still sending, reads the 413 instead of a reset;
# a longer one, or a chunked one, gets the 413 and the connection closed at once.
DRAIN_LIMIT = 16 * MAX_REQUEST_BYTES


class BodyTooLarge(ApiError):
    def __init__(self, close: bool):
        refused = request_too_large()
        super().__init__(refused.code, refused.message, refused.status)
        self.close = close


async def read_body(request: Request) -> bytes:
    """The request body, refused as soon as it is known to exceed the 1 MiB limit: from its
    Content-Length before a byte is read, else (chunked) once 1 MiB has arrived."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise BodyTooLarge(close=int(declared) > DRAIN_LIMIT)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise BodyTooLarge(close=True)
        chunks.append(chunk)
    return b"".join(chunks)


def _signed(request: Request, body: bytes) -> HttpRequest:
    """The request as SigV4 reads it: path and query as sent, the headers as they came."""
    scope = request.scope
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    return HttpRequest(
        request.method, path.decode("latin-1"), query.decode("latin-1"), scope["headers"], body
    )


def _refuse(request: Request, error: ApiError) -> Response:
    request.state.error = error  # for the audit record
    response = _reply(error.body(), error.status, request.state.request_id)
    if isinstance(error, BodyTooLarge) and error.close:
        response.headers["connection"] = "close"  # the rest of the body is not read
    return response


def _reply(body: bytes, status: int, request_id: str) -> Response:
    # Every AWS reply carries a request id (boto3 shows it as ResponseMetadata.RequestId).
    return Response(
        body, status_code=status, media_type=CONTENT_TYPE, headers={"x-amzn-RequestId": request_id}
    )


def _audit(audit: AuditLog, request: Request) -> None:
    """The call's audit record, queued (a client gone before its body arrived made no call)."""
    state = request.state
    error: ApiError | None = getattr(state, "error", None)
    output = getattr(state, "output", None)
    if error is None and output is None:
        return
    audit.record(
        Call(
            completed=time.time(),
            operation=getattr(state, "operation", None),
            target=request.headers.get("x-amz-target"),
            parameters=getattr(state, "parameters", None),
            output=output,
            error_code=error.code if error is not None else None,
            error_message=error.message if error is not None else None,
            principal=getattr(state, "principal", None),
            request_id=state.request_id,
            source_ip=request.client.host if request.client is not None else "",
            user_agent=request.headers.get("user-agent", ""),
        )
    )
