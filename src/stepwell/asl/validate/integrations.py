"""Which ``arn:<partition>:states:::<service>:<action>[<pattern>]`` Task resources exist.

The table is AWS's support matrix of optimized integrations (../shared/reference/integrations.md
§1.2, from the Developer Guide's "Integrating services with Step Functions"): per service, the
integration patterns it offers beyond request-response. A service not in it (``nosuch``, ``s3``,
whose ``getObject``/``listObjectsV2`` are ItemReader resources only), or a pattern its service does
not offer (``dynamodb:putItem.sync``), is refused.

Actions are checked only for the services whose optimized actions the Developer Guide lists in full
(one page each: Lambda, SNS, SQS, DynamoDB, EventBridge, Step Functions, API Gateway, HTTP Task,
Batch, ECS, Glue, Athena); for the others (SageMaker, EMR, EKS, CodeBuild, Bedrock, ...) any action
is accepted, since our list of their actions is not known to be complete (when unsure, accept).

``aws-sdk:<service>:<action>`` names are not checked here: the list of SDK services lives in
botocore's data, which asl/ may not read (no I/O); see the report of issue 9.
"""

from __future__ import annotations

SYNC = ".sync"
SYNC2 = ".sync:2"
WAIT_FOR_TASK_TOKEN = ".waitForTaskToken"

_RR_WFTT = frozenset({WAIT_FOR_TASK_TOKEN})
_RR_SYNC = frozenset({SYNC})
_RR_SYNC_WFTT = frozenset({SYNC, WAIT_FOR_TASK_TOKEN})

# service prefix -> patterns offered besides request-response (integrations.md §1.2).
PATTERNS: dict[str, frozenset[str]] = {
    "apigateway": _RR_WFTT,
    "athena": _RR_SYNC,
    "batch": _RR_SYNC,
    "bedrock": _RR_SYNC_WFTT,
    "codebuild": _RR_SYNC,
    "dynamodb": frozenset(),
    "ecs": _RR_SYNC_WFTT,
    "eks": _RR_SYNC_WFTT,
    "elasticmapreduce": _RR_SYNC,
    "emr-containers": _RR_SYNC,
    "emr-serverless": _RR_SYNC,
    "events": _RR_WFTT,
    "glue": _RR_SYNC,
    "databrew": _RR_SYNC,
    "lambda": _RR_WFTT,
    "mediaconvert": _RR_SYNC,
    "sagemaker": _RR_SYNC,
    "sns": _RR_WFTT,
    "sqs": _RR_WFTT,
    "states": frozenset({SYNC, SYNC2, WAIT_FOR_TASK_TOKEN}),
    "http": _RR_WFTT,  # the HTTP Task (reference §7.3: "HTTPS APIs (http:invoke)")
    "aws-sdk": _RR_WFTT,  # aws-sdk:<service>:<api>[.waitForTaskToken]
}

# service prefix -> every optimized action, for the services whose Developer Guide page lists them
# all (integrations.md §2.1, §2.2, §2.3, §2.5, §2.10, §2.12-§2.14).
ACTIONS: dict[str, frozenset[str]] = {
    "lambda": frozenset({"invoke"}),
    "sns": frozenset({"publish"}),
    "sqs": frozenset({"sendMessage"}),
    "dynamodb": frozenset({"getItem", "putItem", "deleteItem", "updateItem"}),
    "events": frozenset({"putEvents"}),
    "states": frozenset({"startExecution"}),
    "apigateway": frozenset({"invoke"}),
    "http": frozenset({"invoke"}),
    "batch": frozenset({"submitJob"}),
    "ecs": frozenset({"runTask"}),
    "glue": frozenset({"startJobRun"}),
    "athena": frozenset(
        {"startQueryExecution", "stopQueryExecution", "getQueryExecution", "getQueryResults"}
    ),
}

_PATTERN_SUFFIXES = (SYNC2, SYNC, WAIT_FOR_TASK_TOKEN)  # ".sync:2" before ".sync"


def split_pattern(action: str) -> tuple[str, str]:
    """``runTask.sync`` -> (``runTask``, ``.sync``); no suffix -> (action, "")."""
    for suffix in _PATTERN_SUFFIXES:
        if action.endswith(suffix):
            return action[: -len(suffix)], suffix
    return action, ""


def is_known_integration(service: str, action_and_pattern: str) -> bool:
    """Whether ``states:::<service>:<action_and_pattern>`` names an optimized integration."""
    patterns = PATTERNS.get(service)
    if patterns is None:
        return False
    action, pattern = split_pattern(action_and_pattern)
    if service == "aws-sdk":
        # <sdk service>:<api>; which SDK services exist is not known to asl/ (no botocore data here).
        sdk_service, _, api = action.partition(":")
        return bool(sdk_service and api) and (not pattern or pattern in patterns)
    if not action or (pattern and pattern not in patterns):
        return False
    actions = ACTIONS.get(service)
    return actions is None or action in actions
