"""The "Step Functions Execution Status Change" event of each status, built from the execution's
record as it is right after the change (operations.md §5: envelope, detail, the 248 KiB rules)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from stepwell.events.status_change import PAYLOAD_LIMIT, escaped_size, status_change
from stepwell.runtime.store.records import ExecutionRecord

MACHINE = "arn:aws:states:eu-west-3:111122223333:stateMachine:orders"
EXECUTION = "arn:aws:states:eu-west-3:111122223333:execution:orders:run-7"
STARTED = 1764748800.123  # 2025-12-03T08:00:00.123Z
STOPPED = 1764748805.456


def record(**changes: Any) -> ExecutionRecord:
    running = ExecutionRecord(
        arn=EXECUTION,
        state_machine_arn=MACHINE,
        name="run-7",
        status="RUNNING",
        input='{"orderId":"42"}',
        started=STARTED,
        definition="{}",
        role_arn="arn:aws:iam::111122223333:role/r",
        revision_id="rev",
        has_snapshot=True,
    )
    return dataclasses.replace(running, **changes)


def ended(status: str, **changes: Any) -> ExecutionRecord:
    return record(status=status, stopped=STOPPED, has_snapshot=status != "SUCCEEDED", **changes)


def test_a_running_execution_has_no_stop_date_and_no_output() -> None:
    event = status_change(record(), event_id="0d9f2c5e-6a51-4b0e-9d3e-2f6b1f1a7c11")
    assert event == {
        "version": "0",
        "id": "0d9f2c5e-6a51-4b0e-9d3e-2f6b1f1a7c11",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "111122223333",
        "time": "2025-12-03T08:00:00Z",
        "region": "eu-west-3",
        "resources": [EXECUTION],
        "detail": {
            "executionArn": EXECUTION,
            "stateMachineArn": MACHINE,
            "name": "run-7",
            "status": "RUNNING",
            "startDate": 1764748800123,
            "stopDate": None,
            "input": '{"orderId":"42"}',
            "inputDetails": {"included": True},
            "output": None,
            "outputDetails": None,
            "redriveCount": 0,
            "redriveStatus": "NOT_REDRIVABLE",
            "redriveStatusReason": "Execution is RUNNING and cannot be redriven",
        },
    }


def test_a_succeeded_execution_carries_its_output_and_its_stop_time() -> None:
    event = status_change(ended("SUCCEEDED", output='{"shipped":true}'), event_id="e")
    detail = event["detail"]
    assert event["time"] == "2025-12-03T08:00:05Z"
    assert (detail["status"], detail["stopDate"]) == ("SUCCEEDED", 1764748805456)
    assert (detail["output"], detail["outputDetails"]) == ('{"shipped":true}', {"included": True})
    assert "error" not in detail and "cause" not in detail
    assert detail["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


def test_a_failed_execution_carries_its_error_and_cause_and_may_be_redriven() -> None:
    detail = status_change(ended("FAILED", error="Bad", cause="it broke"), event_id="e")["detail"]
    assert (detail["status"], detail["error"], detail["cause"]) == ("FAILED", "Bad", "it broke")
    assert (detail["output"], detail["outputDetails"]) == (None, None)
    assert detail["redriveStatus"] == "REDRIVABLE" and "redriveStatusReason" not in detail


def test_an_aborted_execution_carries_what_stop_execution_said() -> None:
    detail = status_change(ended("ABORTED", error="Halt", cause="by hand"), event_id="e")["detail"]
    assert (detail["status"], detail["error"], detail["cause"]) == ("ABORTED", "Halt", "by hand")
    plain = status_change(ended("ABORTED"), event_id="e")["detail"]
    assert "error" not in plain and "cause" not in plain


def test_a_timed_out_execution_has_no_error_nor_cause_as_describe_execution() -> None:
    timed_out = ended("TIMED_OUT", error="States.Timeout", cause="")
    detail = status_change(timed_out, event_id="e")["detail"]
    assert detail["status"] == "TIMED_OUT" and "error" not in detail and "cause" not in detail
    assert detail["redriveStatus"] == "REDRIVABLE"


def test_a_redriven_execution_is_running_again_with_its_redrive_count_and_date() -> None:
    redrive_date = STOPPED + 60.5
    redriven = record(redrive_count=1, redrive_date=redrive_date)
    event = status_change(redriven, event_id="e")
    assert event["time"] == "2025-12-03T08:01:05Z", "the redrive's time, not the start's"
    detail = event["detail"]
    assert (detail["status"], detail["stopDate"]) == ("RUNNING", None)
    assert (detail["redriveCount"], detail["redriveDate"]) == (1, 1764748865956)
    again = status_change(
        ended("SUCCEEDED", output="{}", redrive_count=1, redrive_date=redrive_date), event_id="e"
    )
    assert (again["detail"]["redriveCount"], again["detail"]["redriveDate"]) == (1, 1764748865956)


def test_an_end_that_cannot_be_redriven_says_why() -> None:
    deleting = status_change(ended("FAILED", error="E"), event_id="e", machine_deleting=True)["detail"]
    assert deleting["redriveStatus"] == "NOT_REDRIVABLE"
    assert deleting["redriveStatusReason"] == "State machine is in DELETING status"


def test_the_version_and_alias_it_was_started_on_are_named() -> None:
    detail = status_change(record(machine_version=3, machine_alias="prod"), event_id="e")["detail"]
    assert detail["stateMachineVersionArn"] == f"{MACHINE}:3"
    assert detail["stateMachineAliasArn"] == f"{MACHINE}:prod"
    plain = status_change(record(), event_id="e")["detail"]
    assert "stateMachineVersionArn" not in plain and "stateMachineAliasArn" not in plain


def test_escaped_size_counts_the_escapes_json_adds() -> None:
    assert escaped_size('{"a":1}') == len('"{\\"a\\":1}"')
    assert escaped_size("é") == len('"é"'.encode())
    assert escaped_size(None) == 0


def sized(size: int) -> str:
    """A JSON string document whose escaped form is exactly ``size`` bytes."""
    text = json.dumps("x" * (size - 6))  # "xx..x" escapes to \"xx..x\" with its own quotes
    assert escaped_size(text) == size
    return text


def test_the_input_is_left_out_when_input_and_output_exceed_248_kib_together() -> None:
    half = PAYLOAD_LIMIT // 2
    fits = status_change(ended("SUCCEEDED", input=sized(half), output=sized(half)), event_id="e")["detail"]
    assert fits["inputDetails"] == {"included": True} and fits["outputDetails"] == {"included": True}
    over = status_change(ended("SUCCEEDED", input=sized(half + 1), output=sized(half)), event_id="e")[
        "detail"
    ]
    assert (over["input"], over["inputDetails"]) == (None, {"included": False})
    assert over["output"] == sized(half) and over["outputDetails"] == {"included": True}


def test_the_output_is_left_out_too_when_it_alone_exceeds_248_kib() -> None:
    detail = status_change(ended("SUCCEEDED", output=sized(PAYLOAD_LIMIT + 1)), event_id="e")["detail"]
    assert (detail["output"], detail["outputDetails"]) == (None, {"included": False})
    assert (detail["input"], detail["inputDetails"]) == (None, {"included": False})
    at_limit = status_change(ended("SUCCEEDED", input="{}", output=sized(PAYLOAD_LIMIT - 4)), event_id="e")
    assert at_limit["detail"]["outputDetails"] == {"included": True}
    assert at_limit["detail"]["inputDetails"] == {"included": True}


def test_a_large_input_alone_is_left_out_of_a_running_event() -> None:
    detail = status_change(record(input=sized(PAYLOAD_LIMIT + 1)), event_id="e")["detail"]
    assert (detail["input"], detail["inputDetails"]) == (None, {"included": False})
    assert detail["outputDetails"] is None
