"""What Step Functions sends to a Lambda function and records of its answer, as pure functions.

Shared by every way stepwell runs a Lambda function (in-thread ``FunctionRegistry``, the worker pool
``LambdaWorkers``, a remote endpoint through ``RemoteLambda``), so they resolve names, wrap results
and word failures identically:

- a target is ``f``, ``f:qualifier``, ``arn:aws:lambda:<r>:<a>:function:f[:qualifier]``, or
  ``arn:aws:states:::lambda:invoke`` with ``"FunctionName"`` set to any of those;
- the plain function ARN returns the function's result as is; ``lambda:invoke`` wraps it in
  ``{ExecutedVersion, [LogResult], Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}``;
- a function error is recorded the way Step Functions reads Lambda's Invoke response: the error is
  the payload's ``errorType`` (``Lambda.Unknown`` without one), the cause is the payload text as the
  runtime wrote it for a plain ARN and re-encoded compactly for ``lambda:invoke``.

This module is also imported by the worker processes (lambda_worker_main), so it stays light.
"""

from __future__ import annotations

import base64
import importlib.util
import inspect
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

from stepwell.asl.resources import TaskResource
from stepwell.runtime.invokers.base import TaskError

Handler = Callable[[Any, Any], Any]

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_SERVICES = ("function", "lambda")  # Resource.service of a function ARN and of lambda:invoke
LATEST = "$LATEST"
NO_DEADLINE_MS = 900_000  # Lambda's longest timeout, for a context without a deadline


@dataclass(frozen=True, slots=True)
class LambdaTarget:
    """The function a Lambda task calls, and how.

    ``target`` is what names it (``FunctionName`` or the function ARN), ``name`` the bare function
    name, ``event`` what the handler receives, ``wrap`` whether the result is lambda:invoke's wrapper;
    ``parameters`` are lambda:invoke's parameters (LogType, Qualifier, ...), empty for a plain ARN."""

    target: str
    name: str
    event: Any
    wrap: bool
    parameters: dict[str, Any]


@dataclass
class LambdaContext:
    """The parts of AWS Lambda's context object a handler commonly reads."""

    function_name: str
    aws_request_id: str
    deadline: float | None = None
    function_version: str = LATEST
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        if self.deadline is None:
            return NO_DEADLINE_MS
        return max(0, int((self.deadline - time.time()) * 1000))


# --- resolution ----------------------------------------------------------------------------------


def require_lambda(resource: TaskResource, invoker: str) -> None:
    """Refuse a resource that is neither a function ARN nor ``lambda:invoke[.waitForTaskToken]``."""
    if resource.service not in LAMBDA_SERVICES or (
        resource.service == "lambda" and resource.action != "invoke"
    ):
        raise TaskError("States.TaskFailed", f"{invoker} cannot call the resource '{resource.arn}'.")


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


def lambda_target(resource: str, payload: Any) -> LambdaTarget:
    """The call a Lambda resource (without its .waitForTaskToken suffix) makes with these parameters."""
    if resource == LAMBDA_INVOKE:
        parameters = payload if isinstance(payload, dict) else {}
        target = str(parameters.get("FunctionName", ""))
        event = invoke_payload(parameters.get("Payload"))
        return LambdaTarget(target, function_name(target), event, True, parameters)
    return LambdaTarget(resource, function_name(resource), payload, False, {})


def function_arn(target: str, region: str, account: str) -> str:
    """The ARN Lambda reports as invoked_function_arn: the target itself when it is an ARN."""
    if target.startswith("arn:"):
        return target
    return f"arn:aws:lambda:{region}:{account}:function:{target}"


def invoke_payload(payload: Any) -> Any:
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


# --- results -------------------------------------------------------------------------------------


def response_payload(result: Any) -> Any:
    """The function's answer as Step Functions reads it: bytes are the raw JSON response."""
    if isinstance(result, (bytes, bytearray)):
        text = bytes(result).decode("utf-8")
        try:
            return json.loads(text)
        except ValueError:
            return text
    return copy_json(result)


def copy_json(value: Any) -> Any:
    """What crosses the function boundary is JSON, as it is for a real Lambda function."""
    return json.loads(json.dumps(value))


def invoke_response(
    result: Any,
    request_id: str,
    *,
    status_code: int = 200,
    executed_version: str | None = LATEST,
    log_result: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """lambda:invoke's output: the Invoke response as the Java SDK that Step Functions uses shows it.

    ``headers`` are the HTTP response headers (a local function gets those Lambda sends)."""
    if headers is None:
        headers = local_headers(result, request_id, executed_version or LATEST)
    wrapped: dict[str, Any] = {}
    if executed_version is not None:
        wrapped["ExecutedVersion"] = executed_version
    if log_result is not None:
        wrapped["LogResult"] = log_result
    return wrapped | {
        "Payload": result,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": dict(headers),
            "HttpStatusCode": status_code,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": status_code,
    }


def local_headers(result: Any, request_id: str, executed_version: str) -> dict[str, str]:
    """The headers of Lambda's Invoke response, as recorded against AWS through TestState
    (test_base_lambda_service_task_state): Content-Length is the payload's size in bytes, the
    trace id is a new X-Ray root (``Root=1-<epoch hex>-<96 random bits>``)."""
    now = time.time()
    payload = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return {
        "Connection": "keep-alive",
        "Content-Length": str(len(payload)),
        "Content-Type": "application/json",
        "Date": formatdate(now, usegmt=True),
        "X-Amz-Executed-Version": executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": f"Root=1-{int(now):08x}-{os.urandom(12).hex()};Sampled=0",
    }


def log_tail(request_id: str, output: str = "", duration_ms: float | None = None, memory_mb: int = 0) -> str:
    """LogType Tail's LogResult: the last 4 KB of the invocation's log, base64-encoded."""
    text = f"START RequestId: {request_id} Version: {LATEST}\n{output}"
    if duration_ms is not None:
        text += (
            f"END RequestId: {request_id}\nREPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(1, round(duration_ms))} ms\tMemory Size: {memory_mb} MB\t\n"
        )
    return base64.b64encode(text.encode()[-4096:]).decode()


# --- failures ------------------------------------------------------------------------------------


def runtime_error_payload(exc: BaseException, request_id: str) -> str:
    """The error payload AWS's Python runtime returns for an unhandled exception (its own spacing).

    The first traceback frame is the caller's (the runtime's), which the runtime leaves out."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    stack = [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]
    error = {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id}
    return json.dumps(error | {"stackTrace": stack}, ensure_ascii=False)


def marshal_error_payload(exc: BaseException, request_id: str) -> str:
    """The Python runtime's answer when the handler's result is not JSON."""
    error = {
        "errorMessage": f"Unable to marshal response: {exc}",
        "errorType": "Runtime.MarshalError",
        "requestId": request_id,
        "stackTrace": [],
    }
    return json.dumps(error, ensure_ascii=False)


def lambda_error_cause(exc: BaseException, request_id: str, compact: bool = False) -> str:
    """The cause Step Functions records for an unhandled exception in a Python function."""
    return function_error(runtime_error_payload(exc, request_id), compact).cause


def platform_error_payload(error_type: str, request_id: str, message: str) -> str:
    """An error Lambda itself reports (the function timed out, its runtime exited): compact JSON."""
    body = {"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {message}"}
    return json.dumps(body, separators=(",", ":"))


def timeout_payload(request_id: str, timeout_seconds: float) -> str:
    return platform_error_payload(
        "Sandbox.Timedout", request_id, f"Task timed out after {timeout_seconds:.2f} seconds"
    )


def exit_payload(request_id: str, returncode: int | None, signal_name: str | None) -> str:
    """A runtime that died mid-call: ``exit status 1``, ``signal: killed``, ``signal: segmentation fault``."""
    if signal_name:
        reason = f"Runtime exited with error: signal: {signal_name}"
    elif returncode:
        reason = f"Runtime exited with error: exit status {returncode}"
    else:
        reason = "Runtime exited without providing a reason"
    return platform_error_payload("Runtime.ExitError", request_id, reason)


def out_of_memory_payload(request_id: str) -> str:
    return platform_error_payload(
        "Runtime.OutOfMemory", request_id, "Runtime exited with error: signal: killed"
    )


def function_error(payload_text: str, compact: bool) -> TaskError:
    """Step Functions' record of a function error (Invoke answered with X-Amz-Function-Error).

    The error is the payload's errorType, or Lambda.Unknown when there is none (AWS: "Unhandled errors
    in Lambda are reported as Lambda.Unknown"). A plain function ARN passes the payload text on;
    lambda:invoke re-encodes it as compact JSON."""
    try:
        body = json.loads(payload_text)
    except ValueError:
        return TaskError("Lambda.Unknown", payload_text)
    error_type = body.get("errorType") if isinstance(body, dict) else None
    error = error_type if isinstance(error_type, str) and error_type else "Lambda.Unknown"
    cause = json.dumps(body, separators=(",", ":"), ensure_ascii=False) if compact else payload_text
    return TaskError(error, cause)


def not_found_error(name: str, region: str, account: str, request_id: str) -> TaskError:
    """Lambda's ResourceNotFoundException, as the Java SDK words it for Step Functions."""
    return TaskError(
        "Lambda.ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{region}:{account}:function:{name}:{LATEST} "
        f"(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; "
        f"Request ID: {request_id}; Proxy: null)",
    )


# --- loading -------------------------------------------------------------------------------------


def load_handlers(path: str | Path) -> dict[str, Handler]:
    """Every top-level function ``f(event, context)`` a Python file defines, by name."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"stepwell_functions_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load functions from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    handlers: dict[str, Handler] = {}
    for name, value in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
            continue
        if len(inspect.signature(value).parameters) == 2:
            handlers[name] = value
    return handlers


def python_files(paths: list[str | Path] | tuple[str | Path, ...]) -> list[Path]:
    """The modules to load: each file given, and every .py file of each directory given."""
    files: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            files.extend(sorted(p for p in entry.glob("*.py") if not p.name.startswith("_")))
        else:
            files.append(entry)
    return files
