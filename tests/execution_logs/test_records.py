"""Log records from history events: the shape AWS writes, the level filter, execution data left
out, truncation. The events are the engine's own (an in-process run), except where a test needs
a payload the engine would refuse to make."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepwell.asl.parse import parse_definition
from stepwell.execution_logs.records import (
    ERROR_EVENTS,
    FATAL_EVENTS,
    TRUNCATED_BYTES,
    LogSettings,
    log_events,
    log_group_name,
    logged,
    record,
    settings_of,
    truncated,
)
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.local import LocalRunner

GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/orders:*"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:orders:run-7"


def _events(definition: dict[str, Any], execution_input: Any = None) -> list[dict[str, Any]]:
    functions = FunctionRegistry()

    def refuse(event: Any, context: Any) -> Any:
        raise ValueError("card declined")

    functions.register("charge", refuse)
    result = LocalRunner(functions, wait_time_scale=0).run(
        parse_definition(definition), execution_input or {}
    )
    return result.events


PASSING = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
# A task that fails, is caught, then a Fail state: error events of several kinds.
FAILING = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Give up"}],
            "Next": "Done",
        },
        "Give up": {"Type": "Fail", "Error": "Declined", "Cause": "the card was declined"},
        "Done": {"Type": "Succeed"},
    },
}


def _settings(level: str, include_execution_data: bool = True) -> LogSettings:
    return LogSettings(level, include_execution_data, "/aws/vendedlogs/states/orders")


def _written(events: list[dict[str, Any]], settings: LogSettings) -> list[dict[str, Any]]:
    return [
        json.loads(e.message)
        for e in log_events(events, settings, execution_arn=EXECUTION, machine_name="orders")
    ]


def test_a_record_has_the_fields_aws_writes_each_a_string_but_details() -> None:
    events = _events(PASSING, {"orderId": "42"})
    started = events[0]
    written = record(started, EXECUTION, 0, include_execution_data=True)
    assert list(written) == [
        "id",
        "type",
        "details",
        "previous_event_id",
        "event_timestamp",
        "execution_arn",
        "redrive_count",
    ]
    assert written["id"] == "1"
    assert written["type"] == "ExecutionStarted"
    assert written["previous_event_id"] == "0"
    assert written["event_timestamp"] == str(round(started["timestamp"] * 1000))  # epoch milliseconds
    assert written["execution_arn"] == EXECUTION
    assert written["redrive_count"] == "0"
    # The event's details member, payloads as JSON text (as GetExecutionHistory has them).
    assert written["details"] == started["executionStartedEventDetails"]
    assert written["details"]["input"] == '{"orderId":"42"}'
    assert written["details"]["inputDetails"] == {"truncated": False}


def test_an_event_without_details_has_empty_details_and_the_redrive_count_is_written() -> None:
    event = {"timestamp": 1764748800.123, "type": "ParallelStateStarted", "id": 3, "previousEventId": 2}
    written = record(event, EXECUTION, 2, include_execution_data=True)
    assert written["details"] == {}
    assert written["event_timestamp"] == "1764748800123"
    assert written["redrive_count"] == "2"


def test_level_all_logs_every_event_in_order() -> None:
    events = _events(FAILING)
    written = _written(events, _settings("ALL"))
    assert [w["type"] for w in written] == [e["type"] for e in events]
    assert [w["id"] for w in written] == [str(e["id"]) for e in events]


def test_level_error_logs_only_the_error_events() -> None:
    events = _events(FAILING)
    written = [w["type"] for w in _written(events, _settings("ERROR"))]
    assert written == ["LambdaFunctionFailed", "FailStateEntered", "ExecutionFailed"]
    assert {e["type"] for e in events} - ERROR_EVENTS  # there were others, left out


def test_level_fatal_logs_only_how_a_failed_execution_ended() -> None:
    assert [w["type"] for w in _written(_events(FAILING), _settings("FATAL"))] == ["ExecutionFailed"]
    assert _written(_events(PASSING), _settings("FATAL")) == []


def test_the_levels_nest_and_off_logs_nothing() -> None:
    assert FATAL_EVENTS < ERROR_EVENTS
    for kind in ("ExecutionFailed", "TaskFailed", "PassStateEntered", "ExecutionSucceeded"):
        assert logged("FATAL", kind) <= logged("ERROR", kind) <= logged("ALL", kind)
        assert not logged("OFF", kind)
    assert logged("ERROR", "TaskTimedOut") and not logged("FATAL", "TaskTimedOut")
    assert logged("ALL", "ExecutionSucceeded") and not logged("ERROR", "ExecutionSucceeded")


def test_without_execution_data_payloads_go_and_names_roles_and_errors_stay() -> None:
    events = _events(FAILING, {"card": "4111"})
    written = {
        w["type"]: w["details"] for w in _written(events, _settings("ALL", include_execution_data=False))
    }
    assert written["ExecutionStarted"] == {"roleArn": events[0]["executionStartedEventDetails"]["roleArn"]}
    assert written["TaskStateEntered"] == {"name": "Charge"}
    assert written["FailStateEntered"] == {"name": "Give up"}
    assert written["ExecutionFailed"] == {"error": "Declined", "cause": "the card was declined"}
    assert written["LambdaFunctionFailed"]["error"] == "ValueError"
    assert "4111" not in json.dumps(written)
    # The parameters a task was called with are the execution's data too.
    assert "input" not in written["LambdaFunctionScheduled"]
    assert written["LambdaFunctionScheduled"]["resource"].endswith(":function:charge")


def test_a_succeeded_execution_without_execution_data_has_empty_details() -> None:
    written = _written(_events(PASSING), _settings("ALL", include_execution_data=False))
    assert written[-1]["type"] == "ExecutionSucceeded"
    assert written[-1]["details"] == {}


def test_an_input_whose_escaped_form_passes_248_kib_is_truncated_and_says_so() -> None:
    # Each quote is escaped (two bytes): 150,000 characters are 300,000 bytes once escaped.
    text = json.dumps({"quotes": '"' * 150_000})
    event = {
        "timestamp": 1764748800.0,
        "type": "PassStateEntered",
        "id": 2,
        "previousEventId": 0,
        "stateEnteredEventDetails": {"name": "P", "input": text, "inputDetails": {"truncated": False}},
    }
    details = record(event, EXECUTION, 0, include_execution_data=True)["details"]
    assert details["inputDetails"] == {"truncated": True}
    assert text.startswith(details["input"])
    escaped = len(json.dumps(details["input"]).encode()) - 2
    assert TRUNCATED_BYTES - 2 < escaped <= TRUNCATED_BYTES  # as much as fits, an escape is 2 bytes
    assert event["stateEnteredEventDetails"]["inputDetails"] == {"truncated": False}  # not changed


def test_an_output_of_248_kib_escaped_is_kept_whole() -> None:
    text = "x" * TRUNCATED_BYTES
    event = {
        "timestamp": 1764748800.0,
        "type": "ExecutionSucceeded",
        "id": 4,
        "previousEventId": 3,
        "executionSucceededEventDetails": {"output": text, "outputDetails": {"truncated": False}},
    }
    details = record(event, EXECUTION, 0, include_execution_data=True)["details"]
    assert details == {"output": text, "outputDetails": {"truncated": False}}


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abc", 3, None),
        ("abcd", 3, "abc"),
        ('a"b', 2, "a"),  # the quote's escape (2 bytes) does not fit after "a"
        ("aé", 2, "a"),  # é is 2 bytes of UTF-8: cut between characters
        ("a\u0001", 5, "a"),  # a control character's escape is 6 bytes
    ],
)
def test_truncation_cuts_between_characters_never_inside_an_escape(
    text: str, limit: int, expected: str | None
) -> None:
    assert truncated(text, limit) == expected


def test_settings_come_from_the_logging_configuration() -> None:
    configuration = {
        "level": "ERROR",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": GROUP_ARN}}],
    }
    assert settings_of(configuration) == LogSettings("ERROR", True, "/aws/vendedlogs/states/orders")
    assert settings_of({**configuration, "level": "OFF"}) is None
    assert settings_of({"level": "OFF", "includeExecutionData": False}) is None  # the default
    assert settings_of({"level": "ALL", "destinations": []}) is None
    assert settings_of(None) is None
    assert settings_of({"level": "FATAL", "destinations": configuration["destinations"]}) == LogSettings(
        "FATAL", False, "/aws/vendedlogs/states/orders"
    )


def test_the_log_group_name_is_the_arns_resource() -> None:
    assert log_group_name(GROUP_ARN) == "/aws/vendedlogs/states/orders"
    assert log_group_name("arn:aws:logs:us-east-1:123456789012:log-group:plain") == "plain"
    assert log_group_name("arn:aws:logs:us-east-1:123456789012:destination:x") is None
