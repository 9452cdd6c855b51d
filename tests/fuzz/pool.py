"""The real resources fuzzed requests point at: machines, versions, an alias, executions in every
state, activities with tasks waiting, a Map Run, task tokens and page tokens.

``resolve`` turns a ``Ref`` into text when a request is written. Operations that destroy or
consume (Delete*, StopExecution, GetActivityTask, SendTask*) get a resource made for that one
request, so the shared ones stay for the others.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from typing import Any

from botocore.exceptions import ClientError

from tests.fuzz import hostile
from tests.fuzz.model import KMS_KEY, LOG_GROUP, ROLE
from tests.fuzz.oracle import COUNTS
from tests.fuzz.wire import Ref
from tests.server.process import ServerProcess


def _pass(comment: str = "") -> str:
    return json.dumps({"Comment": comment, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def _activity_task(activity_arn: str) -> str:
    return json.dumps(
        {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity_arn, "End": True}}}
    )


FAIL = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "fuzz"}}})
DISTRIBUTED_MAP = json.dumps(
    {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "I",
                    "States": {"I": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
)


class Pool:
    def __init__(self, server: ServerProcess):
        self.sfn = server.client()
        self.shared: dict[str, str] = {"role": ROLE, "kms": KMS_KEY, "log_group": LOG_GROUP}
        self.page_tokens: dict[str, str] = {}
        self.serial = itertools.count()

    def _call(self, method: str, **params: Any) -> Any:
        COUNTS["setup"] += 1
        return getattr(self.sfn, method)(**params)

    def _machine(self, name: str, definition: str, kind: str = "STANDARD", **extra: Any) -> dict[str, Any]:
        return self._call(
            "create_state_machine", name=name, definition=definition, roleArn=ROLE, type=kind, **extra
        )

    def _wait_done(self, arn: str, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._call("describe_execution", executionArn=arn)["status"] != "RUNNING":
                return
            time.sleep(0.02)

    def setup(self) -> Pool:
        shared = self.shared
        shared["machine"] = self._machine("fuzz-pass", _pass("1"))["stateMachineArn"]
        self._versions()
        shared["express_machine"] = self._machine("fuzz-express", _pass(), "EXPRESS")["stateMachineArn"]
        shared["activity"] = self._call("create_activity", name="fuzz-activity")["activityArn"]
        shared["stock_activity"] = self._call("create_activity", name="fuzz-stock")["activityArn"]
        self.stock_machine = self._machine("fuzz-stock", _activity_task(shared["stock_activity"]))[
            "stateMachineArn"
        ]
        hold_activity = self._call("create_activity", name="fuzz-hold")["activityArn"]
        self.hold_machine = self._machine("fuzz-hold", _activity_task(hold_activity))["stateMachineArn"]
        self.version_machine = self._machine("fuzz-versions", _pass("0"))["stateMachineArn"]
        for _ in range(3):
            self._call("start_execution", stateMachineArn=shared["machine"], input='{"n": 1}')
        shared["execution"] = self._call("start_execution", stateMachineArn=shared["machine"])["executionArn"]
        shared["running_execution"] = self._call("start_execution", stateMachineArn=self.hold_machine)[
            "executionArn"
        ]
        fail_machine = self._machine("fuzz-fail", FAIL)["stateMachineArn"]
        shared["failed_execution"] = self._call("start_execution", stateMachineArn=fail_machine)[
            "executionArn"
        ]
        map_machine = self._machine("fuzz-map", DISTRIBUTED_MAP)["stateMachineArn"]
        shared["map_execution"] = self._call(
            "start_execution", stateMachineArn=map_machine, input=json.dumps({"items": list(range(5))})
        )["executionArn"]
        shared["express_execution"] = self._call(
            "start_sync_execution", stateMachineArn=shared["express_machine"], input="{}"
        )["executionArn"]
        for arn in (shared["execution"], shared["failed_execution"], shared["map_execution"]):
            self._wait_done(arn)
        shared["map_run"] = shared["map_execution"].replace(":execution:", ":mapRun:") + "/00000000"
        with contextlib.suppress(ClientError):  # a server without Map Runs gets a made-up ARN
            runs = self._call("list_map_runs", executionArn=shared["map_execution"])["mapRuns"]
            shared["map_run"] = runs[0]["mapRunArn"]
        self._page_tokens()
        return self

    def _versions(self) -> None:
        """Two versions and an alias of the shared machine; made-up ARNs where they are unsupported."""
        shared = self.shared
        machine = shared["machine"]
        shared["version"], shared["version2"], shared["alias"] = (
            f"{machine}:1",
            f"{machine}:2",
            f"{machine}:live",
        )
        self.versions = True
        try:
            made = self._call("publish_state_machine_version", stateMachineArn=machine)
            shared["version"] = made["stateMachineVersionArn"]
            self._call("update_state_machine", stateMachineArn=machine, definition=_pass("2"))
            made = self._call("publish_state_machine_version", stateMachineArn=machine)
            shared["version2"] = made["stateMachineVersionArn"]
            shared["alias"] = self._call(
                "create_state_machine_alias",
                name="live",
                routingConfiguration=[{"stateMachineVersionArn": shared["version"], "weight": 100}],
            )["stateMachineAliasArn"]
        except ClientError:
            self.versions = False

    def _page_tokens(self) -> None:
        shared = self.shared
        pages = {
            "ListStateMachines": ("list_state_machines", {}),
            "ListActivities": ("list_activities", {}),
            "ListExecutions": ("list_executions", {"stateMachineArn": shared["machine"]}),
            "GetExecutionHistory": ("get_execution_history", {"executionArn": shared["map_execution"]}),
            "ListStateMachineVersions": (
                "list_state_machine_versions",
                {"stateMachineArn": shared["machine"]},
            ),
            "ListMapRuns": ("list_map_runs", {"executionArn": shared["map_execution"]}),
            "ListStateMachineAliases": ("list_state_machine_aliases", {"stateMachineArn": shared["machine"]}),
        }
        for operation, (method, params) in pages.items():
            with contextlib.suppress(ClientError):
                token = self._call(method, maxResults=1, **params).get("nextToken")
                if token:
                    self.page_tokens[operation] = token

    # ---- per request ---------------------------------------------------------------------

    def _fresh(self, kind: str) -> str:
        n = next(self.serial)
        if kind == "fresh_machine":
            return str(self._machine(f"fuzz-victim-{n}", _pass())["stateMachineArn"])
        if kind == "fresh_version":
            if not self.versions:
                return f"{self.version_machine}:{n + 1}"
            self._call("update_state_machine", stateMachineArn=self.version_machine, definition=_pass(str(n)))
            made = self._call("publish_state_machine_version", stateMachineArn=self.version_machine)
            return str(made["stateMachineVersionArn"])
        if kind == "fresh_alias":
            if not self.versions:
                return f"{self.shared['machine']}:victim-{n}"
            made = self._call(
                "create_state_machine_alias",
                name=f"victim-{n}",
                routingConfiguration=[{"stateMachineVersionArn": self.shared["version"], "weight": 100}],
            )
            return str(made["stateMachineAliasArn"])
        if kind == "fresh_activity":
            return str(self._call("create_activity", name=f"fuzz-victim-{n}")["activityArn"])
        if kind == "fresh_running_execution":
            return str(self._call("start_execution", stateMachineArn=self.hold_machine)["executionArn"])
        raise KeyError(kind)

    def _stocked_activity(self) -> str:
        """The stock activity with one more task waiting, so a GetActivityTask answers at once."""
        self._call("start_execution", stateMachineArn=self.stock_machine)
        return self.shared["stock_activity"]

    def _task_token(self) -> str:
        self._call("start_execution", stateMachineArn=self.stock_machine)
        for _ in range(3):
            token = self._call("get_activity_task", activityArn=self.shared["stock_activity"]).get(
                "taskToken"
            )
            if token:
                return str(token)
        raise AssertionError("the stock activity handed out no task")

    def value(self, kind: str) -> str:
        if kind.startswith("next_token:"):
            return self.page_tokens.get(kind.partition(":")[2], "eyJvZmZzZXQiOiAxfQ==")
        if kind.startswith("fresh_"):
            return self._fresh(kind)
        if kind == "stock_activity":
            return self._stocked_activity()
        if kind == "task_token":
            return self._task_token()
        return self.shared[kind]

    def resolve(self, ref: Ref) -> str:
        real = self.value(ref.kind)
        return hostile.NEAR[ref.near](real, ref.arg) if ref.near else real
