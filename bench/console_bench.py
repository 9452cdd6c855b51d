"""How fast the console opens big executions, through a real `stepwell serve` (not a test).

    .venv/bin/python bench/console_bench.py [--items 4100] [--repeat 5]

An inline Map over ``--items`` items, two Pass states each, writes about 6 events per item (4,100
items: ~24,600 events, under AWS's 25,000-event limit). The execution page is then fetched
``--repeat`` times over HTTP (graph coloured from every event, first page of 100 events, the
failure banner and iteration picker computed), and so is a later page of the event table. Also
lays out a 200-state definition (graph_bench does it in detail). Writes bench/results/console.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results") / "console.json"
sys.path.insert(0, str(ROOT))

from tests.server.process import ServerProcess  # noqa: E402

from stepwell.console.graph.layout import layout_graph  # noqa: E402
from stepwell.console.graph.model import build_graph  # noqa: E402
from stepwell.console.graph.sample import mixed_definition  # noqa: E402

BIG_MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}},
            },
            "ResultSelector": {"done": True},
            "End": True,
        }
    },
}


def timed(client: httpx.Client, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - began
    response.raise_for_status()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess(Path(folder) / "bench.db").start()
        try:
            sfn = server.client()
            machine = sfn.create_state_machine(
                name="big", definition=json.dumps(BIG_MAP), roleArn="arn:aws:iam::123456789012:role/bench"
            )["stateMachineArn"]
            started = sfn.start_execution(
                stateMachineArn=machine, name="big", input=json.dumps({"items": list(range(args.items))})
            )
            while sfn.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING":
                time.sleep(0.1)
            arn = started["executionArn"]
            newest = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)
            count = newest["events"][0]["id"]
            with httpx.Client(base_url=server.endpoint, timeout=60) as client:
                page = [timed(client, "/executions/big/big") for _ in range(args.repeat)]
                later = [timed(client, f"/executions/big/big?after={count // 2}") for _ in range(args.repeat)]
                step = [timed(client, "/executions/big/big/step?state=Each/0/B") for _ in range(args.repeat)]
        finally:
            server.stop()
    layouts = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        layout_graph(build_graph(mixed_definition(200)))
        layouts.append(time.perf_counter() - began)
    result = {
        "events": count,
        "execution_page_ms_median": round(statistics.median(page) * 1000, 1),
        "execution_page_ms_runs": [round(t * 1000, 1) for t in page],
        "later_event_page_ms_median": round(statistics.median(later) * 1000, 1),
        "step_details_ms_median": round(statistics.median(step) * 1000, 1),
        "layout_200_states_ms_median": round(statistics.median(layouts) * 1000, 1),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"{count} events: execution page {result['execution_page_ms_median']} ms, later event page "
        f"{result['later_event_page_ms_median']} ms, step details {result['step_details_ms_median']} ms; "
        f"200-state layout {result['layout_200_states_ms_median']} ms (medians of {args.repeat})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
