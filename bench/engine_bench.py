"""In-process engine benchmark (not a test): the W2 Pass chain and the W3 inline Map of
../shared/bench/sfnbench.py, run through ``advance`` with full history recorded.

    .venv/bin/python bench/engine_bench.py [--executions 2000] [--items 10000] [--repeat 3]

Prints state transitions per second for W2 and wall time for W3, and writes them to
bench/results/engine.json. A "state transition" is a state entered, as AWS counts them.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from stepwell.asl.parse import parse_definition
from stepwell.engine.advance import RESUME_TIMER, advance
from stepwell.engine.events import ExecutionStarted, TimerFired
from stepwell.runtime.local import execution_info

RESULTS = Path(__file__).with_name("results") / "engine.json"


def pass_chain(n: int = 20) -> dict[str, Any]:
    """sfnbench W2: n Pass states, each with Parameters (path + intrinsics) and ResultPath."""
    states: dict[str, Any] = {}
    for i in range(n):
        state: dict[str, Any] = {
            "Type": "Pass",
            "Parameters": {
                "v.$": "States.MathAdd($.acc.v, 1)",
                "tag.$": "States.Format('step-{}-of-{}', $.acc.v, $.id)",
                "id.$": "$.id",
                "step": i,
            },
            "ResultPath": "$.acc",
        }
        if i == n - 1:
            state["End"] = True
        else:
            state["Next"] = f"S{i + 1:02d}"
        states[f"S{i:02d}"] = state
    return {"StartAt": "S00", "States": states}


def inline_map() -> dict[str, Any]:
    """sfnbench W3: inline Map, per item P1 -> P2 -> Choice -> P3."""
    processor = {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "P1",
        "States": {
            "P1": {
                "Type": "Pass",
                "Parameters": {"n.$": "$.n", "sq.$": "States.MathAdd($.n, $.n)"},
                "Next": "P2",
            },
            "P2": {"Type": "Pass", "Result": "seen", "ResultPath": "$.mark", "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": 500, "Next": "P3"}],
                "Default": "P3",
            },
            "P3": {"Type": "Pass", "Parameters": {"n.$": "$.n", "d.$": "$.sq"}, "End": True},
        },
    }
    return {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 0,
                "ItemProcessor": processor,
                "ResultSelector": {"count.$": "States.ArrayLength($)", "last.$": "$[-1:]"},
                "ResultPath": "$.out",
                "End": True,
            }
        },
    }


def run_once(machine: Any, execution_input: Any, name: str) -> tuple[list[dict[str, Any]], Any]:
    now = time.time()
    info = execution_info("bench", name, start_time=now)
    # W3 writes ~100,000 events: more than AWS's 25,000-event limit for one Standard execution,
    # so the limit is lifted here (every event is still recorded).
    start = ExecutionStarted(now=now, seed=name, input=execution_input, execution=info, history_limit=None)
    step = advance(machine, None, start)
    events = list(step.events)
    while step.snapshot.status == "RUNNING":  # a step runs STEP_BUDGET states, then asks to resume
        step = advance(machine, step.snapshot, TimerFired(now=now, seed=name, timer_id=RESUME_TIMER))
        events += step.events
    assert step.snapshot.status == "SUCCEEDED", (step.snapshot.error, step.snapshot.cause)
    return events, step.snapshot.output


def transitions(events: list[dict[str, Any]]) -> int:
    return sum(1 for e in events if e["type"].endswith("StateEntered"))


def bench_chain(executions: int, repeat: int) -> dict[str, Any]:
    machine = parse_definition(pass_chain())
    rates = []
    for _ in range(repeat):
        gc.collect()
        count = 0
        start = time.perf_counter()
        for i in range(executions):
            events, _ = run_once(machine, {"id": i, "acc": {"v": 0}}, f"w2-{i}")
            count += transitions(events)
        rates.append(count / (time.perf_counter() - start))
    return {
        "workload": "W2 20-state Pass chain",
        "executions": executions,
        "transitions_per_s_median": round(statistics.median(rates)),
        "transitions_per_s_runs": [round(r) for r in rates],
    }


def bench_map(items: int, repeat: int) -> dict[str, Any]:
    machine = parse_definition(inline_map())
    execution_input = {"items": [{"n": i} for i in range(items)]}
    times = []
    count = events_written = 0
    for k in range(repeat):
        gc.collect()  # each run starts from a clean heap, not with the last run's 100,000 events
        start = time.perf_counter()
        events, output = run_once(machine, execution_input, f"w3-{k}")
        times.append(time.perf_counter() - start)
        count, events_written = transitions(events), len(events)
        assert output["out"]["count"] == items
        del events, output
    return {
        "workload": f"W3 inline Map of {items} items",
        "seconds_median": round(statistics.median(times), 3),
        "seconds_runs": [round(t, 3) for t in times],
        "history_events": events_written,
        "transitions": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "w2": bench_chain(args.executions, args.repeat),
        "w3": bench_map(args.items, args.repeat),
    }
    print(json.dumps(results, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
