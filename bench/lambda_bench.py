"""Local-function Task throughput through `stepwell serve` (not a test).

    .venv/bin/python bench/lambda_bench.py [--executions 200] [--states 10] [--repeat 3]

A fresh server on SQLite runs a chain of ``--states`` Task states, each calling a trivial local
Lambda-style function (``arn:aws:lambda:...:function:add_one``, so LambdaFunction* events and a
worker process per call). ``--executions`` executions are started at once over plain HTTP
(http.client from a few threads: boto3 would be the bottleneck, see the README), and the time
from the first start to the last execution's end is read back from the server's own dates.
Invocations per second = executions x states / that time. Writes bench/results/lambda.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results") / "lambda.json"
sys.path.insert(0, str(ROOT))

from tests.server.process import ServerProcess  # noqa: E402

FUNCTIONS = "def add_one(event, context):\n    return {'n': event['n'] + 1}\n"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:add_one"


def chain(states: int) -> dict[str, Any]:
    names = [f"T{i:02d}" for i in range(states)]
    body: dict[str, Any] = {}
    for i, name in enumerate(names):
        body[name] = {"Type": "Task", "Resource": FUNCTION_ARN}
        if i + 1 < len(names):
            body[name]["Next"] = names[i + 1]
        else:
            body[name]["End"] = True
    return {"StartAt": names[0], "States": body}


class Api:
    """AWS JSON 1.0 over one keep-alive connection per thread."""

    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port)
        headers = {
            "X-Amz-Target": f"AWSStepFunctions.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        }
        connection.request("POST", "/", json.dumps(body), headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"{operation}: {answer}")
        return dict(answer)


def run_once(api: Api, machine: str, executions: int, threads: int) -> dict[str, Any]:
    arns: list[str] = []
    lock = threading.Lock()
    numbers = iter(range(executions))

    def starter() -> None:
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            arn = api.call("StartExecution", {"stateMachineArn": machine, "input": json.dumps({"n": n})})[
                "executionArn"
            ]
            with lock:
                arns.append(arn)

    begun = time.perf_counter()
    workers = [threading.Thread(target=starter) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    while api.call(
        "ListExecutions", {"stateMachineArn": machine, "statusFilter": "RUNNING", "maxResults": 1}
    )["executions"]:
        time.sleep(0.01)
    wall = time.perf_counter() - begun
    described = [api.call("DescribeExecution", {"executionArn": arn}) for arn in arns]
    statuses = {d["status"] for d in described}
    makespan = max(d["stopDate"] for d in described) - min(d["startDate"] for d in described)
    return {"wall_s": round(wall, 3), "server_makespan_s": round(makespan, 3), "statuses": sorted(statuses)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--states", type=int, default=10)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        functions = Path(folder) / "functions.py"
        functions.write_text(FUNCTIONS)
        server = ServerProcess(Path(folder) / "bench.db", functions=[str(functions)]).start()
        try:
            api = Api(server.port)
            machine = api.call(
                "CreateStateMachine",
                {
                    "name": "lambda-chain",
                    "definition": json.dumps(chain(args.states)),
                    "roleArn": "arn:aws:iam::123456789012:role/bench",
                },
            )["stateMachineArn"]
            run_once(api, machine, 10, args.threads)  # warm-up: worker processes started, caches filled
            runs = [run_once(api, machine, args.executions, args.threads) for _ in range(args.repeat)]
        finally:
            server.stop()
    invocations = args.executions * args.states
    rates = [round(invocations / run["server_makespan_s"]) for run in runs]
    result = {
        "executions": args.executions,
        "states": args.states,
        "invocations_per_run": invocations,
        "invocations_per_s_median": statistics.median(rates),
        "invocations_per_s_runs": rates,
        "runs": runs,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    median = result["invocations_per_s_median"]
    print(f"{args.executions} x {args.states} function Tasks: median {median} invocations/s (runs {rates})")
    return 0 if all(run["statuses"] == ["SUCCEEDED"] for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
