"""A Task's ``Resource``, parsed once: what it calls, with which pattern, and how history names it.

The forms a Task may name (reference §7.2), in any partition (``aws``, ``aws-cn``, ...):

    arn:<p>:lambda:<region>:<account>:function:<name>[:<qualifier>]    FUNCTION, LambdaFunction* events
    arn:<p>:states:::lambda:invoke[.waitForTaskToken]                  FUNCTION, Task* events
    arn:<p>:states:<region>:<account>:activity:<name>                  ACTIVITY, Activity* events
    arn:<p>:states:::states:startExecution[.sync|.sync:2|.waitForTaskToken]
                                                                       CHILD, Task* events
    arn:<p>:states:::<service>:<action>[.sync|.sync:2|.waitForTaskToken],
    arn:<p>:states:::aws-sdk:<service>:<apiAction>[.waitForTaskToken]  SERVICE, Task* events

Anything else (another service's ARN) is a SERVICE too, except the short function names Lambda
accepts (``<name>[:<qualifier>]``, ``<account>:function:<name>[:<qualifier>]``), which invokers take
but a definition may not use (the validator wants an ARN).
The kinds are the runtime's task kinds. ``parse_task_resource`` never raises: it classifies any
text, so the validator may use it on what it has not yet accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# What carries the task out (the runtime's task row kinds).
FUNCTION = "function"  # a Lambda function, called through the invokers
ACTIVITY = "activity"  # queued for an activity worker (GetActivityTask)
CHILD = "child"  # a nested execution (states:startExecution)
SERVICE = "service"  # any other integration, called through the invokers

# Which family of history events the Task writes (LambdaFunctionScheduled, ActivityScheduled,
# TaskScheduled, ...).
LAMBDA_EVENTS, ACTIVITY_EVENTS, TASK_EVENTS = "LambdaFunction", "Activity", "Task"

# Integration patterns, as ``pattern`` names them (the suffix without its dot).
SYNC, SYNC2, WAIT_FOR_TASK_TOKEN = "sync", "sync:2", "waitForTaskToken"
# ".sync:2" before ".sync": the longer suffix wins.
_SUFFIXES = ((".sync:2", SYNC2), (".sync", SYNC), (".waitForTaskToken", WAIT_FOR_TASK_TOKEN))


@dataclass(frozen=True, slots=True)
class TaskResource:
    """One Task ``Resource``, split.

    ``service``/``action`` are the invokers' vocabulary: ``lambda``/``invoke``, ``http``/``invoke``,
    ``sqs``/``sendMessage``, ``aws-sdk``/``s3:getObject`` (an aws-sdk action keeps its service),
    ``states``/``startExecution``; a function ARN is ``function``/<the ARN>, an activity ARN
    ``activity``/<the ARN>, another service's ARN ``""``/``""``. ``pattern``: ``""``
    (request-response), ``sync``, ``sync:2`` or ``waitForTaskToken``; ``base`` is the text without
    the pattern's suffix.

    ``resource_type``/``history_resource`` are what history events print: ``sqs`` /
    ``sendMessage.waitForTaskToken``, ``aws-sdk:dynamodb`` / ``putItem``, ``lambda`` / <the function
    ARN>, ``activity`` / <the activity ARN>."""

    arn: str
    kind: str
    service: str
    action: str
    pattern: str
    base: str
    resource_type: str
    history_resource: str
    events: str  # LAMBDA_EVENTS, ACTIVITY_EVENTS or TASK_EVENTS
    needs_token: bool  # the engine makes a task token: activities, .waitForTaskToken, .sync
    function_name: str | None = None  # a function ARN's function (lambda:invoke names it in its payload)
    qualifier: str | None = None  # a function ARN's version or alias
    activity_arn: str | None = None


@lru_cache(maxsize=4096)
def parse_task_resource(arn: str) -> TaskResource:
    parts = arn.split(":")
    is_arn = len(parts) >= 6 and parts[0] == "arn"
    function = _function(parts, is_arn)
    if function is not None:
        return TaskResource(
            arn=arn,
            kind=FUNCTION,
            service="function",
            action=arn,
            pattern="",
            base=arn,
            resource_type="lambda",
            history_resource=arn,
            events=LAMBDA_EVENTS,
            needs_token=False,
            function_name=function[0],
            qualifier=function[1],
        )
    # arn:<p>:states:<region>:<account>:activity:<name>
    if (
        is_arn
        and len(parts) >= 7
        and parts[2] == "states"
        and parts[5] == "activity"
        and parts[3]
        and parts[4]
    ):
        return TaskResource(
            arn=arn,
            kind=ACTIVITY,
            service="activity",
            action=arn,
            pattern="",
            base=arn,
            resource_type="activity",
            history_resource=arn,
            events=ACTIVITY_EVENTS,
            needs_token=True,
            activity_arn=arn,
        )
    # History splits the text after the account: <type>:<resource...>, aws-sdk:<svc>:<api> keeping
    # its service in the type; the pattern stays on the resource (``sendMessage.waitForTaskToken``).
    rest = parts[5:] if len(parts) > 5 else [arn]
    if rest[0] == "aws-sdk" and len(rest) >= 3:
        resource_type, history_resource = f"aws-sdk:{rest[1]}", ":".join(rest[2:])
    else:
        resource_type, history_resource = rest[0], ":".join(rest[1:])
    in_states_namespace = is_arn and parts[2] == "states" and not parts[3] and not parts[4]
    pattern, base = "", arn
    if in_states_namespace:
        for suffix, name in _SUFFIXES:
            if arn.endswith(suffix):
                pattern, base = name, arn[: -len(suffix)]
                break
        service, _, action = base.split(":", 5)[5].partition(":")
    else:  # another service's ARN: no integration has that name
        service, action = "", ""
    kind = SERVICE
    if in_states_namespace:
        if service == "lambda" and action == "invoke" and pattern in ("", WAIT_FOR_TASK_TOKEN):
            kind = FUNCTION
        elif service == "states" and action == "startExecution":
            kind = CHILD
    return TaskResource(
        arn=arn,
        kind=kind,
        service=service,
        action=action,
        pattern=pattern,
        base=base,
        resource_type=resource_type,
        history_resource=history_resource,
        events=TASK_EVENTS,
        needs_token=pattern != "",
    )


def _function(parts: list[str], is_arn: bool) -> tuple[str, str | None] | None:
    """(name, qualifier) of a function ARN ``arn:<p>:lambda:<r>:<a>:function:<name>[:<qualifier>]``,
    or of the shorter forms Lambda accepts and the invokers take (a Task's Resource must be the
    ARN: the validator refuses the others): ``<name>``, ``<name>:<qualifier>``,
    ``<account>:function:<name>[:<qualifier>]``."""
    if is_arn:
        if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
            return parts[6], ":".join(parts[7:]) if len(parts) > 7 else None
        return None
    if parts[0] in ("", "arn"):
        return None
    if len(parts) <= 2:
        return parts[0], parts[1] if len(parts) == 2 else None
    if len(parts) <= 4 and parts[1] == "function" and parts[2]:
        return parts[2], parts[3] if len(parts) == 4 else None
    return None


# What a TaskState holds until parse.py gives it its own.
NO_RESOURCE = parse_task_resource("")
