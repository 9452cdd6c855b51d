"""What each operation asks of IAM (reference §2.3): action, resource, further actions, keys."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.api.protocol import OPERATIONS as MODEL_OPERATIONS
from stepwell.auth.operations import OPERATIONS, Ask, ask

HEAD = "arn:aws:states:us-east-1:123456789012"
MACHINE = f"{HEAD}:stateMachine:orders"
EXECUTION = f"{HEAD}:execution:orders:run-1"
ACTIVITY = f"{HEAD}:activity:pack"
MAP_RUN = f"{HEAD}:mapRun:orders/Each:4c8e2a8e"


def asked(operation: str, **params: Any) -> Ask:
    return ask(operation, params, region="us-east-1", account="123456789012")


def test_every_operation_of_the_model_is_in_the_table() -> None:
    assert OPERATIONS == MODEL_OPERATIONS


@pytest.mark.parametrize(
    ("operation", "params", "resource"),
    [
        ("CreateActivity", {"name": "pack"}, ACTIVITY),
        ("CreateStateMachine", {"name": "orders", "definition": "{}", "roleArn": "r"}, MACHINE),
        ("DeleteActivity", {"activityArn": ACTIVITY}, ACTIVITY),
        ("DeleteStateMachine", {"stateMachineArn": MACHINE}, MACHINE),
        ("DescribeActivity", {"activityArn": ACTIVITY}, ACTIVITY),
        ("DescribeExecution", {"executionArn": EXECUTION}, EXECUTION),
        ("DescribeMapRun", {"mapRunArn": MAP_RUN}, MAP_RUN),
        ("DescribeStateMachine", {"stateMachineArn": MACHINE}, MACHINE),
        ("DescribeStateMachineForExecution", {"executionArn": EXECUTION}, EXECUTION),
        ("GetActivityTask", {"activityArn": ACTIVITY}, ACTIVITY),
        ("GetExecutionHistory", {"executionArn": EXECUTION}, EXECUTION),
        ("ListActivities", {}, "*"),
        ("ListExecutions", {"stateMachineArn": MACHINE}, MACHINE),
        ("ListExecutions", {"mapRunArn": MAP_RUN}, MAP_RUN),
        ("ListMapRuns", {"executionArn": EXECUTION}, EXECUTION),
        ("ListStateMachineAliases", {"stateMachineArn": MACHINE}, MACHINE),
        ("ListStateMachineVersions", {"stateMachineArn": MACHINE}, MACHINE),
        ("ListStateMachines", {}, "*"),
        ("ListTagsForResource", {"resourceArn": ACTIVITY}, ACTIVITY),
        ("PublishStateMachineVersion", {"stateMachineArn": MACHINE}, MACHINE),
        ("RedriveExecution", {"executionArn": EXECUTION}, EXECUTION),
        ("SendTaskFailure", {"taskToken": "t"}, "*"),
        ("SendTaskHeartbeat", {"taskToken": "t"}, "*"),
        ("SendTaskSuccess", {"taskToken": "t", "output": "{}"}, "*"),
        ("StartExecution", {"stateMachineArn": MACHINE}, MACHINE),
        ("StartSyncExecution", {"stateMachineArn": MACHINE}, MACHINE),
        ("StopExecution", {"executionArn": EXECUTION}, EXECUTION),
        ("TagResource", {"resourceArn": MACHINE, "tags": []}, MACHINE),
        ("TestState", {"definition": "{}"}, "*"),
        ("UntagResource", {"resourceArn": MACHINE, "tagKeys": []}, MACHINE),
        ("UpdateMapRun", {"mapRunArn": MAP_RUN}, MAP_RUN),
        ("UpdateStateMachine", {"stateMachineArn": MACHINE}, MACHINE),
        ("ValidateStateMachineDefinition", {"definition": "{}"}, "*"),
    ],
)
def test_the_action_and_resource_of_each_operation(
    operation: str, params: dict[str, Any], resource: str
) -> None:
    found = asked(operation, **params)
    assert (found.action, found.resource, found.also) == (f"states:{operation}", resource, ())


@pytest.mark.parametrize(
    ("operation", "member", "arn", "qualifier"),
    [
        ("StartExecution", "stateMachineArn", f"{MACHINE}:PROD", "PROD"),
        ("StartSyncExecution", "stateMachineArn", f"{MACHINE}:3", "3"),
        ("DescribeStateMachine", "stateMachineArn", f"{MACHINE}:1", "1"),
        ("ListExecutions", "stateMachineArn", f"{MACHINE}:PROD", "PROD"),
        ("ListStateMachineAliases", "stateMachineArn", f"{MACHINE}:2", "2"),
        ("DescribeStateMachineAlias", "stateMachineAliasArn", f"{MACHINE}:PROD", "PROD"),
        ("DeleteStateMachineAlias", "stateMachineAliasArn", f"{MACHINE}:PROD", "PROD"),
        ("DeleteStateMachineVersion", "stateMachineVersionArn", f"{MACHINE}:7", "7"),
        ("UpdateStateMachineAlias", "stateMachineAliasArn", f"{MACHINE}:PROD", "PROD"),
    ],
)
def test_versions_and_aliases_are_authorized_on_their_state_machine(
    operation: str, member: str, arn: str, qualifier: str
) -> None:
    found = asked(operation, **{member: arn})
    assert (found.resource, found.qualifiers, found.tagged) == (MACHINE, (qualifier,), MACHINE)


def test_an_unqualified_arn_has_no_qualifier() -> None:
    assert asked("StartExecution", stateMachineArn=MACHINE).qualifiers is None


def test_alias_routing_names_the_versions_too() -> None:
    routing = [
        {"stateMachineVersionArn": f"{MACHINE}:1", "weight": 90},
        {"stateMachineVersionArn": f"{MACHINE}:2"},
    ]
    created = asked("CreateStateMachineAlias", name="PROD", routingConfiguration=routing)
    assert (created.resource, created.qualifiers) == (MACHINE, ("PROD", "1", "2"))
    updated = asked(
        "UpdateStateMachineAlias", stateMachineAliasArn=f"{MACHINE}:PROD", routingConfiguration=routing
    )
    assert (updated.resource, updated.qualifiers) == (MACHINE, ("PROD", "1", "2"))


def test_publishing_and_revealing_secrets_ask_for_more() -> None:
    publish = ("states:PublishStateMachineVersion", MACHINE)
    assert asked("CreateStateMachine", name="orders", publish=True).also == (publish,)
    assert asked("UpdateStateMachine", stateMachineArn=MACHINE, publish=True).also == (publish,)
    assert asked("UpdateStateMachine", stateMachineArn=MACHINE, publish=False).also == ()
    assert asked("TestState", definition="{}", revealSecrets=True).also == (("states:RevealSecrets", "*"),)


def test_request_tags_and_tag_keys() -> None:
    tags = [{"key": "team", "value": "blue"}, {"key": "cost", "value": "7"}]
    created = asked("CreateStateMachine", name="orders", tags=tags)
    assert (created.request_tags, created.tag_keys) == ({"team": "blue", "cost": "7"}, ("team", "cost"))
    assert asked("CreateActivity", name="pack", tags=tags).tag_keys == ("team", "cost")
    assert asked("TagResource", resourceArn=ACTIVITY, tags=tags).request_tags == {"team": "blue", "cost": "7"}
    untag = asked("UntagResource", resourceArn=ACTIVITY, tagKeys=["team"])
    assert (untag.request_tags, untag.tag_keys) == (None, ("team",))
    plain = asked("CreateStateMachine", name="orders")
    assert (plain.request_tags, plain.tag_keys) == (None, None)


def test_whose_tags_are_the_resources() -> None:
    assert asked("DescribeActivity", activityArn=ACTIVITY).tagged == ACTIVITY
    assert asked("StopExecution", executionArn=EXECUTION).tagged == MACHINE  # the state machine's
    express = f"{HEAD}:express:orders:run-1:4c8e2a8e"
    assert asked("DescribeExecution", executionArn=express).tagged is None
    assert asked("DescribeExecution", executionArn=f"{HEAD}:execution:orders/Each:4c8e").tagged is None
    assert asked("DescribeMapRun", mapRunArn=MAP_RUN).tagged is None
    assert asked("CreateStateMachine", name="orders").tagged is None  # not there yet
    assert asked("ListStateMachines").tagged is None


def test_odd_arns() -> None:
    assert asked("StartExecution", stateMachineArn=f"{MACHINE}#HappyPath").resource == MACHINE
    assert asked("DescribeExecution", executionArn="not-an-arn").resource == "not-an-arn"
