"""How much a call through the Lambda worker pool costs, against the same call in the calling thread.

    .venv/bin/python bench/lambda_pool_bench.py [--calls 5000] [--threads 8] [--size N]

Prints one line per measure; the last line is the pool's sequential per-call overhead in µs (pool
latency minus in-thread latency), the number to watch. "cpu/call" counts the server's and the
workers' CPU time together: it bounds throughput when the machine is busy, where latency does not.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from stepwell.asl.resources import parse_task_resource
from stepwell.runtime.functions import FunctionRegistry
from stepwell.runtime.invokers.base import TaskCall
from stepwell.runtime.invokers.lambda_workers import LambdaWorkers

TRIVIAL = "def echo(event, context):\n    return event\n"
ECHO = parse_task_resource("arn:aws:lambda:us-east-1:123456789012:function:echo")


def children_cpu(pids: list[int]) -> float:
    """utime + stime of live processes, in seconds (from /proc: they have not exited yet)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / 100  # clock ticks (USER_HZ is 100 on Linux)


def sequential(invoke: object, calls: int) -> float:
    call = TaskCall(ECHO, {"n": 1})
    for _ in range(min(500, calls)):
        invoke(call)  # type: ignore[operator]
    started = time.perf_counter()
    for _ in range(calls):
        invoke(call)  # type: ignore[operator]
    return (time.perf_counter() - started) / calls * 1e6


def concurrent(pool: LambdaWorkers, calls: int, threads: int) -> tuple[float, float]:
    """(calls per second, CPU µs per call) with ``threads`` callers sharing the pool."""
    per_thread = calls // threads
    call = TaskCall(ECHO, {"n": 1})

    def run() -> None:
        for _ in range(per_thread):
            pool.invoke(call)

    pids = [w.process.pid for w in pool._all]
    cpu = time.process_time() + children_cpu(pids)
    started = time.perf_counter()
    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() + children_cpu(pids) - cpu
    done = per_thread * threads
    return done / elapsed, cpu / done * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--size", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "bench_functions.py"
        module.write_text(TRIVIAL)
        registry = FunctionRegistry()
        registry.load_module(module)
        in_thread = sequential(registry.as_invoker().invoke, args.calls)
        with LambdaWorkers([module], size=args.size, prestart=True) as pool:
            pooled = sequential(pool.invoke, args.calls)
            rate, cpu = concurrent(pool, args.calls, args.threads)
            print(f"in-thread call: {in_thread:.1f} µs")
            print(f"pool call (sequential): {pooled:.1f} µs")
            shape = f"pool, {args.threads} threads, {pool.size} workers"
            print(f"{shape}: {rate:.0f} calls/s, cpu/call {cpu:.1f} µs")
            print(f"pool overhead per call (µs): {pooled - in_thread:.1f}")


if __name__ == "__main__":
    main()
