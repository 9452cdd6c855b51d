"""Graph layout benchmark (not a test): how long laying out a definition takes, uncached.

    .venv/bin/python bench/graph_bench.py [--repeat 15]

Lays out generated mixed definitions of 50 and 200 states (Task chains with Retry/Catch, Choices
with several rules, polling loops, Parallels, Maps: ``stepwell.console.graph.sample``), building
the graph model and the layout each time (no cache), and separately the SVG text for a laid-out
graph. Prints and writes bench/results/graph.json. The target: 200 states in well under a second.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stepwell.console.graph.layout import layout_graph
from stepwell.console.graph.model import build_graph
from stepwell.console.graph.sample import mixed_definition
from stepwell.console.graph.svg import render_svg

RESULTS = Path(__file__).with_name("results") / "graph.json"
SIZES = (50, 200)


def _timed(work: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def measure(states: int, repeat: int) -> dict[str, Any]:
    definition = json.dumps(mixed_definition(states))
    layout = layout_graph(build_graph(definition))
    layout_times = _timed(lambda: layout_graph(build_graph(definition)), repeat)
    svg_times = _timed(lambda: render_svg(layout, {}), repeat)
    return {
        "states": states,
        "nodes_drawn": sum(1 for _ in layout.nodes()),
        "edges_drawn": sum(1 for _ in layout.edges()),
        "size_px": [round(layout.width), round(layout.height)],
        "layout_seconds_median": round(statistics.median(layout_times), 4),
        "layout_seconds_max": round(max(layout_times), 4),
        "svg_seconds_median": round(statistics.median(svg_times), 4),
        "repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "workload": "generated mixed definition (graph_sample.mixed_definition), model + layout, uncached",
    }
    for states in SIZES:
        results[f"states_{states}"] = measure(states, args.repeat)
    print(json.dumps(results, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
