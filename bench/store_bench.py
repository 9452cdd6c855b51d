"""Durable throughput per store: SQLite, and PostgreSQL with 1, 2 and 3 nodes.

Each run starts fresh servers (a new SQLite file, or a new PostgreSQL database shared by the
nodes), then ../shared/bench/rawload.py starts N executions of the 20-state Pass chain over 16
keep-alive connections, split evenly over the nodes (one rawload per node, all at once). Reported
per run: transitions/s (all nodes' transitions over the longest node's span), the nodes' CPU per
transition and PostgreSQL's (every ``postgres`` process on the machine, so run it on a quiet one).

    .venv/bin/python bench/store_bench.py [--n 3000] [--runs 3] [--configs sqlite,pg1,pg2,pg3]

This machine has 2 cores: with PostgreSQL on the same machine, nodes and database compete for
them. docs/scaling.md reads these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
import psycopg
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
RAWLOAD = ROOT.parent / "shared" / "bench" / "rawload.py"
POSTGRES = os.environ.get("STEPWELL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
CONFIGS = {
    "sqlite": ("sqlite", 1),
    "pg1": ("postgresql", 1),
    "pg2": ("postgresql", 2),
    "pg3": ("postgresql", 3),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_cpu() -> float:
    """CPU seconds of every postgres process (the server and its backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if name.startswith("postgres"):
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def client(port: int) -> Any:
    """A Step Functions client for the server on the port; a failed call is sent once."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=Config(retries={"total_max_attempts": 1}),
    )


def serve(
    db: str, port: int, log: Path, wait_time_scale: float = 0, extra: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    """A server on the database (``extra``: more options); Waits take no time unless
    ``wait_time_scale`` says otherwise."""
    args = [sys.executable, "-m", "stepwell.cli", "serve", "--db", db, "--port", str(port)]
    args += ["--no-access-log", "--wait-time-scale", str(wait_time_scale), "--log-level", "WARNING"]
    args += extra
    process = subprocess.Popen(args, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on {db} did not start: {log.read_text()[-2000:]}")


def run(config: str, n: int, folder: Path) -> dict[str, Any]:
    backend, nodes = CONFIGS[config]
    database = None
    if backend == "sqlite":
        db = str(folder / f"{config}-{secrets.token_hex(3)}.db")
    else:
        database = f"stepwell_bench_{secrets.token_hex(4)}"
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        db = f"{POSTGRES}/{database}"
    ports = [free_port() for _ in range(nodes)]
    servers = []
    try:
        for i, port in enumerate(ports):  # one after the other: the first migrates the database
            servers.append(serve(db, port, folder / f"{config}-node{i}.log"))
        pg0 = postgres_cpu()
        loads = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(RAWLOAD),
                    "--endpoint",
                    f"http://127.0.0.1:{port}",
                    "--n",
                    str(n // nodes),
                    "-c",
                    str(16 // nodes),
                    "--server-pid",
                    str(server.pid),
                ],
                stdout=subprocess.PIPE,
            )
            for port, server in zip(ports, servers, strict=True)
        ]
        results = [json.loads(load.communicate()[0].decode().strip().splitlines()[-1]) for load in loads]
        pg_cpu = postgres_cpu() - pg0
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(20)
        if database is not None:
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    done = sum(r["statuses"].get("SUCCEEDED", 0) for r in results) * 20
    span = max(r["server_span_s"] for r in results)
    node_cpu = sum(r["server_cpu_s"] or 0.0 for r in results)
    return {
        "config": config,
        "nodes": nodes,
        "transitions": done,
        "transitions_per_s": round(done / span, 1),
        "node_cpu_us_per_transition": round(node_cpu / done * 1e6, 1),
        "postgres_cpu_us_per_transition": round(pg_cpu / done * 1e6, 1) if backend != "sqlite" else None,
        "per_node": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--configs", default="sqlite,pg1,pg2,pg3")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "store.json"))
    args = parser.parse_args()
    configs = args.configs.split(",")
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(args.runs):  # configs alternate: the machine's noise spreads over all
            for config in configs:
                result = run(config, args.n, Path(tmp))
                result["run"] = attempt + 1
                runs.append(result)
                print(json.dumps({k: v for k, v in result.items() if k != "per_node"}), flush=True)
    summary = {
        config: {
            "median_transitions_per_s": statistics.median(
                r["transitions_per_s"] for r in runs if r["config"] == config
            ),
            "median_node_cpu_us_per_transition": statistics.median(
                r["node_cpu_us_per_transition"] for r in runs if r["config"] == config
            ),
        }
        for config in configs
    }
    for config in configs:
        pg = [r["postgres_cpu_us_per_transition"] for r in runs if r["config"] == config]
        if pg and pg[0] is not None:
            summary[config]["median_postgres_cpu_us_per_transition"] = statistics.median(pg)
    Path(args.out).write_text(json.dumps({"n": args.n, "summary": summary, "runs": runs}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
