"""In-process driver benchmark (not a test): LocalRunner runs of W2 (the 20-state Pass chain of
engine_bench.py), of a Wait chain (one timer, so one stored step, per state) and Express
StartSyncExecution calls against a real ``stepwell serve`` (SQLite), back to back.

    PYTHONPATH=src .venv/bin/python bench/inprocess_bench.py [runs]

LocalRunner rows: best of 5, CPU seconds of this process; Express: best of 5, wall seconds.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_bench import pass_chain

from stepwell.asl.parse import parse_definition
from stepwell.runtime.local import LocalRunner


def wait_chain(n: int = 20) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"W{i:02d}"] = {"Type": "Wait", "Seconds": 1}
        states[f"W{i:02d}"]["End" if i == n - 1 else "Next"] = True if i == n - 1 else f"W{i + 1:02d}"
    return {"StartAt": "W00", "States": states}


def best_of(repeat: int, work: Any, clock: Any = time.perf_counter) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        work()
        best = min(best, clock() - start)
    return best


def runner_runs(definition: dict[str, Any], runs: int, machine_type: str = "STANDARD") -> float:
    machine = parse_definition(definition, machine_type)
    runner = LocalRunner(wait_time_scale=0)

    def work() -> None:
        for i in range(runs):
            result = runner.run(machine, {"id": f"e{i}", "acc": {"v": 0}}, machine_type=machine_type)
            assert result.status == "SUCCEEDED", result

    # CPU time of this process: the runs are single-threaded, and the machine may be shared
    return best_of(5, work, time.process_time)


def express_sync(runs: int) -> float:
    from tests.server.process import ServerProcess

    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "bench.db").start()
        try:
            client = server.client()
            arn = client.create_state_machine(
                name="w2",
                definition=json.dumps(pass_chain()),
                roleArn="arn:aws:iam::123456789012:role/r",
                type="EXPRESS",
            )["stateMachineArn"]
            text = json.dumps({"id": "x", "acc": {"v": 0}})

            def work() -> None:
                for _ in range(runs):
                    out = client.start_sync_execution(stateMachineArn=arn, input=text)
                    assert out["status"] == "SUCCEEDED", out

            return best_of(5, work)
        finally:
            server.stop()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    w2 = runner_runs(pass_chain(), runs)
    print(f"W2 through LocalRunner: {runs} runs in {w2:.3f}s = {runs * 20 / w2:,.0f} transitions/s")
    w2x = runner_runs(pass_chain(), runs, "EXPRESS")
    print(f"W2 EXPRESS through LocalRunner: {runs} runs in {w2x:.3f}s = {runs / w2x:,.0f} runs/s")
    waits = runner_runs(wait_chain(), runs // 4)
    rate = runs // 4 / waits
    print(f"20 Waits (scale 0) through LocalRunner: {runs // 4} runs in {waits:.3f}s = {rate:,.0f} runs/s")
    sync = express_sync(500)
    print(f"StartSyncExecution W2 x500 against stepwell serve: {sync:.3f}s = {500 / sync:,.0f} calls/s")


if __name__ == "__main__":
    main()
