"""Python callables bound to Task resources, run as AWS Lambda runs functions.

A function ``f(event, context)`` registered under the name ``f`` answers to the resource ``f``,
to every function ARN ending in ``:function:f`` (with or without a version or alias qualifier),
and to ``arn:aws:states:::lambda:invoke`` with ``"FunctionName"`` set to any of those.
"""

from __future__ import annotations

import base64
import importlib.util
import inspect
import json
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Handler = Callable[[Any, Any], Any]

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


class TaskError(Exception):
    """A task's failure as Step Functions records it: an error name and a cause."""

    def __init__(self, error: str, cause: str):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


@dataclass
class LambdaContext:
    """The parts of AWS Lambda's context object a handler commonly reads."""

    function_name: str
    aws_request_id: str
    deadline: float | None = None
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        if self.deadline is None:
            return 900_000
        return max(0, int((self.deadline - time.time()) * 1000))


@dataclass
class FunctionRegistry:
    functions: dict[str, Handler] = field(default_factory=dict)
    region: str = "us-east-1"
    account: str = "123456789012"

    def register(self, name: str, handler: Handler) -> None:
        self.functions[name] = handler

    def load_module(self, path: str | Path) -> list[str]:
        """Register every top-level callable ``f(event, context)`` defined in a Python file."""
        path = Path(path)
        spec = importlib.util.spec_from_file_location(f"stepwell_functions_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise ValueError(f"cannot load functions from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        names = []
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            if len(inspect.signature(value).parameters) == 2:
                self.register(name, value)
                names.append(name)
        return names

    def resolve(self, resource: str, payload: Any) -> tuple[str, Handler | None, Any, bool]:
        """(function name, handler or None, event to pass, wrap the result as lambda:invoke does)."""
        if resource in self.functions:  # a callable bound to this exact resource
            return resource, self.functions[resource], payload, False
        if resource == LAMBDA_INVOKE:
            target = payload.get("FunctionName", "") if isinstance(payload, dict) else ""
            name = function_name(str(target))
            event = _invoke_payload(payload.get("Payload") if isinstance(payload, dict) else None)
            return name, self.functions.get(name), event, True
        name = function_name(resource)
        return name, self.functions.get(name), payload, False

    def invoke(self, resource: str, payload: Any, timeout: float | None = None) -> Any:
        """Run the bound function; raise TaskError as Step Functions would record the failure."""
        name, handler, event, wrap = self.resolve(resource, payload)
        request_id = str(uuid.uuid4())
        if handler is None and (".waitForTaskToken" in resource or ".sync" in resource):
            raise TaskError(
                "States.TaskFailed",
                f"The resource '{resource}' waits for a task token callback or a job to finish, which "
                "the in-process runner cannot receive; bind a callable to this exact resource to stand in "
                "for it.",
            )
        if handler is None and not is_lambda_resource(resource):
            raise TaskError(
                "States.TaskFailed",
                f"No handler is bound to the resource '{resource}'. In process, stepwell runs Lambda "
                "functions (--functions module.py) and callables registered for an exact resource.",
            )
        if handler is None:
            raise TaskError(
                "Lambda.ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:{self.region}:{self.account}:function:{name}:$LATEST "
                f"(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
                f"Request ID: {request_id}; Proxy: null)",
            )
        context = LambdaContext(
            function_name=name,
            aws_request_id=request_id,
            deadline=time.time() + timeout if timeout else None,
        )
        try:
            result = _response_payload(handler(_copy_json(event), context))
        except Exception as exc:  # the function's failure is the task's failure
            # The plain function ARN passes on the runtime's error text; lambda:invoke re-encodes it.
            cause = lambda_error_cause(exc, request_id, compact=wrap)
            raise TaskError(type(exc).__name__, cause) from None
        if not wrap:
            return result
        wrapped: dict[str, Any] = {"ExecutedVersion": "$LATEST"}
        if isinstance(payload, dict) and payload.get("LogType") == "Tail":
            wrapped["LogResult"] = base64.b64encode(f"START RequestId: {request_id}\n".encode()).decode()
        return wrapped | {
            "Payload": result,
            "SdkHttpMetadata": {
                "AllHttpHeaders": {"X-Amz-Executed-Version": ["$LATEST"], "x-amzn-RequestId": [request_id]},
                "HttpHeaders": {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id},
                "HttpStatusCode": 200,
            },
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        }


def is_lambda_resource(resource: str) -> bool:
    return resource == LAMBDA_INVOKE or ":function:" in resource or ":" not in resource


def function_name(target: str) -> str:
    """``f``, ``arn:aws:lambda:r:a:function:f`` or ``…:function:f:qualifier`` -> ``f``."""
    parts = target.split(":")
    if "function" in parts:
        at = parts.index("function")
        if at + 1 < len(parts):
            return parts[at + 1]
    if len(parts) == 2:  # "f:qualifier"
        return parts[0]
    return target


def lambda_error_cause(exc: BaseException, request_id: str, compact: bool = False) -> str:
    """The cause AWS's Python runtime reports for an unhandled exception."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    error = {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id}
    return json.dumps(
        error | {"stackTrace": stack},
        separators=(",", ":") if compact else (", ", ": "),
        ensure_ascii=False,
    )


def _invoke_payload(payload: Any) -> Any:
    """lambda:invoke sends a string Payload as raw bytes (so "0.0" arrives as the number 0.0)
    and no Payload as an empty object."""
    if payload is None:
        return {}
    if isinstance(payload, str):
        try:
            return json.loads(payload)
        except ValueError:
            return payload
    return payload


def _response_payload(result: Any) -> Any:
    """The function's answer as Step Functions reads it: bytes are the raw JSON response."""
    if isinstance(result, (bytes, bytearray)):
        text = bytes(result).decode("utf-8")
        try:
            return json.loads(text)
        except ValueError:
            return text
    return _copy_json(result)


def _copy_json(value: Any) -> Any:
    """What crosses the function boundary is JSON, as it is for a real Lambda function."""
    return json.loads(json.dumps(value))
