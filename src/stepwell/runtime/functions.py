"""Python callables bound to Task resources, run in the calling thread as AWS Lambda runs functions.

A function ``f(event, context)`` registered under the name ``f`` answers to the resource ``f``,
to every function ARN ending in ``:function:f`` (with or without a version or alias qualifier),
and to ``arn:aws:states:::lambda:invoke`` with ``"FunctionName"`` set to any of those. A callable may
also be bound to any exact resource (``arn:aws:states:::sqs:sendMessage``) to stand in for it.

The shapes (resolution, lambda:invoke's wrapper, error causes) live in invokers/lambda_shapes.py and
are shared with the worker pool (invokers/lambda_workers.py), which runs the same functions in other
processes with timeouts and memory limits.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepwell import arns
from stepwell.runtime.invokers.base import TaskCall, TaskError
from stepwell.runtime.invokers.lambda_shapes import (
    LAMBDA_INVOKE,
    Handler,
    LambdaContext,
    copy_json,
    function_arn,
    function_error,
    function_name,
    invoke_response,
    is_lambda_resource,
    lambda_error_cause,
    lambda_target,
    load_handlers,
    log_tail,
    marshal_error_payload,
    not_found_error,
    response_payload,
    runtime_error_payload,
)

__all__ = [
    "LAMBDA_INVOKE",
    "FunctionRegistry",
    "Handler",
    "LambdaContext",
    "RegistryInvoker",
    "TaskError",
    "function_name",
    "is_lambda_resource",
    "lambda_error_cause",
]


@dataclass
class FunctionRegistry:
    functions: dict[str, Handler] = field(default_factory=dict)
    region: str = arns.DEFAULT_REGION
    account: str = arns.DEFAULT_ACCOUNT

    def register(self, name: str, handler: Handler) -> None:
        self.functions[name] = handler

    def load_module(self, path: str | Path) -> list[str]:
        """Register every top-level callable ``f(event, context)`` defined in a Python file."""
        handlers = load_handlers(path)
        for name, handler in handlers.items():
            self.register(name, handler)
        return list(handlers)

    def resolve(self, resource: str, payload: Any) -> tuple[str, Handler | None, Any, bool]:
        """(function name, handler or None, event to pass, wrap the result as lambda:invoke does)."""
        if resource in self.functions:  # a callable bound to this exact resource
            return resource, self.functions[resource], payload, False
        target = lambda_target(resource, payload)
        return target.name, self.functions.get(target.name), target.event, target.wrap

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
            raise not_found_error(name, self.region, self.account, request_id)
        context = LambdaContext(
            function_name=name,
            aws_request_id=request_id,
            deadline=time.time() + timeout if timeout else None,
            invoked_function_arn=function_arn(name, self.region, self.account),
            log_group_name=f"/aws/lambda/{name}",
        )
        try:
            answer = handler(copy_json(event), context)
        except Exception as exc:  # the function's failure is the task's failure
            raise function_error(runtime_error_payload(exc, request_id), compact=wrap) from None
        try:
            result = response_payload(answer)
        except (TypeError, ValueError) as exc:  # not JSON: the runtime cannot send it back
            raise function_error(marshal_error_payload(exc, request_id), compact=wrap) from None
        if not wrap:
            return result
        tail = isinstance(payload, dict) and payload.get("LogType") == "Tail"
        return invoke_response(result, request_id, log_result=log_tail(request_id) if tail else None)

    def as_invoker(self) -> RegistryInvoker:
        """This registry behind the Invoker seam (``invoke(call)``)."""
        return RegistryInvoker(self)


@dataclass(frozen=True)
class RegistryInvoker:
    """A FunctionRegistry as an Invoker: the in-thread stand-in for the worker pool."""

    registry: FunctionRegistry

    def invoke(self, call: TaskCall) -> Any:
        return self.registry.invoke(call.resource.base, call.payload, call.timeout_seconds)

    def close(self) -> None:
        """Nothing to release: the functions run in the caller's thread."""
