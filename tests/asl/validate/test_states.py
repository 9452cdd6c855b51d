"""The checks of each state type (``STATE_CHECKS``): Task seconds and credentials, Wait, Parallel."""

from __future__ import annotations

from typing import Any

import pytest

from stepwell.asl.validate.schema import Diagnostics
from stepwell.asl.validate.states import STATE_CHECKS
from tests.asl.validate.support import PASS_END, Triple, one_state, schema, site_of, triples

LAMBDA = "arn:aws:states:::lambda:invoke"
WAIT_FIELDS = "[SecondsPath, Seconds, TimestampPath, Timestamp]"


def check(state: dict[str, Any], **top: Any) -> list[Triple]:
    out: Diagnostics = []
    site = site_of(one_state(state, **top))
    STATE_CHECKS[state["Type"]](site, out)
    return triples(out)


def task(**fields: Any) -> list[Triple]:
    return check({"Type": "Task", "Resource": LAMBDA, "End": True, **fields})


def test_every_state_type_has_a_check() -> None:
    assert set(STATE_CHECKS) == {"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}


def test_states_without_rules_of_their_own() -> None:
    assert check({"Type": "Pass", "End": True}) == []
    assert check({"Type": "Succeed"}) == []
    assert (
        check({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}) == []
    )  # a common rule, reported elsewhere


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("TimeoutSeconds", 0, "Minimum value is 1"),
        ("TimeoutSeconds", 100_000_000, "Maximum value is 99999999"),
        ("HeartbeatSeconds", 0, "Minimum value is 1"),
    ],
)
def test_task_seconds(field: str, value: int, message: str) -> None:
    assert task(**{field: value}) == [schema(message, f"/States/X/{field}")]


def test_heartbeat_must_be_below_the_timeout() -> None:
    message = "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'"
    assert task(TimeoutSeconds=10, HeartbeatSeconds=10) == [schema(message, "/States/X/HeartbeatSeconds")]
    assert task(TimeoutSeconds=10, HeartbeatSeconds=11) == [schema(message, "/States/X/HeartbeatSeconds")]
    assert task(TimeoutSeconds=10, HeartbeatSeconds=9) == []
    assert task(TimeoutSeconds="{% 10 %}", HeartbeatSeconds=20, QueryLanguage="JSONata") == []


def test_credentials_need_a_role() -> None:
    # Recorded against AWS (credentials INVALID_CREDENTIALS_FIELD).
    missing = schema("The field 'RoleArn' is required but was missing", "/States/X/Credentials")
    assert task(Credentials={}) == [missing]
    assert task(Credentials={"RoleArn.$": "$.role"}) == []
    assert task(Credentials={"RoleArn": "arn:aws:iam::1:role/r"}) == []
    assert task(Credentials={"RoleArn": 5}) == [
        schema("Expected value of type [STRING]", "/States/X/Credentials/RoleArn")
    ]


def test_a_jsonata_state_cannot_name_the_role_by_path() -> None:
    out: Diagnostics = []
    definition = one_state(
        {"Type": "Task", "Resource": LAMBDA, "End": True, "Credentials": {"RoleArn.$": "$.r"}},
        QueryLanguage="JSONata",
    )
    STATE_CHECKS["Task"](site_of(definition), out)
    assert triples(out) == [
        schema("The field 'RoleArn' is required but was missing", "/States/X/Credentials")
    ]


def test_task_retriers_and_catchers_are_checked() -> None:
    assert task(Retry=[{"ErrorEquals": []}], Catch=[{"ErrorEquals": ["E"]}]) == [
        schema("Value cannot be empty", "/States/X/Retry[0]/ErrorEquals"),
        schema("These fields are required: [Next]", "/States/X/Catch[0]"),
    ]


def wait(**fields: Any) -> list[Triple]:
    return check({"Type": "Wait", "End": True, **fields})


def test_wait_needs_exactly_one_of_its_fields() -> None:
    assert wait() == [
        schema(f"This object should have only one of the following fields: {WAIT_FIELDS}", "/States/X")
    ]
    assert wait(Seconds=1, SecondsPath="$.s") == [
        schema(f"There should only be one of the following fields: {WAIT_FIELDS}", "/States/X")
    ]


def test_wait_seconds_bounds() -> None:
    assert wait(Seconds=0) == []
    assert wait(Seconds=-1) == [schema("Minimum value is 0", "/States/X/Seconds")]
    assert wait(Seconds=100_000_000) == [schema("Maximum value is 99999999", "/States/X/Seconds")]


@pytest.mark.parametrize("timestamp", ["2016-03-14T01:59:00", "2016-03-14 01:59:00Z", "tomorrow"])
def test_wait_timestamps_must_be_rfc3339(timestamp: str) -> None:
    # Recorded against AWS (scenarios test_wait_timestamp_invalid INVALID_ISO, NO_T).
    assert wait(Timestamp=timestamp) == [
        schema("String does not match RFC3339 timestamp", "/States/X/Timestamp")
    ]


def test_a_jsonata_timestamp_expression_is_checked_when_evaluated() -> None:
    assert wait(Timestamp="2016-03-14T01:59:00Z") == []
    assert wait(Timestamp="{% $t %}", QueryLanguage="JSONata") == []
    assert wait(Timestamp="{% $t %}") == [
        schema("String does not match RFC3339 timestamp", "/States/X/Timestamp")
    ]


def test_parallel_branches() -> None:
    parallel = {"Type": "Parallel", "End": True}
    assert check({**parallel, "Branches": []}) == [schema("Value cannot be empty", "/States/X/Branches")]
    assert check({**parallel, "Branches": [{"StartAt": "A", "States": {"A": PASS_END}}, 3]}) == [
        schema("Expected value of type [OBJECT]", "/States/X/Branches[1]")
    ]
    assert check({**parallel, "Branches": [], "Retry": [1]}) == [
        schema("Value cannot be empty", "/States/X/Branches"),
        schema("Expected value of type [OBJECT]", "/States/X/Retry[0]"),
    ]


def test_map_runs_its_own_checks_and_the_retriers() -> None:
    found = check({"Type": "Map", "End": True, "Catch": [{"Next": "Y"}]})
    assert found == [
        schema(
            "This object should have only one of the following fields: [ItemProcessor, Iterator]", "/States/X"
        ),
        schema("These fields are required: [ErrorEquals]", "/States/X/Catch[0]"),
    ]
