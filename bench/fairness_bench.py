"""Fairness: the latency of unrelated calls while hostile executions run (not a test).

    .venv/bin/python bench/fairness_bench.py [--calls 2000] [--out bench/results/fairness.json]

Starts a fresh `stepwell serve` (SQLite, --wait-time-scale 0) and measures DescribeExecution of
an unrelated execution (p50/p99 over keep-alive HTTP, no SDK on the hot path) and StartExecution
of a one-state machine (a write: it needs the executor) in four conditions, one after another:

    idle          nothing else runs
    regex         Standard executions evaluating `$count($match("aaa…a!", /(a+)+$/))` (28 a's) in a loop
    express-loop  an Express execution looping through a Choice a million times
    distributed   a Distributed Map whose processor never ends (Pass -> Choice -> Pass ...)

Each hostile workload is started before the measurement and is still running when it ends (the
script checks, and says so in the result).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.server.process import ServerProcess  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "fairness.json"
ROLE = "arn:aws:iam::123456789012:role/bench"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
REGEX_LOOP = {
    "QueryLanguage": "JSONata",
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Pass",
            "Output": '{% $count($match("aaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)) %}',
            "Next": "Again",
        },
        "Again": {"Type": "Choice", "Default": "M", "Choices": [{"Condition": "{% false %}", "Next": "E"}]},
        "E": {"Type": "Succeed"},
    },
}
COUNT_LOOP = {
    "StartAt": "Count",
    "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 1_000_000, "Next": "Done"}],
            "Default": "Count",
        },
        "Done": {"Type": "Succeed"},
    },
}
ENDLESS_MAP = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "L",
                "States": {
                    "L": {"Type": "Pass", "Next": "C"},
                    "C": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$$.State.Name", "IsPresent": True, "Next": "L"}],
                        "Default": "D",
                    },
                    "D": {"Type": "Succeed"},
                },
            },
            "End": True,
        }
    },
}


class Client:
    """One keep-alive connection speaking AWS JSON 1.0."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        self.connection.request(
            "POST",
            "/",
            json.dumps(body),
            {
                "X-Amz-Target": f"AWSStepFunctions.{operation}",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/states/aws4_request",
            },
        )
        response = self.connection.getresponse()
        data = json.loads(response.read() or b"{}")
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {data}")
        return data


def machine(client: Client, name: str, definition: dict[str, Any], kind: str = "STANDARD") -> str:
    request = {"name": name, "definition": json.dumps(definition), "roleArn": ROLE, "type": kind}
    return str(client.call("CreateStateMachine", request)["stateMachineArn"])


def timed(calls: int, call: Any) -> dict[str, float]:
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def measure(client: Client, watched: str, quick: str, calls: int) -> dict[str, Any]:
    describe = timed(calls, lambda: client.call("DescribeExecution", {"executionArn": watched}))
    start = timed(calls // 4, lambda: client.call("StartExecution", {"stateMachineArn": quick}))
    return {"DescribeExecution": describe, "StartExecution": start}


def running(client: Client, arns: list[str]) -> bool:
    return all(client.call("DescribeExecution", {"executionArn": a})["status"] == "RUNNING" for a in arns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, Any] = {"calls": args.calls}
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(
            Path(folder) / "fair.db", extra=["--wait-time-scale", "0", "--max-history-events", "0"]
        ).start()
        try:
            client = Client(server.port)
            watched = client.call("StartExecution", {"stateMachineArn": machine(client, "wait", WAIT)})
            quick = machine(client, "quick", PASS)
            results["idle"] = measure(client, watched["executionArn"], quick, args.calls)

            regex = machine(client, "regex", REGEX_LOOP)
            hostile = [
                client.call("StartExecution", {"stateMachineArn": regex})["executionArn"] for _ in range(4)
            ]
            time.sleep(0.5)
            results["regex"] = measure(client, watched["executionArn"], quick, args.calls)
            results["regex"]["hostile_still_running"] = running(client, hostile)
            for arn in hostile:
                client.call("StopExecution", {"executionArn": arn})

            loop = machine(client, "loop", COUNT_LOOP, "EXPRESS")
            client.call("StartExecution", {"stateMachineArn": loop, "input": '{"n": 0}'})
            time.sleep(0.5)
            results["express-loop"] = measure(client, watched["executionArn"], quick, args.calls)

            endless = machine(client, "endless", ENDLESS_MAP)
            items = json.dumps({"items": list(range(4))})
            arn = client.call("StartExecution", {"stateMachineArn": endless, "input": items})["executionArn"]
            time.sleep(0.5)
            results["distributed"] = measure(client, watched["executionArn"], quick, args.calls)
            results["distributed"]["hostile_still_running"] = running(client, [arn])
        finally:
            server.stop()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
