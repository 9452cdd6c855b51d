"""Disk bytes per waiting execution, on SQLite and PostgreSQL (issue 10, item 6).

A fresh server per backend (a new SQLite file, a new PostgreSQL database); a two-state machine
(Wait 100000 s, then Pass); N executions started with a small input, all left waiting. Reported:
- SQLite: the used pages of the file after a checkpoint, before and after, per execution, and per
  table and index (dbstat);
- PostgreSQL: pg_total_relation_size of every table (with its indexes and TOAST) before and after,
  per execution, and the WAL written meanwhile (pg_current_wal_lsn difference) per execution;
- the stored sizes of one snapshot, input and history row.

    .venv/bin/python bench/bytes_bench.py [--n 2000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from store_bench import client, free_port, serve  # bench/: the same way to start a server

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("STEPWELL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DEFINITION = {
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 100000, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
}
INPUT = json.dumps({"order": 1, "customer": "c-1", "items": [1, 2, 3]})


def start_waiting(port: int, n: int, measure: Any) -> tuple[Any, Any]:
    sfn = client(port)
    machine = sfn.create_state_machine(
        name="two", definition=json.dumps(DEFINITION), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    before = measure()
    for _ in range(n):
        sfn.start_execution(stateMachineArn=machine, input=INPUT)
    time.sleep(1)
    waiting = sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING", maxResults=1000)
    if len(waiting["executions"]) != min(n, 1000):
        raise RuntimeError(f"the executions should all be waiting: {len(waiting['executions'])} are")
    return before, measure()


def sqlite_run(n: int, folder: Path) -> dict[str, Any]:
    path = str(folder / f"bytes-{secrets.token_hex(3)}.db")

    def used() -> int:
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = (
                db.execute("PRAGMA page_count").fetchone()[0]
                - db.execute("PRAGMA freelist_count").fetchone()[0]
            )
            return int(pages * db.execute("PRAGMA page_size").fetchone()[0])

    port = free_port()
    server = serve(path, port, folder / "bytes-sqlite.log", wait_time_scale=1)  # left waiting
    try:
        before, after = start_waiting(port, n, used)
    finally:
        server.terminate()
        server.wait(20)
    with sqlite3.connect(path) as db:
        snapshot, input_bytes = db.execute(
            "SELECT length(snapshot), length(input) FROM executions LIMIT 1"
        ).fetchone()
        (history,) = db.execute("SELECT length(events) FROM history LIMIT 1").fetchone()
        per_object = {
            name: round(size / n)
            for name, size in db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
            if size / n >= 1
        }
    return {
        "backend": "sqlite",
        "n": n,
        "bytes_per_waiting_execution": round((after - before) / n),
        "snapshot_bytes": snapshot,
        "input_bytes": input_bytes,
        "history_row_bytes": history,
        "bytes_per_execution_by_table_or_index": per_object,
    }


def postgres_run(n: int, folder: Path) -> dict[str, Any]:
    database = f"stepwell_bytes_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    url = f"{POSTGRES}/{database}"

    def measure() -> tuple[dict[str, int], int]:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("CHECKPOINT")
            sizes: dict[str, int] = dict(
                db.execute(
                    "SELECT tablename, pg_total_relation_size(quote_ident(tablename)) FROM pg_tables"
                    " WHERE schemaname = current_schema()"
                ).fetchall()
            )
            (lsn,) = db.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").fetchone()  # type: ignore[misc]
            return sizes, int(lsn)

    port = free_port()
    server = serve(url, port, folder / "bytes-postgresql.log", wait_time_scale=1)
    try:
        (sizes0, lsn0), (sizes1, lsn1) = start_waiting(port, n, measure)
        with psycopg.connect(url) as db:
            snapshot, input_bytes = db.execute(
                "SELECT length(snapshot), length(input) FROM executions LIMIT 1"
            ).fetchone()  # type: ignore[misc]
            (history,) = db.execute("SELECT length(events) FROM history LIMIT 1").fetchone()  # type: ignore[misc]
    finally:
        server.terminate()
        server.wait(20)
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    grown = {table: round((sizes1[table] - sizes0.get(table, 0)) / n) for table in sizes1}
    return {
        "backend": "postgresql",
        "n": n,
        "bytes_per_waiting_execution": round(sum(sizes1.values()) - sum(sizes0.values())) // n,
        "wal_bytes_per_execution": round((lsn1 - lsn0) / n),
        "snapshot_bytes": snapshot,
        "input_bytes": input_bytes,
        "history_row_bytes": history,
        "bytes_per_execution_by_table": {table: size for table, size in grown.items() if size},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--label", default="after")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "bytes.json"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            result = sqlite_run(args.n, Path(tmp)) if backend == "sqlite" else postgres_run(args.n, Path(tmp))
            result["label"] = args.label
            print(json.dumps(result), flush=True)
            results.append(result)
    out = Path(args.out)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous[args.label] = results
    out.write_text(json.dumps(previous, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
