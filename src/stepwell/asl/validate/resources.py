"""Task resources: the ARN forms a Task may name (pass 2), and what an EXPRESS machine refuses (pass 5).

Accepted forms (reference §7.2), in any partition (``aws``, ``aws-cn``, ``aws-us-gov``, ...):

* ``arn:<p>:states:::<service>:<action>[.sync|.sync:2|.waitForTaskToken]``, ``aws-sdk:<service>:<api>``;
* ``arn:<p>:states:<region>:<account>:activity:<name>``;
* ``arn:<p>:lambda:<region>:<account>:function:<name>[:<qualifier>]``, and other service ARNs.

A value that is not an ARN at all gets AWS's words (reported by users of CreateStateMachine):
"The resource provided <value> is not recognized. The value is not a valid resource ARN, or the
resource is not available in this region." An ``arn:<p>:states:::`` resource that names no optimized
integration (an unknown service, an action or pattern its service does not offer: see
``validate_integrations``) gets the same words — a guess: it is the message AWS gives for a resource
it does not recognize, and no recording of this case exists here.

EXPRESS machines support only request-response integrations (reference §8.1); recorded against AWS:
``Express state machine does not support '.waitForTaskToken' service integration `` (with AWS's
trailing space) at ``/States/<name>/Resource``, ``Express state machine does not support '.sync'
service integration`` there too, and ``Express state machine does not support Activity ARN``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stepwell.asl.resources import ACTIVITY, SYNC, SYNC2, WAIT_FOR_TASK_TOKEN, parse_task_resource
from stepwell.asl.validate.integrations import is_known_integration
from stepwell.asl.validate.walk import child, schema_error, sites
from stepwell.errors import Diagnostic

_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[^:]*:[^:]*:.+")
# arn:<p>:states:::<service>:<action...>: group 1 the service, group 2 the rest.
_STATES_NAMESPACE = re.compile(r"arn:aws[a-z-]*:states:::([^:]*):(.*)", re.DOTALL)


def check_resource(resource: str, pointer: str, out: list[Diagnostic]) -> None:
    if _ARN.fullmatch(resource) is None or not _known_in_states_namespace(resource):
        message = (
            f"The resource provided {resource} is not recognized. The value is not a valid resource ARN, "
            "or the resource is not available in this region."
        )
        out.append(schema_error(message, pointer))


def _known_in_states_namespace(resource: str) -> bool:
    """False only for an ``arn:<p>:states:::service:action`` naming no optimized integration."""
    match = _STATES_NAMESPACE.fullmatch(resource)
    return match is None or is_known_integration(match.group(1), match.group(2))


def check_express(definition: Mapping[str, Any]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for site in sites(definition):
        resource = site.body.get("Resource")
        if site.type != "Task" or not isinstance(resource, str):
            continue
        pointer = child(site.pointer, "Resource")
        target = parse_task_resource(resource)
        if target.kind == ACTIVITY:
            out.append(schema_error("Express state machine does not support Activity ARN", pointer))
        elif target.pattern == WAIT_FOR_TASK_TOKEN:
            message = "Express state machine does not support '.waitForTaskToken' service integration "
            out.append(schema_error(message, pointer))
        elif target.pattern in (SYNC, SYNC2):
            out.append(
                schema_error("Express state machine does not support '.sync' service integration", pointer)
            )
    return out
