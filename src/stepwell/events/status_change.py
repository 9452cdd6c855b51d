"""The "Step Functions Execution Status Change" event, as EventBridge receives it from AWS.

"Step Functions generates and sends events to the default EventBridge event bus" for Standard
workflows, one per execution status change (Developer Guide, "Automating Step Functions event
delivery with EventBridge"). The envelope is EventBridge's: ``version "0"``, an ``id``, the
``detail-type``, ``source "aws.states"``, ``account``, ``time`` (ISO 8601, UTC, whole seconds),
``region``, ``resources`` [the execution's ARN] and ``detail``. The detail is what DescribeExecution
says of the execution (dates as epoch milliseconds), with ``stopDate``, ``output`` and
``outputDetails`` null where they are not set; as service/executions.py's describe, a timed-out
execution has no error or cause.

"If the combined escaped input and escaped output sent to EventBridge exceeds 248KB, then the
input will be excluded. Similarly, if the escaped output exceeds 248KB, then the output will be
excluded": an excluded one is null, its ``included`` false.

Pure: the event's id and the execution's record are given; nothing is read or drawn here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stepwell.arns import parse_arn, state_machine_alias_arn, state_machine_version_arn
from stepwell.asl import jsoncodec
from stepwell.runtime.store.records import ExecutionRecord
from stepwell.service.redrive import NOT_REDRIVABLE, REDRIVABLE, not_redrivable

DETAIL_TYPE = "Step Functions Execution Status Change"
SOURCE = "aws.states"
PAYLOAD_LIMIT = 248 * 1024  # bytes of escaped input and output an event may carry


def status_change(
    execution: ExecutionRecord, *, event_id: str, machine_deleting: bool = False
) -> dict[str, Any]:
    """The event telling ``execution``'s status, its record as it is right after the change.
    ``machine_deleting``: its state machine is being deleted (the redrive status says so)."""
    arn = parse_arn(execution.arn)
    return {
        "version": "0",
        "id": event_id,
        "detail-type": DETAIL_TYPE,
        "source": SOURCE,
        "account": arn.account,
        "time": iso_seconds(changed_at(execution)),
        "region": arn.region,
        "resources": [execution.arn],
        "detail": detail(execution, machine_deleting),
    }


def detail(execution: ExecutionRecord, machine_deleting: bool = False) -> dict[str, Any]:
    """DescribeExecution's fields, as the event carries them."""
    input_text, output_text = execution.input, execution.output
    input_size, output_size = escaped_size(input_text), escaped_size(output_text)
    input_included = input_size + output_size <= PAYLOAD_LIMIT
    output_included = output_size <= PAYLOAD_LIMIT
    out: dict[str, Any] = {
        "executionArn": execution.arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": execution.status,
        "startDate": epoch_ms(execution.started),
        "stopDate": epoch_ms(execution.stopped) if execution.stopped is not None else None,
        "input": input_text if input_included else None,
        "inputDetails": {"included": input_included},
        "output": output_text if output_text is not None and output_included else None,
        "outputDetails": {"included": output_included} if output_text is not None else None,
    }
    if execution.machine_version is not None:
        out["stateMachineVersionArn"] = state_machine_version_arn(
            execution.state_machine_arn, execution.machine_version
        )
    if execution.machine_alias is not None:
        out["stateMachineAliasArn"] = state_machine_alias_arn(
            execution.state_machine_arn, execution.machine_alias
        )
    if execution.status != "TIMED_OUT":
        if execution.error is not None:
            out["error"] = execution.error
        if execution.cause is not None:
            out["cause"] = execution.cause
    out["redriveCount"] = execution.redrive_count
    if execution.redrive_date is not None:
        out["redriveDate"] = epoch_ms(execution.redrive_date)
    reason = not_redrivable(execution, machine_deleting, changed_at(execution))
    out["redriveStatus"] = REDRIVABLE if reason is None else NOT_REDRIVABLE
    if reason is not None:
        out["redriveStatusReason"] = reason
    return out


def changed_at(execution: ExecutionRecord) -> float:
    """When the status became what it is: the end, else the latest redrive, else the start."""
    if execution.stopped is not None:
        return execution.stopped
    if execution.redrive_date is not None:
        return execution.redrive_date
    return execution.started


def escaped_size(text: str | None) -> int:
    """The bytes ``text`` takes as a JSON string value (its quotes and escapes included)."""
    if text is None:
        return 0
    return len(jsoncodec.dumps_text(text).encode("utf-8", "surrogatepass"))


def epoch_ms(seconds: float) -> int:
    return round(seconds * 1000)


def iso_seconds(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
