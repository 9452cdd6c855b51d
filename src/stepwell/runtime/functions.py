"""Python callables bound to Task resources, run as AWS Lambda runs functions.

A function ``f(event, context)`` registered under the name ``f`` answers to the resource ``f``,
to every function ARN ending in ``:function:f`` (with or without a version or alias qualifier),
and to ``arn:aws:states:::lambda:invoke`` with ``"FunctionName"`` set to any of those.
"""

from __future__ import annotations

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
        if resource.startswith(LAMBDA_INVOKE):
            target = payload.get("FunctionName", "") if isinstance(payload, dict) else ""
            name = function_name(str(target))
            event = payload.get("Payload") if isinstance(payload, dict) else None
            return name, self.functions.get(name), event, True
        name = function_name(resource)
        return name, self.functions.get(name), payload, False

    def invoke(self, resource: str, payload: Any, timeout: float | None = None) -> Any:
        """Run the bound function; raise TaskError as Step Functions would record the failure."""
        name, handler, event, wrap = self.resolve(resource, payload)
        request_id = str(uuid.uuid4())
        if handler is None:
            raise TaskError(
                "Lambda.ResourceNotFoundException",
                f"Function not found: {name} (no Python function is registered under this name; "
                "register one with --functions module.py)",
            )
        context = LambdaContext(
            function_name=name,
            aws_request_id=request_id,
            deadline=time.time() + timeout if timeout else None,
        )
        try:
            result = handler(_copy_json(event), context)
            result = _copy_json(result)
        except Exception as exc:  # the function's failure is the task's failure
            raise TaskError(type(exc).__name__, lambda_error_cause(exc, request_id)) from None
        if not wrap:
            return result
        return {
            "ExecutedVersion": "$LATEST",
            "Payload": result,
            "SdkHttpMetadata": {
                "AllHttpHeaders": {"X-Amz-Executed-Version": ["$LATEST"], "x-amzn-RequestId": [request_id]},
                "HttpHeaders": {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id},
                "HttpStatusCode": 200,
            },
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        }


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


def lambda_error_cause(exc: BaseException, request_id: str) -> str:
    """The cause AWS's Python runtime reports for an unhandled exception."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    return json.dumps(
        {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "requestId": request_id,
            "stackTrace": stack,
        }
    )


def _copy_json(value: Any) -> Any:
    """What crosses the function boundary is JSON, as it is for a real Lambda function."""
    return json.loads(json.dumps(value))
