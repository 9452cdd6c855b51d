"""The benchmark client's own floor: a server that answers sfnbench at (almost) no cost.

    .venv/bin/python bench/null_server.py [--workload W2,W6] [sfnbench options...]

It records, from a real `stepwell serve`, one response for every operation sfnbench's chosen
workloads call (a 20-state chain's 42-event history included), then serves those bytes again from
a bare asyncio socket server: no parsing, no engine, no store. sfnbench run against it measures
what the boto3 client alone costs on this machine, the ceiling any server can reach with it.
Writes bench/results/sfnbench-null.json. Not a Step Functions server: its answers are canned.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SFNBENCH = ROOT.parent / "shared" / "bench" / "sfnbench.py"
RESULTS = Path(__file__).with_name("results") / "sfnbench-null.json"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SFNBENCH.parent))

from tests.server.process import ServerProcess  # noqa: E402

TARGET = "AWSStepFunctions."


def _call(endpoint: str, operation: str, body: dict) -> bytes:
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.0"},
    )
    with urllib.request.urlopen(request) as response:
        return response.read()


def record(endpoint: str) -> dict[str, bytes]:
    """One real answer per operation, from a 20-state chain execution (W2's and W6's machine)."""
    import sfnbench  # the harness's own definition, so the history has W6's 42 events

    role = "arn:aws:iam::123456789012:role/bench"
    created = _call(
        endpoint,
        "CreateStateMachine",
        {"name": "chain", "definition": json.dumps(sfnbench.def_chain(20)), "roleArn": role},
    )
    machine = json.loads(created)["stateMachineArn"]
    started = _call(
        endpoint,
        "StartExecution",
        {"stateMachineArn": machine, "input": json.dumps({"id": 1, "acc": {"v": 0}})},
    )
    execution = json.loads(started)["executionArn"]
    for _ in range(200):
        described = _call(endpoint, "DescribeExecution", {"executionArn": execution})
        if json.loads(described)["status"] != "RUNNING":
            break
        time.sleep(0.01)
    return {
        "CreateStateMachine": created,
        "StartExecution": started,
        "DescribeExecution": described,
        "GetExecutionHistory": _call(
            endpoint, "GetExecutionHistory", {"executionArn": execution, "maxResults": 1000}
        ),
        "ListExecutions": b'{"executions":[]}',
        "DeleteStateMachine": b"{}",
    }


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nx-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class NullServer:
    """HTTP/1.1 keep-alive; finds the target header and the body length, answers the canned bytes."""

    def __init__(self, answers: dict[str, bytes]):
        self.answers = {op.encode(): _response(body) for op, body in answers.items()}
        self.port = 0
        self.ready = threading.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lower = head.lower()
                at = lower.index(b"content-length:") + 15
                length = int(lower[at : lower.index(b"\r\n", at)])
                await reader.readexactly(length)
                at = lower.index(b"x-amz-target:") + 13
                operation = head[at : head.index(b"\r\n", at)].strip().removeprefix(TARGET.encode())
                writer.write(self.answers[operation])
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def serve(self) -> None:
        async def main() -> None:
            server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await server.serve_forever()

        asyncio.run(main())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="W2,W6")
    args, rest = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as folder:
        stepwell = ServerProcess(Path(folder) / "record.db").start()
        try:
            answers = record(stepwell.endpoint)
        finally:
            stepwell.stop()
    # The null server runs in its own process so that its CPU is not the client's.
    null = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert null.stdin is not None and null.stdout is not None
    null.stdin.write(json.dumps({op: body.decode() for op, body in answers.items()}).encode())
    null.stdin.close()
    port = int(null.stdout.readline())
    try:
        command = [
            sys.executable,
            str(SFNBENCH),
            "--endpoint",
            f"http://127.0.0.1:{port}",
            "--workload",
            args.workload,
            "--anchor",
            "null-server",
            "--server-pid",
            str(null.pid),
            "--out",
            str(RESULTS),
            *rest,
        ]
        return subprocess.call(command)
    finally:
        null.kill()


def serve_canned() -> None:
    answers = {op: body.encode() for op, body in json.loads(sys.stdin.read()).items()}
    server = NullServer(answers)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    server.ready.wait()
    print(server.port, flush=True)
    thread.join()


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve_canned()
    else:
        sys.exit(main())
