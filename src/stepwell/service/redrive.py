"""RedriveExecution, and the redrive fields of DescribeExecution (reference §9.2).

"You can redrive executions if your original execution meets the following conditions: the
execution status isn't SUCCEEDED; your workflow execution has not exceeded the redrivable period
of 14 days [...]; the workflow execution has not exceeded the maximum open time of one year [...];
the execution event history count is less than 24,999" (API reference, RedriveExecution). Express
executions are never stored, so they are never found. The reasons are the ones DescribeExecution
gives as ``redriveStatusReason``; RedriveExecution refuses with the same words.
"""

from __future__ import annotations

from typing import Any

from stepwell.arns import unlabelled
from stepwell.engine.advance import HISTORY_LIMIT_CAUSE
from stepwell.errors import RUNTIME, ServiceError
from stepwell.runtime.batch import Batch
from stepwell.runtime.store.records import ExecutionRecord
from stepwell.service.core import Core

REDRIVABLE = "REDRIVABLE"
NOT_REDRIVABLE = "NOT_REDRIVABLE"
DAY = 86_400.0
REDRIVE_PERIOD = (
    14 * DAY
)  # "the redrivable period of 14 days [...] starts from the day a state machine completes"
MAX_OPEN = 365 * DAY  # "the maximum open time of one year"
# stepwell keeps what a redrive goes on from (the snapshot) since this version: an execution that
# ended before has none, the case AWS describes for executions from before RedriveExecution.
NO_SNAPSHOT = "Execution was started before the launch of RedriveExecution"


def not_redrivable(record: ExecutionRecord, machine_deleting: bool, now: float) -> str | None:
    """Why the execution cannot be redriven now, in AWS's words; None when it can."""
    if record.status in ("RUNNING", "SUCCEEDED"):
        return f"Execution is {record.status} and cannot be redriven"
    if machine_deleting:
        return "State machine is in DELETING status"
    if record.error == RUNTIME and record.cause == HISTORY_LIMIT_CAUSE:
        return "Execution history event limit exceeded"
    if now - record.started > MAX_OPEN:
        return "Execution has exceeded the max execution time"
    if record.stopped is not None and now - record.stopped > REDRIVE_PERIOD:
        return "Execution redrivable period exceeded"
    if not record.has_snapshot:
        return NO_SNAPSHOT
    return None


class Redrives:
    def __init__(self, core: Core):
        self.core = core

    def _machine_deleting(self, record: ExecutionRecord) -> bool:
        machine = self.core.db.state_machine(unlabelled(record.state_machine_arn))
        return machine is None or machine.status == "DELETING"

    def fields(self, record: ExecutionRecord) -> dict[str, Any]:
        """DescribeExecution's redriveCount, redriveDate, redriveStatus and redriveStatusReason."""
        out: dict[str, Any] = {"redriveCount": record.redrive_count}
        if record.redrive_date is not None:
            out["redriveDate"] = record.redrive_date
        # The machine is read only for an execution that may be redrivable.
        deleting = record.status not in ("RUNNING", "SUCCEEDED") and self._machine_deleting(record)
        reason = not_redrivable(record, deleting, self.core.runtime.clock())
        if reason is None:
            out["redriveStatus"] = REDRIVABLE
        else:
            out["redriveStatus"] = NOT_REDRIVABLE
            out["redriveStatusReason"] = reason
        return out

    async def redrive(self, request: dict[str, Any], row: ExecutionRecord) -> dict[str, Any]:
        """RedriveExecution of the execution ``row`` (found by the caller). "If you don't specify
        a client token, the Amazon Web Services SDK automatically generates a client token and
        uses it for the request to ensure idempotency": a retried call with the token of the
        latest redrive answers as that one did and redrives nothing more."""
        arn, token = row.arn, request.get("clientToken")

        def redrive(batch: Batch) -> float:
            record = batch.record(arn)
            if record is None:
                raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
            if token is not None and record.redrive_token == token and record.redrive_date is not None:
                return record.redrive_date
            deleting = batch.machine_deleting(record.state_machine_arn)
            reason = not_redrivable(record, deleting, batch.runtime.clock())
            if reason is not None:
                raise ServiceError("ExecutionNotRedrivable", reason)
            redriven = batch.redrive(arn, token)
            if redriven is None:
                raise ServiceError("ExecutionNotRedrivable", NO_SNAPSHOT)
            return redriven

        return {"redriveDate": await self.core.write(redrive)}
