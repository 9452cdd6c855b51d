"""State machines over HTTP: Create (idempotency, refusals), Describe, Update, Delete, List
(pagination), ValidateStateMachineDefinition. Messages are AWS's, reference §1.3-§1.4."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.server.support import (
    ACCOUNT_PREFIX,
    PARKED,
    PASS,
    ROLE,
    aws_error,
    create_machine,
    dumps,
    unique,
    wait_for,
)

WAIT_ONE = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}


def test_create_then_describe(sfn: Any) -> None:
    name = unique("describe")
    created = sfn.create_state_machine(name=name, definition=dumps(PASS), roleArn=ROLE)
    arn = created["stateMachineArn"]
    assert arn == f"{ACCOUNT_PREFIX}:stateMachine:{name}"

    described = sfn.describe_state_machine(stateMachineArn=arn)

    assert described["stateMachineArn"] == arn
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["definition"] == dumps(PASS)  # the text as given, not re-serialized
    assert described["roleArn"] == ROLE
    assert described["type"] == "STANDARD"
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    assert "revisionId" not in described  # as AWS: a revision id only once UpdateStateMachine gave one
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=dumps(WAIT_ONE))
    assert sfn.describe_state_machine(stateMachineArn=arn)["revisionId"] == updated["revisionId"]
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", updated["revisionId"]
    )


def test_create_express(sfn: Any) -> None:
    arn = create_machine(sfn, PASS, machine_type="EXPRESS")
    assert sfn.describe_state_machine(stateMachineArn=arn)["type"] == "EXPRESS"


def test_create_is_idempotent_on_name_and_definition(sfn: Any) -> None:
    """§1.3: same name + definition + type + configuration returns the existing machine; "roleArn
    and tags differences are ignored"."""
    name = unique("idempotent")
    first = sfn.create_state_machine(name=name, definition=dumps(PASS), roleArn=ROLE)
    again = sfn.create_state_machine(
        name=name,
        definition=dumps(PASS),
        roleArn="arn:aws:iam::123456789012:role/another-role",
        tags=[{"key": "ignored", "value": "yes"}],
    )
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert again["creationDate"] == first["creationDate"]
    assert sfn.describe_state_machine(stateMachineArn=first["stateMachineArn"])["roleArn"] == ROLE


def test_create_with_another_definition_is_refused(sfn: Any) -> None:
    name = unique("exists")
    arn = create_machine(sfn, PASS, name=name)
    with aws_error("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'"):
        sfn.create_state_machine(name=name, definition=dumps(WAIT_ONE), roleArn=ROLE)


def test_create_with_another_type_is_refused(sfn: Any) -> None:
    name = unique("exists-type")
    arn = create_machine(sfn, PASS, name=name)
    with aws_error("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'"):
        sfn.create_state_machine(name=name, definition=dumps(PASS), roleArn=ROLE, type="EXPRESS")


def test_invalid_definition_message(sfn: Any) -> None:
    """§1.4, recorded against AWS."""
    message = (
        "Invalid State Machine Definition: "
        "'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
    )
    with aws_error("InvalidDefinition", message):
        sfn.create_state_machine(name=unique("bad"), definition=json.dumps({"StartAt": "P"}), roleArn=ROLE)


def test_invalid_definition_lists_every_error(sfn: Any) -> None:
    """Several problems: each is quoted, joined by ", " (reference §9.4)."""
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Pass", "End": True}},
    }
    with aws_error("InvalidDefinition") as raised:
        sfn.create_state_machine(name=unique("bad"), definition=dumps(definition), roleArn=ROLE)
    message = raised.value.response["Error"]["Message"]
    assert message.startswith("Invalid State Machine Definition: '")
    assert "MISSING_TRANSITION_TARGET" in message
    assert "', '" in message  # more than one diagnostic, each in its quotes


def test_invalid_definition_not_json(sfn: Any) -> None:
    with aws_error("InvalidDefinition") as raised:
        sfn.create_state_machine(name=unique("bad"), definition="not a definition", roleArn=ROLE)
    assert "INVALID_JSON_DESCRIPTION" in raised.value.response["Error"]["Message"]


def test_express_refuses_an_activity(sfn: Any) -> None:
    activity = f"{ACCOUNT_PREFIX}:activity:{unique('act')}"
    definition = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": True}}}
    with aws_error("InvalidDefinition") as raised:
        create_machine(sfn, definition, machine_type="EXPRESS")
    assert "Express state machine does not support Activity ARN" in raised.value.response["Error"]["Message"]


def test_invalid_name(sfn: Any) -> None:
    with aws_error("InvalidName", "Invalid Name: 'has space'"):
        sfn.create_state_machine(name="has space", definition=dumps(PASS), roleArn=ROLE)
    with aws_error("InvalidName", "Invalid Name: 'a:b'"):
        sfn.create_state_machine(name="a:b", definition=dumps(PASS), roleArn=ROLE)


def test_name_longer_than_80_is_a_validation_error(sfn: Any) -> None:
    long = "n" * 81
    message = (
        f"1 validation error detected: Value '{long}' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 80"
    )
    with aws_error("ValidationException", message):
        sfn.create_state_machine(name=long, definition=dumps(PASS), roleArn=ROLE)


def test_version_description_without_publish(sfn: Any) -> None:
    with aws_error("ValidationException", "Version description can only be set when publish is true"):
        sfn.create_state_machine(
            name=unique("version"), definition=dumps(PASS), roleArn=ROLE, versionDescription="v1"
        )


def test_logging_level_needs_a_destination(sfn: Any) -> None:
    with aws_error("InvalidLoggingConfiguration"):
        sfn.create_state_machine(
            name=unique("logging"),
            definition=dumps(PASS),
            roleArn=ROLE,
            loggingConfiguration={"level": "ALL", "includeExecutionData": True},
        )


def test_configurations_are_echoed_exactly_by_every_describe(sfn: Any) -> None:
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/mine:*"
    logging = {
        "level": "ERROR",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
    }
    encryption = {"type": "AWS_OWNED_KEY"}
    created = sfn.create_state_machine(
        name=unique("configured"),
        definition=dumps(PASS),
        roleArn=ROLE,
        loggingConfiguration=logging,
        tracingConfiguration={"enabled": True},
        encryptionConfiguration=encryption,
        publish=True,
    )
    execution = sfn.start_execution(stateMachineArn=created["stateMachineArn"])["executionArn"]
    for described in (
        sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"]),
        sfn.describe_state_machine(stateMachineArn=created["stateMachineVersionArn"]),
        sfn.describe_state_machine_for_execution(executionArn=execution),
    ):
        assert described["loggingConfiguration"] == logging
        assert described["tracingConfiguration"] == {"enabled": True}
        assert described["encryptionConfiguration"] == encryption


def test_describe_refusals(sfn: Any) -> None:
    missing = f"{ACCOUNT_PREFIX}:stateMachine:{unique('missing')}"
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'"):
        sfn.describe_state_machine(stateMachineArn=missing)
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.describe_state_machine(stateMachineArn="not_a_valid_arn")


# ---- update ---------------------------------------------------------------------------------


def test_update_definition_changes_the_revision(sfn: Any) -> None:
    arn = create_machine(sfn, PASS)
    before = sfn.describe_state_machine(stateMachineArn=arn)

    updated = sfn.update_state_machine(stateMachineArn=arn, definition=dumps(WAIT_ONE))

    again = sfn.update_state_machine(stateMachineArn=arn, definition=dumps(PASS))

    after = sfn.describe_state_machine(stateMachineArn=arn)
    assert "revisionId" not in before and again["revisionId"] != updated["revisionId"]
    assert after["revisionId"] == again["revisionId"]
    assert after["definition"] == dumps(PASS)
    assert updated["updateDate"] >= before["creationDate"]
    assert after["creationDate"] == before["creationDate"]


def test_update_role_only(sfn: Any) -> None:
    arn = create_machine(sfn, PASS)
    role = "arn:aws:iam::123456789012:role/updated"
    before = sfn.describe_state_machine(stateMachineArn=arn)
    sfn.update_state_machine(stateMachineArn=arn, roleArn=role)
    after = sfn.describe_state_machine(stateMachineArn=arn)
    assert after["roleArn"] == role
    assert after["definition"] == before["definition"]


def test_update_tracing_only(sfn: Any) -> None:
    arn = create_machine(sfn, PASS)
    sfn.update_state_machine(stateMachineArn=arn, tracingConfiguration={"enabled": True})
    assert sfn.describe_state_machine(stateMachineArn=arn)["tracingConfiguration"] == {"enabled": True}


def test_update_with_nothing_to_change(sfn: Any) -> None:
    arn = create_machine(sfn, PASS)
    message = (
        "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration "
        "must be specified"
    )
    with aws_error("MissingRequiredParameter", message):
        sfn.update_state_machine(stateMachineArn=arn)


def test_update_refusals(sfn: Any) -> None:
    arn = create_machine(sfn, PASS)
    with aws_error("InvalidDefinition") as raised:
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps({"StartAt": "P"}))
    assert "These fields are required: [States]" in raised.value.response["Error"]["Message"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == dumps(PASS)

    missing = f"{ACCOUNT_PREFIX}:stateMachine:{unique('missing')}"
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'"):
        sfn.update_state_machine(stateMachineArn=missing, definition=dumps(PASS))


# ---- delete ---------------------------------------------------------------------------------


def test_delete(sfn: Any) -> None:
    arn = create_machine(sfn, PASS)
    sfn.delete_state_machine(stateMachineArn=arn)
    with aws_error("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'"):
        sfn.describe_state_machine(stateMachineArn=arn)
    listed = [m["stateMachineArn"] for m in _all_machines(sfn)]
    assert arn not in listed


def test_delete_invalid_arn(sfn: Any) -> None:
    with aws_error("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"):
        sfn.delete_state_machine(stateMachineArn="not_a_valid_arn")


def test_a_deleted_name_can_be_created_again(sfn: Any) -> None:
    """With no execution running the deletion is done at once (on AWS: soon after)."""
    name = unique("again")
    arn = create_machine(sfn, PASS, name=name)
    sfn.delete_state_machine(stateMachineArn=arn)
    assert create_machine(sfn, WAIT_ONE, name=name) == arn
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == dumps(WAIT_ONE)


WAIT_THEN_PASS = {
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
}


def test_a_machine_with_running_executions_is_deleting(sfn: Any) -> None:
    """DeleteStateMachine doc: "It sets the state machine's status to DELETING and begins the
    deletion process. A state machine is deleted only when all its executions are completed."""
    arn = create_machine(sfn, PARKED)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    try:
        sfn.delete_state_machine(stateMachineArn=arn)
        assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    finally:
        sfn.stop_execution(executionArn=execution)


def test_deleting_a_machine_ends_its_executions_at_the_next_transition(sfn: Any) -> None:
    """DeleteStateMachine doc: "On the next state transition, the state machine's executions are
    terminated." Once the last one has ended the machine is deleted, and its executions with it:
    a new machine of the same name starts with none."""
    arn = create_machine(sfn, WAIT_THEN_PASS, name=unique("deleted"))
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    time.sleep(1.5)  # past the Wait: the transition to P has happened
    with aws_error("ExecutionDoesNotExist"):
        sfn.describe_execution(executionArn=execution)
    with aws_error("StateMachineDoesNotExist"):
        sfn.describe_state_machine(stateMachineArn=arn)
    assert create_machine(sfn, WAIT_THEN_PASS, name=arn.rsplit(":", 1)[-1]) == arn
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []


# ---- list -----------------------------------------------------------------------------------


def _all_machines(sfn: Any, page_size: int = 100) -> list[dict[str, Any]]:
    paginator = sfn.get_paginator("list_state_machines")
    pages = paginator.paginate(PaginationConfig={"PageSize": page_size})
    return [m for page in pages for m in page["stateMachines"]]


def test_list_pages_through_a_paginator(sfn: Any) -> None:
    prefix = unique("listed")
    arns = [create_machine(sfn, PASS, name=f"{prefix}-{i}") for i in range(5)]

    paginator = sfn.get_paginator("list_state_machines")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))

    assert len(pages) >= 3
    assert all(len(page["stateMachines"]) <= 2 for page in pages)
    assert all("nextToken" in page for page in pages[:-1])
    assert "nextToken" not in pages[-1]
    listed = [m for page in pages for m in page["stateMachines"]]
    mine = [m for m in listed if m["name"].startswith(prefix)]
    assert sorted(m["stateMachineArn"] for m in mine) == sorted(arns)  # each exactly once
    for item in mine:
        assert item["type"] == "STANDARD"
        assert item["creationDate"]
    every = [m["stateMachineArn"] for m in listed]
    assert len(every) == len(set(every))


def test_list_one_page_by_hand(sfn: Any) -> None:
    for _ in range(3):
        create_machine(sfn, PASS)
    first = sfn.list_state_machines(maxResults=2)
    assert len(first["stateMachines"]) == 2
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    assert {m["stateMachineArn"] for m in first["stateMachines"]}.isdisjoint(
        m["stateMachineArn"] for m in second["stateMachines"]
    )


def test_list_with_a_garbage_token(sfn: Any) -> None:
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.list_state_machines(nextToken="garbage-token")


def test_a_token_of_another_operation_is_refused(sfn: Any) -> None:
    for _ in range(2):
        create_machine(sfn, PASS)
    token = sfn.list_state_machines(maxResults=1)["nextToken"]
    with aws_error("InvalidToken", "Invalid Token: 'Invalid token'"):
        sfn.list_activities(nextToken=token)


# ---- validate -------------------------------------------------------------------------------


def test_validate_ok(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition=dumps(PASS))
    assert result["result"] == "OK"
    assert result["diagnostics"] == []
    assert result["truncated"] is False


def test_validate_fail(sfn: Any) -> None:
    """§9.4, recorded: ``{}`` -> SCHEMA_VALIDATION_FAILED "These fields are required: [States, StartAt]"."""
    result = sfn.validate_state_machine_definition(definition="{}")
    assert result["result"] == "FAIL"
    assert result["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]
    assert result["truncated"] is False


def test_validate_express_refuses_a_callback(sfn: Any) -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "echo", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    assert sfn.validate_state_machine_definition(definition=dumps(definition))["result"] == "OK"
    express = sfn.validate_state_machine_definition(definition=dumps(definition), type="EXPRESS")
    assert express["result"] == "FAIL"
    assert [d["location"] for d in express["diagnostics"]] == ["/States/T/Resource"]


def test_validate_truncates_at_max_results(sfn: Any) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "X"}, "B": {"Type": "Pass", "Next": "Y"}},
    }
    full = sfn.validate_state_machine_definition(definition=dumps(definition))
    assert len(full["diagnostics"]) >= 2
    cut = sfn.validate_state_machine_definition(definition=dumps(definition), maxResults=1)
    assert cut["result"] == "FAIL"
    assert cut["diagnostics"] == full["diagnostics"][:1]
    assert cut["truncated"] is True


def test_validate_answers_warnings_when_asked_and_they_do_not_fail_it(sfn: Any) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x": "$.a"}, "End": True}}}
    assert sfn.validate_state_machine_definition(definition=dumps(definition))["diagnostics"] == []
    warned = sfn.validate_state_machine_definition(definition=dumps(definition), severity="WARNING")
    assert warned["result"] == "OK"
    assert [(d["severity"], d["code"], d["location"]) for d in warned["diagnostics"]] == [
        ("WARNING", "NO_DOLLAR", "/States/P/Parameters/x")
    ]
    create_machine(sfn, definition)  # a warning does not stop a create


def test_describe_shows_the_variables_each_state_reads(sfn: Any) -> None:
    definition = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"total": 3}, "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {"sum.$": "$total"}, "End": True},
        },
    }
    arn = create_machine(sfn, definition)
    assert sfn.describe_state_machine(stateMachineArn=arn)["variableReferences"] == {"Use": ["total"]}
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert described["variableReferences"] == {"Use": ["total"]}
    assert "variableReferences" not in sfn.describe_state_machine(stateMachineArn=create_machine(sfn, PASS))


def test_metadata_only_leaves_out_what_a_customer_managed_key_would_encrypt(sfn: Any) -> None:
    key = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/mine", "kmsDataKeyReusePeriodSeconds": 300}
    arn = sfn.create_state_machine(
        name=unique("encrypted"), definition=dumps(PASS), roleArn=ROLE, encryptionConfiguration=key
    )["stateMachineArn"]
    brief = sfn.describe_state_machine(stateMachineArn=arn, includedData="METADATA_ONLY")
    assert "definition" not in brief and brief["encryptionConfiguration"] == key
    assert "definition" in sfn.describe_state_machine(stateMachineArn=arn, includedData="ALL_DATA")
    execution = sfn.start_execution(stateMachineArn=arn, input='{"secret": 1}')["executionArn"]
    wait_for(sfn, execution)
    described = sfn.describe_execution(executionArn=execution, includedData="METADATA_ONLY")
    assert "input" not in described and "output" not in described and described["status"] == "SUCCEEDED"
    assert sfn.describe_execution(executionArn=execution)["input"] == '{"secret": 1}'
    plain = create_machine(sfn, PASS)
    assert "definition" in sfn.describe_state_machine(stateMachineArn=plain, includedData="METADATA_ONLY")
