"""State machine versions over HTTP, beyond the recorded cases (tests/conformance/test_api_cases.py
runs those): what a version keeps when its machine changes, idempotent publishing, the refusals,
executions of a version, and a version's end with its machine."""

from __future__ import annotations

import json
from typing import Any

from tests.server.support import ROLE, aws_error, dumps, run, unique

ONE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}}
TWO = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": True}}}


def published(sfn: Any, definition: dict[str, Any] = ONE, **kwargs: Any) -> tuple[str, str]:
    """A machine created with ``publish``: (machine ARN, version ARN)."""
    created = sfn.create_state_machine(
        name=unique("versions"), definition=dumps(definition), roleArn=ROLE, publish=True, **kwargs
    )
    return created["stateMachineArn"], created["stateMachineVersionArn"]


def test_a_version_keeps_its_definition_and_runs_it_after_the_machine_changes(sfn: Any) -> None:
    machine, v1 = published(sfn, versionDescription="first")
    assert v1 == f"{machine}:1"
    sfn.update_state_machine(stateMachineArn=machine, definition=dumps(TWO), roleArn=ROLE + "-2")
    described = sfn.describe_state_machine(stateMachineArn=v1)
    assert json.loads(described["definition"]) == ONE and described["roleArn"] == ROLE
    assert described["description"] == "first" and "revisionId" not in described  # the first revision
    of_version = run(sfn, v1)
    of_machine = run(sfn, machine)
    assert (of_version["output"], of_machine["output"]) == ("1", "2")
    assert of_version["stateMachineVersionArn"] == v1 and "stateMachineVersionArn" not in of_machine
    listed = sfn.list_executions(stateMachineArn=v1)["executions"]
    assert [e["executionArn"] for e in listed] == [of_version["executionArn"]]
    assert listed[0]["stateMachineVersionArn"] == v1 and listed[0]["stateMachineArn"] == machine
    every = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine)["executions"]}
    assert every == {of_version["executionArn"], of_machine["executionArn"]}
    for_execution = sfn.describe_state_machine_for_execution(executionArn=of_version["executionArn"])
    assert json.loads(for_execution["definition"]) == ONE and for_execution["stateMachineArn"] == machine


def test_publishing_an_unchanged_revision_again_returns_its_version(sfn: Any) -> None:
    machine, v1 = published(sfn)
    again = sfn.publish_state_machine_version(stateMachineArn=machine)
    assert again["stateMachineVersionArn"] == v1
    revision = sfn.update_state_machine(stateMachineArn=machine, definition=dumps(TWO))["revisionId"]
    v2 = sfn.publish_state_machine_version(stateMachineArn=machine, revisionId=revision)
    assert v2["stateMachineVersionArn"] == f"{machine}:2"
    listed = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{machine}:2", v1]


def test_the_refusals_name_what_is_wrong(sfn: Any) -> None:
    machine, v1 = published(sfn)
    with aws_error("ValidationException", "Version description can only be set when publish is true"):
        sfn.update_state_machine(stateMachineArn=machine, definition=dumps(TWO), versionDescription="x")
    with aws_error("InvalidArn"):
        sfn.publish_state_machine_version(stateMachineArn=v1)  # a version of a version
    with aws_error("ValidationException") as raised:
        sfn.update_state_machine(stateMachineArn=v1, definition=dumps(TWO))  # versions are immutable
    assert v1 in raised.value.response["Error"]["Message"]
    with aws_error("ValidationException"):
        sfn.delete_state_machine(stateMachineArn=v1)  # DeleteStateMachineVersion deletes a version
    with aws_error("InvalidArn"):
        sfn.delete_state_machine_version(stateMachineVersionArn=machine)  # not a version ARN
    missing = f"{machine}-gone"
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'"):
        sfn.publish_state_machine_version(stateMachineArn=missing)
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine}:7'"):
        sfn.describe_state_machine(stateMachineArn=f"{machine}:7")
    with aws_error("StateMachineDoesNotExist"):
        sfn.start_execution(stateMachineArn=f"{machine}:7")
    with aws_error("StateMachineDoesNotExist"):
        sfn.list_executions(stateMachineArn=f"{machine}:7")


def test_a_deleted_version_cannot_run_and_the_machine_takes_its_versions_along(sfn: Any) -> None:
    machine, v1 = published(sfn)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    with aws_error("StateMachineDoesNotExist"):
        sfn.start_execution(stateMachineArn=v1)
    v2 = sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
    assert v2 == f"{machine}:2"  # a deleted version's number is not given again
    sfn.delete_state_machine(stateMachineArn=machine)
    with aws_error("StateMachineDoesNotExist"):
        sfn.describe_state_machine(stateMachineArn=v2)
