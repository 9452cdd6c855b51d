"""The Step Functions API over HTTP: ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>``.

The console's pages share the address (``GET /`` and below; see stepwell.console). The face
translates and never decides: the request is parsed and checked against botocore's model
(``protocol``), the use case runs (``Service``), and the answer or the refusal is written back in
AWS's JSON 1.0 shape.
"""

from __future__ import annotations

import logging
import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stepwell.api.protocol import ApiError, encode_response, parse_request
from stepwell.console.app import console_routes
from stepwell.errors import ServiceError
from stepwell.service import Service

log = logging.getLogger("stepwell.api")
CONTENT_TYPE = "application/x-amz-json-1.0"


def create_app(service: Service) -> Starlette:
    async def api(request: Request) -> Response:
        try:
            body = await request.body()
            operation, params = parse_request(
                request.headers.get("x-amz-target"), body, request.headers.get("content-type")
            )
            output = await service.call(operation, params)
            return _reply(encode_response(operation, output), 200)
        except ServiceError as refused:
            return _error(ApiError(refused.code, refused.message))
        except ApiError as refused:
            return _error(refused)
        except Exception:
            log.exception("internal failure")
            return _error(ApiError("InternalFailure", "An internal error occurred.", status=500))

    pages, handlers = console_routes(service)
    return Starlette(routes=[Route("/", api, methods=["POST"]), *pages], exception_handlers=handlers)  # type: ignore[arg-type]


def _error(error: ApiError) -> Response:
    return _reply(error.body(), error.status)


def _reply(body: bytes, status: int) -> Response:
    # Every AWS reply carries a request id (boto3 shows it as ResponseMetadata.RequestId).
    return Response(
        body, status_code=status, media_type=CONTENT_TYPE, headers={"x-amzn-RequestId": str(uuid.uuid4())}
    )
