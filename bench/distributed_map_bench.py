"""A Distributed Map at scale, as issue 12 asks it to be measured: one node (`stepwell serve` on
SQLite), moto's S3 holding the items, wall time from StartExecution to the end, and the server's
peak RSS (VmHWM).

    express   a CSV object of --lines rows (default 1,000,000) read by ItemReader, ItemBatcher of
              --batch items (1,000), EXPRESS children (a Pass state each)
    standard  a JSON Lines object of --items items (default 100,000), STANDARD children (a Pass
              each), MaxConcurrency --concurrency (default 0: no limit)

Both objects are read a range at a time while the children run (engine/item_reader/streamed.py).

    .venv/bin/python bench/distributed_map_bench.py [express|standard|both] [--lines N] [--items N]

Results go to bench/results/distributed_map.json (appended, with the machine's note).
"""

from __future__ import annotations

import argparse
import io
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "distributed_map.json"
CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}
ROLE = "arn:aws:iam::123456789012:role/bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def csv_object(lines: int) -> bytes:
    out = io.StringIO()
    out.write("id,name,amount\n")
    for i in range(lines):
        out.write(f"{i},item-{i},{i % 1000}\n")
    return out.getvalue().encode()


def definition(reader: dict[str, Any], execution_type: str, **fields: Any) -> str:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
        "StartAt": "Each",
        "States": {"Each": {"Type": "Pass", "End": True}},
    }
    state = {"Type": "Map", "ItemReader": reader, "ItemProcessor": processor, "ResultPath": None, "End": True}
    return json.dumps({"StartAt": "Fan", "States": {"Fan": {**state, **fields}}})


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    moto_port, port = free_port(), free_port()
    moto_url = f"http://127.0.0.1:{moto_port}"
    folder = Path(tempfile.mkdtemp(prefix="dmap-bench-"))
    moto = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = None
    try:
        wait_listening(f"{moto_url}/moto-api/", moto)
        s3 = boto3.client("s3", endpoint_url=moto_url, **CREDENTIALS)
        s3.create_bucket(Bucket="items")
        if kind == "express":
            s3.put_object(Bucket="items", Key="items.csv", Body=csv_object(args.lines))
            reader = {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                "Parameters": {"Bucket": "items", "Key": "items.csv"},
            }
            text = definition(reader, "EXPRESS", ItemBatcher={"MaxItemsPerBatch": args.batch})
            size = args.lines
        else:
            body = "".join(json.dumps({"id": i}) + "\n" for i in range(args.items)).encode()
            s3.put_object(Bucket="items", Key="items.jsonl", Body=body)
            reader = {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSONL"},
                "Parameters": {"Bucket": "items", "Key": "items.jsonl"},
            }
            text = definition(reader, "STANDARD", MaxConcurrency=args.concurrency)
            size = args.items
        environment = {
            "AWS_ENDPOINT_URL": moto_url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "PATH": "/usr/bin:/bin",
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("stepwell")),
                "serve",
                "--port",
                str(port),
                "--db",
                str(folder / "b.db"),
            ],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "server.log").open("wb"),
        )
        endpoint = f"http://127.0.0.1:{port}"
        wait_listening(endpoint, server)
        sfn = boto3.client(
            "stepfunctions", endpoint_url=endpoint, config=Config(retries={"max_attempts": 0}), **CREDENTIALS
        )
        machine = sfn.create_state_machine(name=f"dmap-{kind}", definition=text, roleArn=ROLE)[
            "stateMachineArn"
        ]
        began = time.monotonic()
        execution = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        status = "RUNNING"
        while status == "RUNNING" and time.monotonic() - began < args.timeout:
            time.sleep(0.5)
            status = sfn.describe_execution(executionArn=execution)["status"]
        seconds = time.monotonic() - began
        runs = sfn.list_map_runs(executionArn=execution)["mapRuns"]
        counts = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"]) if runs else {}
        return {
            "workload": kind,
            "items": size,
            "status": status,
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(server.pid), 1),
            "item_counts": counts.get("itemCounts"),
            "execution_counts": counts.get("executionCounts"),
        }
    finally:
        for process in (server, moto):
            if process is not None:
                process.kill()
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workload", nargs="?", default="both", choices=["express", "standard", "both"])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up on one run")
    parser.add_argument("--note", default="", help="what else the machine was doing")
    args = parser.parse_args()
    kinds = ["express", "standard"] if args.workload == "both" else [args.workload]
    results = []
    for kind in kinds:
        result = run(kind, args)
        result["note"] = args.note
        result["date"] = time.strftime("%Y-%m-%d")
        print(json.dumps(result), flush=True)
        results.append(result)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps(previous + results, indent=2) + "\n")


if __name__ == "__main__":
    main()
