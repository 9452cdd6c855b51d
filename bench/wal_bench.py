"""What PostgreSQL writes per execution and per transition, and what an idle node costs.

A fresh database and one ``stepwell serve`` node per workload (Waits take no time):
- ``chain``: the 20-state Pass chain of store_bench (runs to its end in the step that starts it);
- ``waits``: five Wait states then a Pass (six steps: each resumes the execution, reads its
  snapshot and writes it again, which PostgreSQL may do as a HOT update).
Reported per workload: WAL bytes per execution and per transition (pg_current_wal_lsn before and
after, with a CHECKPOINT first), the executions table's updates and the share of them that were HOT
(pg_stat_user_tables), and the bytes of every table with its indexes per execution. Then an idle
node: its CPU over ``--idle`` seconds (/proc), with no work to do.

    .venv/bin/python bench/wal_bench.py [--n 1000] [--idle 30]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from store_bench import POSTGRES, client, free_port, serve  # bench/: the same way to start a server

ROOT = Path(__file__).resolve().parents[1]
ROLE = "arn:aws:iam::123456789012:role/r"
CHAIN = {
    "StartAt": "S0",
    "States": {
        **{f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(19)},
        "S19": {"Type": "Pass", "End": True},
    },
}
WAITS = {
    "StartAt": "W0",
    "States": {
        **{f"W{i}": {"Type": "Wait", "Seconds": 1, "Next": f"W{i + 1}"} for i in range(5)},
        "W5": {"Type": "Pass", "End": True},
    },
}
WORKLOADS = {"chain": (CHAIN, 20), "waits": (WAITS, 6)}
SIZES = (
    "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
    " JOIN pg_namespace s ON s.oid = c.relnamespace"
    " WHERE s.nspname = current_schema() AND c.relkind = 'r'"
)


@contextmanager
def database() -> Iterator[str]:
    name = f"stepwell_wal_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wal_position(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CHECKPOINT")
        row = db.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()
        return int(row[0]) if row is not None else 0


def workload(name: str, n: int, folder: Path) -> dict[str, Any]:
    definition, transitions = WORKLOADS[name]
    with database() as url:
        port = free_port()
        server = serve(url, port, folder / f"wal-{name}.log")
        try:
            sfn = client(port)
            machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)
            arn = machine["stateMachineArn"]
            with psycopg.connect(url, autocommit=True) as db:
                sizes0: dict[str, int] = dict(db.execute(SIZES).fetchall())
            lsn0 = wal_position(url)
            for _ in range(n):
                sfn.start_execution(stateMachineArn=arn, input='{"order": 1}')
            while sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING", maxResults=1)[
                "executions"
            ]:
                time.sleep(0.2)
            lsn1 = wal_position(url)
            time.sleep(1.5)  # the statistics collector's delay
            with psycopg.connect(url, autocommit=True) as db:
                sizes1: dict[str, int] = dict(db.execute(SIZES).fetchall())
                row = db.execute(
                    "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'executions'"
                ).fetchone()
                done = db.execute("SELECT COUNT(*) FROM executions WHERE status = 'SUCCEEDED'").fetchone()
            updates, hot = (int(row[0]), int(row[1])) if row is not None else (0, 0)
        finally:
            server.terminate()
            server.wait(20)
    grown = {table: round((sizes1[table] - sizes0.get(table, 0)) / n) for table in sizes1}
    return {
        "workload": name,
        "n": n,
        "succeeded": int(done[0]) if done is not None else 0,
        "wal_bytes_per_execution": round((lsn1 - lsn0) / n),
        "wal_bytes_per_transition": round((lsn1 - lsn0) / (n * transitions)),
        "execution_updates": updates,
        "hot_share": round(hot / updates, 2) if updates else None,
        "bytes_per_execution_by_table": {table: size for table, size in grown.items() if size},
    }


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 10 ms


def idle(seconds: float, folder: Path) -> dict[str, Any]:
    with database() as url:
        port = free_port()
        server = serve(url, port, folder / "wal-idle.log")
        try:
            client(port).list_state_machines()
            time.sleep(2)  # past the start
            cpu0 = process_cpu(server.pid)
            time.sleep(seconds)
            cpu = process_cpu(server.pid) - cpu0
        finally:
            server.terminate()
            server.wait(20)
    return {"idle_seconds": seconds, "cpu_seconds": round(cpu, 2), "share_of_a_core": round(cpu / seconds, 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--idle", type=float, default=30.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "wal.json"))
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in WORKLOADS:
            results[name] = workload(name, args.n, Path(tmp))
            print(json.dumps(results[name]), flush=True)
        if args.idle:
            results["idle_node"] = idle(args.idle, Path(tmp))
            print(json.dumps(results["idle_node"]), flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
