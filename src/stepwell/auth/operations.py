"""What each API operation asks of IAM: its action, the resource it is authorized on, the further
actions it needs and the condition keys the request brings (Service Authorization Reference, AWS
Step Functions; reference §2.3).

- The action is ``states:<Operation>``; ``publish: true`` on CreateStateMachine and
  UpdateStateMachine also needs ``states:PublishStateMachineVersion``, ``revealSecrets: true`` on
  TestState ``states:RevealSecrets`` ("you also need the ALLOW permission", the versions and aliases
  page; the SAR's dependent actions).
- Versions and aliases: "Step Functions uses the state machine's ARN instead of using the version
  ARN or alias ARN"; the version number or alias name is ``states:StateMachineQualifier`` on the
  ten actions that list it. For CreateStateMachineAlias and UpdateStateMachineAlias (the key is
  ArrayOfString) it holds the alias's name and the version numbers its routing names.
- Operations on no resource (List{StateMachines,Activities}, SendTask*, TestState,
  ValidateStateMachineDefinition) are authorized on ``*``; Create* on the ARN they would create.
- ``aws:RequestTag/<key>`` and ``aws:TagKeys`` come from the request's tags (CreateStateMachine,
  CreateActivity, TagResource; UntagResource's tagKeys: aws:TagKeys only).
- ``aws:ResourceTag/<key>``: the SAR gives the key to activities, state machines (versions and
  aliases: their state machine's) and executions. An execution has no tags of its own (TagResource
  takes activities and state machines), so an execution's are its state machine's: a policy can
  then say "stop executions of machines tagged team=blue". Express executions, Map Runs and Map
  Run children have none (the SAR lists no key for them). A resource being created has none.

An ARN that does not parse is authorized as written: the service refuses it afterwards
(InvalidArn) if the caller may call the operation at all, as AWS answers a caller it denies
AccessDeniedException whatever the parameters. ``<stateMachineArn>#<TestCase>`` (Step Functions
Local's mocked test cases) is authorized on the state machine.

iam:PassRole (a dependent action of Create/UpdateStateMachine) is not asked: stepwell assumes no
role, so passing one grants nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from stepwell.arns import (
    ACTIVITY,
    EXECUTION,
    STATE_MACHINE,
    ArnError,
    ParsedArn,
    activity_arn,
    parse_arn,
    state_machine_arn,
)

ANY_RESOURCE = "*"
PREFIX = "states:"


@dataclass(frozen=True, slots=True)
class Ask:
    """What one request asks: ``action`` on ``resource``, then each (action, resource) of ``also``,
    with the request's own condition keys."""

    action: str
    resource: str
    also: tuple[tuple[str, str], ...] = ()  # (action, resource)
    qualifiers: tuple[str, ...] | None = None  # states:StateMachineQualifier
    request_tags: Mapping[str, str] | None = None  # aws:RequestTag/<key>
    tag_keys: tuple[str, ...] | None = None  # aws:TagKeys
    tagged: str | None = None  # the ARN whose tags are aws:ResourceTag/<key>


@dataclass(frozen=True, slots=True)
class _Target:
    resource: str
    qualifiers: tuple[str, ...] | None = None
    tagged: str | None = None


@dataclass(frozen=True, slots=True)
class _Where:
    region: str
    account: str
    partition: str


Resolve = Callable[[dict[str, Any], _Where], _Target]


def _member(name: str, *, qualified: bool = False) -> Resolve:
    """The resource named by the ARN in member ``name``; ``qualified``: the action takes
    states:StateMachineQualifier."""

    def resolve(params: dict[str, Any], where: _Where) -> _Target:
        return target_of(str(params.get(name) or ANY_RESOURCE), qualified)

    return resolve


def _list_executions(params: dict[str, Any], where: _Where) -> _Target:
    if params.get("mapRunArn"):
        return target_of(str(params["mapRunArn"]), qualified=False)
    return target_of(str(params.get("stateMachineArn") or ANY_RESOURCE), qualified=True)


def _new_state_machine(params: dict[str, Any], where: _Where) -> _Target:
    name = str(params.get("name", ""))
    return _Target(state_machine_arn(where.region, where.account, name, partition=where.partition))


def _new_activity(params: dict[str, Any], where: _Where) -> _Target:
    name = str(params.get("name", ""))
    return _Target(activity_arn(where.region, where.account, name, partition=where.partition))


def _alias_with_routing(params: dict[str, Any], where: _Where) -> _Target:
    """CreateStateMachineAlias names the alias and the versions it routes to; UpdateStateMachineAlias
    the alias's ARN and perhaps new routing. Authorized on their state machine."""
    qualifiers: list[str] = []
    machine: _Target | None = None
    if params.get("stateMachineAliasArn"):
        machine = target_of(str(params["stateMachineAliasArn"]), qualified=True)
        qualifiers += machine.qualifiers or ()
    elif params.get("name"):
        qualifiers.append(str(params["name"]))
    for route in params.get("routingConfiguration") or ():
        version = route.get("stateMachineVersionArn") if isinstance(route, dict) else None
        if not version:
            continue
        routed = target_of(str(version), qualified=True)
        machine = machine or routed
        qualifiers += [q for q in routed.qualifiers or () if q not in qualifiers]
    if machine is None:
        return _Target(ANY_RESOURCE)
    return replace(machine, qualifiers=tuple(qualifiers) or None)


_NO_RESOURCE: Resolve = lambda params, where: _Target(ANY_RESOURCE)  # noqa: E731

RESOURCES: dict[str, Resolve] = {
    "CreateActivity": _new_activity,
    "CreateStateMachine": _new_state_machine,
    "CreateStateMachineAlias": _alias_with_routing,
    "DeleteActivity": _member("activityArn"),
    "DeleteStateMachine": _member("stateMachineArn"),
    "DeleteStateMachineAlias": _member("stateMachineAliasArn", qualified=True),
    "DeleteStateMachineVersion": _member("stateMachineVersionArn", qualified=True),
    "DescribeActivity": _member("activityArn"),
    "DescribeExecution": _member("executionArn"),
    "DescribeMapRun": _member("mapRunArn"),
    "DescribeStateMachine": _member("stateMachineArn", qualified=True),
    "DescribeStateMachineAlias": _member("stateMachineAliasArn", qualified=True),
    "DescribeStateMachineForExecution": _member("executionArn"),
    "GetActivityTask": _member("activityArn"),
    "GetExecutionHistory": _member("executionArn"),
    "ListActivities": _NO_RESOURCE,
    "ListExecutions": _list_executions,
    "ListMapRuns": _member("executionArn"),
    "ListStateMachineAliases": _member("stateMachineArn", qualified=True),
    "ListStateMachineVersions": _member("stateMachineArn"),
    "ListStateMachines": _NO_RESOURCE,
    "ListTagsForResource": _member("resourceArn"),
    "PublishStateMachineVersion": _member("stateMachineArn"),
    "RedriveExecution": _member("executionArn"),
    "SendTaskFailure": _NO_RESOURCE,
    "SendTaskHeartbeat": _NO_RESOURCE,
    "SendTaskSuccess": _NO_RESOURCE,
    "StartExecution": _member("stateMachineArn", qualified=True),
    "StartSyncExecution": _member("stateMachineArn", qualified=True),
    "StopExecution": _member("executionArn"),
    "TagResource": _member("resourceArn"),
    "TestState": _NO_RESOURCE,
    "UntagResource": _member("resourceArn"),
    "UpdateMapRun": _member("mapRunArn"),
    "UpdateStateMachine": _member("stateMachineArn"),
    "UpdateStateMachineAlias": _alias_with_routing,
    "ValidateStateMachineDefinition": _NO_RESOURCE,
}
OPERATIONS = frozenset(RESOURCES)
_TAGGING = frozenset({"CreateActivity", "CreateStateMachine", "TagResource"})
_PUBLISHING = frozenset({"CreateStateMachine", "UpdateStateMachine"})


def ask(operation: str, params: dict[str, Any], *, region: str, account: str, partition: str = "aws") -> Ask:
    """What ``operation`` called with ``params`` (validated against the model) asks. KeyError for
    an operation the model does not have."""
    target = RESOURCES[operation](params, _Where(region, account, partition))
    also: list[tuple[str, str]] = []
    if operation in _PUBLISHING and params.get("publish") is True:
        also.append((PREFIX + "PublishStateMachineVersion", target.resource))
    if operation == "TestState" and params.get("revealSecrets") is True:
        also.append((PREFIX + "RevealSecrets", ANY_RESOURCE))
    request_tags: dict[str, str] | None = None
    tag_keys: tuple[str, ...] | None = None
    if operation in _TAGGING and params.get("tags"):
        pairs = [t for t in params["tags"] if isinstance(t, dict) and t.get("key") is not None]
        request_tags = {str(t["key"]): str(t.get("value", "")) for t in pairs}
        tag_keys = tuple(request_tags)
    elif operation == "UntagResource" and params.get("tagKeys"):
        tag_keys = tuple(str(key) for key in params["tagKeys"])
    return Ask(
        action=PREFIX + operation,
        resource=target.resource,
        also=tuple(also),
        qualifiers=target.qualifiers,
        request_tags=request_tags,
        tag_keys=tag_keys,
        tagged=target.tagged,
    )


@lru_cache(maxsize=4096)  # the same few ARNs are asked about again and again
def target_of(arn: str, qualified: bool) -> _Target:
    """The resource an ARN is authorized on, its qualifier (if the action takes the key) and the
    ARN whose tags are its aws:ResourceTag."""
    if arn == ANY_RESOURCE:
        return _Target(ANY_RESOURCE)
    written = arn
    parsed: ParsedArn
    try:
        if ":stateMachine:" in arn:
            arn = arn.partition("#")[0]  # a mocked test case runs the state machine
        parsed = parse_arn(arn)
    except ArnError:
        return _Target(written)
    if parsed.resource_type == STATE_MACHINE:
        qualifier = parsed.qualifier
        machine = replace(parsed, qualifier=None).to_arn()
        tagged = machine if parsed.label is None else None
        qualifiers = (qualifier,) if qualified and qualifier is not None else None
        return _Target(machine, qualifiers, tagged)
    if parsed.resource_type == ACTIVITY:
        return _Target(arn, tagged=arn)
    if parsed.resource_type == EXECUTION and parsed.label is None:
        machine = state_machine_arn(
            parsed.region, parsed.account, parsed.names[0], partition=parsed.partition
        )
        return _Target(arn, tagged=machine)
    return _Target(arn)  # express executions, Map Runs and their children: no tags
