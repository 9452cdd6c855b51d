"""Executions: start (Standard, Express, sync), stop, describe, list, history (reference §1)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from stepwell.arns import (
    EXECUTION,
    EXPRESS,
    STATE_MACHINE,
    express_execution_arn,
    state_machine_alias_arn,
    state_machine_version_arn,
    unlabelled,
)
from stepwell.asl import jsoncodec
from stepwell.asl.jsoncodec import JsonError, escape_surrogates
from stepwell.engine.events import ExecutionInfo, StopRequested
from stepwell.engine.history import PAYLOAD_LIMIT
from stepwell.errors import ServiceError
from stepwell.runtime import ids
from stepwell.runtime.batch import Batch
from stepwell.runtime.local import ExecutionResult, LocalRunner
from stepwell.runtime.mocks import UnknownTestCase
from stepwell.runtime.store.records import ExecutionRecord, MachineRecord
from stepwell.service.core import Core, arn_of, valid_name
from stepwell.service.described import METADATA_ONLY, with_definition, withheld
from stepwell.service.machines import Machines, shown_revision
from stepwell.service.map_runs import MapRuns
from stepwell.service.redrive import Redrives

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
NOT_FOR_EXPRESS = "This operation is not supported by this type of state machine"
# An Express execution runs on a thread of the server: each time it has run a step's budget of
# states it sleeps this long, so one that loops for its five minutes cannot crowd out the API.
EXPRESS_PAUSE_SECONDS = 0.001


def _input(request: dict[str, Any]) -> tuple[str, Any]:
    """The execution input as text (to store and show) and as a value (to run).

    Any JSON document is an input, read as AWS's Java parser reads it: integers beyond 64 bits
    are kept exactly, a lone surrogate is a character like any other. Beyond Jackson's limits
    (nesting deeper than 1000, numbers longer than 1000 characters) the input is refused with
    Jackson's words, as any malformed input is."""
    text = request.get("input")
    if text is None:
        text = "{}"
    try:
        size, lone_surrogates = len(text.encode("utf-8")), False
    except UnicodeEncodeError:
        size, lone_surrogates = len(text.encode("utf-8", "surrogatepass")), True
    if size > PAYLOAD_LIMIT:
        raise ServiceError(
            "InvalidExecutionInput",
            "Invalid State Machine Execution Input: "
            "'The input exceeds the maximum number of bytes service limit.'",
        )
    try:
        value = jsoncodec.loads(text)
    except JsonError as bad:
        raise ServiceError(
            "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{bad.message}'"
        ) from None
    # A raw lone surrogate (it can only sit in a string of a document that parsed) is stored as
    # its escape: the same document, in text SQLite can hold.
    return (escape_surrogates(text) if lone_surrogates else text), value


class Executions:
    def __init__(self, core: Core, machines: Machines):
        self.core = core
        self.machines = machines
        self._express_tasks: set[asyncio.Future[Any]] = set()
        self.redrives = Redrives(core)
        self.map_runs = MapRuns(core)

    # ---- starting ---------------------------------------------------------------------------
    async def start(self, request: dict[str, Any]) -> dict[str, Any]:
        row, case, version, alias = self._machine_and_test_case(request["stateMachineArn"])
        if row.status == "DELETING":
            raise ServiceError("StateMachineDeleting", f"State Machine Is Being Deleted: '{row.arn}'")
        name = valid_name(request.get("name") or ids.uuid4())
        text, value = _input(request)
        if row.type == "EXPRESS":
            arn, started = self._start_express(row, name, text, value, case)
            return {"executionArn": arn, "startDate": started}
        trace = request.get("traceHeader")
        arn, started = await self.core.write(
            lambda batch: batch.start_execution(
                row,
                name,
                text,
                value,
                trace_header=trace,
                test_case=case,
                machine_version=version,
                machine_alias=alias,
            )
        )
        return {"executionArn": arn, "startDate": started}

    def _machine_and_test_case(
        self, machine_arn: str
    ) -> tuple[MachineRecord, str | None, int | None, str | None]:
        """The machine as an execution started on the ARN runs it (a version ARN: that version's
        definition, role and configuration), its mocked test case, its version number and alias.
        ``<stateMachineArn>#<TestCase>`` runs a mocked test case (Step Functions Local's
        convention): the test case must be in the mock configuration."""
        machine_arn, mark, case = machine_arn.partition("#")
        row, version, alias = self.machines.as_run(machine_arn)
        if not mark:
            return row, None, version, alias
        try:
            self.core.runtime.test_case(row.name, case)
        except UnknownTestCase as unknown:
            raise ServiceError("InvalidArn", f"Invalid Arn: '{unknown.message}'") from None
        return row, case, version, alias

    def _express(self, row: MachineRecord, name: str, case: str | None) -> tuple[LocalRunner, ExecutionInfo]:
        runtime = self.core.runtime
        info = ExecutionInfo(
            execution_arn=express_execution_arn(runtime.region, runtime.account, row.name, name, ids.uuid4()),
            name=name,
            state_machine_arn=row.arn,
            state_machine_name=row.name,
            role_arn=row.role_arn,
            start_time=runtime.clock(),
            machine_type="EXPRESS",
        )
        runner = LocalRunner(
            runtime.functions,
            wait_time_scale=runtime.wait_time_scale,
            clock=runtime.clock,
            invokers=runtime.invokers,
            test_case=runtime.test_case(row.name, case) if case else None,
            pause_seconds=EXPRESS_PAUSE_SECONDS,
            observers=runtime.observers,
        )
        return runner, info

    def _start_express(
        self, row: MachineRecord, name: str, text: str, value: Any, case: str | None
    ) -> tuple[str, float]:
        """An asynchronous Express execution: run in memory, at least once, no history API."""
        runner, info = self._express(row, name, case)
        machine = self.core.runtime.machine(row.definition, "EXPRESS", row.revision_id)
        loop = asyncio.get_running_loop()
        task = loop.run_in_executor(
            None, lambda: runner.run_info(machine, value, info, input_text=text, revision_id=row.revision_id)
        )
        self._express_tasks.add(task)
        task.add_done_callback(self._express_tasks.discard)
        return info.execution_arn, info.start_time

    async def start_sync(self, request: dict[str, Any]) -> dict[str, Any]:
        row, case, _, _ = self._machine_and_test_case(request["stateMachineArn"])
        if row.type != "EXPRESS":
            raise ServiceError("StateMachineTypeNotSupported", NOT_FOR_EXPRESS)
        name = valid_name(request.get("name") or ids.uuid4())
        text, value = _input(request)
        runner, info = self._express(row, name, case)
        machine = self.core.runtime.machine(row.definition, "EXPRESS", row.revision_id)
        loop = asyncio.get_running_loop()
        result: ExecutionResult = await loop.run_in_executor(
            None, lambda: runner.run_info(machine, value, info, input_text=text, revision_id=row.revision_id)
        )
        stopped = self.core.runtime.clock()
        out: dict[str, Any] = {
            "executionArn": info.execution_arn,
            "stateMachineArn": row.arn,
            "name": name,
            "startDate": info.start_time,
            "stopDate": stopped,
            "status": result.status,
            "input": text,
            "inputDetails": {"included": True},
            "billingDetails": {
                "billedMemoryUsedInMB": 64,
                "billedDurationInMilliseconds": max(100, int((stopped - info.start_time) * 1000)),
            },
        }
        if result.status == "SUCCEEDED":
            out["output"] = jsoncodec.dumps_text(result.output)
            out["outputDetails"] = {"included": True}
        else:
            if result.error is not None:
                out["error"] = result.error
            if result.cause is not None:
                out["cause"] = result.cause
        if request.get("traceHeader"):
            out["traceHeader"] = request["traceHeader"]
        return out

    # ---- one execution ------------------------------------------------------------------------
    def row(self, arn: str) -> ExecutionRecord:
        arn_of(arn, EXECUTION)
        row = self.core.db.execution(arn)
        if row is None:
            raise ServiceError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return row

    async def stop(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        row = self.row(arn)
        error, cause = request.get("error"), request.get("cause")

        def stop(batch: Batch) -> dict[str, Any]:
            event = StopRequested(**batch.event_args(), error=error, cause=cause)
            batch.step(arn, event)
            return {"stopDate": event.now}

        if row.status != "RUNNING":
            return {"stopDate": row.stopped}
        return await self.core.write(stop)

    async def describe(self, request: dict[str, Any]) -> dict[str, Any]:
        row = self.row(request["executionArn"])
        out: dict[str, Any] = {
            "executionArn": row.arn,
            "stateMachineArn": row.state_machine_arn,
            "name": row.name,
            "status": row.status,
            "startDate": row.started,
            "input": row.input,
            "inputDetails": {"included": True},
        }
        if row.machine_version is not None:
            out["stateMachineVersionArn"] = state_machine_version_arn(
                row.state_machine_arn, row.machine_version
            )
        if row.machine_alias is not None:
            out["stateMachineAliasArn"] = state_machine_alias_arn(row.state_machine_arn, row.machine_alias)
        if row.map_run is not None:
            out["mapRunArn"] = row.map_run
        if row.stopped is not None:
            out["stopDate"] = row.stopped
        if row.output is not None:
            out["output"] = row.output
            out["outputDetails"] = {"included": True}
        if row.status != "TIMED_OUT":  # AWS describes a timed-out execution without error or cause
            if row.error is not None:
                out["error"] = row.error
            if row.cause is not None:
                out["cause"] = row.cause
        if row.trace_header:
            out["traceHeader"] = row.trace_header
        out.update(self.redrives.fields(row))
        if request.get("includedData") == METADATA_ONLY:
            machine = self.core.db.state_machine(unlabelled(row.state_machine_arn))
            if machine is not None and withheld(request, json.loads(machine.config)):
                for member in ("input", "inputDetails", "output", "outputDetails"):
                    out.pop(member, None)
        return out

    async def redrive(self, request: dict[str, Any]) -> dict[str, Any]:
        return await self.redrives.redrive(request, self.row(request["executionArn"]))

    async def describe_machine_for(self, request: dict[str, Any]) -> dict[str, Any]:
        row = self.row(request["executionArn"])
        machine = self.core.db.state_machine(row.state_machine_arn)
        config = json.loads(machine.config) if machine is not None else {}
        if row.machine_version is not None:
            version = self.core.db.version(row.state_machine_arn, row.machine_version)
            if version is not None:  # the configuration it was published with
                config = json.loads(version.config)
        described = {
            "stateMachineArn": row.state_machine_arn,
            "name": row.state_machine_arn.rsplit(":", 1)[-1],
            "definition": row.definition,
            "roleArn": row.role_arn,
            "updateDate": machine.updated if machine is not None else row.started,
            "loggingConfiguration": config.get(
                "loggingConfiguration", {"level": "OFF", "includeExecutionData": False}
            ),
            "tracingConfiguration": config.get("tracingConfiguration", {"enabled": False}),
        }
        revision = shown_revision(row.revision_id)
        if revision is not None and row.map_run is None:
            described["revisionId"] = revision
        if "encryptionConfiguration" in config:
            described["encryptionConfiguration"] = config["encryptionConfiguration"]
        if row.map_run is not None:  # a Map Run's child: the item processor it runs
            described["mapRunArn"] = row.map_run
            described["label"] = row.state_machine_arn.rsplit("/", 1)[-1]
        return with_definition(described, row.definition, config, request)

    async def list(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("mapRunArn"):
            if request.get("stateMachineArn"):
                raise ServiceError(
                    "ValidationException", "Only one of stateMachineArn and mapRunArn may be given"
                )
            return self._list_map_run(request)
        machine_arn = request.get("stateMachineArn")
        if not machine_arn:
            raise ServiceError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        listed_arn = machine_arn
        parsed = arn_of(machine_arn, STATE_MACHINE)
        number = int(parsed.qualifier) if parsed.is_version and parsed.qualifier else None
        alias = parsed.qualifier if parsed.is_alias else None
        if number is not None:
            machine_arn = parsed.unqualified
            if self.core.db.version(machine_arn, number) is None:
                raise ServiceError(
                    "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{listed_arn}'"
                )
        elif alias is not None:
            machine_arn = self.machines.aliases.alias_of(machine_arn).machine_arn
        machine = self.core.db.state_machine(machine_arn)
        if machine is None:
            raise ServiceError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{machine_arn}'")
        if machine.type == "EXPRESS":
            raise ServiceError("StateMachineTypeNotSupported", NOT_FOR_EXPRESS)
        status = request.get("statusFilter")
        redrive_filter = request.get("redriveFilter")
        redriven = None if redrive_filter is None else redrive_filter == "REDRIVEN"
        page, token = self.core.page(
            "ListExecutions",
            f"{listed_arn}|{status or ''}|{redrive_filter or ''}",
            request,
            lambda before, n: self.core.db.executions(
                machine_arn, status, before, n, number, alias, redriven
            ),
            lambda r: r.seq,
            start=1 << 62,
        )
        items = []
        for r in page:
            item = {
                "executionArn": r.arn,
                "stateMachineArn": r.state_machine_arn,
                "name": r.name,
                "status": r.status,
                "startDate": r.started,
                "redriveCount": r.redrive_count,  # AWS lists it for every execution (0 until redriven)
            }
            if r.stopped is not None:
                item["stopDate"] = r.stopped
            if r.redrive_date is not None:
                item["redriveDate"] = r.redrive_date
            if r.machine_version is not None:
                item["stateMachineVersionArn"] = state_machine_version_arn(
                    r.state_machine_arn, r.machine_version
                )
            if r.machine_alias is not None:
                item["stateMachineAliasArn"] = state_machine_alias_arn(r.state_machine_arn, r.machine_alias)
            items.append(item)
        return {"executions": items, "nextToken": token}

    def _list_map_run(self, request: dict[str, Any]) -> dict[str, Any]:
        """ListExecutions(mapRunArn): the Map Run's child executions, newest first."""
        run = self.map_runs.record(request["mapRunArn"])
        status = request.get("statusFilter")
        page, token = self.core.page(
            "ListExecutions",
            f"{run.arn}|{status or ''}",
            request,
            lambda before, n: self.core.db.executions_of_map_run(run.arn, status, before, n),
            lambda r: r.seq,
            start=1 << 62,
        )
        items = []
        for r in page:
            item: dict[str, Any] = {
                "executionArn": r.arn,
                "stateMachineArn": r.state_machine_arn,
                "name": r.name,
                "status": r.status,
                "startDate": r.started,
            }
            if r.stopped is not None:
                item["stopDate"] = r.stopped
            item |= {"mapRunArn": run.arn, "itemCount": 1, "redriveCount": r.redrive_count}
            items.append(item)
        return {"executions": items, "nextToken": token}

    async def history(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["executionArn"]
        if arn_of(arn, {EXECUTION, EXPRESS}).resource_type == EXPRESS:
            raise ServiceError(
                "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'"
            )
        self.row(arn)
        reverse = bool(request.get("reverseOrder"))
        events, token = self.core.page(
            "GetExecutionHistory",
            f"{arn}|{int(reverse)}",
            request,
            lambda after, n: self.core.db.history(arn, after, n, reverse),
            lambda e: e["id"],
            start=1 << 62 if reverse else 0,
        )
        if request.get("includeExecutionData") is False:
            events = [_without_data(e) for e in events]
        return {"events": events, "nextToken": token}


_DATA_MEMBERS = ("input", "output", "parameters")


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """includeExecutionData=false: the events without their input, output or parameters."""
    out = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            value = {
                k: v
                for k, v in value.items()
                if k not in _DATA_MEMBERS and k not in ("inputDetails", "outputDetails")
            }
        out[key] = value
    return out


__all__ = ["TERMINAL", "Executions"]
